"""Many sites, one crawl: `newsarchive crawl --all --sites FILE --fast` over replica sub-sites.

The replica (this process, a thread) serves N generated commune sub-sites (`--sites N`,
generation C, files on the one shared CDN host) with 20 articles each and 30 ms added
before every response; the crawler is a child process. Reported: wall time, articles per
second, the child's peak RSS (VmHWM) and peak open file descriptors (/proc/PID/fd), both
polled every 20 ms, and whether every article of every site is archived exactly (every
field equal to the replica's truth). Targets (issue 11): < 400 MB, < 100 fds, all exact.
`make soak` (and `--soak`): 300 sites, the issue's figure (~15 min on a loaded 2-core box);
`make bench`: 30 sites; `--quick`: 10 sites.

Usage: python bench/bench_sites.py [--quick] [--soak] [--sites N]
"""

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOAK = True  # bench/run.py --soak runs this module with soak=True
REPO = HERE.parent
ARTICLES = 20
LATENCY_MS = 30


def _status_kib(pid: int, key: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def _fds(pid: int) -> int:
    try:
        return len(os.listdir(f"/proc/{pid}/fd"))
    except OSError:
        return 0


def crawl(port: int, sites_file: Path, data: Path, log: Path, timeout: float):
    cmd = [
        sys.executable, "-m", "newsarchive", "crawl", "--all", "--sites", str(sites_file),
        "--fast", "--no-progress", "--map", f"*.haiphong.gov.vn=127.0.0.1:{port}",
        "--data", str(data),
    ]  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("NEWSARCHIVE_SITES", None)
    hwm = fds = 0
    with log.open("wb") as out:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=REPO)
        while True:
            hwm = max(hwm, _status_kib(proc.pid, "VmHWM"))
            fds = max(fds, _fds(proc.pid))
            pid, status, _ = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() - started > timeout:
                os.kill(proc.pid, signal.SIGKILL)
            time.sleep(0.02)
        seconds = time.perf_counter() - started
    return os.waitstatus_to_exitcode(status), seconds, hwm / 1024, fds


def exactness(corpus, data: Path) -> tuple[int, int, int]:
    """(expected, exact, missing) over the generated sites' active articles."""
    sys.path.insert(0, str(REPO))
    from tests.crawlsupport import comparable, index_articles, truth_comparable

    archived = index_articles(data / "index.db")
    expected = exact = missing = 0
    for key, arts in corpus.by_site.items():
        if key in ("haian", "lechan", "vinhbao"):
            continue
        for article in arts:
            t = corpus.truth(article)
            if t["status"] != "active":
                continue
            expected += 1
            got = archived.get(t["url"])
            if got is None:
                missing += 1
            elif comparable(got) == truth_comparable(t):
                exact += 1
    return expected, exact, missing


def run(quick: bool = False, soak: bool = False, sites: int | None = None) -> list[dict]:
    sys.path.insert(0, str(REPO))
    from newsarchive.replica import ReplicaConfig, run_replica_in_thread

    n = sites or (300 if soak else 10 if quick else 30)
    config = ReplicaConfig(port=0, articles=ARTICLES, sites=n, latency_ms=LATENCY_MS, seed=4)
    rows: list[dict] = []
    with (
        tempfile.TemporaryDirectory(prefix="bench-sites-") as tmp,
        run_replica_in_thread(config) as replica,
    ):
        root = Path(tmp)
        sites_file = root / "sites.toml"
        sites_file.write_text(replica.corpus.sites_toml(), encoding="utf-8")
        code, seconds, rss, fds = crawl(
            replica.port, sites_file, root / "data", root / "crawl.log", timeout=3600
        )
        expected, exact, missing = exactness(replica.corpus, root / "data")
        warcs = len(list((root / "data" / "warc").glob("*.warc.gz")))
        if code != 0:
            print((root / "crawl.log").read_text(errors="replace")[-3000:], file=sys.stderr)
    bench = f"sites x{n}"
    rows += [
        {"bench": bench, "metric": "exit code", "value": code, "target": "0", "ok": code == 0},
        {"bench": bench, "metric": "articles expected", "value": expected},
        {
            "bench": bench,
            "metric": "articles exact",
            "value": exact,
            "target": f"= {expected}",
            "ok": exact == expected,
        },
        {"bench": bench, "metric": "articles missing", "value": missing},
        {"bench": bench, "metric": "wall time", "value": seconds, "unit": "s"},
        {"bench": bench, "metric": "articles/s", "value": exact / seconds if seconds else 0},
        {"bench": bench, "metric": "peak RSS", "value": rss, "unit": "MB", "target": "< 400", "ok": rss < 400},
        {"bench": bench, "metric": "peak open fds", "value": fds, "target": "< 100", "ok": fds < 100},
        {"bench": bench, "metric": "WARC files", "value": warcs},
    ]  # fmt: skip
    return rows


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--soak", action="store_true")
    parser.add_argument("--sites", type=int)
    args = parser.parse_args()
    for row in run(quick=args.quick, soak=args.soak, sites=args.sites):
        print(f"{row['metric']:>20}: {row['value']} {row.get('unit', '')} {row.get('target', '')}")
