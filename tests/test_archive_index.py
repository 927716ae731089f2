"""archive.index: the SQLite catalogue and its search."""

from __future__ import annotations

import sqlite3

import pytest

from archive import migrations
from archive.index import Index, SearchError
from archive.records import ArchiveError, RecordRef

URL = "https://haian.haiphong.gov.vn/tin/1"
ARTICLE = {
    "title": "Đảng bộ quận Hải An tổng kết năm 2024",
    "published": "2025-01-10T08:00:00+07:00",
    "lead": "Sáng 10/1, Đảng bộ quận Hải An tổ chức hội nghị.",
    "body": "Hội nghị bàn kế hoạch năm mới.\n\nNhiều ý kiến đóng góp.",
    "images": [{"url": "https://haian.haiphong.gov.vn/a.jpg", "caption": "Quang cảnh hội nghị"}],
    "attachments": [{"url": "https://haian.haiphong.gov.vn/qd.pdf", "name": "Quyết định"}],
    "tags": ["Hải An", "Đảng bộ"],
}


@pytest.fixture
def idx(tmp_path):
    with Index(tmp_path / "index.db") as index:
        yield index


def record(idx: Index, article=ARTICLE, url=URL, site="haian", at="2025-01-10T02:00:00Z"):
    return idx.record_article(None, site, url, None, article, at, None)


def ref(offset: int, record_type: str = "response") -> RecordRef:
    return RecordRef(
        "f.warc.gz",
        offset,
        100,
        f"<urn:uuid:{offset}>",
        "sha1:X",
        URL,
        "2025-01-10T02:00:00.000000Z",
        record_type,
    )


# -- schema and migrations ---------------------------------------------------------------


def test_new_db_is_at_latest_version_with_wal_and_fks(idx):
    conn = idx.conn
    assert migrations.schema_version(conn) == migrations.LATEST
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1


def test_migrates_a_v1_db_and_indexes_existing_articles(tmp_path):
    path = tmp_path / "index.db"
    conn = sqlite3.connect(path)
    migrations.migrate(conn, target=1)
    conn.execute("INSERT INTO sites (name) VALUES ('haian')")
    conn.execute(
        "INSERT INTO articles (site, url, title) VALUES ('haian', ?, ?)",
        (URL, "Đảng bộ quận Hải An"),
    )
    conn.commit()
    conn.close()
    with Index(path) as index:
        assert migrations.schema_version(index.conn) == migrations.LATEST
        assert [r["url"] for r in index.search("dang bo hai an")] == [URL]


def test_reopening_does_not_migrate_again(tmp_path):
    path = tmp_path / "index.db"
    with Index(path) as index:
        record(index)
    with Index(path) as index:
        assert index.get_article(URL)["version"] == 1


def test_a_v5_index_gets_listing_entries_and_read_only_opening_refuses_it(tmp_path):
    path = tmp_path / "index.db"
    conn = sqlite3.connect(path)
    migrations.migrate(conn, target=5)
    conn.close()
    with pytest.raises(ArchiveError, match="older.*run a crawl once"):
        Index(path, readonly=True).open()
    with Index(path) as index:
        assert migrations.schema_version(index.conn) == migrations.LATEST == 6
        assert index.listing_memory("haian") == {}
    with Index(path, readonly=True) as index:
        assert index.listing_memory("haian") == {}


def test_a_listing_entry_keeps_its_since_until_what_is_shown_changes(idx):
    entry = {"url": URL, "position": 0, "listed_date": "2025-01-10", "signature": "s1"}
    idx.record_listing(None, "haian", "cat", 1, [entry], "2025-01-10T02:00:00Z")
    idx.record_listing(None, "haian", "cat", 2, [{**entry, "position": 3}], "2025-01-11T02:00:00Z")
    row = idx.listing_memory("haian")[(URL, "cat")]
    assert (row["page"], row["position"], row["signature_since"], row["last_listed"]) == (
        2,
        3,
        "2025-01-10T02:00:00Z",
        "2025-01-11T02:00:00Z",
    )
    idx.record_listing(None, "haian", "cat", 1, [{**entry, "signature": "s2"}], "2025-01-12")
    assert idx.listing_memory("haian")[(URL, "cat")]["signature_since"] == "2025-01-12T00:00:00Z"
    idx.record_listing(None, "haian", "cat", 0, [], "2025-01-13", forget=[URL])
    assert idx.listing_memory("haian") == {}


def test_newer_schema_is_refused(tmp_path):
    path = tmp_path / "index.db"
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {migrations.LATEST + 1}")
    conn.close()
    with pytest.raises(Exception, match="newer"):
        Index(path).open()


# -- articles ----------------------------------------------------------------------------


def test_first_record_is_new(idx):
    assert record(idx) == "new"


def test_same_content_twice_is_unchanged_without_new_version(idx):
    record(idx)
    assert record(idx, at="2025-01-11T02:00:00Z") == "unchanged"
    article = idx.get_article(URL)
    assert (article["version"], len(article["versions"]), article["last_seen"]) == (
        1,
        1,
        "2025-01-11T02:00:00Z",
    )


def test_changed_content_makes_a_new_version(idx):
    record(idx)
    assert record(idx, {**ARTICLE, "body": "Nội dung đã sửa."}) == "changed"
    article = idx.get_article(URL)
    assert [v["version"] for v in article["versions"]] == [1, 2]
    assert (
        article["body"] == "Nội dung đã sửa." and article["versions"][0]["body"] != article["body"]
    )


def test_changed_images_are_replaced(idx):
    record(idx)
    record(idx, {**ARTICLE, "images": [{"url": "https://x/b.jpg", "caption": "Ảnh mới"}]})
    assert [i["url"] for i in idx.get_article(URL)["images"]] == ["https://x/b.jpg"]


def test_lists_are_decoded(idx):
    record(idx)
    article = idx.get_article(URL)
    assert (article["tags"], article["captions"]) == (
        ["Hải An", "Đảng bộ"],
        ["Quang cảnh hội nghị"],
    )


def test_gone_then_back(idx):
    record(idx)
    assert idx.mark_gone(URL, "2025-02-01T00:00:00Z", 404)
    assert idx.article_state(URL)["status"] == "gone"
    record(idx, at="2025-02-02T00:00:00Z")
    assert idx.article_state(URL)["status"] == "active"


def test_moved(idx):
    record(idx)
    idx.mark_moved(URL, URL + "-new", "2025-02-01T00:00:00Z")
    article = idx.get_article(URL)
    assert (article["status"], article["moved_to"], article["status_changed"]) == (
        "moved",
        URL + "-new",
        "2025-02-01T00:00:00Z",
    )


def test_touch_after_304_updates_validators_not_content(idx):
    idx.record_article(
        None,
        "haian",
        URL,
        None,
        ARTICLE,
        "2025-01-10T02:00:00Z",
        None,
        etag='"a"',
        last_modified="Fri, 10 Jan 2025 01:00:00 GMT",
    )
    idx.touch_article(URL, "2025-01-12T00:00:00Z", etag='"b"')
    state = idx.article_state(URL)
    assert (state["etag"], state["last_modified"], state["last_checked"], state["version"]) == (
        '"b"',
        "Fri, 10 Jan 2025 01:00:00 GMT",
        "2025-01-12T00:00:00Z",
        1,
    )


def test_unknown_url_state_is_none(idx):
    assert idx.article_state("https://nowhere/") is None and not idx.mark_gone(
        "https://nowhere/", None, 404
    )


def test_known_urls_per_site(idx):
    record(idx)
    record(idx, url=URL + "?2", site="other")
    assert idx.known_urls("haian") == {URL}


def test_add_capture_is_idempotent_per_warc_location(idx):
    crawl = idx.start_crawl(["haian"], {})
    a = idx.add_capture(crawl, URL, fetched_at="2025-01-10T02:00:00Z", http_status=200, ref=ref(10))
    b = idx.add_capture(crawl, URL, fetched_at="2025-01-10T02:00:00Z", http_status=200, ref=ref(10))
    assert a == b
    assert idx.conn.execute("SELECT count(*) FROM captures").fetchone()[0] == 1


def test_revisit_capture_type_comes_from_ref(idx):
    cid = idx.add_capture(None, URL, fetched_at=None, http_status=304, ref=ref(5, "revisit"))
    assert (
        idx.conn.execute("SELECT record_type FROM captures WHERE id=?", (cid,)).fetchone()[0]
        == "revisit"
    )


def test_record_file_attachment(idx):
    record(idx)
    idx.record_file(
        URL,
        "attachment",
        ARTICLE["attachments"][0]["url"],
        None,
        "application/pdf",
        1234,
        "ab" * 32,
        ref(300),
    )
    (att,) = idx.get_article(URL)["attachments"]
    assert (att["name"], att["mime_type"], att["warc_offset"]) == (
        "Quyết định",
        "application/pdf",
        300,
    )


def test_crawl_counts(idx):
    crawl = idx.start_crawl(["haian"], {"depth": 2})
    idx.finish_crawl(crawl, {"pages": 7, "articles_new": 3})
    row = idx.conn.execute(
        "SELECT status, pages, articles_new, finished IS NOT NULL FROM crawls"
    ).fetchone()
    assert row == ("finished", 7, 3, 1)


def test_crawl_counts_reject_unknown_names(idx):
    crawl = idx.start_crawl(["haian"], {})
    with pytest.raises(ValueError):
        idx.finish_crawl(crawl, {"pages = 0; --": 1})


# -- search ------------------------------------------------------------------------------


def urls(results):
    return [r["url"] for r in results]


def test_unaccented_query_finds_accented_text(idx):
    record(idx)
    assert urls(idx.search("dang bo hai an")) == [URL]


def test_accented_query_finds_text(idx):
    record(idx)
    assert urls(idx.search("Đảng bộ")) == [URL]


def test_accented_query_does_not_match_other_accents(idx):
    record(idx, {**ARTICLE, "body": "Giá bán tăng."})
    assert idx.search("bàn") == []


def test_accented_query_matches_same_accents(idx):
    record(idx, {**ARTICLE, "body": "Giá bán tăng."})
    assert urls(idx.search("bán")) == [URL]


def test_phrase_query(idx):
    record(idx)
    record(
        idx,
        {**ARTICLE, "title": "An toàn giao thông quận", "lead": "Hải Phòng", "tags": []},
        url=URL + "?2",
    )
    assert urls(idx.search('"hai an"')) == [URL]


def test_prefix_query(idx):
    record(idx)
    assert urls(idx.search("tong*")) == [URL]


def test_snippet_highlights_in_written_form(idx):
    record(idx)
    snippet = idx.search("hai an", marks=("<b>", "</b>"))[0]["snippet"]
    assert "<b>Hải</b> <b>An</b>" in snippet


def test_title_outranks_body(idx):
    record(idx, {"title": "Tin khác", "body": "Nói về hội nghị"}, url=URL + "?body")
    record(idx, {"title": "Hội nghị", "body": "Nội dung"}, url=URL + "?title")
    assert urls(idx.search("hoi nghi"))[0] == URL + "?title"


def test_unbalanced_quote_raises_search_error(idx):
    with pytest.raises(SearchError, match="unbalanced quote"):
        idx.search('"dang bo')


def test_bad_operator_syntax_raises_one_line_search_error(idx):
    with pytest.raises(SearchError) as err:
        idx.search("OR dang")
    assert "\n" not in str(err.value)


def test_site_filter_is_a_parameter(idx):
    record(idx)
    assert idx.search("dang", site="haian' OR '1'='1") == []
    assert urls(idx.search("dang", site="haian")) == [URL]


def test_date_filters(idx):
    record(idx)
    assert urls(idx.search("dang", since="2025-01-10", until="2025-01-10")) == [URL]
    assert idx.search("dang", since="2025-01-11") == []


def test_punctuation_in_query_is_not_syntax(idx):
    record(idx)
    assert urls(idx.search("hải-an: 2024")) == [URL]


def test_search_follows_updates(idx):
    record(idx)
    record(
        idx,
        {**ARTICLE, "title": "Tiêu đề mới", "lead": None, "body": "Khác", "tags": [], "images": []},
    )
    assert idx.search("dang bo") == [] and urls(idx.search("tieu de")) == [URL]


def test_last_capture_can_be_referred_to_by_a_revisit(idx):
    idx.add_capture(None, URL, fetched_at="2025-01-10T02:00:00Z", http_status=200, ref=ref(10))
    idx.add_capture(
        None, URL, fetched_at="2025-01-11T02:00:00Z", http_status=304, ref=ref(20, "revisit")
    )
    last = idx.last_capture(URL)
    assert (last.offset, last.record_id, last.date, last.http_status) == (
        10,
        "<urn:uuid:10>",
        "2025-01-10T02:00:00.000000Z",
        200,
    )


def test_record_file_accepts_a_capture_ref_like_object(idx):
    from types import SimpleNamespace

    record(idx)
    cid = idx.add_capture(
        None,
        ARTICLE["images"][0]["url"],
        fetched_at=None,
        http_status=200,
        kind="image",
        ref=ref(400),
    )
    capture = SimpleNamespace(
        capture_id=cid,
        record_id="<urn:uuid:400>",
        warc_file="f.warc.gz",
        warc_offset=400,
        warc_length=100,
    )
    assert idx.record_file(
        URL, "image", ARTICLE["images"][0]["url"], None, "image/jpeg", 10, "cd" * 32, capture
    )
    (image,) = idx.get_article(URL)["images"]
    assert (image["capture_id"], image["warc_offset"], image["mime_type"]) == (
        cid,
        400,
        "image/jpeg",
    )


def test_scrapy_close_reason_is_stored_as_failed(idx):
    crawl = idx.start_crawl(["haian"], {})
    idx.finish_crawl(crawl, {}, status="shutdown")
    assert idx.conn.execute("SELECT status FROM crawls").fetchone()[0] == "failed"


def test_site_last_crawl_finished_only_after_finish(idx):
    crawl = idx.start_crawl(["haian"], {})
    before = idx.site_last_crawl_finished("haian")
    idx.finish_crawl(crawl, {})
    assert (before, idx.site_last_crawl_finished("haian"), idx.site_last_crawl_finished("x")) == (
        False,
        True,
        False,
    )


def test_due_for_recheck(idx):
    record(idx, at="2025-01-10T02:00:00Z")
    record(idx, url=URL + "?new", at="2025-02-10T02:00:00Z")
    assert idx.due_for_recheck("haian", "2025-02-01T00:00:00+00:00") == [URL]


def test_pending_files_until_recorded(idx):
    record(idx)
    assert len(idx.pending_files("haian")) == 2
    idx.record_file(URL, "image", ARTICLE["images"][0]["url"], ref=ref(500))
    assert [p["kind"] for p in idx.pending_files("haian")] == ["attachment"]
    assert idx.has_file(ARTICLE["images"][0]["url"])


def test_summary_counts(idx):
    record(idx)
    summary = idx.summary()
    assert (summary["articles"], summary["versions"], summary["images"]) == (1, 1, 1)


def test_title_holding_the_words_together_ranks_first(idx):
    scattered = {
        **ARTICLE,
        "title": "Hội nghị tổng kết công tác dân vận",
        "lead": "Đảng ủy phường Đằng Hải và quận Hải An bàn việc.",
        "body": "Hải An. " * 3 + "Đảng bộ khối cơ quan. Đằng Lâm.",
    }
    record(idx, scattered, url="https://haian.haiphong.gov.vn/tin/2")
    together = {
        **ARTICLE,
        "title": "Thường trực Thành ủy làm việc với Ban Chấp hành Đảng bộ quận Hải An",
    }
    together["body"] = "Một đoạn văn dài. " * 200
    record(idx, together, url="https://haian.haiphong.gov.vn/tin/3")
    hits = idx.search("dang bo hai an")
    assert [h["url"] for h in hits][0] == "https://haian.haiphong.gov.vn/tin/3"


def test_a_file_shared_by_two_articles_is_linked_not_refetched(idx):
    record(idx)
    other = "https://haian.haiphong.gov.vn/tin/9"
    record(idx, ARTICLE, url=other)
    pdf = ARTICLE["attachments"][0]["url"]
    idx.record_file(
        URL, "attachment", pdf, "Quyết định", "application/pdf", 10, "ab" * 32, ref(500)
    )
    assert idx.link_archived_file(other, "attachment", pdf, "Quyết định")
    rows = idx.conn.execute(
        "SELECT a.url, t.sha256, t.warc_offset FROM attachments t JOIN articles a ON a.id = t.article_id"
    ).fetchall()
    assert sorted(rows) == sorted([(URL, "ab" * 32, 500), (other, "ab" * 32, 500)])
    assert idx.pending_files("haian") == [
        p for p in idx.pending_files("haian") if p["kind"] == "image"
    ]


def test_linking_a_file_never_archived_does_nothing(idx):
    record(idx)
    assert not idx.link_archived_file(URL, "attachment", "https://cdn.example/none.pdf", None)


RAW_FILE = "https://haian.haiphong.gov.vn/files/a|b^{c} d.pdf"
FETCHED_FILE = "https://haian.haiphong.gov.vn/files/a%7Cb%5E%7Bc%7D%20d.pdf"  # Request.url


def test_file_urls_are_stored_canonical(idx):
    record(idx, {**ARTICLE, "attachments": [{"url": RAW_FILE, "name": "x"}]})
    (att,) = idx.get_article(URL)["attachments"]
    assert att["url"] == FETCHED_FILE


def test_legacy_raw_file_row_matches_the_fetched_url(idx):
    record(idx, {**ARTICLE, "attachments": [{"url": RAW_FILE, "name": "x"}]})
    # A row written before URLs were canonical, as older archives hold them.
    idx.conn.execute("UPDATE attachments SET url = ?", (RAW_FILE,))
    idx.record_file(URL, "attachment", FETCHED_FILE, None, "application/pdf", 9, "ab" * 32, ref(7))
    assert idx.pending_files("haian") == [
        p for p in idx.pending_files("haian") if p["kind"] == "image"
    ]
    assert idx.has_file(FETCHED_FILE)


def test_a_running_crawl_whose_process_is_gone_becomes_failed(idx):
    dead = idx.start_crawl(["haian"], {}, pid=111, host="here")
    alive = idx.start_crawl(["haian"], {}, pid=222, host="here")
    elsewhere = idx.start_crawl(["haian"], {}, pid=111, host="other-host")
    closed = idx.close_dead_crawls("here", lambda pid: pid == 222)
    assert closed == [(dead, 111)]
    rows = dict(
        (i, (s, f)) for i, s, f in idx.conn.execute("SELECT id, status, failure FROM crawls")
    )
    assert rows[dead][0] == "failed" and rows[dead][1].startswith("interrupted")
    assert rows[alive] == ("running", None) and rows[elsewhere] == ("running", None)


def test_of_two_workers_closing_dead_crawls_one_takes_each(idx):
    """Workers starting together in one folder: one indexes what a dead crawl left, not both."""
    dead = idx.start_crawl(["haian"], {}, pid=111, host="here")
    with Index(idx.path) as other:
        taken = []

        def racing(pid: int) -> bool:
            # The other worker marks it between this one's look and its update.
            taken.append(other.close_dead_crawls("here", lambda pid: False))
            return False

        mine = idx.close_dead_crawls("here", racing)
    assert taken == [[(dead, 111)]] and mine == []


def test_a_close_reason_is_kept_as_the_failure(idx):
    crawl = idx.start_crawl(["haian"], {})
    idx.finish_crawl(crawl, {}, status="storage_failed")
    row = idx.conn.execute("SELECT status, failure FROM crawls WHERE id = ?", (crawl,)).fetchone()
    assert tuple(row) == ("failed", "storage_failed")


def test_after_a_failed_crawl_the_next_is_not_incremental(idx):
    idx.finish_crawl(idx.start_crawl(["haian"], {}), {})
    idx.finish_crawl(idx.start_crawl(["haian"], {}), {}, status="failed")
    idx.start_crawl(["haian"], {})  # the crawl now starting
    after_failure = idx.site_last_crawl_finished("haian")
    idx.finish_crawl(idx.start_crawl(["haian"], {}), {})
    assert (after_failure, idx.site_last_crawl_finished("haian")) == (False, True)
