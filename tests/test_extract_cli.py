"""`newsarchive extract`: the JSON contract other tools rely on, exit codes, help."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from newsarchive.cli import main

CASE = Path(__file__).parent / "cases" / "extract" / "replica_c_seed"
KEYS = [
    "url",
    "title",
    "published",
    "lead",
    "body",
    "images",
    "attachments",
    "tags",
    "provenance",
    "warnings",
]


def _run(*args: str, input: bytes | None = None):
    return CliRunner().invoke(main, ["extract", *args], input=input)


def _url() -> str:
    return json.loads((CASE / "case.json").read_text("utf-8"))["url"]


def test_prints_one_json_object() -> None:
    result = _run(str(CASE / "page.html"), "--url", _url())
    assert result.exit_code == 0, result.output
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 1
    data = json.loads(lines[0])
    assert list(data) == KEYS
    assert data["published"] == "2023-03-09T07:05:00+07:00"
    assert set(data["provenance"].values()) == {"profile"}
    expected = json.loads((CASE / "expected.json").read_text("utf-8"))
    assert {k: data[k] for k in expected} == expected


def test_generic_profile_and_stdin() -> None:
    page = (CASE / "page.html").read_bytes()
    result = _run("-", "--url", _url(), "--profile", "generic", input=page)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["provenance"]["title"] == "fallback"
    assert data["title"].startswith("Thường trực Thành ủy")


def test_user_errors_are_one_line() -> None:
    for args in (
        ["/nonexistent/page.html", "--url", "https://haian.haiphong.gov.vn/a-1"],
        [str(CASE), "--url", "https://haian.haiphong.gov.vn/a-1"],  # a directory
        [str(CASE / "page.html"), "--url", _url(), "--profile", "nope"],
        [str(CASE / "page.html"), "--url", "not-a-url"],
    ):
        result = _run(*args)
        assert result.exit_code != 0
        assert len(result.output.strip().splitlines()) == 1, result.output
        assert result.output.startswith("Error:")


def test_empty_input_is_an_error(tmp_path: Path) -> None:
    empty = tmp_path / "empty.html"
    empty.write_bytes(b"")
    result = _run(str(empty), "--url", "https://haian.haiphong.gov.vn/a-1")
    assert result.exit_code != 0 and result.output.startswith("Error:")


def test_garbage_is_still_json(tmp_path: Path) -> None:
    junk = tmp_path / "junk.html"
    junk.write_bytes(bytes(range(256)) * 10)
    result = _run(str(junk), "--url", "https://haian.haiphong.gov.vn/a-1")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["warnings"]


def test_help_has_example() -> None:
    result = CliRunner().invoke(main, ["extract", "--help"])
    assert result.exit_code == 0
    assert "Example:" in result.output and "--profile" in result.output
