"""The shared-frontier components stay off in a crawl without --redis (the project's
settings carry a Redis key prefix for every crawl, so the prefix can't be what turns them on)."""

from __future__ import annotations

import os
from types import SimpleNamespace

import pytest
from scrapy.exceptions import NotConfigured
from scrapy.utils.project import get_project_settings

from newsarchive.crawl.frontier import Frontier, FrontierStart


def project_crawler():
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "newsarchive.settings")
    settings = get_project_settings()
    assert settings.get("NEWSARCHIVE_REDIS_PREFIX"), "the premise: a prefix is always set"
    return SimpleNamespace(settings=settings)  # both decide from the settings alone


@pytest.mark.parametrize("component", [Frontier, FrontierStart])
def test_off_without_redis(component):
    with pytest.raises(NotConfigured):
        component.from_crawler(project_crawler())
