"""Re-checks of known articles: why each was sent and what it found, as crawl stats.

A re-check request carries its reason in `meta["recheck"]`; the item its answer becomes
carries it to the pipeline, which counts the outcome. Keys (each also per site, under
`newsarchive/site/<name>/`): `rechecks/<reason>` (sent), `recheck_found/<outcome>`.
"""

from __future__ import annotations

from collections.abc import Callable

# Why a known article is fetched again, in the order a run reports them.
REASONS = {
    "age": "age",
    "listing_title": "listing headline",
    "listing_date": "listing date",
    "listing_teaser": "listing teaser",
    "vanished": "vanished from a listing",
}
# What a re-check found. "moved": it now redirects to another URL; "unreadable": the
# answer held no article (the archived version stays current).
OUTCOMES = ("changed", "gone", "unchanged", "moved", "unreadable")


def count_sent(inc: Callable[[str], None], site: str, reason: str) -> None:
    if reason not in REASONS:
        raise ValueError(f"unknown re-check reason {reason!r}")
    inc(f"newsarchive/rechecks/{reason}")
    inc(f"newsarchive/site/{site}/rechecks/{reason}")


def count_found(inc: Callable[[str], None], site: str, outcome: str) -> None:
    inc(f"newsarchive/recheck_found/{outcome}")
    inc(f"newsarchive/site/{site}/recheck_found/{outcome}")


def report(count: Callable[[str], int]) -> str:
    """One phrase for a run summary; `count(key)` reads `newsarchive/<key>` of one scope."""
    sent = {r: count(f"rechecks/{r}") for r in REASONS}
    found = {o: count(f"recheck_found/{o}") for o in OUTCOMES}
    reasons = ", ".join(f"{label} {sent[r]}" for r, label in REASONS.items())
    outcomes = ", ".join(f"{o} {found[o]}" for o in OUTCOMES if found[o] or o in OUTCOMES[:3])
    return f"re-checked {sum(sent.values())} ({reasons}; found {outcomes})"
