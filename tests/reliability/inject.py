"""Run `newsarchive ARGS...` with a fault injected, chosen by NEWSARCHIVE_INJECT:

- `warc-kill:N:FRAC`   SIGKILL in the middle of the N-th write to a WARC file, after
                        FRAC of its bytes reached the file (a real partial record);
- `index-kill:N`       SIGKILL inside the N-th index transaction, after its statements ran
                        and before COMMIT;
- `export-kill:N`      SIGKILL after the export wrote N rows (or at its rename, N past the end);
- `index-full:N`      the N-th commit of an index batch fails as a full disk would
                        (SQLITE_FULL: the batch rolled back), once;
- `enospc:PATH`        writes to WARC files fail with ENOSPC, after a partial write, while
                        PATH exists; PATH holds how many bytes may still be written (the
                        fallback when no small tmpfs can be mounted).

    python -m tests.reliability.inject crawl haian --data ./data ...
"""

from __future__ import annotations

import contextlib
import errno
import os
import signal
import sys


def _is_warc(fd: int) -> bool:
    try:
        return os.readlink(f"/proc/self/fd/{fd}").endswith(".warc.gz")
    except OSError:
        return False


def _die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def warc_kill(n: int, frac: float) -> None:
    real_write = os.write
    count = 0

    def write(fd, data):
        nonlocal count
        if _is_warc(fd):
            count += 1
            if count == n:
                cut = max(1, int(len(data) * frac))
                real_write(fd, bytes(memoryview(data)[: min(cut, len(data) - 1)]))
                _die()
        return real_write(fd, data)

    os.write = write


def enospc(control: str) -> None:
    real_write = os.write

    def write(fd, data):
        if not _is_warc(fd):
            return real_write(fd, data)
        try:
            with open(control) as f:
                budget = int(f.read().strip() or 0)
        except FileNotFoundError:
            return real_write(fd, data)  # space is back
        if budget <= 0:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        written = real_write(fd, bytes(memoryview(data)[:budget]))
        with open(control, "w") as f:
            f.write(str(budget - written))
        return written

    os.write = write


def index_kill(n: int) -> None:
    from archive.index import Index

    original = Index.transaction
    count = 0

    @contextlib.contextmanager
    def transaction(self):
        nonlocal count
        # Nested calls join the outer write; in batch mode every top-level write counts
        # (the batch's transaction stays open across them).
        if getattr(self, "_batch", None) is not None:
            outer = self._depth == 0
        else:
            outer = not self.conn.in_transaction
        with original(self) as conn:
            yield conn
            if outer:
                count += 1
                if count == n:
                    _die()  # statements done, COMMIT not yet run

    Index.transaction = transaction


def index_full(n: int) -> None:
    import sqlite3

    from archive.index import Index

    original = Index.flush
    count = 0

    def flush(self):
        nonlocal count
        if self._batch is not None and not self._depth and self.conn.in_transaction:
            count += 1
            if count == n:
                self.conn.execute("ROLLBACK")  # what SQLite does on SQLITE_FULL at COMMIT
                raise sqlite3.OperationalError("database or disk is full")
        return original(self)

    Index.flush = flush


def export_kill(n: int) -> None:
    import archive.export

    rows_written = 0
    for name in ("write_jsonl", "write_csv", "write_parquet"):
        original = getattr(archive.export, name)

        def wrapped(rows, path, *args, _original=original, **kwargs):
            def counted():
                nonlocal rows_written
                for row in rows:
                    if rows_written == n:
                        _die()
                    rows_written += 1
                    yield row

            return _original(counted(), path, *args, **kwargs)

        setattr(archive.export, name, wrapped)
    real_replace = os.replace

    def replace(src, dst, *args, **kwargs):
        if rows_written >= n:
            _die()  # every row written, the file not yet renamed into place
        return real_replace(src, dst, *args, **kwargs)

    os.replace = replace


def install(spec: str) -> None:
    kind, _, rest = spec.partition(":")
    if kind == "warc-kill":
        n, frac = rest.split(":")
        warc_kill(int(n), float(frac))
    elif kind == "index-kill":
        index_kill(int(rest))
    elif kind == "export-kill":
        export_kill(int(rest))
    elif kind == "index-full":
        index_full(int(rest))
    elif kind == "enospc":
        enospc(rest)
    elif spec:
        raise SystemExit(f"unknown NEWSARCHIVE_INJECT {spec!r}")


if __name__ == "__main__":
    install(os.environ.get("NEWSARCHIVE_INJECT", ""))
    from newsarchive.cli import main

    sys.argv[0] = "newsarchive"
    main()
