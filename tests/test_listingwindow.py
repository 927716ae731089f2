"""The window of a completely walked listing: which known articles missing from it vanished."""

from __future__ import annotations

from newsarchive.crawl.listingwindow import vanished, window_start


def days(*numbers: int) -> list[str]:
    return [f"2024-03-{n:02d}" for n in numbers]


def walk(*numbers: int) -> list[tuple[str, str]]:
    return [(f"a{n}", day) for n, day in zip(numbers, days(*numbers), strict=True)]


def test_a_missing_article_dated_inside_the_window_vanished():
    remembered = dict(walk(*range(20, 9, -1)))
    tonight = walk(20, 19, 17, 16, 15)  # a18 deleted: page 1 now reaches a15
    assert vanished(tonight, remembered) == ["a18"]


def test_a_page_shift_is_no_vanishing():
    """Two new articles push a17 and a16 to page 2 (not walked): they are older than the
    oldest entry seen, outside the window."""
    remembered = dict(walk(*range(20, 14, -1)))
    tonight = walk(22, 21, 20, 19, 18)
    assert vanished(tonight, remembered) == []


def test_entries_of_the_oldest_day_seen_are_outside():
    """The rest of that day may be on the next page."""
    tonight = [("a1", "2024-03-20"), ("a2", "2024-03-19"), ("a3", "2024-03-18")]
    assert vanished(tonight, {"a4": "2024-03-18", "a5": "2024-03-19"}) == ["a5"]


def test_a_pinned_old_article_or_a_latest_news_sidebar_does_not_move_the_window():
    pinned = [("old", "2023-01-05"), *walk(20, 19, 18, 17)]
    assert window_start([d for _, d in pinned]) == "2024-03-17"
    sidebar = [*walk(12, 11, 10, 9, 8), ("s1", "2024-03-30"), ("s2", "2024-03-29")]
    assert window_start([d for _, d in sidebar]) == "2024-03-08"
    assert vanished(pinned, {"a15": "2024-03-15", "a19b": "2024-03-19"}) == ["a19b"]


def test_a_listing_not_in_date_order_gives_no_window():
    shuffled = walk(3, 17, 9, 20, 1, 14, 6, 11)
    assert window_start([d for _, d in shuffled]) is None
    assert vanished(shuffled, {"x": "2024-03-19"}) == []


def test_too_few_dated_entries_give_no_window():
    assert (
        vanished([("a", "2024-03-20"), ("b", None), ("c", "2024-03-19")], {"x": "2024-03-20"}) == []
    )


def test_undated_remembered_articles_are_not_judged():
    assert vanished(walk(20, 19, 18), {"x": None, "y": ""}) == []
