"""At province and country scale (issue 12): many hosts with real round trips, CPU per article.

One replica (a thread of this process) serves N generated commune sub-sites (generation C,
files on the one shared CDN host) with 30 ms added before every response; its caches are
made unbounded and filled by one unmeasured crawl, so every measured run meets the same warm
replica. Every crawler is a fresh child process; CPU is the user+sys time of its whole process
tree (os.wait4 rusage: the child and every descendant it waited for), peak RSS the sum of each
process's own peak (VmHWM polled from /proc). The replica's own CPU over each run (its
thread's utime+stime) is reported beside it: it shares the same cores.

(a) `newsarchive crawl --all --sites FILE --fast` (what a user runs) against the bare
    fetch-only Scrapy spider (bench/bare_spider.py --urls) fetching exactly the URLs our
    crawl fetched (listings, articles, images, attachments: read back from its WARC), with
    the same concurrency settings. Ours is checked exact: every article's fields equal the
    replica's truth, every image and attachment archived with the truth's sha256; a miss
    counts as a miss (articles/s counts exact articles only). Target: >= 0.9x bare.
(b) 1 vs 3 workers on one Redis (`--redis URL --workers N`) over the same sites: articles/s,
    CPU per article, URLs fetched twice across the workers' WARCs (must be 0). Target 3
    workers >= 1.7x one. Beside it, 3 commands of 1 worker with their own folders (what 3
    machines do): what sharing one folder costs. A real redis-server on a free loopback
    port, stopped after.
(c) From (a)'s measured CPU seconds per article and requests per article: machines and hours
    for 3,300 portals x 3,000 articles at 1 request/s per portal host.

Sizes: `--quick` 100 sites x 3 articles; default (`make bench`) 300 x 5; `--soak` 300 x 20.

Usage: python bench/bench_scale.py [--quick] [--soak] [--sites N] [--articles N]
"""

# No `from __future__ import annotations`: bench/run.py execs this file (dataclasses).
import argparse
import contextlib
import hashlib
import json
import math
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
SOAK = True  # bench/run.py --soak runs this module with soak=True

LATENCY_MS = 30
SIZES = {"quick": (100, 3), "default": (300, 5), "soak": (300, 20)}
SEED = 4
CDN = "cdn.haiphong.gov.vn"
TARGET_VS_BARE = 0.9
TARGET_WORKERS = 1.7
WORKERS = 3

# (c): the country, and what is assumed (printed as rows of the table).
PORTALS = 3300
ARTICLES_PER_PORTAL = 3000
HOST_RATE = 1.0  # requests/s per portal host (politeness)
CORES = 2  # per machine; one crawler process per core (CPython: one core per process)
UTILISATION = 0.75  # of each core, headroom for the OS, Redis clients, bursts


# --- the replica ------------------------------------------------------------------------


@dataclass
class Replica:
    handle: Any
    corpus: Any
    requests: Counter = field(default_factory=Counter)  # by host

    @property
    def port(self) -> int:
        return int(self.handle.port)

    @property
    def total(self) -> int:
        return sum(self.requests.values())

    def cpu(self) -> float:
        """CPU seconds (user+sys) of the replica's thread so far."""
        tid = self.handle._thread.native_id
        try:
            fields = Path(f"/proc/self/task/{tid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return 0.0
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def start_replica(sites: int, articles: int) -> Replica:
    from newsarchive.replica import ReplicaConfig, build_corpus
    from newsarchive.replica.server import ReplicaHandle, bind

    config = ReplicaConfig(
        port=0, articles=articles, sites=sites, latency_ms=LATENCY_MS, seed=SEED, faults="none"
    )
    corpus = build_corpus(config)
    _unbounded_caches(corpus)
    handle = ReplicaHandle(config, corpus, bind(config.host, config.port))
    replica = Replica(handle, corpus)
    inner = handle.app.handle

    async def counted(request: Any) -> Any:
        replica.requests[(request.host or "").rsplit(":", 1)[0].lower()] += 1
        return await inner(request)

    # web.Server binds app.handle when the server starts: shadow it on the instance first.
    handle.app.handle = counted  # type: ignore[method-assign]
    handle.start()
    return replica


def _unbounded_caches(corpus: Any) -> None:
    """Keep every rendered page and file (see bench_crawl.py): measured runs then meet a
    replica that renders nothing, so the figures measure the crawlers."""
    import functools

    from newsarchive.replica import corpus as corpus_mod

    try:
        corpus._pages.size = corpus._lists.size = 1 << 40
        corpus._content = functools.lru_cache(maxsize=None)(corpus._content_uncached)
        if not hasattr(corpus_mod._cached_file, "_bench_unbounded"):
            unbounded = functools.lru_cache(maxsize=None)(corpus_mod._cached_file.__wrapped__)
            unbounded._bench_unbounded = True  # type: ignore[attr-defined]
            corpus_mod._cached_file = unbounded
    except AttributeError:
        pass  # internals changed: runs meet a bounded cache (the warm-up still helps)


def truth(corpus: Any) -> list[dict[str, Any]]:
    """The active articles of the generated sub-sites (the three named sites are not in the
    sites file)."""
    out = []
    for key, arts in corpus.by_site.items():
        if key in ("haian", "lechan", "vinhbao"):
            continue
        for article in arts:
            t = corpus.truth(article)
            if t["status"] == "active":
                out.append(t)
    return out


# --- children ---------------------------------------------------------------------------


@dataclass
class Run:
    name: str
    code: int
    seconds: float
    cpu: float  # user+sys of the process tree
    rss_mb: float  # sum of each process's peak
    processes: int
    replica_cpu: float
    requests: int  # as the replica counted them
    log: Path
    timed_out: bool = False


def _hwm_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status", "rb") as fh:
            for line in fh:
                if line.startswith(b"VmHWM:"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


def _descendants(pid: int) -> list[int]:
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        try:
            tasks = os.listdir(f"/proc/{p}/task")
        except OSError:
            continue
        for tid in tasks:
            try:
                kids = Path(f"/proc/{p}/task/{tid}/children").read_text().split()
            except OSError:
                continue
            for k in kids:
                out.append(int(k))
                todo.append(int(k))
    return out


def run_child(
    name: str, cmd: list[str], replica: Replica, log: Path, timeout: float, cwd: Path = REPO
) -> Run:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
    }
    for var in ("SCRAPY_SETTINGS_MODULE", "NEWSARCHIVE_DATA", "NEWSARCHIVE_SITES", "http_proxy", "https_proxy"):  # fmt: skip
        env.pop(var, None)
    peaks: dict[int, int] = {}
    before_req, before_cpu = replica.total, replica.cpu()
    timed_out = False
    with log.open("wb") as out:
        started = time.perf_counter()
        proc = subprocess.Popen(
            cmd, cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        polls = 0
        while True:
            # The tree is re-read every 0.5 s (cheap enough not to steal the cores measured);
            # each known process's high-water mark every 50 ms.
            pids = [proc.pid, *_descendants(proc.pid)] if polls % 10 == 0 else list(peaks)
            for pid in pids:
                peaks[pid] = max(peaks.get(pid, 0), _hwm_kib(pid))
            polls += 1
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if not timed_out and time.perf_counter() - started > timeout:
                timed_out = True
                os.killpg(proc.pid, signal.SIGKILL)  # its own session: workers too
            time.sleep(0.05)
        seconds = time.perf_counter() - started
    return Run(
        name=name,
        code=os.waitstatus_to_exitcode(status),
        seconds=seconds,
        cpu=usage.ru_utime + usage.ru_stime,
        rss_mb=sum(peaks.values()) / 1024,
        processes=sum(1 for v in peaks.values() if v),
        replica_cpu=replica.cpu() - before_cpu,
        requests=replica.total - before_req,
        log=log,
        timed_out=timed_out,
    )


def ours_cmd(replica: Replica, sites_file: Path, data: Path, extra: tuple[str, ...] = ()) -> list[str]:  # fmt: skip
    return [
        sys.executable, "-m", "newsarchive", "crawl", "--all", "--sites", str(sites_file),
        "--fast", "--no-progress", "--map", f"*.haiphong.gov.vn=127.0.0.1:{replica.port}",
        "--data", str(data), *extra,
    ]  # fmt: skip


# --- what the archive holds --------------------------------------------------------------


@dataclass
class Fetch:
    uri: str
    status: str
    warc: str
    sha256: str | None


def warc_fetches(data: Path, digests: bool = False) -> list[Fetch]:
    """Every response and revisit record of every WARC under data/ (any worker's)."""
    from warcio.archiveiterator import ArchiveIterator

    out = []
    for path in sorted(data.rglob("*.warc.gz")):
        with path.open("rb") as fh:
            for rec in ArchiveIterator(fh):
                if rec.rec_type not in ("response", "revisit"):
                    continue
                status = rec.http_headers.get_statuscode() if rec.http_headers else ""
                sha = None
                if digests and rec.rec_type == "response" and status == "200":
                    sha = hashlib.sha256(rec.content_stream().read()).hexdigest()
                out.append(
                    Fetch(rec.rec_headers.get_header("WARC-Target-URI"), status, path.name, sha)
                )
    return out


def index_dbs(data: Path) -> list[Path]:
    """The index, or the workers' index shards when there is no merged index."""
    main = data / "index.db"
    if main.exists():
        return [main]
    return sorted(p for p in data.rglob("*.db") if p.is_file())


@dataclass
class Exactness:
    expected: int = 0
    exact: int = 0
    missing: int = 0
    wrong: int = 0
    files_expected: int = 0
    files_exact: int = 0


def exactness(expected: list[dict[str, Any]], data: Path, fetches: list[Fetch]) -> Exactness:
    sys.path.insert(0, str(REPO))
    from tests.crawlsupport import comparable, index_articles, truth_comparable

    archived: dict[str, dict[str, Any]] = {}
    for db in index_dbs(data):
        with contextlib.suppress(sqlite3.Error):  # not an index: its articles are not there
            archived.update(index_articles(db))
    ok = {f.uri: f.sha256 for f in fetches if f.sha256}
    e = Exactness()
    for t in expected:
        e.expected += 1
        got = archived.get(t["url"])
        if got is None:
            e.missing += 1
        elif comparable(got) == truth_comparable(t):
            e.exact += 1
        else:
            e.wrong += 1
        for f in t["files"]:
            e.files_expected += 1
            e.files_exact += ok.get(f["url"]) == f["sha256"]
    return e


def kind_counts(fetches: list[Fetch], article_urls: set[str]) -> Counter:
    kinds: Counter = Counter()
    for f in fetches:
        parts = urlsplit(f.uri)
        if parts.path == "/robots.txt":
            kinds["robots.txt"] += 1
        elif f.uri in article_urls:
            kinds["articles"] += 1
        elif parts.hostname == CDN:
            kinds["files"] += 1
        else:
            kinds["listings"] += 1
    return kinds


def duplicates(fetches: list[Fetch]) -> int:
    """Fetches of a URL beyond its first, across all WARCs. robots.txt is counted apart (its
    own row): the workers of one crawl share it through Redis, one fetch per host."""
    pages = Counter(f.uri for f in fetches if urlsplit(f.uri).path != "/robots.txt")
    return sum(c - 1 for c in pages.values() if c > 1)


# --- (a) --------------------------------------------------------------------------------


def part_a(replica, expected, sites_file, work, bench, timeout, rounds) -> tuple[list[dict], dict]:
    article_urls = {t["url"] for t in expected}
    # Unmeasured: fills the replica's caches, and gives the URL list the bare spider fetches.
    warm = run_child("warm-up", ours_cmd(replica, sites_file, work / "warm"), replica, work / "warm.log", timeout)  # fmt: skip
    warm_fetches = [f for f in warc_fetches(work / "warm") if urlsplit(f.uri).path != "/robots.txt"]
    urls = work / "urls.txt"
    urls.write_text("".join(f.uri + "\n" for f in warm_fetches))
    runs = [warm]
    bares, ourses = [], []
    for i in range(rounds):  # alternated; the best of each counts (the machine is shared)
        out = work / f"bare{i}.json"
        cmd = [sys.executable, str(HERE / "bare_spider.py"), "--urls", str(urls), "--map", f"*.haiphong.gov.vn=127.0.0.1:{replica.port}", "--out", str(out)]  # fmt: skip
        bare = run_child("bare Scrapy", cmd, replica, work / f"bare{i}.log", timeout, cwd=work)
        got = json.loads(out.read_text()) if out.exists() else {"ok": []}
        bares.append((bare, got, len(article_urls & set(got["ok"]))))
        data = work / f"a{i}"
        ours = run_child("ours", ours_cmd(replica, sites_file, data), replica, work / f"a{i}.log", timeout)  # fmt: skip
        fetches = warc_fetches(data, digests=True)
        ourses.append(
            (ours, exactness(expected, data, fetches), kind_counts(fetches, article_urls))
        )
        shutil.rmtree(data, ignore_errors=True)
        runs += [bare, ours]
    for run in runs:
        if run.code != 0 or run.timed_out:
            tail = run.log.read_text(errors="replace")[-2000:]
            print(f"{run.name}: exit {run.code}:\n{tail}", file=sys.stderr)

    bare, got, bare_articles = max(bares, key=lambda b: b[2] / b[0].seconds)
    ours, ex, kinds = max(ourses, key=lambda o: o[1].exact / o[0].seconds)
    all_exact = sum(o[1].exact == o[1].expected and o[1].files_exact == o[1].files_expected for o in ourses)  # fmt: skip
    ours_rate = ex.exact / ours.seconds if ours.seconds else 0.0
    bare_rate = bare_articles / bare.seconds if bare.seconds else 0.0
    ratio = ours_rate / bare_rate if bare_rate else None
    cpu_a = ours.cpu / ex.exact if ex.exact else None
    cpu_bare = bare.cpu / bare_articles if bare_articles else None
    req_a = ours.requests / ex.exact if ex.exact else None
    same = len(got["ok"]) == sum(1 for f in warm_fetches if f.status == "200")
    best = f"best of {rounds}" if rounds > 1 else None
    rows = [
        {"bench": bench, "metric": "ours exit code", "value": ours.code, "target": "0", "ok": ours.code == 0},
        {"bench": bench, "metric": "articles exact / expected", "value": f"{ex.exact}/{ex.expected}", "target": "all", "ok": ex.exact == ex.expected},
        {"bench": bench, "metric": "articles missing / wrong", "value": f"{ex.missing}/{ex.wrong}", "target": "0/0", "ok": ex.missing == ex.wrong == 0},
        {"bench": bench, "metric": "files exact (sha256) / expected", "value": f"{ex.files_exact}/{ex.files_expected}", "target": "all", "ok": ex.files_exact == ex.files_expected},
        {"bench": bench, "metric": "ours runs all exact", "value": f"{all_exact}/{rounds}", "target": "all", "ok": all_exact == rounds},
        {"bench": bench, "metric": "URLs bare fetched (200) / ours", "value": f"{len(got['ok'])}/{len(warm_fetches)}", "peer": "same URLs", "ok": same},
        {"bench": bench, "metric": "articles/s", "value": round(ours_rate, 1), "unit": "articles/s", "peer": "bare Scrapy", "peer_value": round(bare_rate, 1), "ratio": None if ratio is None else round(ratio, 2), "target": f">= {TARGET_VS_BARE:g}x", "ok": None if ratio is None else ratio >= TARGET_VS_BARE},
        {"bench": bench, "metric": "wall time", "value": round(ours.seconds, 1), "unit": "s", "peer": "bare Scrapy", "peer_value": round(bare.seconds, 1), "target": best},
        {"bench": bench, "metric": "CPU per archived article", "value": _r(cpu_a, 4), "unit": "CPU s", "peer": "bare Scrapy", "peer_value": _r(cpu_bare, 4), "ratio": _ratio(cpu_a, cpu_bare)},
        {"bench": bench, "metric": "cores busy (CPU / wall)", "value": round(ours.cpu / ours.seconds, 2), "peer": "bare Scrapy", "peer_value": round(bare.cpu / bare.seconds, 2)},
        {"bench": bench, "metric": "replica CPU during the run", "value": round(ours.replica_cpu, 1), "unit": "s", "peer": "bare Scrapy", "peer_value": round(bare.replica_cpu, 1)},
        {"bench": bench, "metric": "peak RSS", "value": round(ours.rss_mb), "unit": "MB", "peer": "bare Scrapy", "peer_value": round(bare.rss_mb), "ratio": _ratio(ours.rss_mb, bare.rss_mb)},
        {"bench": bench, "metric": "requests per article", "value": _r(req_a, 2), "unit": "req", "peer": "replica-counted", "peer_value": ours.requests},
        {"bench": bench, "metric": "  of which listings / files / robots", "value": "/".join(f"{kinds[k] / ex.exact:.2f}" if ex.exact else "-" for k in ("listings", "files", "robots.txt")), "unit": "req"},
    ]  # fmt: skip
    measured = {"cpu_per_article": cpu_a, "requests_per_article": req_a, "kinds": kinds, "articles": ex.exact, "sites": len({urlsplit(t["url"]).hostname for t in expected})}  # fmt: skip
    return rows, measured


def _r(value: float | None, digits: int) -> float | None:
    return None if value is None else round(value, digits)


def _ratio(a: float | None, b: float | None) -> float | None:
    return round(a / b, 2) if a is not None and b else None


# --- (b) --------------------------------------------------------------------------------


def workers_supported() -> str | None:
    """None when `newsarchive crawl` has --redis and --workers, else why (b) cannot run."""
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    try:
        out = subprocess.run(
            [sys.executable, "-m", "newsarchive", "crawl", "--help"],
            capture_output=True, text=True, env=env, cwd=REPO, timeout=120,
        ).stdout  # fmt: skip
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"`newsarchive crawl --help` failed: {exc}"
    if "--workers" not in out or "--redis" not in out:
        return "needs `newsarchive crawl --redis URL --workers N` (not on this branch yet)"
    if shutil.which("redis-server") is None:
        return "needs redis-server (bash scripts/install-redis.sh)"
    return None


class RedisServer:
    """A throw-away redis-server on a free loopback port, no persistence; stopped on exit."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.proc: subprocess.Popen | None = None
        self.port = 0

    def __enter__(self) -> "RedisServer":
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        self.workdir.mkdir(parents=True, exist_ok=True)
        self.proc = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.workdir), "--daemonize", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1) as c:
                    c.sendall(b"PING\r\n")
                    if c.recv(16).startswith(b"+PONG"):
                        return self
            except OSError:
                time.sleep(0.05)
        self.__exit__()
        raise RuntimeError("redis-server did not answer PING within 20 s")

    def url(self, db: int) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def cpu(self) -> float:
        if self.proc is None:
            return 0.0
        try:
            fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return 0.0
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def __exit__(self, *exc: object) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def run_together(name: str, children: list[tuple[list[str], Path]], replica: Replica, timeout: float) -> Run:  # fmt: skip
    """Several commands started at once (as on several machines): one Run for all of them,
    wall time until the last ends, CPU and peak RSS summed."""
    import threading

    runs: list[Run | None] = [None] * len(children)

    def go(i: int) -> None:
        cmd, log = children[i]
        runs[i] = run_child(f"{name} #{i}", cmd, replica, log, timeout)

    before_req, before_cpu = replica.total, replica.cpu()
    started = time.perf_counter()
    threads = [threading.Thread(target=go, args=(i,)) for i in range(len(children))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    done = [r for r in runs if r is not None]
    return Run(
        name=name,
        code=max((r.code for r in done), key=abs, default=1),
        seconds=time.perf_counter() - started,
        cpu=sum(r.cpu for r in done),
        rss_mb=sum(r.rss_mb for r in done),
        processes=sum(r.processes for r in done),
        replica_cpu=replica.cpu() - before_cpu,
        requests=replica.total - before_req,
        log=done[0].log if done else children[0][1],
        timed_out=any(r.timed_out for r in done),
    )


# (b)'s runs: label, commands started at once, worker processes per command. The last one is
# what several machines do (each its own archive folder, `index merge` after): here it shows
# what one shared folder costs the workers.
CONFIGS = (
    ("1 worker", 1, 1),
    (f"{WORKERS} workers", 1, WORKERS),
    (f"{WORKERS} commands x 1 worker, own folders", WORKERS, 1),
)


def part_b(
    replica, expected, sites_file, work, bench, timeout, rounds
) -> tuple[list, float | None]:
    """Rows, and the CPU per article of the WORKERS-worker run (None when not run)."""
    why = workers_supported()
    if why:
        return [{"bench": bench, "metric": "not run", "value": why, "ok": False}], None
    results: dict[str, list[tuple]] = {label: [] for label, _, _ in CONFIGS}
    with RedisServer(work / "redis") as redis:
        db = 0
        for _ in range(rounds):  # alternated; the best of each counts (the machine is shared)
            for label, commands, n in CONFIGS:
                db += 1  # a fresh Redis database for every run
                data = work / f"b{db}"
                folders = [data] if commands == 1 else [data / str(k) for k in range(commands)]
                children = [
                    (ours_cmd(replica, sites_file, folder, ("--redis", redis.url(db), "--workers", str(n))), work / f"b{db}-{k}.log")
                    for k, folder in enumerate(folders)
                ]  # fmt: skip
                redis_before = redis.cpu()
                run = run_together(label, children, replica, timeout)
                if run.code != 0 or run.timed_out:
                    print(f"{label}: exit {run.code}:\n{run.log.read_text(errors='replace')[-2000:]}", file=sys.stderr)  # fmt: skip
                fetches = warc_fetches(data, digests=True)  # every folder's WARCs
                ex = exactness(expected, data, fetches)  # the union of the folders' indexes
                robots = sum(1 for f in fetches if urlsplit(f.uri).path == "/robots.txt")
                warcs = len({f.warc for f in fetches})
                results[label].append((run, ex, duplicates(fetches), redis.cpu() - redis_before, warcs, robots))  # fmt: skip
                shutil.rmtree(data, ignore_errors=True)
    rows = []
    rate: dict[str, float] = {}
    cpu: dict[str, float | None] = {}
    best = f"best of {rounds}" if rounds > 1 else None
    for label, runs in results.items():
        run, ex, _, redis_cpu, warcs, robots = max(runs, key=lambda r: r[1].exact / r[0].seconds)
        worst_dups = max(r[2] for r in runs)
        exact_runs = sum(r[1].exact == r[1].expected and r[1].files_exact == r[1].files_expected for r in runs)  # fmt: skip
        codes = sorted({r[0].code for r in runs})
        rate[label] = ex.exact / run.seconds if run.seconds else 0.0
        cpu[label] = run.cpu / ex.exact if ex.exact else None
        rows += [
            {"bench": bench, "metric": f"{label}: exit codes", "value": ",".join(map(str, codes)), "target": "0", "ok": codes == [0]},
            {"bench": bench, "metric": f"{label}: runs exact (articles and files)", "value": f"{exact_runs}/{len(runs)}", "unit": f"{ex.expected} articles, {ex.files_expected} files", "target": "all", "ok": exact_runs == len(runs)},
            {"bench": bench, "metric": f"{label}: URLs fetched twice (WARCs)", "value": worst_dups, "unit": f"worst run; {warcs} WARCs", "target": "0", "ok": worst_dups == 0},
            {"bench": bench, "metric": f"{label}: robots.txt fetches (shared through Redis)", "value": robots},
            {"bench": bench, "metric": f"{label}: articles/s", "value": round(rate[label], 1), "unit": "articles/s", "target": best},
            {"bench": bench, "metric": f"{label}: CPU per article", "value": _r(cpu[label], 4), "unit": "CPU s"},
            {"bench": bench, "metric": f"{label}: cores busy (crawler CPU / wall)", "value": round(run.cpu / run.seconds, 2)},
            {"bench": bench, "metric": f"{label}: peak RSS (sum of {run.processes} procs)", "value": round(run.rss_mb), "unit": "MB"},
            {"bench": bench, "metric": f"{label}: replica / redis CPU", "value": f"{run.replica_cpu:.1f} / {redis_cpu:.1f}", "unit": "s", "peer": "wall", "peer_value": round(run.seconds, 1)},
        ]  # fmt: skip
    one, many, apart = (label for label, _, _ in CONFIGS)
    for label in (many, apart):
        speedup = rate[label] / rate[one] if rate.get(one) else None
        rows.append({"bench": bench, "metric": f"{label} vs 1: articles/s", "value": round(rate[label], 1), "unit": "articles/s", "peer": one, "peer_value": round(rate[one], 1), "ratio": _r(speedup, 2), "target": f">= {TARGET_WORKERS:g}x" if label == many else None, "ok": (None if speedup is None else speedup >= TARGET_WORKERS) if label == many else None})  # fmt: skip
    return rows, cpu[many]


# --- (c) --------------------------------------------------------------------------------


def part_c(measured: dict, bench: str, workers_cpu: float | None = None) -> list[dict]:
    """The country table. `value` from (a)'s one process; `peer_value` from the CPU per
    article of (b)'s Redis workers (their Redis round trips and start-ups included), which is
    what a crawl over many machines pays."""
    cpu, req = measured.get("cpu_per_article"), measured.get("requests_per_article")
    if not cpu or not req:
        return [{"bench": bench, "metric": "not run", "value": "needs (a)'s measured CPU and requests per article", "ok": False}]  # fmt: skip
    wall_h = ARTICLES_PER_PORTAL * req / HOST_RATE / 3600  # every portal crawled at once
    kinds, n = measured["kinds"], measured["articles"]
    mix = ", ".join(f"{k} {kinds[k] / n:.2f}" for k in ("listings", "files", "robots.txt"))
    peer = f"Redis workers ({WORKERS}, b)" if workers_cpu else None

    def row(metric: str, of_cpu: Any = None, unit: str | None = None, value: Any = None) -> dict:
        """`of_cpu(cpu)` computes the figure from a CPU per article: for (a) and for (b)."""
        r: dict[str, Any] = {"bench": bench, "metric": metric, "unit": unit}
        if of_cpu is None:
            r["value"] = value
        else:
            r["value"] = of_cpu(cpu)
            if workers_cpu:
                r["peer"], r["peer_value"] = peer, of_cpu(workers_cpu)
        return r

    def hosts(c: float) -> float:  # portal hosts one machine keeps busy at HOST_RATE each
        return CORES * UTILISATION / (c / req) / HOST_RATE

    def cpu_hours(c: float) -> float:
        return PORTALS * ARTICLES_PER_PORTAL * c / 3600

    rows = [
        row("portals x articles each", unit="articles", value=f"{PORTALS:,} x {ARTICLES_PER_PORTAL:,}"),
        row("assumed: politeness per portal host", unit="req/s", value=HOST_RATE),
        row(f"assumed: machine = {CORES} cores, 1 crawler process each, at", unit="CPU", value=f"{UTILISATION:.0%}"),
        row(f"measured (a): requests per article (1 article + {mix})", unit="req", value=round(req, 2)),
        row("measured: CPU per article (a: one process)", lambda c: round(c, 4), "CPU s"),
        row("politeness-bound wall time (all portals at once)", unit="hours", value=round(wall_h, 1)),
        row("total CPU", lambda c: round(cpu_hours(c)), "CPU hours"),
        row("portal hosts one machine keeps at 1 req/s", lambda c: round(hosts(c)), "hosts"),
        row("machines to reach the politeness bound", lambda c: math.ceil(PORTALS / hosts(c)), "machines"),
    ]  # fmt: skip
    for m in (1, 2, 5, 10):
        label = f"wall time with {m} machine{'s' if m > 1 else ''}"
        rows.append(
            row(
                label,
                lambda c, m=m: round(max(wall_h, cpu_hours(c) / (m * CORES * UTILISATION)), 1),
                "hours",
            )  # fmt: skip
        )
    rows.append(row(f"caveat: the measured sites hold {n // max(1, measured['sites'])} articles each; listings/article is lower on 3,000-article portals; files on one shared CDN host would be bound by ITS rate"))  # fmt: skip
    return rows


# --- all --------------------------------------------------------------------------------


def run(
    quick: bool = False,
    soak: bool = False,
    sites: int | None = None,
    articles: int | None = None,
    keep: bool = False,
) -> list[dict]:
    sys.path.insert(0, str(REPO))
    n_sites, n_articles = SIZES["soak" if soak else "quick" if quick else "default"]
    n_sites, n_articles = sites or n_sites, articles or n_articles
    timeout = 3600.0 if soak else 900.0
    load = os.getloadavg()
    label = f"scale {n_sites}x{n_articles}"
    work = Path(tempfile.mkdtemp(prefix="bench-scale-"))
    try:
        replica = start_replica(n_sites, n_articles)
        try:
            expected = truth(replica.corpus)
            sites_file = work / "sites.toml"
            sites_file.write_text(replica.corpus.sites_toml(), encoding="utf-8")
            rounds = 1 if quick else 2
            rows_a, measured = part_a(
                replica, expected, sites_file, work, f"{label} (a)", timeout, rounds
            )
            rounds_b = 2 if soak else 1
            rows_b, workers_cpu = part_b(
                replica, expected, sites_file, work, f"{label} (b)", timeout, rounds_b
            )
        finally:
            replica.handle.stop()
    finally:
        if keep:
            print(f"kept: {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)
    after = os.getloadavg()
    info = {"bench": label, "metric": "load average (1 min) before / after; cores", "value": f"{load[0]:.2f} / {after[0]:.2f}; {os.cpu_count()}", "unit": f"+{LATENCY_MS} ms per response"}  # fmt: skip
    return [info, *rows_a, *rows_b, *part_c(measured, f"{label} (c)", workers_cpu)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100 sites x 3 articles")
    parser.add_argument("--soak", action="store_true", help="300 sites x 20 articles")
    parser.add_argument("--sites", type=int)
    parser.add_argument("--articles", type=int, help="articles per site")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--keep", action="store_true", help="keep the data and logs; say where")
    args = parser.parse_args()
    rows = run(args.quick, args.soak, args.sites, args.articles, keep=args.keep)
    if args.json:
        print(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    for row in rows:
        shown = {k: v for k, v in row.items() if k != "bench" and v not in (None, "")}
        print(json.dumps(shown, ensure_ascii=False))


if __name__ == "__main__":
    main()
