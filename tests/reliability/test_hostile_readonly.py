"""Read-only commands never write to the index: foreign SQLite files, old schemas,
archives on read-only media."""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from archive import migrations
from newsarchive.cli import main
from tests.toolsupport import SEED_URL, build_archive

READ_COMMANDS = [
    ["search", "hai an"],
    ["show", SEED_URL],
    ["show", SEED_URL, "--html"],
    ["stats"],
    ["verify"],
]


def _run(data: Path, args: list[str], out_dir: Path | None = None):
    extra = []
    if args[0] == "export":
        extra = ["--out", str((out_dir or data) / "out.jsonl")]
    return CliRunner().invoke(main, [*args, *extra, "--data", str(data)])


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def foreign(tmp_path: Path) -> Path:
    db = tmp_path / "index.db"
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT)")
        conn.execute("INSERT INTO notes (text) VALUES ('not ours')")
    return tmp_path


@pytest.mark.parametrize("args", [*READ_COMMANDS, ["export"]], ids=lambda a: " ".join(a))
def test_foreign_sqlite_file_is_a_one_line_error_and_untouched(
    foreign: Path, tmp_path_factory, args: list[str]
) -> None:
    db = foreign / "index.db"
    before = _digest(db)
    result = _run(foreign, args, tmp_path_factory.mktemp("out"))
    assert result.exit_code != 0
    assert "not a newsarchive index" in result.output, result.output
    assert len(result.output.strip().splitlines()) == 1, result.output
    assert _digest(db) == before
    assert not (foreign / "index.db-wal").exists()
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"


def test_old_schema_is_not_migrated_by_search(tmp_path: Path) -> None:
    db = tmp_path / "index.db"
    conn = sqlite3.connect(db)
    migrations.migrate(conn, target=1)
    conn.close()
    result = _run(tmp_path, ["search", "hai"])
    assert result.exit_code != 0 and "older" in result.output, result.output
    with sqlite3.connect(db) as conn:
        assert migrations.schema_version(conn) == 1


@pytest.fixture(scope="module")
def readonly_copy(tmp_path_factory):
    """A copy of an archive on a read-only mount (root) or in a read-only folder."""
    src = tmp_path_factory.mktemp("ro-src")
    build_archive(src / "data")
    mnt = tmp_path_factory.mktemp("ro-mnt")
    if os.geteuid() == 0:
        subprocess.run(["mount", "--bind", str(src), str(mnt)], check=True)
        subprocess.run(["mount", "-o", "remount,ro,bind", str(mnt)], check=True)
        try:
            yield mnt / "data"
        finally:
            subprocess.run(["umount", str(mnt)], check=True)
    else:
        for p in sorted((src / "data").rglob("*"), reverse=True):
            p.chmod(0o555 if p.is_dir() else 0o444)
        (src / "data").chmod(0o555)
        try:
            yield src / "data"
        finally:
            for p in [src / "data", *(src / "data").rglob("*")]:
                p.chmod(0o755)
    shutil.rmtree(src, ignore_errors=True)


def test_readonly_copy_is_read_only(readonly_copy: Path) -> None:
    with pytest.raises(OSError):
        (readonly_copy / "probe").write_text("x")


@pytest.mark.parametrize("args", [*READ_COMMANDS, ["export"]], ids=lambda a: " ".join(a))
def test_readonly_copy_opens(readonly_copy: Path, tmp_path: Path, args: list[str]) -> None:
    result = _run(readonly_copy, args, tmp_path)
    assert result.exit_code == 0, result.output


def test_serve_opens_a_readonly_copy(readonly_copy: Path) -> None:
    from tests.toolsupport import free_port, get_json, start_serve, stop

    port = free_port()
    proc = start_serve(readonly_copy, port)
    try:
        rows = get_json(f"http://127.0.0.1:{port}/index/articles.json?_shape=array")
    finally:
        stop(proc)
    assert len(rows) >= 4


def test_serve_refuses_a_foreign_file(foreign: Path) -> None:
    result = _run(foreign, ["serve", "--port", "1"])
    assert result.exit_code != 0 and "not a newsarchive index" in result.output, result.output
