"""Datasette metadata for `newsarchive serve`: titles, column descriptions, full-text search
on articles, facets by site and month, and canned queries.

The column descriptions follow docs/index-schema.md; keep them in step.
"""

from __future__ import annotations

from typing import Any

DATABASE = "index"  # Datasette names a database after its file: data/index.db

# Datasette lists every described column above the table: only the ones that need it.
ARTICLE_COLUMNS = {
    "published": "Article date as the portal gave it (ISO 8601 with the portal's offset)",
    "first_seen": "When the archiver first fetched it (UTC)",
    "status": "active, gone (404/410 at the last check) or moved",
    "version": "Number of distinct contents seen (1 = never changed)",
    "captions": "Image captions (JSON list); tags likewise",
    "title_fold": "title, lead, body, captions without accents: search helpers (…_fold)",
}

WEIGHTS = "10.0, 4.0, 1.0, 2.0, 10.0, 4.0, 1.0, 2.0"  # as Index.search ranks: title first

QUERIES: dict[str, dict[str, Any]] = {
    "search": {
        "title": "Search articles (with or without accents)",
        "description": (
            "Type Vietnamese with or without accents: 'dang bo hai an' finds 'Đảng bộ quận "
            'Hải An\'. "Phrases", prefix* and OR / NOT work. Best matches first.'
        ),
        "sql": (
            "select a.id, a.site, a.title, a.published,\n"
            "  reaccent(snippet(articles_fts, -1, '[', ']', '…', 24),"
            " a.title, a.lead, a.body, a.captions) as snippet, a.url\n"
            "from articles_fts join articles a on a.id = articles_fts.rowid\n"
            "where articles_fts match fts_query(:q)\n"
            f"order by bm25(articles_fts, {WEIGHTS})\n"
            "limit 100"
        ),
    },
    "latest_articles": {
        "title": "Latest articles",
        "description": "The 100 articles most recently added to the archive.",
        "sql": (
            "select id, site, title, published, first_seen, status, url from articles\n"
            "order by first_seen desc, id desc limit 100"
        ),
    },
    "gone_articles": {
        "title": "Articles gone from the site",
        "description": (
            "Articles that answered 404/410 at their last check, or moved elsewhere for good;"
            " the archive still holds every version."
        ),
        "sql": (
            "select id, site, title, published, status, status_changed, http_status,"
            " moved_to, url\n"
            "from articles where status != 'active'\n"
            "order by status_changed desc"
        ),
    },
    "articles_per_month": {
        "title": "Articles per month",
        "description": (
            "Articles per site and publication month (the month first fetched when undated)."
        ),
        "sql": (
            "select substr(coalesce(published, first_seen), 1, 7) as month, site,"
            " count(*) as articles\n"
            "from articles group by month, site order by month desc, site"
        ),
    },
}


def build_metadata(title: str = "newsarchive") -> dict[str, Any]:
    """The metadata dict for `datasette --metadata` (written out as JSON by serve)."""
    return {
        "title": title,
        "description": (
            "Archive of Vietnamese district news portals: every fetched byte is in WARC files;"
            " this read-only index says where, and holds the article text for search."
            " Search without accents works: try 'dang bo' in the articles table."
        ),
        "about": "newsarchive",
        "databases": {
            DATABASE: {
                "title": "Article index",
                "description": "The catalogue of the archive (schema: docs/index-schema.md).",
                "queries": QUERIES,
                "tables": {
                    "articles": {
                        "title": "Articles",
                        "description": (
                            "Current state of each article. The search box matches words with "
                            "or without Vietnamese accents."
                        ),
                        "columns": ARTICLE_COLUMNS,
                        "fts_table": "articles_fts",
                        "fts_pk": "id",
                        "label_column": "title",
                        "sort_desc": "published",
                        "facets": ["site", "status", {"month": "published"}],
                    },
                    "article_versions": {
                        "title": "Article versions",
                        "description": "Every distinct content an article has had.",
                    },
                    "captures": {
                        "title": "Captures",
                        "description": (
                            "One row per HTTP response or revisit written to the WARCs, with "
                            "its WARC file, offset and length."
                        ),
                        "facets": ["kind", "http_status"],
                    },
                    "crawls": {
                        "title": "Crawls",
                        "description": "One row per crawl run, with what it found.",
                        "sort_desc": "id",
                    },
                    "sites": {"title": "Sites", "description": "Portals crawled."},
                    "images": {
                        "title": "Images",
                        "description": "Images of each article's current version, in order.",
                    },
                    "attachments": {
                        "title": "Attachments",
                        "description": "Files (PDF, DOC, ...) linked from articles.",
                        "facets": ["mime_type"],
                    },
                },
            }
        },
    }
