"""Crawl throughput, memory and re-crawl cost of `newsarchive crawl --fast`, against peers.

One replica (newsarchive.replica, `--scheme http`, faults off) serves the haian site with
5,000 articles (`--quick`: 500) in this process; every crawler runs as a fresh child
process against it, one after the other, and sees the same URLs:

- ours: `newsarchive crawl haian --fast --map '*.haiphong.gov.vn=127.0.0.1:PORT'` into a
  fresh data directory; articles = rows of the index's `articles` table. It fetches
  listings, articles, images and attachments, extracts, writes WARCs and the index.
- wget: `wget --recursive --level=inf --page-requisites --span-hosts --domains=...
  --warc-file=... --delete-after` through the replica as an HTTP proxy (absolute-form
  requests); articles = truth article URLs with a 200 response record in its WARC.
  It follows every link (tags, related lists, legacy 301 URLs), one connection at a time.
- bare Scrapy: bench/bare_spider.py, the same walk with simple link rules and the same
  concurrency settings, no extraction, WARC or index; articles = article pages it got.

Before the measured runs, one unmeasured pass (wget, else the bare spider) fills the
replica's caches, made unbounded for the run, so all three meet the same warm replica and
the figures measure the crawlers, not the replica's templating. Wall time is the child's
whole life (interpreter start-up included). Peak RSS is the child's own VmHWM, polled from
/proc while it runs (see run_child). The re-crawl runs ours again on the unchanged site with
the same data directory; its cost is the requests the replica received (a counter wrapped
around the replica's handler), against the first crawl's; the index's `captures` rows added
are reported alongside, and (informational) the cost of `--recheck-hours 0`. The
20,000-article peak RSS runs in `--soak`, or without it when the 5,000-article rate
predicts it under 5 minutes.

Loopback has no latency, which favours wget's one sequential connection; the default run
adds two informational rows with LATENCY_S added before every response (500 articles):
ours at its default concurrency, and ours on 1 connection (CONCURRENT_REQUESTS=1), the
same as wget, so the comparison is like with like.

Usage: python bench/bench_crawl.py [--quick] [--soak] [--json]
"""

# No `from __future__ import annotations`: bench/run.py execs this file without registering
# it in sys.modules, and dataclasses resolve string annotations through sys.modules.
import argparse
import asyncio
import functools
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
SOAK = True  # bench/run.py --soak runs this module with soak=True

SITE = "haian"
HOST = "haian.haiphong.gov.vn"
CDN = "cdn.haiphong.gov.vn"
ARTICLES = 5000
QUICK_ARTICLES = 500
SOAK_ARTICLES = 20000
SOAK_BUDGET_S = 300.0  # without --soak, the 20,000-article run only if predicted under this

TARGET_VS_WGET = 3.0  # ours >= 3x wget's articles/s
TARGET_VS_BARE = 0.6  # ours >= 60% of bare Scrapy's articles/s
TARGET_RSS_MB = 300.0  # peak RSS at 20,000 articles
TARGET_RECRAWL = 0.05  # re-crawl requests <= 5% of the first crawl's
LATENCY_S = 0.02  # the informational with-latency comparison against wget


# --- the replica, with a request counter ------------------------------------------------


@dataclass
class RequestCounter:
    total: int = 0
    by_host: Counter[str] = field(default_factory=Counter)
    delay: float = 0.0  # seconds added before every response (simulated latency)

    def wrap(self, handler: Callable[[Any], Awaitable[Any]]) -> Callable[[Any], Awaitable[Any]]:
        async def counted(request: Any) -> Any:
            self.total += 1
            self.by_host[(request.host or "").rsplit(":", 1)[0].lower()] += 1
            if self.delay:
                await asyncio.sleep(self.delay)
            return await handler(request)

        return counted


@dataclass
class Replica:
    handle: Any
    counter: RequestCounter
    restore: Callable[[], None] | None = None  # set when its caches were made unbounded

    @property
    def port(self) -> int:
        return int(self.handle.port)

    def stop(self) -> None:
        if self.handle is not None:
            self.handle.stop()
        if self.restore is not None:
            self.restore()


def start_replica(articles: int, hold_all: bool = False) -> Replica:
    """A `--scheme http` replica on a free port, every request it receives counted.

    With `hold_all`, its caches keep every page and file it renders (see `warm_up`).
    """
    from newsarchive.replica import ReplicaConfig, build_corpus
    from newsarchive.replica.server import ReplicaHandle, bind

    config = ReplicaConfig(port=0, articles=articles, scheme="http", faults="none")
    corpus = build_corpus(config)
    replica = Replica(None, RequestCounter())
    if hold_all:
        replica.restore = _unbounded_caches(corpus)
    handle = ReplicaHandle(config, corpus, bind(config.host, config.port))
    # web.Server binds app.handle when the server starts: shadow it on the instance first.
    handle.app.handle = replica.counter.wrap(handle.app.handle)  # type: ignore[method-assign]
    replica.handle = handle.start()
    return replica


def _unbounded_caches(corpus: Any) -> Callable[[], None] | None:
    """Lift the replica's LRU bounds (4,096 pages and files) for this corpus; returns the
    undo for the one module-level cache, or None when the replica's internals differ."""
    from newsarchive.replica import corpus as corpus_mod

    try:
        corpus._pages.size = corpus._lists.size = 1 << 40
        corpus._content = functools.lru_cache(maxsize=None)(corpus._content_uncached)
        original = corpus_mod._cached_file
        corpus_mod._cached_file = functools.lru_cache(maxsize=None)(original.__wrapped__)
    except AttributeError:
        return None

    def restore() -> None:
        corpus_mod._cached_file = original

    return restore


def truth_urls(replica: Replica) -> set[str]:
    req = urllib.request.Request(f"{replica.handle.base}/__truth__", headers={"Host": HOST})
    with urllib.request.urlopen(req, timeout=120) as resp:
        lines = resp.read().decode("utf-8").splitlines()
    return {json.loads(line)["url"] for line in lines if line.strip()}


# --- children -------------------------------------------------------------------------


@dataclass
class Child:
    returncode: int | None
    seconds: float
    maxrss_mb: float
    timed_out: bool
    stderr_tail: str


def _vm_hwm_kib(pid: int) -> int | None:
    """The process's peak resident set (VmHWM, KiB), or None once it is gone."""
    try:
        with open(f"/proc/{pid}/status", "rb") as fh:
            for line in fh:
                if line.startswith(b"VmHWM:"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return None


def run_child(
    cmd: list[str], *, cwd: Path, log: Path, timeout: float, env: dict[str, str] | None = None
) -> Child:
    """Run `cmd` as a fresh child: its wall time and its own peak RSS.

    The peak is the child's VmHWM, polled every 20 ms until it exits (a high-water mark, so
    only growth in the last poll interval could be missed). Not ru_maxrss: Linux carries
    the forking parent's RSS into the child's ru_maxrss across exec, and this process holds
    the replica. Without /proc, ru_maxrss from os.wait4 is the (upper-bound) fallback.
    """
    timed_out = False
    hwm = 0
    with log.open("wb") as out:
        started = time.perf_counter()
        proc = subprocess.Popen(
            cmd, cwd=cwd, stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT, env=env
        )
        # Poll with WNOHANG: the child is only ever killed while unreaped (its pid is ours).
        while True:
            hwm = max(hwm, _vm_hwm_kib(proc.pid) or 0)
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if not timed_out and time.perf_counter() - started > timeout:
                timed_out = True
                os.kill(proc.pid, signal.SIGKILL)
            time.sleep(0.02)
        seconds = time.perf_counter() - started
    proc.returncode = os.waitstatus_to_exitcode(status)
    tail = log.read_text(errors="replace").strip().splitlines()[-8:]
    return Child(
        returncode=proc.returncode,
        seconds=seconds,
        maxrss_mb=(hwm or usage.ru_maxrss) / 1024.0,  # KiB on Linux
        timed_out=timed_out,
        stderr_tail="\n".join(tail),
    )


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    for name in ("SCRAPY_SETTINGS_MODULE", "NEWSARCHIVE_DATA", "http_proxy", "https_proxy"):
        env.pop(name, None)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    return env


# --- the three crawlers ---------------------------------------------------------------


@dataclass
class Measured:
    name: str
    articles: int | None = None
    seconds: float | None = None
    maxrss_mb: float | None = None
    requests: int | None = None  # as the replica counted them
    note: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def rate(self) -> float | None:
        if self.articles is None or not self.seconds:
            return None
        return self.articles / self.seconds


def index_counts(data: Path) -> tuple[int, int]:
    """(articles of the site, captures) in the data directory's index."""
    db = data / "index.db"
    if not db.exists():
        return 0, 0
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        articles = con.execute("SELECT count(*) FROM articles WHERE site = ?", (SITE,)).fetchone()[
            0
        ]
        captures = con.execute("SELECT count(*) FROM captures").fetchone()[0]
    finally:
        con.close()
    return int(articles), int(captures)


def crawl_ours(
    replica: Replica, data: Path, work: Path, timeout: float, extra: tuple[str, ...] = ()
) -> Measured:
    before_req = replica.counter.total
    before_articles, before_captures = index_counts(data)
    cmd = [
        sys.executable,
        "-m",
        "newsarchive",
        "crawl",
        SITE,
        "--fast",
        "--map",
        f"*.haiphong.gov.vn=127.0.0.1:{replica.port}",
        "--data",
        str(data),
        "--no-progress",
        *extra,
    ]
    log = work / f"ours-{data.name}-{int(time.time() * 1000)}.log"
    child = run_child(cmd, cwd=REPO, log=log, timeout=timeout, env=child_env())
    articles, captures = index_counts(data)
    m = Measured(
        "newsarchive crawl --fast",
        articles=articles,
        seconds=child.seconds,
        maxrss_mb=child.maxrss_mb,
        requests=replica.counter.total - before_req,
        extra={
            "captures_added": captures - before_captures,
            "articles_added": articles - before_articles,
            "returncode": child.returncode,
        },
    )
    if child.timed_out:
        m.note = f"killed after {timeout:.0f} s (timeout); "
    if child.returncode != 0:
        m.note += f"exit {child.returncode}: {child.stderr_tail[-600:]}"
    return m


def crawl_wget(replica: Replica, work: Path, truth: set[str], timeout: float) -> Measured:
    wget = shutil.which("wget")
    if wget is None:
        return Measured("wget", note="skipped: wget not found on PATH")
    try:
        from warcio.archiveiterator import ArchiveIterator
    except ImportError:
        return Measured("wget", note="skipped: warcio not installed (needed to count its WARC)")
    cwd = Path(tempfile.mkdtemp(prefix="wget-", dir=work))
    warc = cwd / "wget"
    before = replica.counter.total
    cmd = [
        wget,
        "--recursive",
        "--level=inf",
        "--page-requisites",
        "--span-hosts",
        f"--domains={HOST},{CDN}",
        f"--warc-file={warc}",
        "--no-verbose",
        "--delete-after",
        "--timeout=20",
        "-e",
        "use_proxy=yes",
        "-e",
        f"http_proxy=127.0.0.1:{replica.port}",
        f"http://{HOST}/",
    ]
    child = run_child(cmd, cwd=cwd, log=work / "wget.log", timeout=timeout)
    seen: set[str] = set()
    responses = 0
    warc_path = warc.with_name(warc.name + ".warc.gz")
    if warc_path.exists():
        with warc_path.open("rb") as fh:
            for record in ArchiveIterator(fh):
                if record.rec_type != "response":
                    continue
                responses += 1
                if record.http_headers and record.http_headers.get_statuscode() == "200":
                    seen.add(record.rec_headers.get_header("WARC-Target-URI"))
    m = Measured(
        "wget",
        articles=len(truth & seen),
        seconds=child.seconds,
        maxrss_mb=child.maxrss_mb,
        requests=replica.counter.total - before,
        extra={"warc_responses": responses, "returncode": child.returncode},
    )
    if child.timed_out:
        m.note = f"killed after {timeout:.0f} s (timeout)"
    elif child.returncode not in (0, 8):  # 8: some server error response (a 404 link)
        m.note = f"wget exit {child.returncode}: {child.stderr_tail[-400:]}"
    shutil.rmtree(cwd, ignore_errors=True)
    return m


def crawl_bare(replica: Replica, work: Path, timeout: float) -> Measured:
    out = work / "bare.json"
    before = replica.counter.total
    cmd = [
        sys.executable,
        str(HERE / "bare_spider.py"),
        "--start",
        f"http://{HOST}/",
        "--map",
        f"*.haiphong.gov.vn=127.0.0.1:{replica.port}",
        "--out",
        str(out),
    ]
    child = run_child(cmd, cwd=work, log=work / "bare.log", timeout=timeout, env=child_env())
    counts = json.loads(out.read_text()) if out.exists() else {}
    m = Measured(
        "bare Scrapy",
        articles=counts.get("articles"),
        seconds=child.seconds,
        maxrss_mb=child.maxrss_mb,
        requests=replica.counter.total - before,
        extra=counts,
    )
    if child.timed_out:
        m.note = f"killed after {timeout:.0f} s (timeout)"
    elif child.returncode != 0 or not counts:
        m.note = f"exit {child.returncode}: {child.stderr_tail[-400:]}"
    return m


def warm_up(replica: Replica, work: Path, truth: set[str], timeout: float) -> str:
    """One unmeasured pass over the whole site, so that every measured crawler finds the
    replica's (unbounded) caches full: the replica renders each page and file once, and the
    figures measure the crawlers rather than the replica's templating."""
    if replica.restore is None:
        return "replica caches not held (internals changed): first crawler meets a cold replica"
    before = replica.counter.total
    if shutil.which("wget"):
        crawl_wget(replica, work, truth, timeout)
    else:
        crawl_bare(replica, work, timeout)
    return f"warm replica: {replica.counter.total - before} requests served in an unmeasured pass"


# --- rows -----------------------------------------------------------------------------


def _r(value: float | None, digits: int = 1) -> float | None:
    return None if value is None else round(value, digits)


def _desc(m: Measured) -> str:
    if m.articles is None:
        return m.note
    parts = [f"{m.name}: {m.articles} articles in {m.seconds:.1f} s"]
    if m.requests is not None:
        parts.append(f"{m.requests} requests")
    if m.maxrss_mb is not None:
        parts.append(f"peak RSS {m.maxrss_mb:.0f} MB")
    text = ", ".join(parts)
    return f"{text} ({m.note})" if m.note else text


def ratio_row(metric: str, ours: Measured, peer: Measured, target: float, n: int) -> dict[str, Any]:
    ratio = None
    if ours.rate is not None and peer.rate:
        ratio = ours.rate / peer.rate
    return {
        "bench": "crawl",
        "metric": metric,
        "value": _r(ours.rate),
        "unit": "articles/s",
        "peer": peer.name,
        "peer_value": _r(peer.rate),
        "ratio": _r(ratio, 2),
        "target": f">= {target:g}x",
        "ok": None if ratio is None else ratio >= target,
        "articles": n,
        "note": f"{_desc(ours)}; {_desc(peer)}",
    }


def run(quick: bool = False, soak: bool = False) -> list[dict]:
    n = QUICK_ARTICLES if quick else ARTICLES
    rows: list[dict] = []
    work = Path(tempfile.mkdtemp(prefix="bench-crawl-"))
    crawl_timeout = 120.0 if quick else 420.0
    try:
        replica = start_replica(n, hold_all=True)
        try:
            truth = truth_urls(replica)
            warm = warm_up(replica, work, truth, crawl_timeout)
            data = work / "data"
            ours = crawl_ours(replica, data, work, crawl_timeout)
            if ours.extra.get("articles_added") != len(truth) and not ours.note:
                ours.note = f"{len(truth)} articles in the truth"
            ours.note = "; ".join(filter(None, [ours.note, warm]))
            # The same crawl committing the index after every write (no batches), and one
            # more of each in the other order (A B B A): the better of each pair is compared,
            # so a slow moment of a shared machine does not decide the ratio.
            unbatched = crawl_ours(replica, work / "data-unbatched", work, crawl_timeout, UNBATCHED)
            unbatched_2 = crawl_ours(
                replica, work / "data-unbatched-2", work, crawl_timeout, UNBATCHED
            )
            batched_2 = crawl_ours(replica, work / "data-batched-2", work, crawl_timeout)
            unbatched = max(unbatched, unbatched_2, key=lambda m: m.rate or 0.0)
            unbatched.name = "newsarchive crawl --fast, NEWSARCHIVE_INDEX_BATCH=1"
            batched = max(ours, batched_2, key=lambda m: m.rate or 0.0)
            bare = crawl_bare(replica, work, crawl_timeout)
            wget = crawl_wget(replica, work, truth, crawl_timeout)
            # re-crawl of the unchanged site, same data directory
            again = crawl_ours(replica, data, work, crawl_timeout)
            recheck = None
            if not quick:  # what re-checking every known article would cost instead
                recheck = crawl_ours(replica, data, work, crawl_timeout, ("--recheck-hours", "0"))
        finally:
            replica.stop()

        rows.append(ratio_row("articles/s vs wget", ours, wget, TARGET_VS_WGET, n))
        batch_row = ratio_row(
            "articles/s, index batches vs a commit per write (best of 2 each)",
            batched,
            unbatched,
            1,
            n,
        )
        batch_row.update(target=None, ok=None)  # informational: what batching buys here
        rows.append(batch_row)
        rows.append(ratio_row("articles/s vs bare Scrapy", ours, bare, TARGET_VS_BARE, n))
        rows.append(
            {
                "bench": "crawl",
                "metric": f"peak RSS at {n:,} articles",
                "value": _r(ours.maxrss_mb),
                "unit": "MB",
                "peer": "bare Scrapy",
                "peer_value": _r(bare.maxrss_mb),
                "ratio": _r(ours.maxrss_mb / bare.maxrss_mb, 2)
                if ours.maxrss_mb and bare.maxrss_mb
                else None,
                "target": None,
                "ok": None,
                "note": "informational; the target applies at 20,000 articles",
            }
        )

        first, second = ours.requests or 0, again.requests
        frac = second / first if first and second is not None else None
        rows.append(
            {
                "bench": "crawl",
                "metric": "re-crawl requests",
                "value": second,
                "unit": "requests",
                "peer": "first crawl",
                "peer_value": first,
                "ratio": _r(frac, 4),
                "target": f"<= {TARGET_RECRAWL:g}x",
                "ok": None if frac is None or again.note else frac <= TARGET_RECRAWL,
                "articles": n,
                "note": (
                    f"replica-counted requests; index captures added: "
                    f"{ours.extra.get('captures_added')} then {again.extra.get('captures_added')}"
                    f" in {again.seconds:.1f} s" + (f"; {again.note}" if again.note else "")
                ),
            }
        )
        if recheck is not None:
            rows.append(
                {
                    "bench": "crawl",
                    "metric": "re-crawl requests, --recheck-hours 0",
                    "value": recheck.requests,
                    "unit": "requests",
                    "peer": "first crawl",
                    "peer_value": first,
                    "ratio": _r(recheck.requests / first, 4)
                    if first and recheck.requests is not None
                    else None,
                    "target": None,
                    "ok": None,
                    "note": (
                        f"informational: every known article re-checked with a conditional GET; "
                        f"captures added {recheck.extra.get('captures_added')} in "
                        f"{recheck.seconds:.1f} s" + (f"; {recheck.note}" if recheck.note else "")
                    ),
                }
            )

        if not quick:
            rows.extend(latency_rows(work))
        rows.append(rss_soak(work, ours, soak, quick))
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return rows


# The index committed after every write, as before batches (NEWSARCHIVE_INDEX_BATCH).
UNBATCHED = ("-s", "NEWSARCHIVE_INDEX_BATCH=1")

# Ours on one connection, as wget uses: the like-with-like row beside the default one.
ONE_CONNECTION = ("-s", "CONCURRENT_REQUESTS=1", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1")


def latency_rows(work: Path) -> list[dict[str, Any]]:
    """Ours against wget on QUICK_ARTICLES with LATENCY_S before every response: at our
    default concurrency, and at equal concurrency (1 connection for both)."""
    replica = start_replica(QUICK_ARTICLES, hold_all=True)
    try:
        truth = truth_urls(replica)
        warm = warm_up(replica, work, truth, 300.0)
        replica.counter.delay = LATENCY_S
        ours = crawl_ours(replica, work / "data-latency", work, 300.0)
        ours_one = crawl_ours(replica, work / "data-latency-1", work, 900.0, ONE_CONNECTION)
        wget = crawl_wget(replica, work, truth, 900.0)
    finally:
        replica.stop()
    rows = []
    ms = f"+{LATENCY_S * 1000:.0f} ms per response"
    for label, measured in (
        (f"articles/s vs wget, {ms}, our default concurrency", ours),
        (f"articles/s vs wget, {ms}, 1 connection each", ours_one),
    ):
        measured.note = "; ".join(filter(None, [measured.note, warm]))
        row = ratio_row(label, measured, wget, TARGET_VS_WGET, QUICK_ARTICLES)
        row["target"] = None  # informational: the target row is the one without added latency
        row["ok"] = None
        rows.append(row)
    return rows


def rss_soak(work: Path, ours: Measured, soak: bool, quick: bool) -> dict[str, Any]:
    row: dict[str, Any] = {
        "bench": "crawl",
        "metric": f"peak RSS at {SOAK_ARTICLES:,} articles",
        "value": None,
        "unit": "MB",
        "peer": None,
        "peer_value": None,
        "ratio": None,
        "target": f"< {TARGET_RSS_MB:g} MB",
        "ok": None,
    }
    if quick:
        row["note"] = "skipped with --quick"
        return row
    predicted = SOAK_ARTICLES / ours.rate if ours.rate else None
    if not soak and (predicted is None or predicted >= SOAK_BUDGET_S):
        row["note"] = (
            "skipped: predicted "
            + (f"{predicted:.0f} s" if predicted else "unknown time")
            + f" >= {SOAK_BUDGET_S:.0f} s; run with --soak (make soak)"
        )
        return row
    replica = start_replica(SOAK_ARTICLES)
    try:
        timeout = max(1800.0, 3 * (predicted or 600.0))
        big = crawl_ours(replica, work / "data-soak", work, timeout)
    finally:
        replica.stop()
    row["value"] = _r(big.maxrss_mb)
    row["ok"] = big.maxrss_mb is not None and big.maxrss_mb < TARGET_RSS_MB and not big.note
    row["note"] = _desc(big)
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_ARTICLES} articles")
    parser.add_argument("--soak", action="store_true", help="also the 20,000-article RSS run")
    parser.add_argument("--json", action="store_true", help="print the rows as JSON")
    args = parser.parse_args()
    rows = run(quick=args.quick, soak=args.soak)
    if args.json:
        print(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    for row in rows:
        shown = {k: v for k, v in row.items() if k not in ("bench", "note") and v is not None}
        print(json.dumps(shown, ensure_ascii=False))
        if row.get("note"):
            print(f"    {row['note']}")


if __name__ == "__main__":
    main()
