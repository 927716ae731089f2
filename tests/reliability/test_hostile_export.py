"""`export --with-files`: the manifest is written like the dataset (temporary file in the
target folder, renamed at the end, never through a symlink); one datasheet per file."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from archive import filesout
from newsarchive.cli import main
from tests.toolsupport import build_archive


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> Path:
    return build_archive(tmp_path_factory.mktemp("hostile-export")).root


def _export(data: Path, out: Path, *extra: str):
    return CliRunner().invoke(main, ["export", "--out", str(out), "--data", str(data), *extra])


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    victim = tmp_path / "outside" / "victim.txt"
    victim.parent.mkdir()
    victim.write_text("precious")
    return victim


@pytest.mark.parametrize("planted", ["files.csv", ".files.csv.partial"])
def test_manifest_never_written_through_a_symlink(data, tmp_path, outside, planted):
    target = tmp_path / "files"
    target.mkdir()
    os.symlink(outside, target / planted)
    result = _export(data, tmp_path / "a.jsonl", "--with-files", str(target))
    assert result.exit_code == 0, result.output
    assert outside.read_text() == "precious"
    manifest = target / "files.csv"
    assert manifest.is_file() and not manifest.is_symlink()
    assert manifest.read_text().startswith("article_id,")


def test_an_interrupted_export_leaves_no_manifest(data, tmp_path, monkeypatch):
    target = tmp_path / "files"
    seen: list[bool] = []
    original = filesout.FileCopier.copy_articles

    def copy_then_die(self, articles):
        original(self, articles)
        seen.append((target / "files.csv").exists())
        raise KeyboardInterrupt  # the export is stopped mid-way

    monkeypatch.setattr(filesout.FileCopier, "copy_articles", copy_then_die)
    _export(data, tmp_path / "a.jsonl", "--with-files", str(target))
    assert seen == [False]  # while running: only the temporary manifest exists
    assert not (target / "files.csv").exists()
    assert [p.name for p in target.iterdir() if p.name.endswith(".csv")] == []


def test_one_datasheet_per_export_file(data, tmp_path):
    for name in ("a.jsonl", "a.parquet", "a.csv"):
        assert _export(data, tmp_path / name).exit_code == 0
    for name in ("a.jsonl", "a.parquet", "a.csv"):
        sheet = json.loads((tmp_path / f"{name}.datasheet.json").read_text(encoding="utf-8"))
        digest = hashlib.sha256((tmp_path / name).read_bytes()).hexdigest()
        assert sheet["files"][0]["sha256"] == digest
        assert digest in (tmp_path / f"{name}.README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("planted", ["a.jsonl.README.md", "a.jsonl.datasheet.json"])
def test_datasheet_never_written_through_a_symlink(data, tmp_path, outside, planted):
    os.symlink(outside, tmp_path / planted)
    assert _export(data, tmp_path / "a.jsonl").exit_code == 0
    assert outside.read_text() == "precious"
    assert not (tmp_path / planted).is_symlink()
