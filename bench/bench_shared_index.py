"""Shared SQLite index or one shard per worker? (issue 12, the index choice in the README)

Three Redis workers crawl the same replica sites two ways, in the same run:
  shared: `crawl --redis URL --workers 3` into ONE data folder (one index.db, WAL, busy
          timeout: the workers' writes contend for SQLite's one write lock);
  shards: three `crawl --redis URL --workers 1` at once, each into its own data folder
          (no contention; a merge would be needed afterwards, not timed here).
Rows: articles/s of each (best of `rounds`, orders alternated), and shared / shards.
A real redis-server on a free loopback port (tests/redissupport.py), stopped after.
NEWSARCHIVE_BENCH_CRAWL_ARGS: more `crawl` options for both (e.g. "-s NEWSARCHIVE_INDEX_BATCH_MS=50").
"""

import os
import shlex
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SITES = ("haian", "lechan", "vinhbao")


def _crawl(port, data, redis_url, job, workers):
    return subprocess.Popen(
        [
            sys.executable, "-m", "newsarchive", "crawl", *SITES, "--fast", "--no-progress",
            "--map", f"*.haiphong.gov.vn=127.0.0.1:{port}", "--data", str(data),
            "--redis", redis_url, "--job", job, "--workers", str(workers), "--log-keep", "0",
            *shlex.split(os.environ.get("NEWSARCHIVE_BENCH_CRAWL_ARGS", "")),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )  # fmt: skip


def _articles(data):
    import sqlite3

    with sqlite3.connect(f"file:{data / 'index.db'}?mode=ro", uri=True) as conn:
        return conn.execute("select count(*) from articles").fetchone()[0]


def _timed(procs):
    for proc in procs:
        _, err = proc.communicate(timeout=1800)
        if proc.returncode != 0:
            raise RuntimeError(f"crawl failed ({proc.returncode}): {err[-2000:]}")


def run(quick=False, soak=False):
    from newsarchive.replica import ReplicaConfig, run_replica_in_thread
    from tests.redissupport import running_redis

    articles = 60 if quick else (1000 if soak else 300)
    rounds = 1 if quick else 2
    best = {"shared": 0.0, "shards": 0.0}
    expected = articles * len(SITES)
    with tempfile.TemporaryDirectory(prefix="bench-shared-index-") as tmp:
        tmp = Path(tmp)
        config = ReplicaConfig(port=0, articles=articles, seed=5, latency_ms=20)
        with run_replica_in_thread(config) as replica, running_redis(tmp / "redis") as url:
            for r in range(rounds):
                order = ("shared", "shards") if r % 2 == 0 else ("shards", "shared")
                for variant in order:
                    base = tmp / f"{variant}-{r}"
                    start = time.perf_counter()
                    if variant == "shared":
                        folders = [base]
                        _timed([_crawl(replica.port, base, url, f"{variant}{r}", 3)])
                    else:
                        folders = [base / str(i) for i in range(3)]
                        _timed([_crawl(replica.port, f, url, f"{variant}{r}", 1) for f in folders])
                    wall = time.perf_counter() - start
                    got = sum(_articles(f) for f in folders)
                    if got != expected:
                        raise RuntimeError(f"{variant}: {got} articles, expected {expected}")
                    best[variant] = max(best[variant], got / wall)
    ratio = best["shared"] / best["shards"] if best["shards"] else None
    common = {"bench": "shared_index", "unit": "articles/s"}
    return [
        {**common, "metric": "3 workers, one shared SQLite index", "value": best["shared"]},
        {**common, "metric": "3 workers, one index each (shards)", "value": best["shards"]},
        {
            **common,
            "metric": "shared index vs shards",
            "value": best["shared"],
            "peer": "shards",
            "peer_value": best["shards"],
            "ratio": ratio,
            "unit": "x",
        },
    ]


if __name__ == "__main__":
    for row in run(quick="--quick" in sys.argv, soak="--soak" in sys.argv):
        print(row)
