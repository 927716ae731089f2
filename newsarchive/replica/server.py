"""The replica's HTTP server (aiohttp, low-level): faults, conditional GETs, control routes.

`run_replica_in_thread` binds the socket in the caller's thread (so the port is known at
once, port 0 included) and runs the event loop in a daemon thread.
"""

from __future__ import annotations

import asyncio
import json
import socket
import struct
import threading
import time
from email.utils import parsedate_to_datetime
from typing import Any

from aiohttp import web

from newsarchive.replica import faults as faultmod
from newsarchive.replica.config import ReplicaConfig
from newsarchive.replica.corpus import Corpus, build_corpus
from newsarchive.replica.pages import HTML, Reply, resolve
from newsarchive.replica.sites import CDN_HOST, HOSTS

CONTROL_PATHS = ("/__truth__", "/__control__", "/__faults__")


class ReplicaApp:
    def __init__(self, corpus: Corpus) -> None:
        self.corpus = corpus
        self.faults = faultmod.Faults(corpus.config.faults, corpus.config.seed)
        log = corpus.config.request_log
        # Line-buffered: a reader sees each arrival as soon as it happened.
        self._request_log = open(log, "a", buffering=1, encoding="utf-8") if log else None  # noqa: SIM115

    def close(self) -> None:
        if self._request_log is not None:
            self._request_log.close()
            self._request_log = None

    def log_arrival(self, request: web.BaseRequest, host: str) -> None:
        if self._request_log is not None:
            entry = {"t": time.time(), "host": host, "method": request.method}
            entry["path"] = request.rel_url.raw_path_qs
            self._request_log.write(json.dumps(entry) + "\n")

    def state_json(self) -> dict[str, Any]:
        c = self.corpus.config
        return {
            "generation": self.corpus.generation,
            "seed": c.seed,
            "articles": c.articles,
            "faults": c.faults,
            "edit_rate": c.edit_rate,
            "delete_rate": c.delete_rate,
            "scheme": c.scheme,
        }

    async def handle(self, request: web.BaseRequest) -> web.StreamResponse:
        host = (request.host or "").rsplit(":", 1)[0].lower() if request.host else ""
        path = request.path
        if path in CONTROL_PATHS:
            return self._control(request, host, path)
        self.log_arrival(request, host)
        if self.corpus.config.latency_ms:
            await asyncio.sleep(self.corpus.config.latency_ms / 1000)
        form: dict[str, str] = {}
        if request.method == "POST":
            form = {k: str(v) for k, v in (await request.post()).items()}
        reply = resolve(self.corpus, host, path, request.query, request.method, form)
        if path == "/robots.txt" or (host not in HOSTS and host != CDN_HOST):
            return self._respond(request, reply, None)  # never faulted: robots and the index
        fault = self.faults.plan(host + request.rel_url.raw_path_qs, reply.rendered is not None)
        if fault is not None:
            self.faults.count(fault.kind)
            if fault.kind == "slow":
                await asyncio.sleep(fault.delay)
            elif fault.kind == "503":
                return web.Response(
                    status=503,
                    text="<html><body><h1>503 Service Unavailable</h1></body></html>",
                    content_type="text/html",
                    headers={"Retry-After": "1"},
                )
            elif fault.kind == "reset":
                return self._reset(request)
            elif fault.kind == "truncated" and reply.status == 200 and reply.body:
                return await self._truncated(request, reply)
        return (
            await self._special(request, reply)
            if reply.special
            else self._respond(request, reply, fault)
        )

    # --- ordinary replies ---

    def _respond(
        self, request: web.BaseRequest, reply: Reply, fault: faultmod.Fault | None
    ) -> web.StreamResponse:
        headers = dict(reply.headers)
        content_type = reply.content_type
        if fault is not None and fault.kind == "charset":
            content_type = "text/html; charset=iso-8859-1"  # body stays UTF-8
        rendered = reply.rendered
        if rendered is not None:
            headers["ETag"] = rendered.etag
            headers["Last-Modified"] = rendered.last_modified
            if _not_modified(request, rendered.etag, rendered.last_modified_ts):
                return web.Response(status=304, headers=headers)
        headers["Content-Type"] = content_type
        return web.Response(status=reply.status, body=reply.body, headers=headers)

    def _control(self, request: web.BaseRequest, host: str, path: str) -> web.Response:
        if path == "/__truth__":
            site = HOSTS.get(host)
            return web.Response(
                body=self.corpus.truth_jsonl(site),
                headers={"Content-Type": "application/x-ndjson; charset=utf-8"},
            )
        if path == "/__faults__":
            return web.json_response(self.faults.snapshot())
        if request.method == "POST" and "generation" in request.query:
            raw = request.query["generation"]
            if not raw.isdigit():
                return web.json_response({"error": f"bad generation: {raw!r}"}, status=400)
            self.corpus.set_generation(int(raw))
        elif request.method == "POST":
            return web.json_response({"error": "missing ?generation=G"}, status=400)
        return web.json_response(self.state_json())

    # --- faults and hostile pages ---

    def _reset(self, request: web.BaseRequest) -> web.StreamResponse:
        transport = request.transport
        if transport is not None:
            sock = transport.get_extra_info("socket")
            if sock is not None:  # linger 0: the peer sees a TCP reset, not a clean close
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            transport.abort()
        return web.Response(status=500)  # never sent: the connection is gone

    async def _truncated(self, request: web.BaseRequest, reply: Reply) -> web.StreamResponse:
        resp = web.StreamResponse(status=reply.status, headers={"Content-Type": reply.content_type})
        resp.content_length = len(reply.body)
        await resp.prepare(request)
        await resp.write(reply.body[: len(reply.body) // 2])
        if request.transport is not None:
            request.transport.close()  # flushes what was written, then closes: body cut short
        return resp

    async def _special(self, request: web.BaseRequest, reply: Reply) -> web.StreamResponse:
        kind = reply.special
        assert kind is not None
        self.faults.count(kind)
        if kind == "loop":
            return web.Response(status=302, headers=reply.headers)
        if kind == "bomb":
            blob = await asyncio.to_thread(faultmod.gzip_bomb)
            return web.Response(
                body=blob, headers={"Content-Type": HTML, "Content-Encoding": "gzip"}
            )
        head, chunk, foot, repeats = faultmod.big_page_parts()
        resp = web.StreamResponse(headers={"Content-Type": HTML})
        resp.content_length = len(head) + len(chunk) * repeats + len(foot)
        await resp.prepare(request)
        await resp.write(head)
        for _ in range(repeats):
            await resp.write(chunk)
        await resp.write(foot)
        await resp.write_eof()
        return resp


def _not_modified(request: web.BaseRequest, etag: str, last_modified_ts: float) -> bool:
    inm = request.headers.get("If-None-Match")
    if inm is not None:
        return etag in [t.strip() for t in inm.split(",")] or inm.strip() == "*"
    ims = request.headers.get("If-Modified-Since")
    if ims:
        try:
            return last_modified_ts <= parsedate_to_datetime(ims).timestamp()
        except (TypeError, ValueError):
            return False
    return False


class ReplicaHandle:
    """A replica serving in a background thread; a context manager that stops it on exit."""

    def __init__(self, config: ReplicaConfig, corpus: Corpus, sock: socket.socket) -> None:
        self.config = config
        self.corpus = corpus
        self.app = ReplicaApp(corpus)
        self.port: int = sock.getsockname()[1]
        self.host: str = config.host
        self.base = f"http://{config.host}:{self.port}"
        self._sock = sock
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._runner: web.ServerRunner | None = None
        self._thread = threading.Thread(target=self._run, name=f"replica:{self.port}", daemon=True)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        try:
            self._loop.run_until_complete(self._start())
        except BaseException as exc:  # surfaced to the starting thread
            self._error = exc
            self._ready.set()
            return
        self._ready.set()
        self._loop.run_forever()
        self._loop.run_until_complete(self._runner.cleanup() if self._runner else asyncio.sleep(0))
        self._loop.close()

    async def _start(self) -> None:
        server = web.Server(self.app.handle, access_log=None)
        self._runner = web.ServerRunner(server, access_log=None, handle_signals=False)
        await self._runner.setup()
        await web.SockSite(self._runner, self._sock).start()

    def start(self) -> ReplicaHandle:
        self._thread.start()
        self._ready.wait()
        if self._error is not None:
            raise RuntimeError(f"replica failed to start: {self._error}") from self._error
        return self

    def set_generation(self, generation: int) -> None:
        self.corpus.set_generation(generation)

    @property
    def faults(self) -> dict[str, int]:
        return self.app.faults.snapshot()

    def stop(self) -> None:
        if self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=10)
        self.app.close()

    def __enter__(self) -> ReplicaHandle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def bind(host: str, port: int) -> socket.socket:
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(1024)
    sock.setblocking(False)
    return sock


def run_replica_in_thread(
    config: ReplicaConfig | None = None, corpus: Corpus | None = None
) -> ReplicaHandle:
    config = config or ReplicaConfig()
    corpus = corpus or build_corpus(config)
    return ReplicaHandle(config, corpus, bind(config.host, config.port)).start()
