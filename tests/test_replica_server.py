"""HTTP behaviour: Host routing, absolute-form targets, robots.txt, index and control routes."""

from __future__ import annotations

import json
import socket
import time

from conftest import fetch

from newsarchive.replica import ReplicaConfig, run_replica_in_thread


def test_absolute_form_request_target(replica):
    url = replica.corpus.url(replica.corpus.by_site["lechan"][0]).replace("https://", "http://")
    with socket.create_connection(("127.0.0.1", replica.port)) as sock:
        sock.sendall(f"GET {url} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode())
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    assert data.startswith(b"HTTP/1.1 200") and b'class="ContentDetail"' in data


def test_robots_txt(replica):
    status, _, body = fetch(replica, "https://vinhbao.haiphong.gov.vn/robots.txt")
    assert status == 200
    assert body.splitlines() == [
        b"User-agent: *",
        b"Disallow: /quan-tri/",
        b"Disallow: /tim-kiem",
        b"Crawl-delay: 1",
    ]


def test_unknown_host_gets_index(replica):
    status, _, body = fetch(replica, replica.base + "/")
    assert status == 200 and b"haian.haiphong.gov.vn" in body and b"/__truth__" in body


def test_control_sets_generation(replica_factory):
    handle = replica_factory()
    status, _, body = fetch(handle, "http://127.0.0.1/__control__?generation=2", "POST")
    assert status == 200 and json.loads(body)["generation"] == 2 and handle.corpus.generation == 2
    assert fetch(handle, "http://127.0.0.1/__control__?generation=x", "POST")[0] == 400


def test_starts_fast():
    start = time.perf_counter()
    with run_replica_in_thread(ReplicaConfig(port=0, articles=500)) as handle:
        assert time.perf_counter() - start < 1.0
        assert fetch(handle, "http://haian.haiphong.gov.vn/")[0] == 200


def test_vinhbao_root_redirects_to_portal(replica):
    status, headers, _ = fetch(replica, "http://vinhbao.haiphong.gov.vn/")
    assert status == 302 and headers["location"] == "/Portal/Default.aspx"
