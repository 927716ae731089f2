"""Workers of a shared crawl (`newsarchive crawl --redis URL --workers N`).

One worker is one Scrapy crawl on the shared frontier (newsarchive.crawl.frontier). With N > 1
the run starts N worker processes here, forked once the modules every worker needs are loaded
(else `python -m newsarchive.crawl.workers SPEC`), each with
the run's data-folder lock inherited (archive.lock.adopt), its own WARC files (host and pid in
their names) and a connection to the folder's one SQLite index. The parent waits for all,
forwards SIGTERM/SIGINT to them, and reports each worker and the totals; one failed worker
makes the run fail. The same command on another machine, with its own data folder, joins
the same frontier.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import signal
import subprocess
import sys
import tempfile
import threading
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

LOCK_FD_ENV = "NEWSARCHIVE_LOCK_FD"
COUNTS = (
    "captures",
    "articles_new",
    "articles_changed",
    "articles_unchanged",
    "articles_gone",
    "images",
    "attachments",
    "redis_requeued",
)


@dataclass
class WorkerSpec:
    """Everything a worker process needs to run its crawl (JSON-able)."""

    names: list[str]
    url: str | None
    profile: str | None
    data_dir: str
    settings: dict[str, Any]  # keyword arguments of crawl_settings()
    sites_path: str
    error_threshold: float | None
    redis_url: str
    job: str
    worker_ttl: float
    resume_hours: float = 6.0
    log_dir: str | None = None
    log_keep: int = 0
    index: int = 0
    result_path: str | None = None


@dataclass
class WorkerOutcome:
    index: int
    pid: int
    returncode: int
    lines: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    failed: bool = True
    reason: str = ""


def run_worker(spec: WorkerSpec) -> WorkerOutcome:
    """Join the shared crawl and run one worker in this process (the reactor runs once)."""
    from newsarchive.crawl import redisjob
    from newsarchive.crawl.crawlsettings import crawl_settings
    from newsarchive.crawl.frontier import redis_settings
    from newsarchive.crawl.runner import run_crawl

    settings = crawl_settings(**spec.settings)
    settings.set("NEWSARCHIVE_SITES", spec.sites_path, priority="cmdline")
    if spec.error_threshold is not None:
        settings.set("NEWSARCHIVE_ERROR_THRESHOLD", spec.error_threshold, priority="cmdline")
    client = redisjob.connect(spec.redis_url)
    worker = redisjob.new_worker_id()
    resume = spec.resume_hours * 3600
    folder = redisjob.folder_id(spec.data_dir)
    g = redisjob.join(client, spec.job, worker, spec.worker_ttl, folder, resume)
    early = redisjob.EarlyHeartbeat(client, g, spec.worker_ttl, resume)  # until the reactor's
    settings.setdict(redis_settings(spec.redis_url, g, spec.worker_ttl, resume), "cmdline")
    settings.set("NEWSARCHIVE_REDIS_FRESH", g.fresh, priority="cmdline")
    try:
        result = run_crawl(settings, spec.names, url=spec.url, profile=spec.profile)
    finally:
        early.stop()
        client.close()
    stats = result.totals if result.totals is not None else _summed(result)
    counts = {k: int(stats.get(f"newsarchive/{k}", 0) or 0) for k in COUNTS}
    counts["lost"] = result.errors
    return WorkerOutcome(
        index=spec.index,
        pid=os.getpid(),
        returncode=1 if result.failed else 0,
        lines=result.summary_lines(),
        counts=counts,
        failed=result.failed,
        reason=result.failure_reason if result.failed else "",
    )


def _summed(result: Any) -> dict[str, int]:
    total: dict[str, int] = {}
    for site in result.sites:
        for key, value in site.stats.items():
            if key.startswith("newsarchive/") and isinstance(value, int):
                total[key] = total.get(key, 0) + value
    return total


def spawn_workers(spec: WorkerSpec, count: int, lock_fd: int) -> list[WorkerOutcome]:
    """Start `count` worker processes and wait for every one of them."""
    folder = Path(tempfile.mkdtemp(prefix="newsarchive-workers-"))
    procs: list[tuple[int, int, Path]] = []  # index, pid, result file
    forked = _preload(spec)
    env = {**os.environ, LOCK_FD_ENV: str(lock_fd)}
    for index in range(count):
        spec_path = folder / f"worker-{index}.json"
        result_path = folder / f"worker-{index}.result.json"
        own = WorkerSpec(**{**spec.__dict__, "index": index, "result_path": str(result_path)})
        spec_path.write_text(json.dumps(own.__dict__), encoding="utf-8")
        if forked:
            pid = _fork_worker(spec_path, lock_fd)
        else:
            pid = subprocess.Popen(
                [sys.executable, "-m", "newsarchive.crawl.workers", str(spec_path)],
                pass_fds=(lock_fd,),
                env=env,
            ).pid
        procs.append((index, pid, result_path))
    running = {pid for _, pid, _ in procs}

    def forward(signum: int, _frame: Any) -> None:
        for pid in list(running):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signum)

    previous = {s: signal.signal(s, forward) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        outcomes = []
        for index, pid, result_path in procs:
            returncode = _wait(pid)
            running.discard(pid)
            outcomes.append(_outcome(index, pid, returncode, result_path))
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        for path in folder.iterdir():
            path.unlink(missing_ok=True)
        folder.rmdir()
    return outcomes


def _wait(pid: int) -> int:
    while True:
        try:
            _, status = os.waitpid(pid, 0)
        except InterruptedError:  # a forwarded signal: keep waiting
            continue
        return os.waitstatus_to_exitcode(status)


def _preload(spec: WorkerSpec) -> bool:
    """Import here what every worker imports, so that forked workers start with it loaded
    instead of each spending ~1 s of CPU on it (bench/bench_scale.py (b)). False when
    forking is not safe here: no fork(), a thread running, or a reactor installed."""
    if not hasattr(os, "fork") or threading.active_count() > 1:
        return False
    import importlib

    import newsarchive.crawl.frontier  # noqa: F401
    import newsarchive.crawl.runner  # noqa: F401
    from newsarchive.crawl.crawlsettings import crawl_settings

    settings = crawl_settings(**spec.settings)
    paths: set[str] = set()
    for name in _COMPONENTS:
        value = settings.get(name)
        if isinstance(value, str):
            paths.add(value)
        elif value:
            paths.update(k for k in settings.getdict(name) if isinstance(k, str))
    for path in sorted(paths):
        with contextlib.suppress(Exception):  # the worker itself reports a broken component
            importlib.import_module(path.rsplit(".", 1)[0])
    # A reactor is installed by the worker's crawl, never before the fork.
    return "twisted.internet.reactor" not in sys.modules and threading.active_count() == 1


_COMPONENTS = (
    *(f"{kind}{base}" for kind in ("DOWNLOADER_MIDDLEWARES", "SPIDER_MIDDLEWARES", "EXTENSIONS",
      "ITEM_PIPELINES", "DOWNLOAD_HANDLERS") for base in ("", "_BASE")),
    "SCHEDULER", "DUPEFILTER_CLASS", "STATS_CLASS", "SPIDER_LOADER_CLASS", "LOG_FORMATTER",
    "REQUEST_FINGERPRINTER_CLASS", "ADDONS",
)  # fmt: skip


def _fork_worker(spec_path: Path, lock_fd: int) -> int:
    """A worker in a child of this process; in the child it never returns."""
    pid = os.fork()
    if pid:
        return pid
    code = 1
    try:
        os.environ[LOCK_FD_ENV] = str(lock_fd)
        # The parent's log handlers (its run log, its console) are not this worker's.
        for handler in list(logging.root.handlers):
            logging.root.removeHandler(handler)
        code = main([str(spec_path)])
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    except BaseException:
        traceback.print_exc()
    finally:
        # Never the parent's clean-up (its lock release, its atexit handlers).
        with contextlib.suppress(Exception):
            sys.stdout.flush()
            sys.stderr.flush()
        os._exit(code)
    raise AssertionError("unreachable")


def _outcome(index: int, pid: int, returncode: int, result_path: Path) -> WorkerOutcome:
    try:
        data = json.loads(result_path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        how = f"signal {-returncode}" if returncode < 0 else f"exit code {returncode}"
        return WorkerOutcome(
            index, pid, returncode, reason=f"worker {index} (pid {pid}) died ({how})"
        )
    outcome = WorkerOutcome(**{**data, "returncode": returncode})
    if returncode != 0 and not outcome.failed:
        outcome.failed, outcome.reason = True, f"worker {index} (pid {pid}) exit code {returncode}"
    return outcome


def summary_lines(outcomes: list[WorkerOutcome]) -> list[str]:
    lines = []
    for o in outcomes:
        for line in o.lines or [o.reason]:
            lines.append(f"worker {o.index} (pid {o.pid}): {line}")
    total = {k: sum(o.counts.get(k, 0) for o in outcomes) for k in (*COUNTS, "lost")}
    ok = sum(not o.failed for o in outcomes)
    lines.append(
        f"{len(outcomes)} workers ({ok} finished): {total['captures']} fetches, "
        f"articles new {total['articles_new']}, changed {total['articles_changed']}, "
        f"unchanged {total['articles_unchanged']}, gone {total['articles_gone']}, "
        f"images {total['images']}, attachments {total['attachments']}, "
        f"requeued from stopped workers {total['redis_requeued']}, lost {total['lost']}"
    )
    return lines


def main(argv: list[str]) -> int:
    """A worker process: `python -m newsarchive.crawl.workers SPEC.json`."""
    from archive import lock

    spec = WorkerSpec(**json.loads(Path(argv[0]).read_text(encoding="utf-8")))
    try:
        lock.adopt(spec.data_dir, int(os.environ[LOCK_FD_ENV]))
    except (KeyError, ValueError, lock.DataLocked) as exc:
        print(f"newsarchive worker: {exc}", file=sys.stderr)
        return 3
    handler = None
    if spec.log_keep:
        from newsarchive.crawl.runlog import open_run_log

        log_dir = Path(spec.log_dir) if spec.log_dir else Path(spec.data_dir) / "logs"
        _, handler = open_run_log(log_dir, spec.log_keep)
    try:
        outcome = run_worker(spec)
    finally:
        if handler is not None:
            from newsarchive.crawl.runlog import close_run_log

            close_run_log(handler)
        lock.release(spec.data_dir)
    if spec.result_path:
        Path(spec.result_path).write_text(json.dumps(outcome.__dict__), encoding="utf-8")
    return outcome.returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
