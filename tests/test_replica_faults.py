"""Faults occur at their configured rates, deterministically, and never on control routes."""

from __future__ import annotations

import json
import socket
import time
import zlib
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

import pytest
from conftest import fetch

RATES = {"503": 0.10, "slow": 0.05, "reset": 0.05, "truncated": 0.05, "charset": 0.05}


def raw_get(port: int, url: str) -> tuple[str, float]:
    """First-attempt outcome of GET url: 503 | reset | truncated | charset | slow | ok."""
    parts = urlsplit(url)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    start = time.perf_counter()
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(
            f"GET {target} HTTP/1.1\r\nHost: {parts.netloc}\r\nConnection: close\r\n\r\n".encode()
        )
        data = b""
        try:
            while chunk := sock.recv(65536):
                data += chunk
        except ConnectionResetError:
            pass
    elapsed = time.perf_counter() - start
    if not data:
        return "reset", elapsed
    head, _, body = data.partition(b"\r\n\r\n")
    headers = head.decode("latin-1").lower()
    if head.startswith(b"HTTP/1.1 503"):
        return "503", elapsed
    length = int(headers.split("content-length:")[1].split("\r\n")[0])
    if len(body) < length:
        return "truncated", elapsed
    if "charset=iso-8859-1" in headers:
        return "charset", elapsed
    return ("slow" if elapsed >= 0.45 else "ok"), elapsed


@pytest.fixture(scope="module")
def harsh_sweep(replica_factory):
    handle = replica_factory(faults="harsh", articles=400, seed=7)
    urls = [handle.corpus.url(a) for a in handle.corpus.articles]
    # Few connections at once: the one-threaded replica queues the rest, and on a loaded
    # machine a queued "ok" response would cross the 0.45 s line and count as "slow".
    with ThreadPoolExecutor(4) as pool:
        outcomes = list(pool.map(lambda u: raw_get(handle.port, u)[0], urls))
    return handle, urls, outcomes


@pytest.mark.parametrize("kind", sorted(RATES))
def test_harsh_fault_rate(harsh_sweep, kind):
    _, urls, outcomes = harsh_sweep
    observed = outcomes.count(kind) / len(urls)
    assert RATES[kind] * 0.6 < observed < RATES[kind] * 1.4, (kind, observed)


def test_fault_counters_match_observations(harsh_sweep):
    handle, _, outcomes = harsh_sweep
    counts = json.loads(fetch(handle, "http://127.0.0.1/__faults__")[2])
    for kind in RATES:
        assert counts[kind] == outcomes.count(kind), kind


def test_503_clears_after_two_attempts_and_reset_after_one(harsh_sweep):
    handle, urls, outcomes = harsh_sweep
    for kind, attempts in (("503", 2), ("reset", 1), ("truncated", 1)):
        url = urls[outcomes.index(kind)]
        for _ in range(attempts - 1):
            assert raw_get(handle.port, url)[0] == kind
        assert raw_get(handle.port, url)[0] in ("ok", "charset", "slow")


def test_mild_rates_by_decision_function(replica_factory):
    faults = replica_factory(faults="mild").app.faults
    kinds = [faults.kind_of(f"haian.haiphong.gov.vn/x-{i}", True) for i in range(20000)]
    expected = {"503": 0.02, "slow": 0.01, "reset": 0.01, "truncated": 0.01, "charset": 0.01}
    for kind, rate in expected.items():
        assert rate * 0.8 < kinds.count(kind) / len(kinds) < rate * 1.2, kind


def test_no_faults_when_none(replica):
    assert not any(replica.app.faults.kind_of(f"h/x-{i}", True) for i in range(5000))


def test_control_routes_and_robots_never_fault(replica_factory):
    handle = replica_factory(faults="harsh", seed=11)
    for host in ("haian.haiphong.gov.vn", "lechan.haiphong.gov.vn", "vinhbao.haiphong.gov.vn"):
        for path in ("/robots.txt", "/__truth__", "/__faults__"):
            for _ in range(3):
                assert fetch(handle, f"http://{host}{path}")[0] == 200


def test_redirect_loop(replica_factory):
    handle = replica_factory(faults="mild")
    status, headers, _ = fetch(handle, "http://haian.haiphong.gov.vn/__loop__/a")
    assert status == 302 and headers["location"].endswith("/__loop__/b")
    status, headers, _ = fetch(handle, "http://haian.haiphong.gov.vn/__loop__/b")
    assert status == 302 and headers["location"].endswith("/__loop__/a")


def test_big_page_over_10_mb(replica_factory):
    handle = replica_factory(faults="mild")
    status, headers, body = fetch(
        handle, "http://lechan.haiphong.gov.vn/tai-lieu/bao-cao-tong-hop-lon"
    )
    assert status == 200 and len(body) == int(headers["content-length"]) > 10_000_000


def test_gzip_bomb_is_small_and_inflates_to_1_gib(replica_factory):
    handle = replica_factory(faults="mild")
    status, headers, body = fetch(handle, "http://haian.haiphong.gov.vn/tai-lieu/du-lieu-nen")
    assert status == 200 and headers["content-encoding"] == "gzip" and len(body) < 2_000_000
    assert int.from_bytes(body[-4:], "little") == 1 << 30  # ISIZE of the gzip member
    assert zlib.decompressobj(31).decompress(body, 1_000_000) == bytes(1_000_000)


def test_hostile_pages_linked_only_when_faults_on(replica, replica_factory):
    handle = replica_factory(faults="mild")
    assert b"/tai-lieu/du-lieu-nen" in fetch(handle, "http://haian.haiphong.gov.vn/")[2]
    assert b"/tai-lieu/du-lieu-nen" not in fetch(replica, "http://haian.haiphong.gov.vn/")[2]


def test_fault_choice_is_deterministic_by_seed(replica_factory):
    a = replica_factory(faults="harsh", seed=5).app.faults
    b = replica_factory(faults="harsh", seed=5).app.faults
    c = replica_factory(faults="harsh", seed=6).app.faults
    urls = [f"haian.haiphong.gov.vn/p-{i}" for i in range(500)]
    assert [a.kind_of(u, True) for u in urls] == [b.kind_of(u, True) for u in urls]
    assert [a.kind_of(u, True) for u in urls] != [c.kind_of(u, True) for u in urls]
