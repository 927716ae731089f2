"""`newsarchive export`: Parquet, CSV and JSON lines read back with the same rows, types and
text; the datasheet; `--with-files` never writes outside its folder."""

from __future__ import annotations

import csv
import hashlib
import json
import os
from datetime import datetime, timezone
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from archive.dataset import COLUMN_NAMES
from archive.filesout import safe_name
from newsarchive.cli import main
from tests.toolsupport import (
    CONTACT,
    EVIL_NAMES,
    PNG,
    SEED_TITLE,
    SEED_URL,
    SITE_TITLES,
    build_archive,
)

LISTS = ("captions", "tags", "image_urls", "attachment_urls")
TIMES = ("published", "first_seen", "last_seen", "status_changed")


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    root = tmp_path_factory.mktemp("export-data")
    build_archive(root)
    return root


def export(data, out: Path, *args: str):
    result = CliRunner().invoke(
        main, ["export", "--out", str(out), "--data", str(data), *args], catch_exceptions=False
    )
    assert result.exit_code == 0, result.output
    return result


@pytest.fixture(scope="module")
def parquet_rows(data, tmp_path_factory):
    out = tmp_path_factory.mktemp("pq") / "articles.parquet"
    export(data, out, "--format", "parquet")
    return out, pq.read_table(out)


def test_parquet_has_real_types(parquet_rows):
    _, table = parquet_rows
    schema = table.schema
    assert schema.names == list(COLUMN_NAMES)
    assert schema.field("published").type == pa.timestamp("ms", tz="Asia/Ho_Chi_Minh")
    assert schema.field("first_seen").type == pa.timestamp("ms", tz="UTC")
    for name in LISTS:
        assert schema.field(name).type == pa.list_(pa.string())
    assert schema.field("id").type == pa.int64()
    assert not {"title_fold", "body_fold"} & set(schema.names)  # search helpers stay inside
    assert schema.field("title").metadata[b"description"]


def test_parquet_values(parquet_rows):
    _, table = parquet_rows
    rows = {r["url"]: r for r in table.to_pylist()}
    assert len(rows) == 4
    seed = rows[SEED_URL]
    assert seed["title"] == SEED_TITLE
    assert seed["published"] == datetime(2023, 3, 9, 0, 5, tzinfo=timezone.utc)
    assert seed["published"].utcoffset().total_seconds() == 7 * 3600
    assert seed["published_text"] == "2023-03-09T07:05:00+07:00"
    assert seed["tags"] == ["Đảng bộ", "Hải An"]
    assert seed["captions"] == ["Quang cảnh hội nghị", "Đồng chí Bí thư phát biểu, chỉ đạo"]
    assert len(seed["attachment_urls"]) == len(EVIL_NAMES)
    undated = [r for r in rows.values() if r["published_text"] is None]
    assert len(undated) == 1 and undated[0]["published"] is None
    assert undated[0]["status"] == "gone"


def _csv_rows(path: Path, encoding: str = "utf-8") -> list[dict[str, str]]:
    with open(path, encoding=encoding, newline="") as f:
        return list(csv.DictReader(f))


def test_csv_reads_back_like_parquet(data, parquet_rows, tmp_path):
    out = tmp_path / "articles.csv"
    export(data, out)  # format from the suffix
    raw = out.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf")
    rows = _csv_rows(out)
    _, table = parquet_rows
    expected = table.to_pylist()
    assert [r["id"] for r in rows] == [str(e["id"]) for e in expected]
    for got, want in zip(rows, expected, strict=True):
        assert list(got) == list(COLUMN_NAMES)
        for name in COLUMN_NAMES:
            value = want[name]
            if name in LISTS:
                assert json.loads(got[name]) == value
            elif name in TIMES:
                assert (datetime.fromisoformat(got[name]) if got[name] else None) == value
            elif isinstance(value, int):
                assert int(got[name]) == value
            else:
                assert got[name] == (value or "")  # text byte for byte, multi-line bodies too


def test_csv_for_excel_has_a_bom(data, tmp_path):
    out = tmp_path / "articles.csv"
    export(data, out, "--excel")
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")
    rows = _csv_rows(out, "utf-8-sig")
    assert SEED_TITLE in {r["title"] for r in rows}


def test_jsonl_reads_back(data, parquet_rows, tmp_path):
    out = tmp_path / "articles.jsonl"
    export(data, out, "--format", "jsonl")
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    _, table = parquet_rows
    for got, want in zip(rows, table.to_pylist(), strict=True):
        for name in COLUMN_NAMES:
            if name in TIMES:
                assert (datetime.fromisoformat(got[name]) if got[name] else None) == want[name]
            else:
                assert got[name] == want[name]


def test_filters(data, tmp_path):
    out = tmp_path / "f.jsonl"
    export(data, out, "--site", "haian", "--since", "2023-03-09", "--until", "2023-03-31")
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["title"] for r in rows] == [SEED_TITLE]


def test_user_errors_are_one_line(data, tmp_path):
    cases = [
        ["--out", str(tmp_path / "x.txt")],
        ["--out", str(tmp_path / "x.csv"), "--site", "nowhere"],
        ["--out", str(tmp_path / "x.csv"), "--since", "2023-13-01"],
        ["--out", str(tmp_path / "x.parquet"), "--excel"],
    ]
    for args in cases:
        result = CliRunner().invoke(main, ["export", *args, "--data", str(data)])
        assert result.exit_code == 1, (args, result.output)
        assert len(result.output.strip().splitlines()) == 1, result.output
    assert not (tmp_path / "x.csv").exists()


def test_datasheet(data, parquet_rows):
    out, _ = parquet_rows
    sheet = json.loads(out.with_name("articles.parquet.datasheet.json").read_text(encoding="utf-8"))
    readme = out.with_name("articles.parquet.README.md").read_text(encoding="utf-8")
    assert sheet["counts"]["articles"] == 4
    assert sheet["counts"]["by_status"] == {"active": 3, "gone": 1}
    assert sheet["published"] == {"from": "2023-03-09", "to": "2023-04-20"}
    assert [s["name"] for s in sheet["sites"]] == ["haian", "lechan"]
    assert [c["id"] for c in sheet["crawls"]] == [1, 2]
    assert [c["name"] for c in sheet["schema"]] == list(COLUMN_NAMES)
    (entry,) = sheet["files"]
    assert entry["sha256"] == hashlib.sha256(out.read_bytes()).hexdigest()
    assert entry["sha256"] in readme
    assert "| `published` |" in readme and "haian" in readme


def test_datasheet_rights_citation_contact_and_settings(parquet_rows):
    out, _ = parquet_rows
    sheet = json.loads(out.with_name("articles.parquet.datasheet.json").read_text(encoding="utf-8"))
    readme = out.with_name("articles.parquet.README.md").read_text(encoding="utf-8")
    assert sheet["rights"].startswith("Public government information, archived for research")
    assert "check the portal's terms" in sheet["rights"]
    assert sheet["contact"] == CONTACT  # from the crawls' User-Agent
    assert sheet["crawl_settings"]["DOWNLOAD_DELAY"] == [1.0, 2.0]
    assert sheet["crawls"][0]["settings"]["ROBOTSTXT_OBEY"] is True
    cite = sheet["citation"]
    assert "Cổng thông tin điện tử quận Hải An" in cite and "2023" in cite
    assert "https://haian.haiphong.gov.vn/" in cite and sheet["files"][0]["sha256"][:16] in cite
    assert [s["title"] for s in sheet["sites"]] == [SITE_TITLES["haian"], SITE_TITLES["lechan"]]
    for part in (
        "## Rights",
        "## Suggested citation",
        cite,
        CONTACT,
        "| `DOWNLOAD_DELAY` | 1.0, 2.0 |",
    ):
        assert part in readme, part


def test_datasheet_rights_and_contact_are_configurable(data, tmp_path):
    out = tmp_path / "a.jsonl"
    export(
        data,
        out,
        "--rights",
        "CC BY 4.0 (by agreement with the portal)",
        "--contact",
        "Ms. Lan <lan@example.vn>",
    )
    sheet = json.loads((tmp_path / "a.jsonl.datasheet.json").read_text(encoding="utf-8"))
    assert sheet["rights"] == "CC BY 4.0 (by agreement with the portal)"
    assert sheet["contact"] == "Ms. Lan <lan@example.vn>"
    assert "Archive contact: Ms. Lan <lan@example.vn>." in sheet["citation"]


def test_with_files_copies_everything_inside_dir(data, tmp_path):
    # A decoy: the folder the hostile names point at must stay empty.
    outside = tmp_path / "outside"
    outside.mkdir()
    target = tmp_path / "deep" / "files"
    out = tmp_path / "a.jsonl"
    result = export(data, out, "--with-files", str(target))
    assert "11 copied" in result.output
    root = target.resolve()
    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    for p in written:
        assert p.resolve().is_relative_to(root) or p.parent == tmp_path, p
    assert list(outside.iterdir()) == []
    with open(target / "files.csv", encoding="utf-8", newline="") as f:
        manifest = list(csv.DictReader(f))
    assert len(manifest) == 11
    for row in manifest:
        path = target / row["path"]
        assert path.resolve().is_relative_to(root)
        body = path.read_bytes()
        assert hashlib.sha256(body).hexdigest() == row["sha256"]
        assert row["sha256_matches_index"] == "true"
        if row["kind"] == "image":
            assert body == PNG
        for part in Path(row["path"]).parts:
            assert part not in ("", ".", "..") and len(part.encode()) <= 255
    names = {Path(r["path"]).name for r in manifest}
    assert any("Báo cáo tổng kết năm 2023.docx" in n for n in names)
    sheet = json.loads((tmp_path / "a.jsonl.datasheet.json").read_text(encoding="utf-8"))
    assert sheet["counts"]["files"]["copied"] == 11
    assert sheet["files"][1]["path"] == "deep/files/files.csv"


def test_with_files_does_not_follow_a_planted_symlink(data, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    target = tmp_path / "files"
    target.mkdir()
    os.symlink(outside, target / "haian")  # a trap inside DIR pointing out of it
    result = CliRunner().invoke(
        main,
        [
            "export",
            "--out",
            str(tmp_path / "a.csv"),
            "--data",
            str(data),
            "--with-files",
            str(target),
        ],
    )
    assert result.exit_code == 0, result.output
    assert list(outside.iterdir()) == []
    assert "unreadable" in result.output


@pytest.mark.parametrize("name", EVIL_NAMES + ["", ".", "...", "nul", "LPT1.txt", "a" * 300])
def test_safe_name(name):
    got = safe_name(name, "fallback")
    assert got and "/" not in got and "\\" not in got and got not in (".", "..")
    assert not got.startswith(".")
    assert len(got.encode("utf-8")) <= 120
    assert all(ord(c) >= 32 for c in got)
    assert got.split(".")[0].upper() not in {"CON", "NUL", "LPT1"}
