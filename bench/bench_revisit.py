"""Re-check cost and reach of a nightly run under the default revisit policy.

One site of the replica (haian, generation C) with 5,000 articles (`make soak` / `--soak`;
`make bench`: 1,000; `--quick`: 300) is
crawled once in full; then 2% of its articles change (replica generation 1 with
edit rate 1% and delete rate 1%) and the nightly run crawls it again with the default
policy (`7:1,365:7,*:30`). Reported: requests the nightly run sent (captures it added),
re-checks among them (by age; for a changed listing entry), edits and deletions it saw (index equal to the new truth / marked
gone), and for the ones it missed, in how many days the default policy would re-check them
(from each article's age and last check). The peer row is the same figure for the old
uniform 168 h re-check. The replica's dates end in mid 2025, so every article is past its
first year: the monthly tier.

Usage: python bench/bench_revisit.py [--quick] [--soak]
"""

import argparse
import os
import sqlite3
import subprocess
import sys
import tempfile
from datetime import datetime, timezone
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOAK = True  # bench/run.py --soak runs this module with soak=True
REPO = HERE.parent
SITE = "haian"
HOST = "haian.haiphong.gov.vn"


def crawl(port: int, data: Path) -> subprocess.CompletedProcess:
    cmd = [
        sys.executable, "-m", "newsarchive", "crawl", SITE, "--fast", "--no-progress",
        "--map", f"*.haiphong.gov.vn=127.0.0.1:{port}", "--data", str(data),
    ]  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    for name in ("NEWSARCHIVE_SITES", "NEWSARCHIVE_DATA"):
        env.pop(name, None)
    return subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=REPO, timeout=7200)


def count(db: Path, sql: str) -> int:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql).fetchone()[0]


def run(quick: bool = False, soak: bool = False) -> list[dict]:
    sys.path.insert(0, str(REPO))
    from newsarchive.crawl.revisit import DEFAULT_POLICY, RevisitPolicy, parse_time
    from newsarchive.replica import ReplicaConfig, run_replica_in_thread
    from tests.crawlsupport import comparable, index_articles, truth_comparable

    articles = 5000 if soak else 300 if quick else 1000
    config = ReplicaConfig(port=0, articles=articles, seed=8, edit_rate=0.01, delete_rate=0.01)
    with (
        tempfile.TemporaryDirectory(prefix="bench-revisit-") as tmp,
        run_replica_in_thread(config) as replica,
    ):
        data = Path(tmp) / "data"
        first = crawl(replica.port, data)
        if first.returncode != 0:
            raise RuntimeError(first.stdout[-2000:] + first.stderr[-2000:])
        db = data / "index.db"
        before = count(db, "select count(*) from captures")
        replica.set_generation(1)
        corpus = replica.corpus
        changed = {}
        for article in corpus.by_site[SITE]:
            state = corpus.state(article, 1)
            if state.deleted or state.version > 0:
                changed[corpus.truth(article)["url"]] = corpus.truth(article)
        nightly = crawl(replica.port, data)
        if nightly.returncode != 0:
            raise RuntimeError(nightly.stdout[-2000:] + nightly.stderr[-2000:])
        requests = count(db, "select count(*) from captures") - before
        archived = index_articles(db)
    line = next((ln for ln in nightly.stdout.splitlines() if ln.startswith(f"{SITE}:")), "")
    import re

    by_age = re.search(r"\(age (\d+),", line)
    by_listing = re.findall(r"listing (?:headline|date|teaser) (\d+)", line)
    rechecks = int(by_age.group(1)) if by_age else 0
    listing_rechecks = sum(int(n) for n in by_listing)
    now = datetime.now(timezone.utc)
    seen, unseen_days, old_days = 0, [], []
    default, old = RevisitPolicy.parse(DEFAULT_POLICY), RevisitPolicy.every(168)
    for url, t in changed.items():
        got = archived.get(url)
        if got is None:
            continue
        if (t["status"] != "active" and got["status"] == "gone") or (
            t["status"] == "active" and comparable(got) == truth_comparable(t)
        ):
            seen += 1
            continue
        published = parse_time(got.get("published")) or parse_time(got.get("first_seen"))
        checked = parse_time(got.get("last_checked"))
        for policy, out in ((default, unseen_days), (old, old_days)):
            out.append((policy.next_check(published, checked, now) - now).total_seconds() / 86400)
    bench = f"revisit {articles}"
    worst = max(unseen_days, default=0.0)
    return [
        {"bench": bench, "metric": "articles changed or deleted", "value": len(changed)},
        {"bench": bench, "metric": "nightly requests", "value": requests},
        {"bench": bench, "metric": "nightly re-checks by age", "value": rechecks},
        {"bench": bench, "metric": "nightly re-checks of changed listing entries", "value": listing_rechecks},
        {"bench": bench, "metric": "changes seen that night", "value": seen, "target": f"= {len(changed)}", "ok": seen == len(changed)},
        {
            "bench": bench,
            "metric": "days until the rest are seen",
            "value": worst,
            "unit": "days",
            "peer": "uniform 168 h",
            "peer_value": max(old_days, default=0.0),
        },
    ]  # fmt: skip


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--soak", action="store_true")
    args = parser.parse_args()
    for row in run(quick=args.quick, soak=args.soak):
        print(row)
