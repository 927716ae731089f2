"""No spider method is a generator that returns a value (Scrapy would drop the value).

Scrapy checks this on every response by re-parsing the callback's source, which settings.py
turns off (WARN_ON_GENERATOR_RETURN_VALUE: 10-20% of a --fast crawl's CPU); this test runs the
same check, with Scrapy's own function, once for every generator method of every spider."""

from __future__ import annotations

import inspect

import scrapy
from scrapy.utils.misc import is_generator_with_return_value

import spiders.adhoc
import spiders.base
from newsarchive.crawl import multisite
from newsarchive.settings import WARN_ON_GENERATOR_RETURN_VALUE


def _spider_generators():
    for module in (spiders.base, spiders.adhoc, multisite):
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if not issubclass(cls, scrapy.Spider) or cls.__module__ != module.__name__:
                continue
            for name, func in vars(cls).items():
                if inspect.isgeneratorfunction(func):
                    yield f"{cls.__name__}.{name}", func


def test_no_spider_generator_returns_a_value():
    found = dict(_spider_generators())
    assert "PortalSpider.parse_article" in found and "PortalSpider.parse_listing" in found
    returning = [name for name, func in found.items() if is_generator_with_return_value(func)]
    assert returning == []


def test_scrapy_does_not_reparse_callbacks_per_response():
    assert WARN_ON_GENERATOR_RETURN_VALUE is False
