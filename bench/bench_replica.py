"""Requests per second the replica serves on loopback (it must never be a crawl's bottleneck).

The server runs in this process (as the test fixture runs it); the load comes from a
separate process: a raw asyncio HTTP/1.1 keep-alive client with 50 connections fetching
article pages, which costs far less CPU per request than a full client library.
Usage: python bench/bench_replica.py [--quick] [--json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing as mp
import time
from urllib.parse import urlsplit

from newsarchive.replica import ReplicaConfig, run_replica_in_thread

TARGET = 2000.0  # requests/s the replica must sustain (docs/replica.md); the "peer" column


async def _worker(port: int, requests: list[bytes], deadline: float, counts: list[int]) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    i = 0
    try:
        while time.perf_counter() < deadline:
            writer.write(requests[i % len(requests)])
            i += 1
            head = await reader.readuntil(b"\r\n\r\n")
            length = 0
            for line in head.split(b"\r\n"):
                if line[:15].lower() == b"content-length:":
                    length = int(line[15:])
            await reader.readexactly(length)
            if head.startswith(b"HTTP/1.1 200"):
                counts[0] += 1
            else:
                counts[1] += 1
    finally:
        writer.close()


def _load(port: int, requests: list[bytes], seconds: float, conns: int, out: mp.Queue) -> None:
    async def main() -> None:
        counts = [0, 0]
        deadline = time.perf_counter() + seconds
        start = time.perf_counter()
        shares = [requests[k::conns] or requests for k in range(conns)]
        await asyncio.gather(*(_worker(port, shares[k], deadline, counts) for k in range(conns)))
        out.put((counts[0], counts[1], time.perf_counter() - start))

    asyncio.run(main())


def measure(seconds: float = 5.0, conns: int = 50, articles: int = 500) -> dict:
    with run_replica_in_thread(ReplicaConfig(port=0, articles=articles)) as handle:
        corpus = handle.corpus
        requests = []
        for article in corpus.articles:
            u = urlsplit(corpus.url(article))
            target = u.path + (f"?{u.query}" if u.query else "")
            requests.append(f"GET {target} HTTP/1.1\r\nHost: {u.netloc}\r\n\r\n".encode())
            corpus.rendered(article)  # warm the page cache: measure serving, not templating
        ctx = mp.get_context("spawn")
        queue: mp.Queue = ctx.Queue()
        proc = ctx.Process(target=_load, args=(handle.port, requests, seconds, conns, queue))
        proc.start()
        ok, bad, elapsed = queue.get(timeout=seconds + 60)
        proc.join()
    return {"ok": ok, "errors": bad, "seconds": elapsed, "rps": ok / elapsed}


def run(quick: bool = False) -> list[dict]:
    result = measure(seconds=2.0 if quick else 5.0)
    return [
        {
            "bench": "replica",
            "metric": "requests/s",
            "value": round(result["rps"], 1),
            "peer": TARGET,
            "ratio": round(result["rps"] / TARGET, 2),
            "errors": result["errors"],
        }
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true", help="print a JSON dict")
    parser.add_argument("--quick", action="store_true", help="2 s instead of 5 s")
    args = parser.parse_args()
    row = run(quick=args.quick)[0]
    if args.json:
        print(json.dumps({"name": "replica", "metric": "requests/s", "value": row["value"]}))
    else:
        print(
            f"replica: {row['value']:.0f} requests/s (target {TARGET:.0f}, x{row['ratio']}, "
            f"{row['errors']} non-200) over 50 keep-alive connections"
        )


if __name__ == "__main__":
    main()
