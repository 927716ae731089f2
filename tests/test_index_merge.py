"""`newsarchive index merge`: several machines' or workers' data folders into one."""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from newsarchive.cli import main
from tests.crawlsupport import run_crawl, set_generation

TABLES = ("sites", "crawls", "captures", "articles", "article_versions", "images", "attachments")


@pytest.fixture(scope="module")
def crawls(replica_factory, tmp_path_factory) -> dict[str, Path]:
    """Three small data folders: A = haian, B = lechan (other sites), C = haian again,
    crawled later from scratch after the replica edited some articles (overlaps A)."""
    rep = replica_factory(articles=8, edit_rate=0.5, delete_rate=0.0)
    root = tmp_path_factory.mktemp("merge-crawls")
    folders = {name: root / name for name in "ABC"}
    for name, site in (("A", "haian"), ("B", "lechan")):
        done = run_crawl(rep.port, folders[name], site)
        assert done.returncode == 0, done.stderr[-2000:]
    time.sleep(1.1)  # versions are stamped to the second: C's come strictly later
    set_generation(rep.base, 1)
    done = run_crawl(rep.port, folders["C"], "haian")
    assert done.returncode == 0, done.stderr[-2000:]
    set_generation(rep.base, 0)
    return folders


def merge(target: Path, *sources: Path):
    return CliRunner().invoke(
        main, ["index", "merge", *map(str, sources), "--data", str(target)], catch_exceptions=False
    )


def rows(db: Path, table: str) -> list[tuple]:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        return sorted(conn.execute(f"SELECT * FROM {table}").fetchall(), key=repr)


def articles(db: Path) -> dict[str, dict]:
    """url -> current content and the content hashes of its versions, oldest first."""
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        out = {}
        for aid, url, title, body, digest, version in conn.execute(
            "SELECT id, url, title, body, content_hash, version FROM articles"
        ):
            history = [
                r[0]
                for r in conn.execute(
                    "SELECT content_hash FROM article_versions WHERE article_id = ?"
                    " ORDER BY version",
                    (aid,),
                )
            ]
            out[url] = {"title": title, "body": body, "hash": digest, "versions": history}
            assert version == len(history)
        return out


def state(db: Path) -> dict[str, dict]:
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        cur = conn.execute(
            "SELECT url, first_seen, last_checked, etag, last_modified, status FROM articles"
        )
        names = [d[0] for d in cur.description]
        return {r[0]: dict(zip(names[1:], r[1:], strict=True)) for r in cur}


def warcs(data: Path) -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted((data / "warc").glob("*.warc.gz"))
    }


def verify(data: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "newsarchive", "verify", "--data", str(data)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert " 0 missing, 0 corrupt, 0 orphan, 0 truncated" in done.stdout
    with sqlite3.connect(data / "index.db") as conn:  # the search index matches the rows
        conn.execute("INSERT INTO articles_fts(articles_fts) VALUES ('integrity-check')")
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []


def snapshot(data: Path) -> dict:
    return {
        "rows": {t: rows(data / "index.db", t) for t in TABLES},
        "warcs": warcs(data),
    }


def test_merging_two_crawls_of_other_sites_gives_exactly_their_union(crawls, tmp_path):
    a, b = crawls["A"], crawls["B"]
    before = {"A": snapshot(a), "B": snapshot(b)}
    target = tmp_path / "merged"
    result = merge(target, a, b)
    assert result.exit_code == 0, result.output
    merged = articles(target / "index.db")
    assert merged == {**articles(a / "index.db"), **articles(b / "index.db")}
    assert set(articles(a / "index.db")).isdisjoint(articles(b / "index.db"))
    assert warcs(target) == {**warcs(a), **warcs(b)}
    for table in ("captures", "crawls", "images", "attachments", "article_versions"):
        assert len(rows(target / "index.db", table)) == len(rows(a / "index.db", table)) + len(
            rows(b / "index.db", table)
        ), table
    assert {r[0] for r in rows(target / "index.db", "sites")} == {"haian", "lechan"}
    verify(target)
    from archive.index import Index

    with Index(target / "index.db", readonly=True) as idx:  # both sites' articles are found
        for source in (a, b):
            url, art = next(iter(articles(source / "index.db").items()))
            found = idx.search(f'"{art["title"]}"', limit=50)
            assert url in {r["url"] for r in found}, art["title"]
    # The sources were only read.
    assert {"A": snapshot(a), "B": snapshot(b)} == before


def test_merging_twice_changes_nothing(crawls, tmp_path):
    target = tmp_path / "merged"
    assert merge(target, crawls["A"], crawls["C"]).exit_code == 0
    first = snapshot(target)
    again = merge(target, crawls["C"], crawls["A"])
    assert again.exit_code == 0, again.output
    assert "0 WARC files copied" in again.output and "0 captures" in again.output
    assert snapshot(target) == first


def test_overlapping_crawls_keep_every_version_once_and_newest_current(crawls, tmp_path):
    a, c = articles(crawls["A"] / "index.db"), articles(crawls["C"] / "index.db")
    assert set(a) == set(c)  # the same site twice
    edited = [url for url in a if a[url]["hash"] != c[url]["hash"]]
    assert edited, "the replica edited no article between the crawls: nothing to test"
    target = tmp_path / "merged"
    assert merge(target, crawls["A"], crawls["C"]).exit_code == 0, "merge failed"
    merged = articles(target / "index.db")
    assert set(merged) == set(a)
    for url, art in merged.items():
        if url in edited:
            assert art["versions"] == [a[url]["hash"], c[url]["hash"]], url
        else:
            assert art["versions"] == [a[url]["hash"]], url  # seen twice, one version
        # the current content is the newest (C's): same text as C holds
        assert (art["hash"], art["title"], art["body"]) == (
            c[url]["hash"],
            c[url]["title"],
            c[url]["body"],
        )
    # Seen first by A, checked last by C: the state (validators) is C's, the span both.
    assert state(target / "index.db") == {
        url: {**c_state, "first_seen": state(crawls["A"] / "index.db")[url]["first_seen"]}
        for url, c_state in state(crawls["C"] / "index.db").items()
    }
    verify(target)

    # C then A gives the same articles.
    other = tmp_path / "other-order"
    assert merge(other, crawls["C"], crawls["A"]).exit_code == 0
    assert articles(other / "index.db") == merged


def test_an_article_already_here_is_never_lost_or_blanked(crawls, tmp_path):
    target = tmp_path / "merged"
    shutil.copytree(crawls["C"], target)
    mine = articles(target / "index.db")
    assert merge(target, crawls["A"]).exit_code == 0
    merged = articles(target / "index.db")
    for url, art in mine.items():
        assert set(art["versions"]) <= set(merged[url]["versions"])
        assert merged[url]["hash"] == art["hash"] and merged[url]["body"] == art["body"]
    verify(target)


def test_a_crash_mid_merge_leaves_the_target_as_it_was(crawls, tmp_path, monkeypatch):
    from archive import merge as merge_module

    target = tmp_path / "merged"
    shutil.copytree(crawls["A"], target)
    before = snapshot(target)["rows"]
    calls = {"n": 0}
    real = merge_module._merge_article

    def dies_midway(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == 3:
            raise KeyboardInterrupt  # the process stops half way through the rows
        return real(*args, **kwargs)

    monkeypatch.setattr(merge_module, "_merge_article", dies_midway)
    with pytest.raises(KeyboardInterrupt):
        merge_module.merge_data(target, crawls["B"])
    assert snapshot(target)["rows"] == before  # one transaction: none of B's rows
    monkeypatch.setattr(merge_module, "_merge_article", real)
    assert merge(target, crawls["B"]).exit_code == 0  # the copied WARCs are found there
    assert articles(target / "index.db") == {
        **articles(crawls["A"] / "index.db"),
        **articles(crawls["B"] / "index.db"),
    }
    verify(target)


def one_line_error(result, needle: str) -> None:
    assert result.exit_code != 0
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ") and needle in lines[0], lines
    assert "Traceback" not in result.output


def test_bad_sources_are_one_line_errors(crawls, tmp_path):
    target = tmp_path / "merged"
    one_line_error(merge(target, tmp_path / "nowhere"), "not a data folder")
    (tmp_path / "empty").mkdir()
    one_line_error(merge(target, tmp_path / "empty"), "has no index.db")
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    with sqlite3.connect(foreign / "index.db") as conn:
        conn.execute("CREATE TABLE articles (x)")
    one_line_error(merge(target, foreign), "not a newsarchive index")
    (tmp_path / "junk").mkdir()
    (tmp_path / "junk" / "index.db").write_bytes(b"this is not sqlite at all" * 100)
    one_line_error(merge(target, tmp_path / "junk"), "not a newsarchive index")
    one_line_error(merge(crawls["A"], crawls["A"]), "into itself")


def test_a_warc_name_clash_with_other_content_is_an_error_and_overwrites_nothing(crawls, tmp_path):
    target = tmp_path / "merged"
    shutil.copytree(crawls["B"], target)
    name = sorted(warcs(crawls["A"]))[0]
    (target / "warc" / name).write_bytes(b"someone else's file")
    before = snapshot(target)
    one_line_error(merge(target, crawls["A"]), "exists with other content")
    assert snapshot(target) == before


def test_a_source_whose_crawl_is_still_running_is_refused(crawls, tmp_path):
    from archive import lock

    lock.acquire(crawls["B"])  # what a crawl running there holds
    try:
        one_line_error(merge(tmp_path / "merged", crawls["B"]), "in use by a crawl")
    finally:
        lock.release(crawls["B"])
    assert not (tmp_path / "merged" / "index.db").exists()


def test_files_another_folder_archived_are_linked_to_the_articles_here(crawls, tmp_path):
    """Workers on two machines: this folder has the articles but not their files' records;
    the other fetched the files (its worker took those requests) but never had the
    articles. After the merge every image and attachment points at its record, with the
    size, sha256 and type the crawler itself recorded."""
    a = crawls["A"]
    here, there = tmp_path / "here", tmp_path / "there"
    shutil.copytree(a, here)
    shutil.copytree(a, there)
    files = "SELECT warc_file FROM captures WHERE kind IN ('image', 'attachment')"
    with sqlite3.connect(here / "index.db") as conn:
        names = {r[0] for r in conn.execute(files)}
        conn.execute("DELETE FROM captures WHERE kind IN ('image', 'attachment')")
        for table in ("images", "attachments"):
            conn.execute(
                f"UPDATE {table} SET mime_type = NULL, size = NULL, sha256 = NULL,"
                " warc_file = NULL, warc_offset = NULL, warc_length = NULL"
                + (", capture_id = NULL" if table == "images" else "")
            )
    with sqlite3.connect(there / "index.db") as conn:
        for table in ("images", "attachments", "article_versions", "articles"):
            conn.execute(f"DELETE FROM {table}")
    assert names  # the crawl archived files
    result = merge(here, there)
    assert result.exit_code == 0, result.output
    for table in ("images", "attachments"):
        assert rows(here / "index.db", table) == rows(a / "index.db", table), table
    verify(here)


def test_an_older_merged_crawl_does_not_hide_a_newer_failed_one(tmp_path):
    """Merged crawls get new ids: the last crawl of a site is the last started, or a merged
    old finished crawl would make the next run after a failed one incremental (and miss
    what the failed run never reached)."""
    from archive.index import Index

    here, there = tmp_path / "here", tmp_path / "there"
    with Index(there / "index.db") as idx:
        old = idx.start_crawl(["haian"], {})
        idx.finish_crawl(old, {}, "finished")
        with idx.transaction() as c:
            c.execute("UPDATE crawls SET started = '2026-01-01T00:00:00Z' WHERE id = ?", (old,))
    with Index(here / "index.db") as idx:
        idx.finish_crawl(idx.start_crawl(["haian"], {}), {}, "failed")
    assert merge(here, there).exit_code == 0
    with Index(here / "index.db", readonly=True) as idx:
        assert len(rows(here / "index.db", "crawls")) == 2
        assert not idx.site_last_crawl_finished("haian")


def test_a_target_in_use_by_a_crawl_is_refused_with_exit_code_3(crawls, tmp_path):
    target = tmp_path / "busy"
    holder = subprocess.Popen(
        [
            sys.executable, "-c",
            "import sys, time; from archive import lock; lock.acquire(sys.argv[1]);"
            " print('held', flush=True); time.sleep(60)",
            str(target),
        ],
        stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout.readline().strip() == "held"
        result = merge(target, crawls["A"])
    finally:
        holder.kill()
        holder.wait()
    assert result.exit_code == 3, result.output
    assert "in use by another crawl" in result.output
    assert not (target / "index.db").exists()
