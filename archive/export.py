"""Export articles as a dataset for researchers: JSON lines, CSV or Parquet, streamed.

Rows go from an SQLite cursor to the file in batches, so memory stays flat whatever the
archive's size. Beside the file a datasheet (README + JSON) says what is in it.
"""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from itertools import islice
from pathlib import Path
from typing import Any, Literal

from archive.dataset import (
    COLUMNS,
    LOCAL_TZ_NAME,
    Selection,
    check_sites,
    connect_readonly,
    iter_articles,
    time_text,
)

Format = Literal["jsonl", "csv", "parquet"]
FORMATS: tuple[str, ...] = ("jsonl", "csv", "parquet")
# Rows converted to Arrow at once (one Parquet row group each): a few MB of text, far
# below the memory budget, and big enough for good compression.
BATCH_ROWS = 5000


@dataclass
class ExportSummary:
    """What was written, gathered while streaming (for the datasheet)."""

    rows: int = 0
    per_site: dict[str, dict[str, Any]] = field(default_factory=dict)
    statuses: dict[str, int] = field(default_factory=dict)
    published_min: str | None = None
    published_max: str | None = None
    undated: int = 0

    def add(self, row: dict[str, Any]) -> None:
        self.rows += 1
        site = self.per_site.setdefault(row["site"], {"articles": 0, "from": None, "to": None})
        site["articles"] += 1
        self.statuses[row["status"]] = self.statuses.get(row["status"], 0) + 1
        published: datetime | None = row["published"]
        if published is None:
            self.undated += 1
            return
        day = published.date().isoformat()
        site["from"] = min(filter(None, (site["from"], day)))
        site["to"] = max(filter(None, (site["to"], day)))
        self.published_min = min(filter(None, (self.published_min, day)))
        self.published_max = max(filter(None, (self.published_max, day)))


def export(
    index_path: str | os.PathLike[str],
    out: str | os.PathLike[str],
    fmt: Format,
    selection: Selection | None = None,
    *,
    excel: bool = False,
    on_row=None,
) -> ExportSummary:
    """Write the selected articles to `out` in `fmt`; returns counts for the datasheet.

    `on_row(row)` is called for every row written (the file copier hooks in there).
    The file is written under a temporary name and renamed at the end, so an interrupted
    export never leaves a plausible-looking partial dataset behind.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}")
    selection = selection or Selection()
    out = Path(out)
    tmp = out.with_name(f".{out.name}.partial")
    summary = ExportSummary()
    conn = connect_readonly(index_path)
    try:
        check_sites(conn, selection.sites)

        def rows() -> Iterator[dict[str, Any]]:
            for row in iter_articles(conn, selection):
                summary.add(row)
                if on_row is not None:
                    on_row(row)
                yield row

        try:
            if fmt == "csv":
                write_csv(rows(), tmp, excel=excel)
            elif fmt == "jsonl":
                write_jsonl(rows(), tmp)
            else:
                write_parquet(rows(), tmp)
            os.replace(tmp, out)
        finally:
            tmp.unlink(missing_ok=True)
    finally:
        conn.close()
    return summary


# -- JSON lines ----------------------------------------------------------------------------


def write_jsonl(rows: Iterable[dict[str, Any]], path: Path) -> None:
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        for row in rows:
            f.write(json.dumps(_plain(row), ensure_ascii=False))
            f.write("\n")


# -- CSV -----------------------------------------------------------------------------------


def write_csv(rows: Iterable[dict[str, Any]], path: Path, *, excel: bool = False) -> None:
    """RFC 4180 CSV in UTF-8; `excel` adds the BOM Excel needs to read UTF-8.

    Lists are JSON arrays (captions contain commas and semicolons), times ISO 8601.
    """
    encoding = "utf-8-sig" if excel else "utf-8"
    with open(path, "w", encoding=encoding, newline="") as f:
        writer = csv.writer(f, lineterminator="\r\n")
        writer.writerow([c.name for c in COLUMNS])
        for row in rows:
            plain = _plain(row)
            writer.writerow([_csv_cell(plain[c.name], c.kind) for c in COLUMNS])


def _csv_cell(value: Any, kind: str) -> str:
    if value is None:
        return ""
    if kind == "list":
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _plain(row: dict[str, Any]) -> dict[str, Any]:
    """Times as text for the text formats; everything else is already JSON-ready."""
    out = dict(row)
    for col in COLUMNS:
        if col.kind.endswith("_time"):
            out[col.name] = time_text(row[col.name]) or None
    return out


# -- Parquet -------------------------------------------------------------------------------


def arrow_schema():
    """The Parquet schema: real types, so pandas/R get datetimes and lists, not strings."""
    import pyarrow as pa

    # Milliseconds: Parquet has no second-precision timestamp, and a type that reads back
    # as written keeps the schema in the datasheet true.
    kinds = {
        "int": pa.int64(),
        "text": pa.string(),
        "list": pa.list_(pa.string()),
        "local_time": pa.timestamp("ms", tz=LOCAL_TZ_NAME),
        "utc_time": pa.timestamp("ms", tz="UTC"),
    }
    return pa.schema(
        [pa.field(c.name, kinds[c.kind], metadata={"description": c.description}) for c in COLUMNS],
        metadata={"source": "newsarchive export"},
    )


def write_parquet(rows: Iterable[dict[str, Any]], path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = arrow_schema()
    rows = iter(rows)
    with pq.ParquetWriter(path, schema, compression="zstd") as writer:
        while True:
            batch = list(islice(rows, BATCH_ROWS))
            if not batch:
                break
            columns = [pa.array([r[f.name] for r in batch], type=f.type) for f in schema]
            writer.write_table(pa.Table.from_arrays(columns, schema=schema))
