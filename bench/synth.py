"""A synthetic index of many articles for the search and export benchmarks, built fast.

Text comes from the replica's Vietnamese generator, but only a pool of sentences is
generated (and folded) once; articles are drawn from that pool, so 200,000 articles take
seconds of Python. The schema is the real one (archive.index.Index creates it); rows go in
with executemany while the FTS triggers are set aside, then one FTS 'rebuild' indexes all,
and the triggers are put back, leaving exactly what the crawler would have produced.
The index is cached in the temp folder between runs (delete it to rebuild).
"""

from __future__ import annotations

import json
import random
import sqlite3
import tempfile
import time
from pathlib import Path

from archive.fold import fold
from archive.index import Index

VERSION = 1  # bump when the generated content changes
SITES = ("haian", "lechan", "vinhbao")  # the sites the text generator knows
CACHE = Path(tempfile.gettempdir()) / "newsarchive-bench"


def _pool(rng: random.Random, size: int) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(sentence, folded) pairs for bodies, and (title, folded) pairs."""
    from newsarchive.replica import textgen

    sentences, titles = [], []
    for i in range(size):
        ctx = textgen.Context(rng, SITES[i % len(SITES)], 2015 + i % 11)
        s = textgen.sentence(ctx, opener=i % 7 == 0)
        t = textgen.title(ctx)
        sentences.append((s, fold(s)))
        titles.append((t, fold(t)))
    return sentences, titles


def build(n: int, path: Path, seed: int = 20250301) -> float:
    """Create an index of `n` articles at `path`; returns the seconds it took."""
    started = time.perf_counter()
    path.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    with Index(path):
        pass  # schema and migrations, exactly as the crawler gets them
    rng = random.Random(seed)
    sentences, titles = _pool(rng, 4000)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = OFF")
    triggers = conn.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'articles'"
    ).fetchall()
    with conn:
        for name, _ in triggers:
            conn.execute(f'DROP TRIGGER "{name}"')
        conn.executemany(
            "INSERT INTO sites (name, base_url, profile) VALUES (?, ?, 'haiphong-c')",
            [(s, f"https://{s}.haiphong.gov.vn/") for s in SITES],
        )
        conn.execute(
            "INSERT INTO crawls (started, finished, sites, status) VALUES (?, ?, ?, 'finished')",
            ("2025-11-01T00:00:00Z", "2025-11-02T00:00:00Z", json.dumps(list(SITES))),
        )
        batch, images = [], []
        for i in range(1, n + 1):
            batch.append(_article(rng, i, sentences, titles))
            caps = json.loads(batch[-1][8])  # one image per caption
            images.extend(
                (i, p, f"https://cdn.haiphong.gov.vn/img/{i}-{p}.jpg", c)
                for p, c in enumerate(caps)
            )
            if len(batch) == 5000:
                _flush(conn, batch, images)
        _flush(conn, batch, images)
        conn.execute("INSERT INTO articles_fts(articles_fts) VALUES ('rebuild')")
        for _, sql in triggers:
            conn.execute(sql)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.execute("ANALYZE")
    conn.close()
    return time.perf_counter() - started


def _article(rng, i, sentences, titles) -> tuple:
    site = SITES[rng.randrange(len(SITES))]
    title, title_f = titles[rng.randrange(len(titles))]
    picks = [sentences[rng.randrange(len(sentences))] for _ in range(rng.randint(8, 16))]
    lead, lead_f = " ".join(s for s, _ in picks[:2]), " ".join(f for _, f in picks[:2])
    paras, paras_f, k = [], [], 2
    while k < len(picks):
        step = rng.randint(2, 4)
        paras.append(" ".join(s for s, _ in picks[k : k + step]))
        paras_f.append(" ".join(f for _, f in picks[k : k + step]))
        k += step
    caps = [sentences[rng.randrange(len(sentences))] for _ in range(rng.randint(0, 2))]
    captions = json.dumps([c for c, _ in caps], ensure_ascii=False)
    captions_f = json.dumps([f for _, f in caps], ensure_ascii=False)
    day = rng.randrange(11 * 365)
    year, doy = 2015 + day // 365, day % 365
    month, mday = 1 + doy // 31 % 12, 1 + doy % 28
    published = (
        f"{year}-{month:02d}-{mday:02d}T{rng.randrange(24):02d}:{rng.randrange(60):02d}:00+07:00"
    )
    seen = f"2025-11-01T{rng.randrange(24):02d}:{rng.randrange(60):02d}:00Z"
    url = f"https://{site}.haiphong.gov.vn/tin-tuc/bai-viet-{i}.html"
    return (
        i, site, url, url, title, published, lead, "\n\n".join(paras), captions, "[]",
        f"{i:064x}", seen, seen, seen, "active", seen, 200, 1,
        title_f, lead_f, "\n\n".join(paras_f), captions_f,
    )  # fmt: skip


def _flush(conn: sqlite3.Connection, batch: list, images: list) -> None:
    conn.executemany(
        "INSERT INTO articles (id, site, url, final_url, title, published, lead, body, captions,"
        " tags, content_hash, first_seen, last_seen, last_checked, status, status_changed,"
        " http_status, version, title_fold, lead_fold, body_fold, captions_fold)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        batch,
    )
    conn.executemany(
        "INSERT INTO images (article_id, position, url, caption) VALUES (?, ?, ?, ?)", images
    )
    batch.clear()
    images.clear()


def synthetic_index(n: int) -> tuple[Path, float | None]:
    """(path, build seconds), or (path, None) when a cached index was reused."""
    path = CACHE / f"index-{n}-v{VERSION}" / "index.db"
    done = path.with_name("complete")
    if done.exists() and path.exists():
        return path, None
    seconds = build(n, path)
    done.write_text(f"{seconds:.1f}\n")
    return path, seconds


def queries(n: int, seed: int = 7) -> list[str]:
    """Two-word queries as people type them: adjacent words of real sentences, about half
    without accents (the way many archivists type Vietnamese)."""
    from newsarchive.replica import textgen

    rng = random.Random(seed)
    out: list[str] = []
    while len(out) < n:
        ctx = textgen.Context(rng, SITES[rng.randrange(len(SITES))], 2020)
        words = [w.strip(".,;:\"'()") for w in textgen.sentence(ctx).split()]
        words = [w for w in words if len(w) > 1 and not w.isdigit()]
        if len(words) < 2:
            continue
        k = rng.randrange(len(words) - 1)
        q = f"{words[k]} {words[k + 1]}".lower()
        out.append(fold(q) if rng.random() < 0.5 else q)
    return out
