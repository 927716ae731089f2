"""A real Redis for tests: Debian's `redis-server` on loopback, on a free port, in a temporary
folder, stopped after. Missing redis-server fails the test (scripts/install-redis.sh installs
it); a test never talks to a Redis it did not start."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

INSTALL_HINT = "redis-server not found: run `bash scripts/install-redis.sh` (Debian's package)"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def ping(port: int, timeout: float = 0.5) -> bool:
    """True when a Redis on loopback:port answers PING (raw RESP: no client library needed)."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(64).startswith(b"+PONG")
    except OSError:
        return False


@contextmanager
def running_redis(folder: Path, startup_timeout: float = 15.0) -> Iterator[str]:
    """Start redis-server in `folder`; yield its URL redis://127.0.0.1:PORT/0; stop it after.

    Raises RuntimeError (with INSTALL_HINT when the binary is missing) if it cannot start.
    """
    binary = shutil.which("redis-server")
    if binary is None:
        raise RuntimeError(INSTALL_HINT)
    folder.mkdir(parents=True, exist_ok=True)
    for _attempt in range(3):  # the free port can be taken between bind and redis' own bind
        port = free_port()
        log = folder / f"redis-{port}.log"
        proc = subprocess.Popen(
            [
                binary, "--port", str(port), "--bind", "127.0.0.1",
                "--save", "", "--appendonly", "no", "--dir", str(folder),
                "--logfile", str(log), "--daemonize", "no", "--protected-mode", "yes",
            ],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + startup_timeout
        while time.monotonic() < deadline and proc.poll() is None and not ping(port):
            time.sleep(0.02)
        if proc.poll() is None and ping(port):
            break
        stop(proc)
    else:
        tail = log.read_text(errors="replace")[-500:] if log.exists() else ""
        raise RuntimeError(f"redis-server did not start: {tail}")
    try:
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        stop(proc)


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
