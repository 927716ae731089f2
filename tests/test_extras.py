"""The replica's web server (aiohttp) is an optional extra: a crawler runs without it."""

from __future__ import annotations

import subprocess
import sys

# Runs the CLI with aiohttp made unimportable (None in sys.modules blocks the import).
WITHOUT_AIOHTTP = (
    "import sys; sys.modules['aiohttp'] = None; sys.argv = ['newsarchive', *sys.argv[1:]];"
    "from newsarchive.cli import main; main()"
)


def run_without_aiohttp(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", WITHOUT_AIOHTTP, *args], capture_output=True, text=True, timeout=120
    )


def test_crawl_and_sites_work_without_aiohttp():
    for args in (("crawl", "--help"), ("sites", "list")):
        result = run_without_aiohttp(*args)
        assert result.returncode == 0, result.stderr


def test_the_replica_without_aiohttp_names_the_extra():
    result = run_without_aiohttp("replica", "--port", "0")
    assert result.returncode == 1
    assert "pip install 'newsarchive[replica]'" in result.stderr
    assert "Traceback" not in result.stderr
