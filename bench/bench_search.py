"""Search latency on a synthetic index of 200,000 articles: p50 and p95 of `Index.search`
for two-word queries (half typed without accents), target p95 < 30 ms.

The index is built once (bench/synth.py, cached in the temp folder); its build time is
reported as its own row. Usage: python bench/bench_search.py [--quick]
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make `bench` and `archive` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from archive.index import Index
from archive.query import to_match
from bench.synth import queries, synthetic_index

ARTICLES = 200_000
QUICK_ARTICLES = 20_000
QUERIES = 300
TARGET_P95_MS = 30.0


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def run(quick: bool = False) -> list[dict]:
    n = QUICK_ARTICLES if quick else ARTICLES
    path, build_seconds = synthetic_index(n)
    qs = queries(QUERIES)
    rows: list[dict] = []
    if build_seconds is not None:
        rows.append(
            {"bench": "search", "metric": f"build synthetic index ({n:,} articles)",
             "value": build_seconds, "unit": "s", "target": "< 120 s",
             "ok": build_seconds < 120}
        )  # fmt: skip
    with Index(path) as index:
        for q in qs[:20]:  # warm the page cache: we measure search, not the disk
            index.search(q)
        times, hits = [], []
        for q in qs:
            started = time.perf_counter()
            found = index.search(q, limit=20)
            times.append((time.perf_counter() - started) * 1000)
            hits.append(len(found))
        # Context for the figures: bm25 ranks every match, so cost follows match counts.
        matches = [
            index.conn.execute(
                "SELECT count(*) FROM articles_fts WHERE articles_fts MATCH ?", (to_match(q),)
            ).fetchone()[0]
            for q in qs
        ]
    p50, p95 = percentile(times, 0.50), percentile(times, 0.95)
    label = f"{n:,} articles, {len(qs)} two-word queries"
    rows += [
        {"bench": "search", "metric": f"p50 latency ({label})", "value": p50, "unit": "ms",
         "target": f"< {TARGET_P95_MS:g} ms", "ok": p50 < TARGET_P95_MS},
        {"bench": "search", "metric": f"p95 latency ({label})", "value": p95, "unit": "ms",
         "target": f"< {TARGET_P95_MS:g} ms", "ok": p95 < TARGET_P95_MS},
        {"bench": "search", "metric": "max latency", "value": max(times), "unit": "ms",
         "target": "", "ok": None},
        {"bench": "search", "metric": "queries with results", "value": sum(1 for h in hits if h),
         "unit": f"of {len(qs)}", "target": "", "ok": None},
        {"bench": "search", "metric": "median articles matched per query",
         "value": percentile(matches, 0.5), "unit": f"of {n:,}", "target": "", "ok": None},
        {"bench": "search", "metric": "mean latency", "value": statistics.fmean(times),
         "unit": "ms", "target": "", "ok": None},
    ]  # fmt: skip
    return rows


if __name__ == "__main__":
    for row in run(quick="--quick" in sys.argv):
        print(row)
