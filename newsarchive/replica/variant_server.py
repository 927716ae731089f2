"""HTTP server of the replica variants: routes by Host like the main replica, answers
`/__truth__` (JSON lines per article of the Host's site, all sites otherwise) and
`/__variants__` (what each site is: family, pagination scheme, article URL shape)."""

from __future__ import annotations

import asyncio
import threading

from aiohttp import web

from newsarchive.replica.server import bind
from newsarchive.replica.variant_pages import resolve, sites_json, truth_jsonl
from newsarchive.replica.variants import HOSTS, VariantCorpus


class VariantApp:
    def __init__(self, corpus: VariantCorpus) -> None:
        self.corpus = corpus
        self.requests: list[tuple[str, str, str]] = []  # (method, host, target) served

    async def handle(self, request: web.BaseRequest) -> web.StreamResponse:
        host = (request.host or "").rsplit(":", 1)[0].lower()
        if request.path == "/__truth__":
            body = truth_jsonl(self.corpus, HOSTS.get(host))
            return web.Response(body=body, content_type="application/x-ndjson", charset="utf-8")
        if request.path == "/__variants__":
            return web.Response(body=sites_json(self.corpus), content_type="application/json")
        self.requests.append((request.method, host, request.rel_url.raw_path_qs))
        form: dict[str, str] = {}
        if request.method == "POST":
            form = {k: str(v) for k, v in (await request.post()).items()}
        status, body, headers = resolve(
            self.corpus,
            host,
            request.path,
            request.rel_url.raw_query_string,
            request.query,
            request.method,
            form,
        )
        return web.Response(status=status, body=body, headers=headers)


class VariantHandle:
    """Variants serving in a background thread (port 0 allowed); stop() ends it."""

    def __init__(self, corpus: VariantCorpus, host: str = "127.0.0.1", port: int = 0) -> None:
        self.corpus = corpus
        self.app = VariantApp(corpus)
        self._sock = bind(host, port)
        self.port: int = self._sock.getsockname()[1]
        self.base = f"http://{host}:{self.port}"
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._runner: web.ServerRunner | None = None
        self._thread = threading.Thread(target=self._run, name="variants", daemon=True)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._loop.run_until_complete(self._start())
        self._ready.set()
        self._loop.run_forever()
        if self._runner is not None:
            self._loop.run_until_complete(self._runner.cleanup())
        self._loop.close()

    async def _start(self) -> None:
        server = web.Server(self.app.handle, access_log=None)
        self._runner = web.ServerRunner(server, access_log=None, handle_signals=False)
        await self._runner.setup()
        await web.SockSite(self._runner, self._sock).start()

    def start(self) -> VariantHandle:
        self._thread.start()
        self._ready.wait(30)
        return self

    def stop(self) -> None:
        if self._thread.is_alive():
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=10)

    def __enter__(self) -> VariantHandle:
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()


def run_variants_in_thread(
    articles: int = 24, seed: int = 1, host: str = "127.0.0.1", port: int = 0
) -> VariantHandle:
    return VariantHandle(VariantCorpus(articles, seed), host, port).start()
