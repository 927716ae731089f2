"""robots.txt shared through Redis by the workers of one crawl (newsarchive/crawl/sharedrobots.py):
the replica sees one robots.txt request per host from 3 workers together, and every worker
still obeys it (each parsed it: the replica's Crawl-delay spaces every worker's requests)."""

from __future__ import annotations

import json
import re
import subprocess
from collections import Counter, defaultdict
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from newsarchive.replica import ReplicaConfig, run_replica_in_thread
from tests.crawlsupport import crawl_command
from tests.reliability.oracle import assert_verify_clean

SITES = ("haian", "lechan")
WORKERS = 3
CRAWL_DELAY = 0.3  # the replica asks for 1 s; capped so that the test stays short


def arrivals(log: Path) -> list[dict]:
    return [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]


def hosts_by_worker(data: Path) -> dict[str, set[str]]:
    """pid (in the WARC file's name) -> hosts it archived a page or file of."""
    found: dict[str, set[str]] = defaultdict(set)
    for path in (data / "warc").glob("*.warc.gz"):
        pid = path.name.removesuffix(".warc.gz").rsplit("-", 1)[1]
        with open(path, "rb") as f:
            for record in ArchiveIterator(f):
                if record.rec_type in ("response", "revisit"):
                    uri = record.rec_headers.get_header("WARC-Target-URI")
                    if not uri.endswith("/robots.txt"):
                        found[pid].add(uri.split("/")[2])
    return found


def archived_robots(data: Path) -> Counter[str]:
    urls: Counter[str] = Counter()
    for path in (data / "warc").glob("*.warc.gz"):
        with open(path, "rb") as f:
            for record in ArchiveIterator(f):
                uri = record.rec_headers.get_header("WARC-Target-URI") or ""
                if record.rec_type in ("response", "revisit") and uri.endswith("/robots.txt"):
                    urls[uri] += 1
    return urls


def test_three_workers_fetch_robots_txt_once_per_host_and_all_obey_it(tmp_path, redis_url):
    log = tmp_path / "requests.jsonl"
    data = tmp_path / "data"
    with run_replica_in_thread(ReplicaConfig(port=0, articles=3, request_log=str(log))) as rep:
        extra = (
            "--redis", redis_url, "--job", f"robots-{tmp_path.name}", "--workers", str(WORKERS),
            # Two requests at a time per worker: the work spreads over the workers.
            "-s", "CONCURRENT_REQUESTS=2",
            "-s", "NEWSARCHIVE_OBEY_CRAWL_DELAY=1", "-s", f"NEWSARCHIVE_MAX_CRAWL_DELAY={CRAWL_DELAY}",
        )  # fmt: skip
        done = subprocess.run(
            crawl_command(rep.port, data, SITES, extra), capture_output=True, text=True, timeout=300
        )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert f"{WORKERS} workers ({WORKERS} finished)" in done.stdout, done.stdout

    seen = arrivals(log)
    robots = Counter(e["host"] for e in seen if e["path"] == "/robots.txt")
    hosts = {e["host"] for e in seen}
    assert robots == dict.fromkeys(hosts, 1), robots
    # The one fetch of each is archived once, by the worker that made it.
    assert set(archived_robots(data).values()) == {1}
    assert len(archived_robots(data)) == len(hosts)

    by_worker = hosts_by_worker(data)
    for host in hosts:
        workers = [pid for pid, served in by_worker.items() if host in served]
        assert len(workers) >= 2, f"{host} was served by {workers} only: the test is void"
        for pid in workers:
            # Each worker parsed the host's robots.txt (fetched or from Redis): its
            # Crawl-delay line is in that worker's run log.
            (worker_log,) = (data / "logs").glob(f"crawl-*-{pid}.log")
            text = worker_log.read_text(encoding="utf-8")
            assert re.search(rf"{re.escape(host)} asks for Crawl-delay", text), (pid, host)
    # And obeyed it: the requests to a host, from all workers together, are spaced (one
    # worker without it would send its two at once).
    for host in hosts:
        times = sorted(e["t"] for e in seen if e["host"] == host and e["path"] != "/robots.txt")
        gaps = [b - a for a, b in zip(times, times[1:], strict=False)]
        assert gaps and min(gaps) > CRAWL_DELAY / 3, (host, [round(g, 3) for g in gaps])
    assert_verify_clean(data)
