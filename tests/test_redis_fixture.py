"""The Redis test fixture: a real server that answers, and a clear failure without one."""

from __future__ import annotations

import pytest

from tests import redissupport


def test_fixture_redis_answers(redis_url):
    port = int(redis_url.rsplit(":", 1)[1].split("/")[0])
    assert redis_url.startswith("redis://127.0.0.1:")
    assert redissupport.ping(port)


def test_missing_redis_server_names_the_install_script(tmp_path, monkeypatch):
    monkeypatch.setattr(redissupport.shutil, "which", lambda name: None)
    with (
        pytest.raises(RuntimeError, match="scripts/install-redis.sh"),
        redissupport.running_redis(tmp_path),
    ):
        pass


def test_server_stops_after(tmp_path):
    with redissupport.running_redis(tmp_path) as url:
        port = int(url.rsplit(":", 1)[1].split("/")[0])
        assert redissupport.ping(port)
    assert not redissupport.ping(port)
