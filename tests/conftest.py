"""Shared fixtures: a replica server on a free port, and a factory for other settings."""

from __future__ import annotations

import http.client
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from urllib.parse import urlsplit

import pytest

from newsarchive.replica import ReplicaConfig, ReplicaHandle, run_replica_in_thread

# Small enough that walking every article stays fast, large enough for rates and pagination.
FIXTURE_ARTICLES = 120


@pytest.fixture(scope="session")
def replica() -> Iterator[ReplicaHandle]:
    """The default replica (no faults, generation 0) on port 0, shared by the session."""
    with run_replica_in_thread(ReplicaConfig(port=0, articles=FIXTURE_ARTICLES)) as handle:
        yield handle


@pytest.fixture(scope="session")
def replica_factory() -> Iterator[Callable[..., ReplicaHandle]]:
    """`replica_factory(faults="mild", seed=3, ...)` starts a replica.

    Session-scoped so module-scoped fixtures can use it; every replica it started stops at the
    end of the session.
    """
    handles: list[ReplicaHandle] = []

    def start(**overrides: object) -> ReplicaHandle:
        settings: dict[str, object] = {"port": 0, "articles": FIXTURE_ARTICLES, **overrides}
        handle = run_replica_in_thread(ReplicaConfig(**settings))  # type: ignore[arg-type]
        handles.append(handle)
        return handle

    yield start
    for handle in handles:
        handle.stop()


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory) -> Iterator[str]:
    """redis://127.0.0.1:PORT/0 of a redis-server this session started (empty, no persistence).

    Fails, never skips, when redis-server is missing. Tests share it: namespace keys per test
    (each crawl's own --job, or a unique prefix).
    """
    from tests.redissupport import running_redis

    with ExitStack() as stack:
        try:
            url = stack.enter_context(running_redis(tmp_path_factory.mktemp("redis")))
        except RuntimeError as exc:
            pytest.fail(str(exc))
        yield url


@pytest.fixture(scope="session")
def small_crawl(replica_factory, tmp_path_factory):
    """One small crawl of the replica (one site), shared by the replay-tool tests."""
    from tests.replaysupport import crawl_small

    return crawl_small(replica_factory, tmp_path_factory.mktemp("small-crawl"))


def fetch(
    handle: ReplicaHandle,
    url: str,
    method: str = "GET",
    headers: dict[str, str] | None = None,
    body: bytes | None = None,
) -> tuple[int, dict[str, str], bytes]:
    """Request a public URL (https://haian.haiphong.gov.vn/...) from the replica by Host header.

    Returns (status, lower-cased headers, body); status 0 when the connection was dropped.
    """
    parts = urlsplit(url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    conn = http.client.HTTPConnection("127.0.0.1", handle.port, timeout=15)
    try:
        conn.request(method, target, body=body, headers={"Host": parts.netloc, **(headers or {})})
        resp = conn.getresponse()
        data = resp.read()
        return resp.status, {k.lower(): v for k, v in resp.getheaders()}, data
    except (ConnectionError, http.client.HTTPException, OSError):
        return 0, {}, b""
    finally:
        conn.close()


@pytest.fixture
def replica_fetch() -> Callable[..., tuple[int, dict[str, str], bytes]]:
    return fetch
