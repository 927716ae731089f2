"""Pagination by structure: saved pages in tests/cases/discovery/<case>/ with
case.json ({"kind": "pagination", "url", "current_page"}) and expected.json (next_url,
postback [target, argument], scheme: only the keys present are compared)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from newsarchive.discovery.pagination import next_page

CASES = Path(__file__).parent / "cases" / "discovery"


def _cases(kind: str) -> list[Path]:
    return sorted(
        p
        for p in CASES.iterdir()
        if (p / "case.json").is_file()
        and json.loads((p / "case.json").read_text("utf-8"))["kind"] == kind
    )


@pytest.mark.parametrize("case", _cases("pagination"), ids=lambda p: p.name)
def test_next_page(case: Path) -> None:
    spec = json.loads((case / "case.json").read_text("utf-8"))
    expected = json.loads((case / "expected.json").read_text("utf-8"))
    found = next_page(
        (case / "page.html").read_bytes(), spec["url"], current_page=spec.get("current_page")
    )
    got = {
        "next_url": found.url,
        "postback": [found.postback.target, found.postback.argument] if found.postback else None,
        "scheme": found.scheme,
    }
    assert {k: got[k] for k in expected} == expected


def test_empty_and_garbage_pages_have_no_next() -> None:
    assert next_page(b"", "https://xa.gov.vn/").url is None
    assert next_page(b"\x00\xff\xfe", "https://xa.gov.vn/").postback is None
