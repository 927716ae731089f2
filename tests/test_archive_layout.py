"""archive.layout: where the data lives."""

from pathlib import Path

from archive.layout import DataDir, resolve_data_dir


def test_data_dir_paths(tmp_path):
    d = DataDir(tmp_path)
    assert (d.root, d.warc_dir, d.index_path) == (
        tmp_path,
        tmp_path / "warc",
        tmp_path / "index.db",
    )


def test_option_wins_over_env(monkeypatch):
    monkeypatch.setenv("NEWSARCHIVE_DATA", "/env/data")
    assert resolve_data_dir("/opt/data") == Path("/opt/data")


def test_env_used_without_option(monkeypatch):
    monkeypatch.setenv("NEWSARCHIVE_DATA", "/env/data")
    assert resolve_data_dir(None) == Path("/env/data")


def test_default_is_relative_data(monkeypatch):
    monkeypatch.delenv("NEWSARCHIVE_DATA", raising=False)
    assert resolve_data_dir(None) == Path("data")


def test_archive_package_never_imports_scrapy():
    import subprocess
    import sys

    code = (
        "import sys, archive.warc, archive.index, archive.verify, archive.layout;"
        "sys.exit('scrapy' in sys.modules)"
    )
    assert subprocess.run([sys.executable, "-c", code]).returncode == 0
