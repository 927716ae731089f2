"""Articles that vanished from a listing window the crawl walked completely.

A listing (a category, the home page) lists its articles newest first. When this run
walked its pages 1..k without a failed fetch, every article dated after the oldest entry it
saw on them should have been seen again: a known article last listed there, dated in that
window and missing now, was deleted or moved, and is re-checked the same night.

Dates, not positions: a new article pushes the old ones down a page, but their dates stay.
The window ends at the oldest entry of the walk's newest-first run (its longest
non-increasing sequence of days): a pinned old article at the top, or a sidebar of the
latest news after each page's list, neither widens nor narrows it. Entries of that oldest
day are outside (the rest of that day may be on the next page). A walk that is not mostly
newest first gives no window.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

MIN_DATED = 3  # entries with a date a walk needs before it defines a window


def window_start(days: Sequence[str]) -> str | None:
    """The oldest day (ISO `YYYY-MM-DD`) of the walk's newest-first run, or None when the
    walk does not look newest first."""
    n = len(days)
    if n < MIN_DATED:
        return None
    best = [1] * n  # longest non-increasing run ending at each entry
    for i in range(n):
        for j in range(i):
            if days[j] >= days[i] and best[j] + 1 > best[i]:
                best[i] = best[j] + 1
    longest = max(best)
    if longest < max(MIN_DATED, (n + 1) // 2):
        return None
    # Of several runs as long, the one ending latest in time: the smaller window.
    return max(days[i] for i in range(n) if best[i] == longest)


def vanished(
    walk: Sequence[tuple[str, str | None]], remembered: Mapping[str, str | None]
) -> list[str]:
    """Known articles last listed here (`remembered`: url -> day) dated inside the window of
    this run's `walk` (url, day or None, in page order) and not seen on it."""
    start = window_start([day for _, day in walk if day])
    if start is None:
        return []
    seen = {url for url, _ in walk}
    return sorted(u for u, day in remembered.items() if u not in seen and day and day > start)
