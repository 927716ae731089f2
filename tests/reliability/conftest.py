"""Reliability suite: each test can describe what it injected and what it measured with
`reliability_record(...)`. With NEWSARCHIVE_RELIABILITY_JSON set (`make reliability-report`),
every record, with the test's real outcome, is appended to that file as one JSON line;
scripts/reliability_report.py renders them into docs/reliability.md. A test that records
nothing still gets a row: its docstring (or its module's) says what it injects."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from typing import Any

import pytest

ENV = "NEWSARCHIVE_RELIABILITY_JSON"


@pytest.fixture
def reliability_record(request: pytest.FixtureRequest) -> Iterator[Callable[..., None]]:
    """`reliability_record(name, injects, result, figures)`: one row of docs/reliability.md.

    `result` says what held (e.g. "all 120 articles archived, verify clean"); the row's
    outcome column comes from pytest, so a failing test is reported as failing.
    """
    rows: list[dict[str, Any]] = []

    def record(name: str, injects: str, result: str, figures: dict[str, Any] | None = None):
        rows.append(
            {
                "test": request.node.nodeid,
                "name": name,
                "injects": injects,
                "result": result,
                "figures": figures or {},
            }
        )

    request.node.reliability_rows = rows
    yield record


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Any:
    report = yield
    path = os.environ.get(ENV)
    rows = getattr(item, "reliability_rows", None)
    done = report.when == "call" or (report.when == "setup" and not report.passed)
    if path and done and not rows and rows is not False:
        rows = [_default_row(item)]
    if path and rows and done:
        with open(path, "a", encoding="utf-8") as f:
            for row in rows:
                f.write(json.dumps({**row, "outcome": report.outcome}, ensure_ascii=False) + "\n")
        item.reliability_rows = False  # written once
    return report


def _default_row(item: pytest.Item) -> dict[str, Any]:
    func = getattr(item, "function", None)
    doc = (getattr(func, "__doc__", None) or getattr(item.module, "__doc__", None) or "").strip()
    return {
        "test": item.nodeid,
        "name": item.name.removeprefix("test_").replace("_", " "),
        "injects": " ".join(doc.split("\n\n")[0].split()),
        "result": "",
        "figures": {},
    }
