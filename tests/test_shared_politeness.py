"""Per-host politeness across workers on one Redis (newsarchive/crawl/sharedpace.py),
measured from the replica's own request log: what the server saw, not what crawlers say."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections import defaultdict
from pathlib import Path

import pytest
from warcio.archiveiterator import ArchiveIterator

from newsarchive.replica import ReplicaConfig, run_replica_in_thread
from tests.crawlsupport import count_rows, crawl_command

SITES = ("haian", "lechan")
WORKERS = 3
# The turn is taken in Redis right before sending and every turn is 0.05 s longer than the
# interval (NEWSARCHIVE_REDIS_GUARD), because the replica stamps the arrival after the worker
# wrote the request: on this loaded 2-core machine (3 workers, the replica, Redis) a worker
# busy starting up has sent up to 0.14 s after its turn while the next one sent on time.
# Windows are 0.9 s: a lag of up to 0.15 s between two neighbours passes. Unshared
# politeness puts 2-3 requests in such a window (see the second test).
TOLERANCE = 0.1


def arrivals(log: Path) -> dict[str, list[float]]:
    """host -> sorted arrival times of every request the replica received."""
    times: dict[str, list[float]] = defaultdict(list)
    for line in log.read_text(encoding="utf-8").splitlines():
        entry = json.loads(line)
        times[entry["host"]].append(entry["t"])
    return {host: sorted(ts) for host, ts in times.items()}


def several_workers(data: Path, host: str) -> int:
    """How many workers archived responses of `host` (the pid is in each WARC file's name;
    robots.txt left out: one worker fetches it for all)."""
    pids = set()
    for path in (data / "warc").glob("*.warc.gz"):
        with open(path, "rb") as f:
            for record in ArchiveIterator(f):
                uri = record.rec_headers.get_header("WARC-Target-URI") or ""
                page = record.rec_type in ("response", "revisit") and uri.split("/")[2] == host
                if page and not uri.endswith("/robots.txt"):
                    pids.add(path.name.removesuffix(".warc.gz").rsplit("-", 1)[1])
                    break
    return len(pids)


def max_in_window(times: list[float], width: float) -> int:
    """The most requests that arrived within any window of `width` seconds."""
    best, start = 0, 0
    for end, t in enumerate(times):
        while t - times[start] >= width:
            start += 1
        best = max(best, end - start + 1)
    return best


def crawl_workers(tmp: Path, port: int, extra: tuple[str, ...]) -> subprocess.CompletedProcess:
    """The real command: WORKERS worker processes on one Redis frontier, one data folder.

    Two requests at a time per worker: with --fast's 64 the worker that parses a listing
    takes all its links from the frontier before the others look, and one worker alone
    would serve each host."""
    cmd = crawl_command(
        port,
        tmp / "data",
        SITES,
        ("--workers", str(WORKERS), "-s", "CONCURRENT_REQUESTS=2", *extra),
    )
    return subprocess.run(cmd, capture_output=True, text=True, timeout=300)


def test_three_workers_together_send_at_most_one_request_per_second_per_host(tmp_path, redis_url):
    log = tmp_path / "requests.jsonl"
    with run_replica_in_thread(ReplicaConfig(port=0, articles=2, request_log=str(log))) as rep:
        extra = (
            "--redis", redis_url, "--job", f"pace-{tmp_path.name}",
            "-s", "NEWSARCHIVE_HOST_RATE=1", "-s", "NEWSARCHIVE_FILE_HOST_RATE=1",
        )  # fmt: skip
        done = crawl_workers(tmp_path, rep.port, extra)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert f"{WORKERS} workers ({WORKERS} finished)" in done.stdout, done.stdout
    seen = arrivals(log)
    for site in SITES:
        assert len(seen[f"{site}.haiphong.gov.vn"]) >= 8, seen.keys()  # something to measure
    for host, times in seen.items():
        assert several_workers(tmp_path / "data", host) >= 2, (
            f"{host} was served by one worker only"
        )
        busiest = max_in_window(times, 1.0 - TOLERANCE)
        gaps = [round(b - a, 3) for a, b in zip(times, times[1:], strict=False)]
        assert busiest <= 1, f"{host}: {busiest} requests within {1 - TOLERANCE} s; gaps {gaps}"
    assert count_rows(tmp_path / "data" / "index.db", "articles") == 2 * len(SITES)


def test_without_the_shared_limit_three_workers_hit_a_host_harder(tmp_path, redis_url):
    """The same run with the shared limit off (NEWSARCHIVE_REDIS_POLITENESS=0): each worker
    keeps 1 request/s per host on its own (DOWNLOAD_DELAY=1, no jitter), and the hosts see
    them all at once. This is what the first test's limit prevents, and shows that the
    measurement tells the two apart."""
    log = tmp_path / "requests.jsonl"
    with run_replica_in_thread(ReplicaConfig(port=0, articles=2, request_log=str(log))) as rep:
        extra = (
            "--redis", redis_url, "--job", f"unshared-{tmp_path.name}",
            "-s", "NEWSARCHIVE_REDIS_POLITENESS=0",
            "-s", "DOWNLOAD_DELAY=1", "-s", "DOWNLOAD_DELAY_JITTER=0",
        )  # fmt: skip
        done = crawl_workers(tmp_path, rep.port, extra)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    seen = arrivals(log)
    for host in seen:
        assert several_workers(tmp_path / "data", host) >= 2, (
            f"{host} was served by one worker only"
        )
    busiest = {h: max_in_window(seen[f"{h}.haiphong.gov.vn"], 1.0 - TOLERANCE) for h in SITES}
    assert all(n >= 2 for n in busiest.values()), busiest


def test_redis_lost_mid_crawl_stops_the_crawl_keeps_the_archive_and_fails(tmp_path):
    """Redis dies while the crawl waits on it: a clear error, exit non-zero, and what was
    archived before verifies."""
    from tests.redissupport import running_redis

    data = tmp_path / "data"
    with run_replica_in_thread(ReplicaConfig(port=0, articles=6)) as rep:
        try:
            redis_cm = running_redis(tmp_path / "redis")
            url = redis_cm.__enter__()
        except RuntimeError as exc:
            pytest.fail(str(exc))
        try:
            cmd = crawl_command(
                rep.port,
                data,
                SITES,
                ("-s", f"REDIS_URL={url}", "-s", "NEWSARCHIVE_HOST_RATE=4",
                 "-s", "NEWSARCHIVE_REDIS_TIMEOUT=2"),
            )  # fmt: skip
            proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and proc.poll() is None:
                if count_rows(data / "index.db", "captures") >= 5:
                    break
                time.sleep(0.05)
        finally:
            redis_cm.__exit__(None, None, None)  # Redis gone mid-crawl
        _, err = proc.communicate(timeout=120)
    assert proc.returncode == 1, err[-2000:]
    last = err.strip().splitlines()[-1]
    assert last.startswith("Error: ") and "Redis at" in last and "unreachable" in last, last
    assert "Traceback" not in err
    captured = count_rows(data / "index.db", "captures")
    assert captured >= 5
    verify = subprocess.run(
        [sys.executable, "-m", "newsarchive", "verify", "--data", str(data)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert verify.returncode == 0, verify.stdout + verify.stderr


class _Stats:
    def __init__(self) -> None:
        self.values: dict[str, object] = {}

    def inc_value(self, key: str, count: int = 1) -> None:
        self.values[key] = int(self.values.get(key, 0)) + count  # type: ignore[arg-type]

    def set_value(self, key: str, value: object) -> None:
        self.values[key] = value


def _crawler(redis_url: str, prefix: str, slots: dict[str, float]):
    """What SharedPoliteness reads of a crawler: settings, stats, the downloader's slots."""
    from types import SimpleNamespace

    from scrapy.settings import Settings

    settings = Settings(
        {
            "REDIS_URL": redis_url,
            "NEWSARCHIVE_REDIS_PREFIX": prefix,
            "NEWSARCHIVE_HOST_RATE": 2.0,
            "NEWSARCHIVE_FILE_HOSTS": ["cdn.example.vn"],
            "CONCURRENT_REQUESTS_PER_DOMAIN": 2,
            "NEWSARCHIVE_FILE_HOST_CONCURRENCY": 8,
        }
    )
    downloader = SimpleNamespace(
        slots={host: SimpleNamespace(delay=d) for host, d in slots.items()},
        get_slot_key=lambda request: request.meta.get("download_slot", "") or "",
    )
    crawler = SimpleNamespace(
        settings=settings, stats=_Stats(), engine=SimpleNamespace(downloader=downloader)
    )
    return crawler


def test_a_hosts_interval_is_its_largest_delay_and_holds_reach_every_worker(redis_url):
    """Two workers' components on one Redis: the interval takes the host's slot delay
    (DOWNLOAD_DELAY, Crawl-delay, AutoThrottle all land there) or the rate, whichever is
    longer; the CDN has its own rate; a Retry-After hold by one worker makes the other wait.
    Checked on what Redis answers (how long to wait), not on elapsed time."""
    import asyncio

    from scrapy import Request

    from newsarchive.crawl.middlewares import hold_host
    from newsarchive.crawl.sharedpace import SharedPoliteness

    async def scenario() -> None:
        prefix = f"unit-{time.time_ns()}"
        one = SharedPoliteness(_crawler(redis_url, prefix, {"slow.example.vn": 3.0}), redis_url)
        two = SharedPoliteness(_crawler(redis_url, prefix, {}), redis_url)
        for ext in (one, two):
            await ext.spider_opened(None)
        slow = Request("https://slow.example.vn/a", meta={"download_slot": "slow.example.vn"})
        plain = Request("https://plain.example.vn/a")
        cdn = Request("https://cdn.example.vn/img.jpg")
        assert one.interval(slow) == 3.0  # its slot's delay (e.g. Crawl-delay 3) beats 1/2
        assert one.interval(plain) == 0.5  # NEWSARCHIVE_HOST_RATE = 2
        assert one.interval(cdn) == 0.125  # 2 x (8 / 2): the CDN's own allowance

        async def wait_us(ext: SharedPoliteness, request: Request) -> int:
            key = ext.key(request.url.split("/")[2])
            micros = str(int(ext.interval(request) * 1e6))
            return int(await ext._take(keys=[key], args=[micros]))

        assert await wait_us(one, slow) == 0  # worker one sends...
        assert 2.5e6 < await wait_us(two, slow) <= 3e6  # ...worker two must wait ~3 s
        assert await wait_us(two, cdn) == 0  # the CDN's turn is its own

        # A Retry-After of 30 s seen by worker one holds plain.example.vn for worker two.
        one.crawler.get_extension = lambda cls: one
        hold_host(one.crawler, plain, 30.0)
        await asyncio.gather(*one._pending)
        assert 29e6 < await wait_us(two, plain) <= 30e6
        for ext in (one, two):
            await ext.spider_closed(None)

    asyncio.run(scenario())
