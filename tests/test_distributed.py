"""Workers on one Redis frontier (`crawl --redis URL --workers N`): the union of their
archives is exactly a single-process crawl's, nothing is fetched twice, a SIGKILLed worker
loses nothing, a re-run is incremental, and bad Redis options are one-line errors.

robots.txt is fetched outside the scheduler (Scrapy's RobotsTxtMiddleware), once per host
for all workers of a run (tests/test_shared_robots.py): the "fetched once" checks leave it
out.
"""

from __future__ import annotations

import contextlib
import json
import os
import pickle
import re
import signal
import sqlite3
import subprocess
import time
from collections import Counter
from pathlib import Path

import pytest
import redis
from warcio.archiveiterator import ArchiveIterator

from archive.index import Index
from tests.crawlsupport import comparable, count_rows, crawl_command, index_articles, run_crawl
from tests.reliability.oracle import assert_archive_whole, assert_verify_clean

# Per site; the acceptance run (1,000 articles) under NEWSARCHIVE_SOAK=1.
ARTICLES = 1000 if os.environ.get("NEWSARCHIVE_SOAK") else 100
SITES = ("haian", "lechan")
# Short heartbeat TTL: a killed worker's requests come back within seconds.
TTL = ("-s", "NEWSARCHIVE_REDIS_WORKER_TTL=5")


_spawned: list[subprocess.Popen] = []


def spawn(*args, **kwargs) -> subprocess.Popen:
    """A crawl in its own process group, killed with its workers if the test fails early."""
    proc = subprocess.Popen(*args, start_new_session=True, **kwargs)
    _spawned.append(proc)
    return proc


@pytest.fixture(autouse=True)
def _no_stray_crawls():
    yield
    while _spawned:
        proc = _spawned.pop()
        if proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)


def fetched(data: Path) -> Counter[str]:
    """Target URL of every response/revisit record in the data folder's WARCs."""
    urls: Counter[str] = Counter()
    for path in sorted((data / "warc").glob("*.warc.gz")):
        with open(path, "rb") as f:
            for record in ArchiveIterator(f):
                if record.rec_type in ("response", "revisit"):
                    uri = record.rec_headers.get_header("WARC-Target-URI")
                    if not uri.endswith("/robots.txt"):
                        urls[uri] += 1
    return urls


def writer_pids(data: Path) -> set[str]:
    """Pids in the names of WARC files that hold responses (one writer per process)."""
    pids = set()
    for path in (data / "warc").glob("*.warc.gz"):
        with open(path, "rb") as f:
            if any(r.rec_type == "response" for r in ArchiveIterator(f)):
                pids.add(path.name.removesuffix(".warc.gz").rsplit("-", 1)[1])
    return pids


def articles(data: Path) -> dict[str, dict]:
    return {url: comparable(a) for url, a in index_articles(data / "index.db").items()}


def unarchived_files(data: Path) -> list[dict]:
    with Index(data / "index.db", readonly=True) as index:
        return [f for site in SITES for f in index.pending_files(site)]


def stop_and_kill(client: redis.Redis, job: str, pid: int) -> set[str]:
    """SIGSTOP the worker, read the URLs it holds in flight from Redis, SIGKILL it. Stopped
    at a moment it holds none, it goes on for a little and is stopped again (up to 5 s)."""
    deadline = time.monotonic() + 5
    while True:
        os.kill(pid, signal.SIGSTOP)
        in_flight = set()
        for key in client.keys(f"newsarchive:{job}:g*:inflight:*"):
            if f"-{pid}-" in key.decode():
                for token, value in client.hgetall(key).items():
                    if token != b"__start__":  # score|queue|request
                        in_flight.add(pickle.loads(value.split(b"|", 2)[2])["request"]["url"])
        if in_flight or time.monotonic() > deadline:
            break
        os.kill(pid, signal.SIGCONT)
        time.sleep(0.05)
    os.kill(pid, signal.SIGKILL)
    return in_flight


def held(client: redis.Redis, job: str, pid: int) -> int:
    """Requests the worker with this pid holds in flight."""
    keys = [k for k in client.keys(f"newsarchive:{job}:g*:inflight:*") if f"-{pid}-" in k.decode()]
    return sum(client.hlen(k) for k in keys)


def wait_for_captures(data: Path, count: int, *procs: subprocess.Popen) -> None:
    deadline = time.monotonic() + 120
    while count_rows(data / "index.db", "captures") < count:
        assert time.monotonic() < deadline, "the crawl never got that far"
        assert all(p.poll() is None for p in procs), "the crawl ended before the kill"
        time.sleep(0.02)


def children(pid: int) -> list[int]:
    text = Path(f"/proc/{pid}/task/{pid}/children").read_text()
    return [int(c) for c in text.split()]


def files_of(data: Path, urls: set[str]) -> set[str]:
    """Image and attachment URLs of those of `urls` that are articles of the folder."""
    found = index_articles(data / "index.db")
    return {
        f["url"] for u in urls if u in found for f in found[u]["images"] + found[u]["attachments"]
    }


def content_urls(data: Path) -> set[str]:
    """Article, image and attachment URLs of the folder's index."""
    urls = set(index_articles(data / "index.db"))
    for article in index_articles(data / "index.db").values():
        urls |= {f["url"] for f in article["images"] + article["attachments"]}
    return urls


def job_keys(client: redis.Redis, job: str) -> list[str]:
    return sorted(k.decode() for k in client.keys(f"newsarchive:{job}:*"))


@pytest.fixture(scope="module")
def site(replica_factory):
    # Some latency, so that a crawl lasts long enough to kill a worker in the middle.
    return replica_factory(articles=ARTICLES, seed=12, latency_ms=20)


@pytest.fixture(scope="module")
def single(site, tmp_path_factory):
    """The reference: one process, no Redis."""
    data = tmp_path_factory.mktemp("single")
    result = run_crawl(site.port, data, *SITES)
    assert result.returncode == 0, result.stderr[-3000:]
    return data


@pytest.fixture(scope="module")
def three(site, redis_url, tmp_path_factory):
    data = tmp_path_factory.mktemp("three")
    extra = ("--redis", redis_url, "--workers", "3", "--job", "three", *TTL)
    result = run_crawl(site.port, data, *SITES, extra=extra)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    return data, result


def test_each_worker_logs_to_its_own_run_log(three):
    """The run's own log says what the parent did; each worker (forked from it) writes only
    its own file, never the parent's."""
    data, _ = three
    logs = sorted((data / "logs").glob("crawl-*.log"))
    assert len(logs) == 4, [p.name for p in logs]
    started = {p.name: p.read_text().count("INFO: Scrapy ") for p in logs}
    parent = [p for p in logs if "shared crawl three" in p.read_text()]
    assert len(parent) == 1, started
    assert started.pop(parent[0].name) == 0, "a worker wrote to the parent's run log"
    assert all(n == 1 for n in started.values()), started


def test_three_workers_archive_exactly_what_one_process_does(single, three):
    data, result = three
    assert "3 workers (3 finished)" in result.stdout, result.stdout
    reference = articles(single)
    assert len(reference) == 2 * ARTICLES
    assert articles(data) == reference
    urls = fetched(data)
    twice = {u: n for u, n in urls.items() if n > 1}
    assert not twice, f"fetched more than once: {list(twice.items())[:5]}"
    assert set(urls) == set(fetched(single))
    assert len(writer_pids(data)) >= 2, "the work was not shared between the workers"
    assert not unarchived_files(data) and not unarchived_files(single)
    assert_archive_whole(data)
    assert_verify_clean(data)


def crawl_settings_recorded(data: Path, name: str) -> list:
    with contextlib.closing(sqlite3.connect(f"file:{data / 'index.db'}?mode=ro", uri=True)) as c:
        rows = c.execute("SELECT settings FROM crawls").fetchall()
    return [json.loads(settings).get(name) for (settings,) in rows]


def test_workers_of_one_folder_commit_every_index_write(single, three):
    """An open batch held SQLite's write lock across reactor turns while sibling workers
    slept in busy_timeout (README): each worker's crawl must run with one commit per write,
    where one process alone batches."""
    data, _ = three
    workers = crawl_settings_recorded(data, "NEWSARCHIVE_INDEX_BATCH")
    assert len(workers) == 3 and all(int(n) == 1 for n in workers), workers
    (alone,) = crawl_settings_recorded(single, "NEWSARCHIVE_INDEX_BATCH")
    assert int(alone) > 1, "a single process no longer batches: the test is void"


def test_finished_run_leaves_only_its_generation_counter(three, redis_url):
    client = redis.Redis.from_url(redis_url)
    assert job_keys(client, "three") == ["newsarchive:three:gen"]


def test_rerun_on_the_same_redis_is_incremental(site, single, three, redis_url):
    data, _ = three
    before = fetched(data)
    extra = ("--redis", redis_url, "--workers", "2", "--job", "three", *TTL)
    result = run_crawl(site.port, data, *SITES, extra=extra)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    again = fetched(data) - before
    # The single-process re-run is the reference of what an incremental run fetches.
    reference_before = fetched(single)
    rerun = run_crawl(site.port, single, *SITES)
    assert rerun.returncode == 0, rerun.stderr[-3000:]
    reference = fetched(single) - reference_before
    assert reference, "the reference re-run fetched nothing: the test is void"
    assert set(again) == set(reference), "not the incremental re-run a single process makes"
    assert max(again.values()) == 1
    assert not set(again) & set(articles(data)), "known articles fetched again"


def test_sigkilled_worker_loses_nothing(site, single, redis_url, tmp_path):
    """Two workers (data A) and one more (data B, as on another machine) share a crawl; B is
    stopped, its in-flight requests read from Redis, then SIGKILLed and started again. The
    union of A and B is exactly the single-process archive; a URL fetched twice must have
    been in flight at the kill (or be a file of an article that was)."""
    a, b = tmp_path / "a", tmp_path / "b"
    # A shared per-host rate makes the crawl last some seconds however fast the workers start.
    slow = ("-s", "CONCURRENT_REQUESTS_PER_DOMAIN=2", "-s", "NEWSARCHIVE_HOST_RATE=40", *TTL)
    shared = ("--redis", redis_url, "--job", "kill", *slow)
    # B starts first, so that A's workers (forked, quick to start) don't leave it little to
    # do; the kill comes once both are at work.
    victim = spawn(
        crawl_command(site.port, b, SITES, shared),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    client = redis.Redis.from_url(redis_url)
    wait_for_captures(b, 5, victim)
    main = spawn(
        crawl_command(site.port, a, SITES, (*shared, "--workers", "2")),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    wait_for_captures(a, 10, victim, main)
    wait_for_captures(b, 30, victim, main)
    in_flight = stop_and_kill(client, "kill", victim.pid)
    victim.wait(timeout=30)
    assert main.poll() is None, "the other workers finished before the kill: the test is void"
    assert in_flight, "nothing was in flight at the kill: the test is void"
    restarted = subprocess.run(
        crawl_command(site.port, b, SITES, shared), capture_output=True, text=True, timeout=300
    )
    out, err = main.communicate(timeout=300)
    assert main.returncode == 0, out[-2000:] + err[-3000:]
    assert restarted.returncode == 0, restarted.stdout[-2000:] + restarted.stderr[-3000:]
    requeued = re.findall(r"requeued from stopped workers (\d+)", out + restarted.stdout)
    assert sum(map(int, requeued)) >= len(in_flight), "the killed worker's requests not requeued"

    union = {**articles(a), **articles(b)}
    assert union == articles(single)
    urls = fetched(a) + fetched(b)
    twice = {u for u, n in urls.items() if n > 1}
    # An article in flight at the kill is fetched again by the other folder, with its files
    # (each folder keeps whole articles).
    allowed = in_flight | files_of(single, in_flight)
    assert twice <= allowed, f"fetched twice, not in flight at the kill: {twice - allowed}"
    assert set(urls) == set(fetched(single))
    for data in (a, b):
        assert_archive_whole(data)
        assert_verify_clean(data)
        # Each folder's articles have all their files in that folder (its index links them).
        assert not unarchived_files(data), f"{data.name}: {unarchived_files(data)[:3]}"


def test_one_of_three_workers_sigkilled_then_rerun(site, single, redis_url, tmp_path):
    """One of 3 workers of one folder SIGKILLed: the run exits 1 naming it, the others take
    over its requests; the re-run repairs what it left. Exact; no article or file fetched
    twice unless it was in flight at the kill."""
    data = tmp_path / "d"
    shared = (
        "--redis",
        redis_url,
        "--job",
        "kill3",
        "-s",
        "CONCURRENT_REQUESTS_PER_DOMAIN=2",
        *TTL,
    )
    parent = spawn(
        crawl_command(site.port, data, SITES, (*shared, "--workers", "3")),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    wait_for_captures(data, 60, parent)
    workers = children(parent.pid)
    assert len(workers) == 3, workers
    client = redis.Redis.from_url(redis_url)
    victim = max(workers, key=lambda pid: held(client, "kill3", pid))
    in_flight = stop_and_kill(client, "kill3", victim)
    assert in_flight, "nothing was in flight at the kill: the test is void"
    out, err = parent.communicate(timeout=300)
    assert parent.returncode == 1, out[-2000:] + err[-3000:]
    assert f"(pid {victim}) died (signal 9)" in err, err[-2000:]
    # The other two took over what it held: every article is archived before any re-run.
    assert articles(data) == articles(single)
    rerun = run_crawl(site.port, data, *SITES, extra=(*shared, "--workers", "3"))
    assert rerun.returncode == 0, rerun.stdout[-2000:] + rerun.stderr[-3000:]
    assert articles(data) == articles(single)
    twice = {u for u, n in fetched(data).items() if n > 1} & content_urls(single)
    assert twice <= in_flight, f"fetched twice, not in flight at the kill: {twice - in_flight}"
    assert_archive_whole(data)
    assert_verify_clean(data)
    assert not unarchived_files(data)


def test_a_whole_run_killed_and_restarted_soon_resumes(site, single, redis_url, tmp_path):
    """Every worker killed; restarted within the resume window, the run goes on with its
    frontier and filter: nothing at all (listings included) is fetched twice unless it was
    in flight at the kill."""
    data = tmp_path / "d"
    shared = (
        "--redis",
        redis_url,
        "--job",
        "resume",
        "-s",
        "CONCURRENT_REQUESTS_PER_DOMAIN=2",
        "-s",
        "NEWSARCHIVE_REDIS_WORKER_TTL=1",
    )
    proc = spawn(
        crawl_command(site.port, data, SITES, shared),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wait_for_captures(data, 40, proc)
    in_flight = stop_and_kill(redis.Redis.from_url(redis_url), "resume", proc.pid)
    proc.wait(timeout=30)
    time.sleep(1.5)  # its heartbeat expired: nobody alive, the run resumes by its beat alone
    restarted = run_crawl(site.port, data, *SITES, extra=shared)
    assert restarted.returncode == 0, restarted.stdout[-2000:] + restarted.stderr[-3000:]
    assert articles(data) == articles(single)
    twice = {u for u, n in fetched(data).items() if n > 1}
    assert twice <= in_flight, f"fetched twice, not in flight at the kill: {twice - in_flight}"
    assert_archive_whole(data)
    assert_verify_clean(data)


def test_a_run_abandoned_longer_than_the_resume_window_starts_afresh(
    site, single, redis_url, tmp_path
):
    """Its frontier and filter are dropped: the start pages are fetched again, and the run
    still ends with every article."""
    data = tmp_path / "d"
    shared = (
        "--redis", redis_url, "--job", "abandoned", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=2",
        "-s", "NEWSARCHIVE_REDIS_WORKER_TTL=1", "-s", "NEWSARCHIVE_REDIS_RESUME_HOURS=0.0003",
    )  # fmt: skip
    proc = spawn(
        crawl_command(site.port, data, SITES, shared),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wait_for_captures(data, 20, proc)
    proc.kill()
    proc.wait(timeout=30)
    time.sleep(2.5)  # past the worker TTL (1 s) and the resume window (~1.1 s)
    restarted = run_crawl(site.port, data, *SITES, extra=shared)
    assert restarted.returncode == 0, restarted.stdout[-2000:] + restarted.stderr[-3000:]
    assert articles(data) == articles(single)
    assert fetched(data)["https://haian.haiphong.gov.vn/"] == 2


@pytest.mark.parametrize(
    "url, message",
    [
        ("http://127.0.0.1:1/0", "--redis 'http://127.0.0.1:1/0'"),
        ("redis://127.0.0.1:1/0", "cannot reach Redis"),
    ],
)
def test_bad_or_unreachable_redis_is_a_one_line_error(replica, tmp_path, url, message):
    result = run_crawl(replica.port, tmp_path / "d", "haian", extra=("--redis", url))
    assert result.returncode == 2, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and message in lines[0], result.stderr
    assert not (tmp_path / "d").exists(), "the data folder was touched"


def test_workers_without_redis_is_a_usage_error(replica, tmp_path):
    result = run_crawl(replica.port, tmp_path / "d", "haian", extra=("--workers", "2"))
    assert result.returncode == 2 and "--workers needs --redis" in result.stderr
