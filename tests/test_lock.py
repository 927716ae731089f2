"""One run per data folder: the lock, its exit code, stale locks of killed runs."""

from __future__ import annotations

import gzip
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from archive import lock
from tests.crawlsupport import (
    comparable,
    crawl_and_kill,
    crawl_command,
    index_articles,
    run_crawl,
    truth,
    truth_comparable,
)

HOLD = "import sys, time; from archive import lock; lock.acquire(sys.argv[1]); print('held', flush=True); time.sleep(60)"


def hold_in_subprocess(root: Path) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(root)], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None and proc.stdout.readline().strip() == "held"
    return proc


def test_a_held_lock_refuses_another_process_and_names_the_holder(tmp_path):
    proc = hold_in_subprocess(tmp_path)
    try:
        with pytest.raises(lock.DataLocked, match=f"pid {proc.pid} "):
            lock.acquire(tmp_path)
    finally:
        proc.kill()
        proc.wait()


def test_the_lock_of_a_killed_process_is_taken_over(tmp_path):
    proc = hold_in_subprocess(tmp_path)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert (tmp_path / ".lock").exists()  # stale file left behind
    lock.acquire(tmp_path)
    try:
        assert lock.holds(tmp_path)
    finally:
        lock.release(tmp_path)


def test_a_locked_crawl_exits_3_and_touches_nothing(tmp_path):
    proc = hold_in_subprocess(tmp_path)
    try:
        result = run_crawl(1, tmp_path, "haian")
    finally:
        proc.kill()
        proc.wait()
    assert result.returncode == 3, result.stdout + result.stderr
    assert "in use by another crawl" in result.stderr and "Traceback" not in result.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == [".lock"]


def check_warcs(data: Path) -> None:
    files = sorted((data / "warc").glob("*.warc.gz"))
    assert files
    for path in files:
        with gzip.open(path) as f:  # full decompression of every member
            while f.read(1 << 20):
                pass
    warcio = Path(sys.executable).with_name("warcio")
    check = subprocess.run([str(warcio), "check", *map(str, files)], capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr


def assert_exact(replica, data: Path) -> None:
    expected = {
        t["url"]: truth_comparable(t)
        for t in truth(replica.base, "haian.haiphong.gov.vn")
        if t["status"] == "active"
    }
    archived = {u: comparable(a) for u, a in index_articles(data / "index.db").items()}
    assert archived == expected


def test_two_crawls_started_together_one_archives_the_other_exits_locked(replica_factory, tmp_path):
    replica = replica_factory(articles=40, seed=5)
    command = crawl_command(replica.port, tmp_path, ("haian",))
    started = time.monotonic()
    procs = [
        subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    ended: dict[int, float] = {}
    while len(ended) < 2:
        for i, p in enumerate(procs):
            if i not in ended and p.poll() is not None:
                ended[i] = time.monotonic() - started
        time.sleep(0.01)
    outputs = [p.communicate() for p in procs]
    codes = [p.returncode for p in procs]
    assert sorted(codes) == [0, 3], outputs
    loser = codes.index(3)
    assert "in use by another crawl" in outputs[loser][1]
    print(f"locked run exited after {ended[loser]:.2f} s; the crawl took {ended[1 - loser]:.2f} s")
    assert_exact(replica, tmp_path)
    check_warcs(tmp_path)


def test_the_run_after_a_sigkilled_crawl_takes_the_lock_over(replica_factory, tmp_path):
    replica = replica_factory(articles=40, seed=6)
    crawl_and_kill(replica.port, tmp_path, "haian", after_captures=30)
    result = run_crawl(replica.port, tmp_path, "haian")
    assert result.returncode == 0, result.stdout + result.stderr
    assert_exact(replica, tmp_path)
    check_warcs(tmp_path)


ADOPT = (
    "import os, sys, time; from archive import lock; "
    "lock.adopt(sys.argv[1], int(sys.argv[2])); print('adopted', flush=True); time.sleep(60)"
)


def adopt_in_subprocess(root: Path, fd: int) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", ADOPT, str(root), str(fd)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        pass_fds=(fd,),
    )


def test_a_worker_shares_the_run_lock_and_keeps_it_while_it_runs(tmp_path):
    """crawl --workers N: workers inherit the run's lock; the folder stays locked while any
    of them runs, even once the parent let go of it."""
    lock.acquire(tmp_path)
    worker = adopt_in_subprocess(tmp_path, lock.lock_fd(tmp_path))
    try:
        assert worker.stdout is not None and worker.stdout.readline().strip() == "adopted"
        lock.release(tmp_path)
        other = subprocess.run(
            [sys.executable, "-c", HOLD, str(tmp_path)], capture_output=True, text=True
        )
        assert other.returncode != 0 and "DataLocked" in other.stderr
    finally:
        worker.kill()
        worker.wait()
    lock.acquire(tmp_path)  # the worker's death dropped it
    lock.release(tmp_path)


def test_a_worker_without_the_run_lock_refuses_to_start(tmp_path):
    holder = hold_in_subprocess(tmp_path)  # someone else's run holds it
    fd = os.open(tmp_path / lock.LOCK_NAME, os.O_RDWR)
    try:
        worker = adopt_in_subprocess(tmp_path, fd)
        _, err = worker.communicate(timeout=30)
        assert worker.returncode != 0 and "does not hold its lock" in err
    finally:
        os.close(fd)
        holder.kill()
        holder.wait()
