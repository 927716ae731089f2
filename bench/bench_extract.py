"""Extraction accuracy and speed: ours (with profiles, and generic) vs trafilatura.

The same replica pages (1,000; 150 with --quick), rendered before timing, go through
`newsarchive.extract.extract` with profiles chosen from the URL, with `--profile generic`,
and through `trafilatura.bare_extraction`. Accuracy per field against the replica's truth
(newsarchive/extract/score.py); speed in pages/s, single process, same run.

trafilatura is scored on what it returns: its date is a day, so its `published` is
compared as a day (the `published_day` row compares every extractor that way, like with
like); its <p> texts are paragraphs, each <graphic>'s alt text that image's caption, its
tags tags. It has no lead (its `description` is the meta description, another field) and
no attachments: those rows have no peer value and no pass/fail. A row passes when ours
is at least as good as trafilatura on the same pages (never on an absolute score alone).

    .venv/bin/python bench/bench_extract.py [--quick] [--json]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from newsarchive.extract import extract  # noqa: E402
from newsarchive.extract.score import EXACT_FIELDS, Score  # noqa: E402
from newsarchive.extract.text import clean_text  # noqa: E402
from newsarchive.extract.urls import resolve_url  # noqa: E402
from newsarchive.portals.profiles import get_profile  # noqa: E402

FIELDS = (*EXACT_FIELDS, "published_day", "body_f1", "captions_f1")
# Fields trafilatura does not extract: no peer value, no pass/fail.
PEER_LACKS = ("lead", "attachments")
TARGET_SPEED_RATIO = 5.0


def load_pages(n: int) -> list[tuple[bytes, dict]]:
    from newsarchive.replica import ReplicaConfig, build_corpus

    corpus = build_corpus(ReplicaConfig(articles=-(-n // 3), seed=1))
    # Interleave the sites so any prefix covers every generation.
    by_site: dict[str, list] = {}
    for article in corpus.articles:
        by_site.setdefault(article.site, []).append(article)
    order = [a for group in zip(*by_site.values(), strict=False) for a in group][:n]
    return [(corpus.render_article(a), corpus.truth(a)) for a in order]


def trafilatura_dict(html: bytes, url: str) -> dict:
    import trafilatura

    doc = trafilatura.bare_extraction(html, url=url, include_images=True, with_metadata=True)
    if doc is None:
        return {}
    paragraphs, images = [], []
    body = doc.body
    if body is not None:
        for el in body.iter("p", "graphic", "item", "quote"):
            if el.tag == "graphic":
                src = resolve_url(url, el.get("src"))
                if src:
                    images.append({"url": src, "caption": clean_text(el.get("alt")) or None})
                continue
            text = clean_text("".join(el.itertext()))
            if text:
                paragraphs.append(text)
    return {
        "title": clean_text(doc.title) or None,
        "published": doc.date or None,  # YYYY-MM-DD: scored as a day (see measure)
        "date_only": True,
        "lead": None,
        "body": "\n\n".join(paragraphs),
        "images": images,
        "attachments": [],
        "tags": list(doc.tags or []),
    }


def measure(pages: list[tuple[bytes, dict]], fn) -> tuple[dict[str, float], float]:
    score = Score()
    outputs = []
    start = time.perf_counter()
    for html, truth in pages:
        outputs.append(fn(html, truth["url"]))
    elapsed = time.perf_counter() - start
    same_day = 0
    for got, (_, truth) in zip(outputs, pages, strict=True):
        day = (got.get("published") or "")[:10] or None
        same_day += day == ((truth.get("published") or "")[:10] or None)
        if got.get("date_only"):
            # A day-only extractor is right when its day is the truth's day.
            truth = {**truth, "published": (truth.get("published") or "")[:10] or None}
        score.add(got, truth)
    summary = score.summary()
    summary["published_day"] = same_day / max(len(pages), 1)
    return summary, len(pages) / elapsed


def run(quick: bool = False) -> list[dict]:
    pages = load_pages(150 if quick else 1000)
    generic = get_profile("generic")
    results = {
        "profiles": measure(pages, lambda h, u: extract(h, u).to_dict()),
        "generic": measure(pages, lambda h, u: extract(h, u, generic).to_dict()),
        "trafilatura": measure(pages, trafilatura_dict),
    }
    peer_acc, peer_speed = results["trafilatura"]
    rows = []
    for variant in ("profiles", "generic"):
        acc, speed = results[variant]
        for field in FIELDS:
            peer = None if field in PEER_LACKS else peer_acc[field]
            rows.append(
                {
                    "bench": "extract",
                    "metric": f"{variant}.{field}",
                    "value": round(acc[field], 4),
                    "unit": "F1" if field.endswith("_f1") else "accuracy",
                    "peer": "trafilatura" if peer is not None else None,
                    "peer_value": None if peer is None else round(peer, 4),
                    "ratio": round(acc[field] / peer, 2) if peer else None,
                    "ok": None if peer is None else acc[field] >= peer,
                }
            )
        ratio = speed / peer_speed
        rows.append(
            {
                "bench": "extract",
                "metric": f"{variant}.pages/s",
                "value": round(speed, 1),
                "unit": "pages/s",
                "peer": "trafilatura",
                "peer_value": round(peer_speed, 1),
                "ratio": round(ratio, 2),
                "target": TARGET_SPEED_RATIO if variant == "profiles" else None,
                "ok": ratio >= TARGET_SPEED_RATIO if variant == "profiles" else None,
            }
        )
    rows.append({"bench": "extract", "metric": "pages", "value": len(pages), "unit": "pages"})
    return rows


def print_table(rows: list[dict]) -> None:
    table: dict[str, dict[str, object]] = {}
    for row in rows:
        if "." not in row["metric"]:
            continue
        variant, field = row["metric"].split(".", 1)
        table.setdefault(field, {})[variant] = row["value"]
        table[field]["trafilatura"] = row.get("peer_value")
    print(f"{'field':<14}{'ours+profiles':>15}{'ours generic':>14}{'trafilatura':>13}")
    for field, vals in table.items():
        cells = [vals.get(k) for k in ("profiles", "generic", "trafilatura")]
        print(
            f"{field:<14}"
            + "".join(
                f"{c:>{w}.4g}" if isinstance(c, float) else f"{c!s:>{w}}"
                for c, w in zip(cells, (15, 14, 13), strict=True)
            )
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="150 pages instead of 1,000")
    parser.add_argument("--json", action="store_true", help="print the rows as JSON")
    args = parser.parse_args()
    rows = run(quick=args.quick)
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=1))
    else:
        print_table(rows)


if __name__ == "__main__":
    main()
