"""One writer per data folder: an exclusive, non-blocking flock on DATA/.lock.

The kernel drops a flock when its process dies, however it dies (SIGKILL, OOM, reboot), so
a stale lock is taken over by the next run with no clean-up and no pid guessing. The file
keeps the holder's pid, host and start time, only to tell the user who holds it. Within one
process the lock is shared (reference-counted): the CLI takes it first, then the crawl's
archive session takes it again for `scrapy crawl`, which has no CLI around it.

Worker processes of one run (`crawl --workers N`) share the lock of the run that started
them: they inherit its open lock file (`lock_fd`, `adopt`), so the folder stays locked for as
long as any of them runs, and no other run can take it in between.
"""

from __future__ import annotations

import errno
import fcntl
import json
import os
import socket
import threading
import time
from pathlib import Path

LOCK_NAME = ".lock"
_held: dict[str, tuple[int, int]] = {}  # resolved root -> (fd, references)
_guard = threading.Lock()


class DataLocked(Exception):
    """Another process holds the data folder; the message names it."""


def _holder(path: Path) -> str:
    try:
        info = json.loads(path.read_text(encoding="utf-8") or "{}")
    except (OSError, ValueError):
        return "another process"
    return (
        f"pid {info.get('pid', '?')} on {info.get('host', '?')}, started {info.get('started', '?')}"
    )


def acquire(root: str | os.PathLike[str]) -> Path:
    """Lock `root` (created if missing) for this process; DataLocked when another holds it."""
    root_path = Path(root)
    root_path.mkdir(parents=True, exist_ok=True)
    key = str(root_path.resolve())
    path = root_path / LOCK_NAME
    with _guard:
        if key in _held:
            fd, refs = _held[key]
            _held[key] = (fd, refs + 1)
            return path
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            os.close(fd)
            if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise DataLocked(
                    f"{root_path} is in use by another crawl ({_holder(path)}): nothing done"
                ) from None
            raise
        info = {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        }
        os.ftruncate(fd, 0)
        os.pwrite(fd, json.dumps(info).encode(), 0)
        _held[key] = (fd, 1)
        return path


def lock_fd(root: str | os.PathLike[str]) -> int:
    """The descriptor of the lock this process holds on `root`, for worker processes."""
    key = str(Path(root).resolve())
    with _guard:
        if key not in _held:
            raise RuntimeError(f"{root} is not locked by this process")
        return _held[key][0]


def adopt(root: str | os.PathLike[str], fd: int) -> Path:
    """Take over the lock of `root` that the parent run holds, through its inherited `fd`.

    Checks that `fd` is `root`'s lock file and that the lock is ours (flock on the shared open
    file succeeds; anyone else's lock makes it fail): DataLocked otherwise.
    """
    root_path = Path(root)
    path = root_path / LOCK_NAME
    key = str(root_path.resolve())
    try:
        same = os.path.samestat(os.fstat(fd), os.stat(path))
        if same:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        same = False
    if not same:
        raise DataLocked(f"{root_path}: the run that started this worker does not hold its lock")
    with _guard:
        if key in _held:
            held_fd, refs = _held[key]
            _held[key] = (held_fd, refs + 1)
        else:
            _held[key] = (fd, 1)
    return path


def release(root: str | os.PathLike[str]) -> None:
    key = str(Path(root).resolve())
    with _guard:
        if key not in _held:
            return
        fd, refs = _held[key]
        if refs > 1:
            _held[key] = (fd, refs - 1)
            return
        del _held[key]
        os.close(fd)  # the file stays: deleting it would race with a run opening it


def holds(root: str | os.PathLike[str]) -> bool:
    return str(Path(root).resolve()) in _held
