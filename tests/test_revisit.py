"""Revisit policy: re-check known articles by age (daily, weekly, monthly by default)."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from scrapy.settings import Settings

from newsarchive.crawl.revisit import DEFAULT_POLICY, RevisitPolicy, due_urls, policy_from_settings

NOW = datetime(2026, 12, 2, 3, 0, tzinfo=timezone.utc)


def row(url: str, published_days_ago: float | None, checked_days_ago: float | None) -> dict:
    def iso(days: float | None) -> str | None:
        return None if days is None else (NOW - timedelta(days=days)).isoformat()

    return {
        "url": url,
        "published": iso(published_days_ago),
        "first_seen": iso(published_days_ago if published_days_ago is not None else 400),
        "last_checked": iso(checked_days_ago),
    }


def test_the_default_policy_is_daily_weekly_monthly_by_age():
    policy = RevisitPolicy.parse(DEFAULT_POLICY)
    assert [policy.interval(d) for d in (0, 7, 8, 365, 366, 5000)] == [1, 1, 7, 7, 30, 30]


def test_due_articles_follow_their_age_tier():
    rows = [
        row("young-checked-yesterday", 3, 1.1),  # daily tier: due
        row("young-checked-now", 3, 0.2),  # not due
        row("month-old-checked-5-days-ago", 30, 5),  # weekly tier: not due
        row("month-old-checked-8-days-ago", 30, 8),  # due
        row("old-checked-20-days-ago", 900, 20),  # monthly tier: not due
        row("old-checked-31-days-ago", 900, 31),  # due
        row("never-checked", 900, None),  # due
    ]
    due = due_urls(rows, RevisitPolicy.parse(DEFAULT_POLICY), NOW)
    assert sorted(due) == [
        "month-old-checked-8-days-ago",
        "never-checked",
        "old-checked-31-days-ago",
        "young-checked-yesterday",
    ]


def test_without_a_date_the_first_sighting_gives_the_age():
    rows = [
        {
            "url": "u",
            "published": None,
            "first_seen": NOW.isoformat(),
            "last_checked": (NOW - timedelta(days=1.5)).isoformat(),
        }
    ]
    assert due_urls(rows, RevisitPolicy.parse(DEFAULT_POLICY), NOW) == ["u"]


def test_recheck_hours_replaces_the_tiers_and_negative_means_never():
    assert policy_from_settings(Settings({"NEWSARCHIVE_RECHECK_HOURS": -1})) is None
    every = policy_from_settings(Settings({"NEWSARCHIVE_RECHECK_HOURS": 48}))
    assert every is not None and every.interval(1) == every.interval(9000) == 2
    tiers = policy_from_settings(Settings({"NEWSARCHIVE_REVISIT": "2:0.5,*:10"}))
    assert tiers is not None and (tiers.interval(1), tiers.interval(3)) == (0.5, 10)


@pytest.mark.parametrize("text", ["", "7", "a:1", "7:-1", "7:1,x"])
def test_a_bad_policy_is_refused(text):
    with pytest.raises(ValueError, match="revisit policy"):
        RevisitPolicy.parse(text)
