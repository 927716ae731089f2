"""bench/bare_spider.py, the bare-Scrapy peer of the benchmarks, runs with the Scrapy settings
of `newsarchive crawl --fast`: a peer left on a costlier Scrapy default (CONCURRENT_ITEMS=100
starts 101 asyncio tasks per response) would make ours look faster than it is."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from newsarchive.crawl.crawlsettings import crawl_settings

BARE = Path(__file__).resolve().parent.parent / "bench" / "bare_spider.py"


@pytest.fixture(scope="module")
def bare():
    spec = importlib.util.spec_from_file_location("bare_spider", BARE)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize(
    "name",
    [
        "CONCURRENT_ITEMS",
        "WARN_ON_GENERATOR_RETURN_VALUE",
        "CONCURRENT_REQUESTS",
        "CONCURRENT_REQUESTS_PER_DOMAIN",
        "DOWNLOAD_DELAY",
        "AUTOTHROTTLE_ENABLED",
        "REQUEST_FINGERPRINTER_IMPLEMENTATION",
    ],
)
def test_bare_peer_has_our_fast_crawl_setting(bare, name):
    assert bare.settings({})[name] == crawl_settings(fast=True)[name]
