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

# The default rights statement (`newsarchive export --rights` / NEWSARCHIVE_RIGHTS replace it).
DEFAULT_RIGHTS = (
    "Public government information, archived for research; check the portal's terms before"
    " republishing."
)

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
    """`articles.parquet` -> `articles.parquet.README.md`, `articles.parquet.datasheet.json`
    (same folder): one datasheet per exported file, so exporting `a.jsonl` then
    `a.parquet` keeps both."""
    return out.with_name(f"{out.name}.README.md"), out.with_name(f"{out.name}.datasheet.json")


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
    rights: str | None = None,
    contact: str | None = None,
) -> dict[str, Any]:
    """The datasheet as a dict (also the JSON file's content). `contact` defaults to the
    contact the newest crawl announced in its User-Agent; `rights` to DEFAULT_RIGHTS."""
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
    known = {r[0]: r[1:] for r in conn.execute("SELECT name, base_url, title FROM sites")}
    sites = [
        {
            "name": name,
            "title": known.get(name, (None, None))[1],
            "base_url": known.get(name, (None, None))[0],
            **info,
        }
        for name, info in sorted(summary.per_site.items())
    ]
    crawls = _crawls(conn, {s["name"] for s in sites})
    contact = contact or _crawl_contact(crawls)
    sheet = {
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
        "rights": rights or DEFAULT_RIGHTS,
        "contact": contact,
        "crawls": crawls,
        "crawl_settings": _settings_summary(crawls),
        "schema": _schema(fmt),
        "files": written,
    }
    sheet["citation"] = citation(sheet)
    return sheet


def citation(sheet: dict[str, Any]) -> str:
    """A suggested citation: who published the articles, when, where it was archived from,
    and which file (its checksum pins the exact copy)."""
    sites = sheet["sites"]
    publishers = "; ".join(s["title"] or s["name"] for s in sites) or "Vietnamese district portals"
    years = [y[:4] for y in (sheet["published"]["from"], sheet["published"]["to"]) if y]
    span = "–".join(dict.fromkeys(years)) if years else "undated"
    urls = ", ".join(s["base_url"] for s in sites if s["base_url"])
    starts = [c["started"][:10] for c in sheet["crawls"] if c.get("started")]
    ends = [(c["finished"] or c["started"])[:10] for c in sheet["crawls"] if c.get("started")]
    crawled = f"{min(starts)} to {max(ends)}" if starts else "dates unknown"
    first = sheet["files"][0]
    text = (
        f"{publishers}. News articles, {span} [dataset]. Archived from {urls or 'the portals'}"
        f" ({crawled}) with newsarchive; exported {sheet['created'][:10]} as {first['path']}"
        f" ({sheet['counts']['articles']} articles, sha256 {first['sha256'][:16]})."
    )
    if sheet.get("contact"):
        text += f" Archive contact: {sheet['contact']}."
    return text


def _crawl_contact(crawls: list[dict[str, Any]]) -> str | None:
    """The contact of the newest crawl that recorded one (NEWSARCHIVE_CONTACT, else the
    `(+contact; ...)` part of its User-Agent)."""
    for crawl in reversed(crawls):
        settings = crawl.get("settings") or {}
        if settings.get("NEWSARCHIVE_CONTACT"):
            return str(settings["NEWSARCHIVE_CONTACT"])
        agent = str(settings.get("USER_AGENT") or "")
        if "(+" in agent:
            return agent.split("(+", 1)[1].split(";", 1)[0].split(")", 1)[0].strip() or None
    return None


def _settings_summary(crawls: list[dict[str, Any]]) -> dict[str, list[Any]]:
    """Each recorded crawl setting with the distinct values the crawls used (in order)."""
    out: dict[str, list[Any]] = {}
    for crawl in crawls:
        for name, value in sorted((crawl.get("settings") or {}).items()):
            values = out.setdefault(name, [])
            if value not in values:
                values.append(value)
    return out


def _crawls(conn: sqlite3.Connection, sites: set[str]) -> list[dict[str, Any]]:
    out = []
    for row in conn.execute(
        "SELECT id, started, finished, status, sites, articles_new, articles_changed,"
        " articles_gone, errors, settings FROM crawls ORDER BY started, id"
    ):
        *row, raw_settings = row
        try:
            crawled = json.loads(row[4] or "[]")
        except ValueError:
            crawled = []
        try:
            settings = json.loads(raw_settings or "{}")
        except ValueError:
            settings = {}
        if sites and not sites.intersection(crawled):
            continue
        out.append(
            dict(
                zip(
                    ("id", "started", "finished", "status", "sites", "articles_new",
                     "articles_changed", "articles_gone", "errors"),
                    (*row[:4], crawled, *row[5:]),
                    strict=True,
                ),
                settings=settings if isinstance(settings, dict) else {},
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
    _write_new(js, json.dumps(sheet, ensure_ascii=False, indent=2) + "\n")
    _write_new(readme, render_readme(sheet))
    return readme, js


def _write_new(path: Path, text: str) -> None:
    """Temporary file beside `path`, renamed over it: never half-written, never through a
    symlink planted at `path`."""
    partial = path.with_name(f".{path.name}.partial")
    partial.unlink(missing_ok=True)
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    with os.fdopen(os.open(partial, flags, 0o644), "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(partial, path)


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
        "## Rights",
        "",
        sheet.get("rights") or DEFAULT_RIGHTS,
        "",
        "## Suggested citation",
        "",
        sheet.get("citation") or "",
        "",
        "## Contact",
        "",
        f"The archive: {sheet.get('contact') or 'not recorded (set NEWSARCHIVE_CONTACT)'}.",
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
        "| site | title | portal | articles | published from | to |",
        "| --- | --- | --- | --- | --- | --- |",
        *(
            f"| {s['name']} | {s.get('title') or ''} | {s['base_url'] or ''} | {s['articles']}"
            f" | {s['from'] or ''} | {s['to'] or ''} |"
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
        "Settings that shaped the data (each with the values the crawls used):",
        "",
        "| setting | values |",
        "| --- | --- |",
        *(
            f"| `{name}` | {', '.join(json.dumps(v, ensure_ascii=False) for v in values)} |"
            for name, values in (sheet.get("crawl_settings") or {}).items()
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
