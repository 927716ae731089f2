"""Helpers for crawl tests: run `newsarchive crawl` against a replica in a subprocess (the
Twisted reactor cannot restart in one process, and SIGKILL tests need a process to kill),
and read the replica's ground truth."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any


def crawl_command(
    port: int, data: Path, sites: tuple[str, ...], extra: tuple[str, ...] = ()
) -> list[str]:
    return [
        sys.executable, "-m", "newsarchive", "crawl", *sites,
        "--fast", "--no-progress",
        "--map", f"*.haiphong.gov.vn=127.0.0.1:{port}",
        "--data", str(data), *extra,
    ]  # fmt: skip


def run_crawl(
    port: int, data: Path, *sites: str, extra: tuple[str, ...] = (), timeout: float = 600
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        crawl_command(port, data, sites, extra), capture_output=True, text=True, timeout=timeout
    )


def crawl_and_kill(
    port: int, data: Path, *sites: str, after_captures: int, timeout: float = 300
) -> None:
    """Start a crawl and SIGKILL it once the index holds `after_captures` captures."""
    proc = subprocess.Popen(
        crawl_command(port, data, sites), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    deadline = time.monotonic() + timeout
    db = data / "index.db"
    try:
        while time.monotonic() < deadline and proc.poll() is None:
            if db.exists() and count_rows(db, "captures") >= after_captures:
                break
            time.sleep(0.02)
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)


def count_rows(db: Path, table: str) -> int:
    try:
        with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=1) as conn:
            return conn.execute(f"select count(*) from {table}").fetchone()[0]
    except sqlite3.Error:
        return 0


def truth(base: str, host: str | None = None) -> list[dict[str, Any]]:
    request = urllib.request.Request(f"{base}/__truth__")
    if host:
        request.add_header("Host", host)
    with urllib.request.urlopen(request, timeout=30) as response:
        return [
            json.loads(line)
            for line in response.read().decode("utf-8").splitlines()
            if line.strip()
        ]


def set_generation(base: str, generation: int) -> None:
    request = urllib.request.Request(
        f"{base}/__control__?generation={generation}", method="POST", data=b""
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        response.read()


def index_articles(db: Path) -> dict[str, dict[str, Any]]:
    """Every article in the index with its images and attachments, keyed by URL."""
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        conn.row_factory = sqlite3.Row
        articles = {row["url"]: dict(row) for row in conn.execute("select * from articles")}
        by_id = {a["id"]: a for a in articles.values()}
        for a in articles.values():
            a["images"] = []
            a["attachments"] = []
        for row in conn.execute("select * from images order by article_id, position"):
            by_id[row["article_id"]]["images"].append(dict(row))
        for row in conn.execute("select * from attachments order by article_id, id"):
            by_id[row["article_id"]]["attachments"].append(dict(row))
    return articles


def comparable(article: dict[str, Any]) -> dict[str, Any]:
    """The archived fields of one index article, in the truth's shape."""
    return {
        "title": article["title"],
        "published": article["published"],
        "lead": article["lead"],
        "body": article["body"],
        "tags": json.loads(article["tags"] or "[]"),
        "images": [{"url": i["url"], "caption": i["caption"]} for i in article["images"]],
        "attachments": sorted((a["url"], a["name"]) for a in article["attachments"]),
    }


def truth_comparable(item: dict[str, Any]) -> dict[str, Any]:
    return {
        "title": item["title"],
        "published": item["published"],
        "lead": item["lead"],
        "body": item["body"],
        "tags": item["tags"],
        "images": item["images"],
        "attachments": sorted((a["url"], a["name"]) for a in item["attachments"]),
    }


def index_snapshot(db: Path) -> dict[str, Any]:
    """What a clean crawl and a killed-then-resumed crawl must agree on."""
    articles = index_articles(db)
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as conn:
        versions = conn.execute("select count(*) from article_versions").fetchone()[0]
        files = sorted(
            conn.execute(
                "select url, sha256 from images where sha256 is not null union "
                "select url, sha256 from attachments where sha256 is not null"
            ).fetchall()
        )
    return {
        "articles": {url: comparable(a) for url, a in articles.items()},
        "statuses": sorted((url, a["status"]) for url, a in articles.items()),
        "versions": versions,
        "files": files,
    }
