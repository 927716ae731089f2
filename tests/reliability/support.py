"""Helpers of the crash and disk-full tests: crawls run as subprocesses (through
tests/reliability/inject.py when a fault is injected), clean reference crawls, a small disk."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

from tests.crawlsupport import count_rows, crawl_command, index_snapshot, run_crawl

ROOT = Path(__file__).resolve().parents[2]
SOAK = os.environ.get("NEWSARCHIVE_SOAK") == "1"
_CLEAN: dict[tuple[int, str], Path] = {}
_SITES: dict[tuple[int, int], object] = {}


def shared_replica(replica_factory, articles: int, seed: int):
    """One replica per (articles, seed) for the whole session: tests share its clean crawl."""
    key = (articles, seed)
    if key not in _SITES:
        _SITES[key] = replica_factory(articles=articles, seed=seed)
    return _SITES[key]


def newsarchive_command(args: list[str]) -> list[str]:
    """`args` of a `newsarchive` command line run through the fault injector."""
    return [sys.executable, "-m", "tests.reliability.inject", *args]


def crawl_args(port: int, data: Path, site: str, extra: tuple[str, ...] = ()) -> list[str]:
    return crawl_command(port, data, (site,), extra)[3:]  # drop `python -m newsarchive`


def run_injected(
    args: list[str], inject: str = "", timeout: float = 600
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        newsarchive_command(args),
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=ROOT,
        env={**os.environ, "NEWSARCHIVE_INJECT": inject, "PYTHONPATH": str(ROOT)},
    )


def start_injected(args: list[str], inject: str = "") -> subprocess.Popen[str]:
    return subprocess.Popen(
        newsarchive_command(args),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env={**os.environ, "NEWSARCHIVE_INJECT": inject, "PYTHONPATH": str(ROOT)},
    )


def clean_crawl(port: int, site: str, tmp_root: Path) -> Path:
    """A crawl nothing went wrong in (one per replica and site, reused)."""
    key = (port, site)
    if key not in _CLEAN:
        data = tmp_root / f"clean-{port}-{site}"
        result = run_crawl(port, data, site)
        assert result.returncode == 0, result.stdout + result.stderr
        _CLEAN[key] = data
    return _CLEAN[key]


def wait_for_rows(
    proc: subprocess.Popen, db: Path, table: str, rows: int, timeout: float = 300
) -> int:
    deadline = time.monotonic() + timeout
    seen = 0
    while time.monotonic() < deadline and proc.poll() is None:
        seen = count_rows(db, table) if db.exists() else 0
        if seen >= rows:
            break
        time.sleep(0.02)
    return seen


def same_index(data: Path, clean: Path) -> None:
    assert index_snapshot(data / "index.db") == index_snapshot(clean / "index.db")


def stat_value(log: str, name: str) -> int | None:
    """A counter from Scrapy's closing stats dump (LOG_LEVEL INFO)."""
    found = re.search(rf"'{re.escape(name)}': (\d+)", log)
    return int(found.group(1)) if found else None


class SmallDisk:
    """A small filesystem to crawl into: a tmpfs where this machine lets us mount one (root,
    CAP_SYS_ADMIN), else ENOSPC injected on the WARC writer's file (see inject.py).

    `fill(leave)` takes all the free space but `leave` bytes; `free()` gives it back.
    """

    def __init__(self, root: Path, size: int, mode: str = "tmpfs") -> None:
        self.root = root
        self.root.mkdir(parents=True, exist_ok=True)
        self.mode = "injected"
        self.fallback_reason = ""
        self._control = root.parent / f"{root.name}.enospc"
        self._filler = root / ".filler"
        if mode == "tmpfs":
            if shutil.which("mount") is None:
                self.fallback_reason = "no mount command"
            else:
                run = subprocess.run(
                    ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(root)],
                    capture_output=True,
                    text=True,
                )
                if run.returncode == 0:
                    self.mode = "tmpfs"
                else:
                    self.fallback_reason = (run.stderr or run.stdout).strip() or "mount failed"

    @property
    def inject(self) -> str:
        return f"enospc:{self._control}" if self.mode == "injected" else ""

    def fill(self, leave: int) -> None:
        if self.mode == "tmpfs":
            # Take every free block (the crawl keeps writing meanwhile), then give `leave` back.
            with open(self._filler, "ab") as f:
                chunk = b"\0" * (64 << 10)
                while True:
                    try:
                        os.write(f.fileno(), chunk)
                    except OSError:
                        if len(chunk) == 1:
                            break
                        chunk = chunk[: len(chunk) // 2]
                size = os.fstat(f.fileno()).st_size
                os.ftruncate(f.fileno(), max(size - leave, 0))
        else:
            self._control.write_text(str(leave))

    def free(self) -> None:
        if self.mode == "tmpfs":
            self._filler.unlink(missing_ok=True)
        else:
            self._control.unlink(missing_ok=True)

    def close(self) -> None:
        self.free()
        if self.mode == "tmpfs":
            subprocess.run(["umount", "-l", str(self.root)], check=False)
