"""`make demo`: start the local replica, crawl one site of it into the archive, show results.

Everything runs on loopback; nothing here touches a real portal.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", default=os.environ.get("NEWSARCHIVE_DATA", "./data"))
    parser.add_argument("--site", default="haian")
    parser.add_argument("--articles", type=int, default=300)
    parser.add_argument("--query", default="dang bo hai an")
    args = parser.parse_args(argv)

    from archive.index import Index
    from archive.layout import DataDir
    from newsarchive.replica import ReplicaConfig, run_replica_in_thread

    config = ReplicaConfig(port=0, articles=args.articles, seed=1)
    with run_replica_in_thread(config) as replica:
        print(
            f"replica of the haiphong.gov.vn portals on {replica.base} ({args.articles} articles per site)"
        )
        started = time.monotonic()
        command = [
            sys.executable, "-m", "newsarchive", "crawl", args.site,
            "--fast", "--no-progress",
            "--map", f"*.haiphong.gov.vn=127.0.0.1:{replica.port}",
            "--data", args.data,
        ]  # fmt: skip
        print("$ newsarchive " + " ".join(command[3:]))
        code = subprocess.call(command)
        elapsed = time.monotonic() - started
    if code != 0:
        print(f"crawl failed with exit code {code}", file=sys.stderr)
        return code

    data = DataDir(Path(args.data))
    with Index(data.index_path) as index:
        summary = index.summary()
        print(f"\narchive in {data.root} (crawl took {elapsed:.1f} s):")
        for key, value in summary.items():
            print(f"  {key}: {value}")
        warcs = sorted(data.warc_dir.glob("*.warc.gz"))
        size = sum(p.stat().st_size for p in warcs)
        print(f"  WARC files: {len(warcs)} ({size / 1e6:.1f} MB)")
        print(f"\nsearch {args.query!r} (no diacritics needed):")
        for hit in index.search(args.query, limit=5):
            print(f"  {hit['published'] or '':25} {hit['title']}")
            print(f"  {'':25} {hit['url']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
