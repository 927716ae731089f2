"""Re-check cost and reach of a nightly run under the default revisit policy.

One site of the replica (haian, generation C) with 5,000 articles (`make soak` / `--soak`;
`make bench`: 1,000; `--quick`: 300) is crawled once in full; then 2% of its articles
change (replica generation 1 with edit rate 1% and delete rate 1%). The replica's edits are
of four kinds (newsarchive.replica.generations.EDIT_KINDS): the headline (40%), the lead,
which the listings show as the teaser (15%), the publication date (10%: half move the day,
half only the time, which a listing showing the day does not show) and a body paragraph
(35%, no listing shows it); a deleted article answers 404/410 and leaves the listings. The
nightly run crawls it again with the default policy (`7:1,365:7,*:30`).

Reported: what share of the changes a listing shows at all (a deletion, a new headline,
teaser or listed day) and what share sits on the listing pages a nightly walk reads (it
stops at the first page with nothing new: the home page and each category's first page);
requests the nightly run sent (captures it added); its re-checks by reason (age; listing
headline, date, teaser; vanished from a walked listing window); edits and deletions it saw
(index equal to the new truth / marked gone); and for the ones it missed, in how many days
the default policy would re-check them (peer: the old uniform 168 h re-check). A second
nightly run on a copy of the archive walks every listing page
(`-s NEWSARCHIVE_STOP_AFTER_PAGES_WITHOUT_NEW=0`): its requests and the changes it saw.
The replica's dates end in mid 2025, so every article is past its first year: the monthly
tier, and an age re-check is due 30 days after the last one.

Usage: python bench/bench_revisit.py [--quick] [--soak]
"""

import argparse
import os
import re
import shutil
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
FULL_WALK = ("-s", "NEWSARCHIVE_STOP_AFTER_PAGES_WITHOUT_NEW=0")


def crawl(port: int, data: Path, extra: tuple[str, ...] = ()) -> subprocess.CompletedProcess:
    cmd = [
        sys.executable, "-m", "newsarchive", "crawl", SITE, "--fast", "--no-progress",
        "--map", f"*.haiphong.gov.vn=127.0.0.1:{port}", "--data", str(data), *extra,
    ]  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    for name in ("NEWSARCHIVE_SITES", "NEWSARCHIVE_DATA"):
        env.pop(name, None)
    result = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=REPO, timeout=7200)
    if result.returncode != 0:
        raise RuntimeError(result.stdout[-2000:] + result.stderr[-2000:])
    return result


def count(db: Path, sql: str) -> int:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql).fetchone()[0]


def summary_counts(stdout: str) -> dict[str, int]:
    line = next((ln for ln in stdout.splitlines() if ln.startswith(f"{SITE}:")), "")
    out = {}
    for label in (
        "age",
        "listing headline",
        "listing date",
        "listing teaser",
        "vanished from a listing",
    ):
        found = re.search(rf"(?:\(|, ){label} (\d+)", line)
        out[label] = int(found.group(1)) if found else 0
    return out


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
        data, full = Path(tmp) / "data", Path(tmp) / "data-full-walk"
        crawl(replica.port, data)
        shutil.copytree(data, full)
        db = data / "index.db"
        before = count(db, "select count(*) from captures")
        with sqlite3.connect(db) as conn:  # where each article was listed, generation 0
            first_pages = {
                u for (u,) in conn.execute("select url from listing_entries where page = 1")
            }
        corpus = replica.corpus
        old = {corpus.truth(a)["url"]: corpus.truth(a) for a in corpus.by_site[SITE]}
        replica.set_generation(1)
        changed, visible, on_first_pages = {}, 0, 0
        for article in corpus.by_site[SITE]:
            state = corpus.state(article, 1)
            if not (state.deleted or state.version > 0):
                continue
            now = corpus.truth(article)
            then = old[now["url"]]
            changed[now["url"]] = now
            shown = state.deleted or any(
                (now[k] or "")[: 10 if k == "published" else None]
                != (then[k] or "")[: 10 if k == "published" else None]
                for k in ("title", "lead", "published")
            )
            visible += shown
            on_first_pages += shown and now["url"] in first_pages
        nightly = crawl(replica.port, data)
        requests = count(db, "select count(*) from captures") - before
        archived = index_articles(db)
        full_night = crawl(replica.port, full, FULL_WALK)
        full_requests = count(full / "index.db", "select count(*) from captures") - before
        full_archived = index_articles(full / "index.db")

    def seen_in(index: dict) -> int:
        return sum(
            1
            for url, t in changed.items()
            if (got := index.get(url)) is not None
            and (
                (t["status"] != "active" and got["status"] == "gone")
                or (t["status"] == "active" and comparable(got) == truth_comparable(t))
            )
        )

    now = datetime.now(timezone.utc)
    unseen_days, old_days = [], []
    default, uniform = RevisitPolicy.parse(DEFAULT_POLICY), RevisitPolicy.every(168)
    for url, t in changed.items():
        got = archived.get(url)
        if got is None or (t["status"] != "active" and got["status"] == "gone"):
            continue
        if t["status"] == "active" and comparable(got) == truth_comparable(t):
            continue
        published = parse_time(got.get("published")) or parse_time(got.get("first_seen"))
        checked = parse_time(got.get("last_checked"))
        for policy, out in ((default, unseen_days), (uniform, old_days)):
            out.append((policy.next_check(published, checked, now) - now).total_seconds() / 86400)
    seen, full_seen = seen_in(archived), seen_in(full_archived)
    reasons = summary_counts(nightly.stdout)
    full_reasons = summary_counts(full_night.stdout)
    deleted = sum(1 for t in changed.values() if t["status"] != "active")
    bench = f"revisit {articles}"
    n = len(changed)
    return [
        {"bench": bench, "metric": "articles changed or deleted", "value": n,
         "note": f"{n - deleted} edited, {deleted} deleted"},
        {"bench": bench, "metric": "share of changes a listing shows", "value": round(visible / n, 3) if n else None,
         "note": f"{visible} of {n}: deletions, new headlines, teasers or listed days"},
        {"bench": bench, "metric": "share on the pages a nightly walk reads", "value": round(on_first_pages / n, 3) if n else None,
         "note": f"{on_first_pages} of {n} on the first page of a listing"},
        {"bench": bench, "metric": "nightly requests", "value": requests,
         "peer": "walking every listing page", "peer_value": full_requests},
        *({"bench": bench, "metric": f"nightly re-checks: {label}", "value": value,
           "peer": "walking every listing page", "peer_value": full_reasons[label]}
          for label, value in reasons.items()),
        {"bench": bench, "metric": "changes seen that night", "value": seen, "target": f"= {n}",
         "ok": seen == n, "peer": "walking every listing page", "peer_value": full_seen},
        {
            "bench": bench,
            "metric": "days until the rest are seen",
            "value": max(unseen_days, default=0.0),
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
