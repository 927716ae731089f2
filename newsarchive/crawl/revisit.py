"""Revisit policy: how often a known article is re-checked (conditional GET), by its age.

Young articles are edited or withdrawn most; old ones rarely. The policy is tiers of
"articles up to AGE days old: re-check when the last check is INTERVAL days old", e.g. the
default "7:1,365:7,*:30": daily in the first week, weekly in the first year, monthly after.
Age counts from the article's publication date (its first sighting when it has none).
`--recheck-hours H` replaces the policy by one interval for every article.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

DEFAULT_POLICY = "7:1,365:7,*:30"


@dataclass(frozen=True)
class RevisitPolicy:
    tiers: tuple[tuple[float | None, float], ...]  # (max age in days or None = any, interval)

    @classmethod
    def parse(cls, text: str) -> RevisitPolicy:
        tiers: list[tuple[float | None, float]] = []
        for part in (p.strip() for p in text.split(",") if p.strip()):
            age, sep, interval = part.partition(":")
            try:
                max_age = None if age.strip() == "*" else float(age)
                every = float(interval)
            except ValueError:
                raise ValueError(
                    f"revisit policy: {part!r} is not AGE_DAYS:INTERVAL_DAYS (e.g. 7:1, *:30)"
                ) from None
            if not sep or every < 0 or (max_age is not None and max_age < 0):
                raise ValueError(f"revisit policy: {part!r} is not AGE_DAYS:INTERVAL_DAYS")
            tiers.append((max_age, every))
        if not tiers:
            raise ValueError("revisit policy is empty")
        if tiers[-1][0] is not None:
            tiers.append((None, tiers[-1][1]))  # older than the last tier: its interval
        return cls(tuple(tiers))

    @classmethod
    def every(cls, hours: float) -> RevisitPolicy:
        return cls(((None, hours / 24),))

    def interval(self, age_days: float) -> float:
        for max_age, every in self.tiers:
            if max_age is None or age_days <= max_age:
                return every
        return self.tiers[-1][1]

    def next_check(
        self, published: datetime | None, last_checked: datetime | None, now: datetime
    ) -> datetime:
        """When the article is next due (<= now: due now)."""
        if last_checked is None:
            return now
        age = (now - (published or last_checked)).total_seconds() / 86400
        return last_checked + timedelta(days=self.interval(max(age, 0.0)))


def parse_time(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def due_urls(rows: list[dict], policy: RevisitPolicy, now: datetime) -> list[str]:
    """URLs of `rows` (url, published, first_seen, last_checked) due at `now`, most
    overdue first."""
    due: list[tuple[datetime, str]] = []
    for row in rows:
        published = parse_time(row.get("published")) or parse_time(row.get("first_seen"))
        when = policy.next_check(published, parse_time(row.get("last_checked")), now)
        if when <= now:
            due.append((when, row["url"]))
    return [url for _, url in sorted(due)]


def policy_from_settings(settings) -> RevisitPolicy | None:
    """NEWSARCHIVE_RECHECK_HOURS (one interval; negative = never) when set, else the
    NEWSARCHIVE_REVISIT tiers; None = no re-checks."""
    hours = settings.get("NEWSARCHIVE_RECHECK_HOURS")
    if hours is not None and hours != "":
        return None if float(hours) < 0 else RevisitPolicy.every(float(hours))
    return RevisitPolicy.parse(str(settings.get("NEWSARCHIVE_REVISIT") or DEFAULT_POLICY))


def recheck_urls(index, site: str, settings, now: datetime) -> list[str]:
    policy = policy_from_settings(settings)
    if policy is None:
        return []
    return due_urls(index.revisit_candidates(site), policy, now)
