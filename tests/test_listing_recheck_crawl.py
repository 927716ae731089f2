"""A nightly run re-checks the known articles whose listing entry shows a new headline."""

from __future__ import annotations

import re

from tests.crawlsupport import index_articles, run_crawl, set_generation, truth


def test_edited_headlines_seen_in_listings_are_rechecked_that_night(replica_factory, tmp_path):
    replica = replica_factory(articles=120, seed=12, edit_rate=0.3, delete_rate=0.0)
    first = run_crawl(replica.port, tmp_path, "haian")
    assert first.returncode == 0, first.stdout + first.stderr
    before = {u: a["title"] for u, a in index_articles(tmp_path / "index.db").items()}
    set_generation(replica.base, 1)
    nightly = run_crawl(replica.port, tmp_path, "haian")
    assert nightly.returncode == 0, nightly.stdout + nightly.stderr
    found = re.search(r"listing headline (\d+)", nightly.stdout)
    assert found, nightly.stdout
    listing_rechecks = int(found.group(1))
    new_titles = {t["url"]: t["title"] for t in truth(replica.base, "haian.haiphong.gov.vn")}
    after = {u: a["title"] for u, a in index_articles(tmp_path / "index.db").items()}
    retitled = [u for u in before if new_titles.get(u) and new_titles[u] != before[u]]
    updated = [u for u in retitled if after[u] == new_titles[u]]
    assert retitled, "the replica edited no headline"
    # The age policy re-checks none of these (all older than a year, checked just now).
    assert "(age 0," in nightly.stdout
    assert listing_rechecks > 0 and len(updated) >= listing_rechecks * 0.9, (
        listing_rechecks,
        len(updated),
        len(retitled),
    )
    print(f"{len(updated)} of {len(retitled)} edited headlines seen the same night")
