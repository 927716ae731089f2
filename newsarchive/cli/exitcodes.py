"""Exit codes of `newsarchive crawl` (documented in the README, relied on by cron jobs)."""

from __future__ import annotations

import click

OK = 0
FAILED = 1  # the run ended early, some sites failed, or too many requests were lost
CONFIG = 2  # bad options or sites file: nothing was fetched (click's usage errors are 2 too)
LOCKED = 3  # another run holds the data folder's lock: nothing was touched


class ConfigError(click.ClickException):
    exit_code = CONFIG


class LockedError(click.ClickException):
    exit_code = LOCKED
