"""Datasette metadata for `newsarchive serve`: titles, column descriptions, full-text search
on articles, facets by site and month, and canned queries.

The column descriptions follow docs/index-schema.md; keep them in step.
"""

from __future__ import annotations

from typing import Any

from archive.search import search_sql

DATABASE = "index"  # Datasette names a database after its file: data/index.db

# Column descriptions (in each column's menu; the table template hides Datasette's list of
# them above the table, which pushed the articles off the first screen).
ARTICLE_COLUMNS = {
    "published": "Article date as the portal gave it (ISO 8601 with the portal's offset)",
    "first_seen": "When the archiver first fetched it (UTC)",
    "status": "active, gone (404/410 at the last check) or moved",
    "version": "Number of distinct contents seen (1 = never changed)",
    "lead": "The article's opening paragraph (shortened here; hover for all of it)",
    "url": "The archived copy of the page (from the WARC) and the live page",
    "captions": "Image captions (JSON list); tags likewise",
    "title_fold": "title, lead, body, captions without accents: search helpers (…_fold)",
}

QUERIES: dict[str, dict[str, Any]] = {
    "search": {
        "title": "Search articles (with or without accents)",
        "description": (
            "Type Vietnamese with or without accents: 'dang bo hai an' finds 'Đảng bộ quận "
            'Hải An\'. "Phrases", prefix* and OR / NOT work. Best matches first, ranked as '
            "`newsarchive search` ranks them. site, since, until (YYYY-MM-DD) are optional."
        ),
        "hide_sql": True,  # the results, not 20 lines of SQL, on the first screen
        # The very statement `newsarchive search` runs (archive/search.py).
        "sql": search_sql(limit=100, columns="a.id, a.title, a.site, a.published, a.status, a.url"),
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
            "Articles per site and publication month; undated articles are counted on their"
            " own row (month 'undated'), never at the month they were first fetched."
        ),
        "sql": (
            "select coalesce(substr(published, 1, 7), 'undated') as month, site,"
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
                            "Search with or without accents; best matches first. Body, hashes"
                            " and search helpers are hidden here, still queryable (?_col=body)."
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
                    "sites": {
                        "title": "Sites",
                        "description": "Portals crawled: home page, extraction profile, title.",
                    },
                    "images": {
                        "title": "Images",
                        "description": "Images of each article's current version, in order.",
                    },
                    "attachments": {
                        "title": "Attachments",
                        "description": "Files (PDF, DOC, ...) linked from articles.",
                        "facets": ["mime_type"],
                    },
                    "listing_entries": {
                        "title": "Listing entries",
                        "description": (
                            "Where each article was last listed (listing, page, position,"
                            " the date shown): what a nightly run compares with."
                        ),
                        "facets": ["site", "category"],
                    },
                },
            }
        },
    }
