"""The datasheet written beside an export: what the dataset holds, where it came from, and
checksums to prove the files are the ones written (README for people, JSON for programs)."""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from dataclasses import asdict
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from archive.dataset import COLUMNS, LOCAL_TZ_NAME, Selection
from archive.export import ExportSummary, arrow_schema
from archive.filesout import CopyCounts

TEXT_TYPES = {
    "int": "integer",
    "text": "string",
    "list": "list of strings",
    "local_time": f"timestamp with time zone ({LOCAL_TZ_NAME})",
    "utc_time": "timestamp with time zone (UTC)",
}
CSV_TYPES = {
    "int": "integer as text",
    "text": "text",
    "list": "JSON array of strings",
    "local_time": "ISO 8601 with offset (+07:00)",
    "utc_time": "ISO 8601 in UTC (Z)",
}


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def datasheet_paths(out: Path) -> tuple[Path, Path]:
    """`articles.parquet` -> `articles.README.md`, `articles.datasheet.json` (same folder)."""
    stem = out.name.rsplit(".", 1)[0] if "." in out.name else out.name
    return out.with_name(f"{stem}.README.md"), out.with_name(f"{stem}.datasheet.json")


def build(
    conn: sqlite3.Connection,
    out: Path,
    fmt: str,
    selection: Selection,
    summary: ExportSummary,
    *,
    excel: bool = False,
    files: tuple[Path, CopyCounts] | None = None,
    software: str = "newsarchive",
) -> dict[str, Any]:
    """The datasheet as a dict (also the JSON file's content)."""
    written = [{"path": out.name, "bytes": out.stat().st_size, "sha256": sha256_file(out)}]
    counts: dict[str, Any] = {
        "articles": summary.rows,
        "by_status": dict(sorted(summary.statuses.items())),
        "undated": summary.undated,
    }
    if files is not None:
        manifest, copy_counts = files
        written.append(
            {
                "path": Path(os.path.relpath(manifest, out.parent)).as_posix(),
                "bytes": manifest.stat().st_size,
                "sha256": sha256_file(manifest),
                "note": "manifest of the copied files, each with its sha256",
            }
        )
        counts["files"] = asdict(copy_counts)
    base_urls = dict(conn.execute("SELECT name, base_url FROM sites").fetchall())
    sites = [
        {"name": name, "base_url": base_urls.get(name), **info}
        for name, info in sorted(summary.per_site.items())
    ]
    return {
        "title": "Articles from Vietnamese district news portals (newsarchive export)",
        "created": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "software": software,
        "format": fmt,
        "encoding": ("UTF-8 with BOM (for Excel)" if excel else "UTF-8")
        if fmt != "parquet"
        else None,
        "selection": selection.describe(),
        "published": {"from": summary.published_min, "to": summary.published_max},
        "counts": counts,
        "sites": sites,
        "crawls": _crawls(conn, {s["name"] for s in sites}),
        "schema": _schema(fmt),
        "files": written,
    }


def _crawls(conn: sqlite3.Connection, sites: set[str]) -> list[dict[str, Any]]:
    out = []
    for row in conn.execute(
        "SELECT id, started, finished, status, sites, articles_new, articles_changed,"
        " articles_gone, errors FROM crawls ORDER BY id"
    ):
        try:
            crawled = json.loads(row[4] or "[]")
        except ValueError:
            crawled = []
        if sites and not sites.intersection(crawled):
            continue
        out.append(
            dict(
                zip(
                    ("id", "started", "finished", "status", "sites", "articles_new",
                     "articles_changed", "articles_gone", "errors"),
                    (*row[:4], crawled, *row[5:]),
                    strict=True,
                )
            )
        )  # fmt: skip
    return out


def _schema(fmt: str) -> list[dict[str, str]]:
    if fmt == "parquet":
        types = {f.name: str(f.type) for f in arrow_schema()}
    else:
        names = CSV_TYPES if fmt == "csv" else TEXT_TYPES
        types = {c.name: names[c.kind] for c in COLUMNS}
    return [{"name": c.name, "type": types[c.name], "description": c.description} for c in COLUMNS]


def write(sheet: dict[str, Any], out: Path) -> tuple[Path, Path]:
    readme, js = datasheet_paths(out)
    js.write_text(json.dumps(sheet, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    readme.write_text(render_readme(sheet), encoding="utf-8")
    return readme, js


def render_readme(sheet: dict[str, Any]) -> str:
    name = sheet["files"][0]["path"]
    counts = sheet["counts"]
    lines = [
        f"# {sheet['title']}",
        "",
        f"`{name}`: {counts['articles']} articles, format **{sheet['format']}**"
        + (f", {sheet['encoding']}" if sheet["encoding"] else "")
        + f". Created {sheet['created']} by {sheet['software']}.",
        "",
        f"Published from {sheet['published']['from'] or '?'} to {sheet['published']['to'] or '?'}"
        f" ({counts['undated']} without a date). Status: "
        + ", ".join(f"{k} {v}" for k, v in counts["by_status"].items())
        + ".",
        "",
        "Selection: " + json.dumps(sheet["selection"], ensure_ascii=False),
        "",
        "## Loading it",
        "",
        *_loading(sheet["format"], name),
        "",
        "## Columns",
        "",
        "| column | type | meaning |",
        "| --- | --- | --- |",
        *(f"| `{c['name']}` | {c['type']} | {c['description']} |" for c in sheet["schema"]),
        "",
        "## Sites",
        "",
        "| site | portal | articles | published from | to |",
        "| --- | --- | --- | --- | --- |",
        *(
            f"| {s['name']} | {s['base_url'] or ''} | {s['articles']} | {s['from'] or ''} "
            f"| {s['to'] or ''} |"
            for s in sheet["sites"]
        ),
        "",
        "## Crawls",
        "",
        "The archive was built by these crawls (UTC):",
        "",
        "| crawl | started | finished | status | sites |",
        "| --- | --- | --- | --- | --- |",
        *(
            f"| {c['id']} | {c['started']} | {c['finished'] or ''} | {c['status']} "
            f"| {', '.join(c['sites'])} |"
            for c in sheet["crawls"]
        ),
        "",
        "## Files and checksums",
        "",
        "| file | bytes | sha256 |",
        "| --- | --- | --- |",
        *(f"| `{f['path']}` | {f['bytes']} | `{f['sha256']}` |" for f in sheet["files"]),
        "",
    ]
    if "files" in counts:
        fc = counts["files"]
        lines += [
            f"Images and attachments: {fc['copied']} copied ({fc['bytes']} bytes), "
            f"{fc['missing']} never fetched, {fc['failed']} unreadable; the manifest lists "
            "each with its sha256.",
            "",
        ]
    lines += [
        "Check the files with `sha256sum` against the table above. Text is Unicode NFC; "
        "times of fetching are UTC, publication times keep the portal's offset (+07:00).",
        "",
    ]
    return "\n".join(lines)


def _loading(fmt: str, name: str) -> list[str]:
    if fmt == "parquet":
        return [
            "```python",
            f'import pandas as pd; df = pd.read_parquet("{name}")',
            "```",
            "```r",
            f'df <- arrow::read_parquet("{name}")',
            "```",
        ]
    if fmt == "csv":
        return [
            "```python",
            f'import pandas as pd; df = pd.read_csv("{name}", encoding="utf-8-sig",'
            ' parse_dates=["published", "first_seen", "last_seen"])',
            "```",
            "```r",
            f'df <- readr::read_csv("{name}")',
            "```",
            "List columns are JSON arrays: `json.loads(cell)` / `jsonlite::fromJSON(cell)`.",
        ]
    return [
        "```python",
        f'import pandas as pd; df = pd.read_json("{name}", lines=True)',
        "```",
        "```r",
        f'df <- jsonlite::stream_in(file("{name}"))',
        "```",
    ]
