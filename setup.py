"""Kept so that `scrapyd-deploy` builds the egg from pyproject.toml (metadata, packages,
package data, the `[scrapy] settings` entry point) instead of writing a setup.py of its own,
which would miss all of them and stay behind in the checkout."""

from setuptools import setup

setup()
