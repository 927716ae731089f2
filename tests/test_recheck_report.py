"""The run summary says how many re-checks were sent, by reason, and what they found."""

from __future__ import annotations

import json
import re

from tests.crawlsupport import run_crawl, set_generation, truth

HOST = "haian.haiphong.gov.vn"


def test_age_rechecks_report_changed_gone_and_unchanged(replica_factory, tmp_path):
    replica = replica_factory(articles=40, seed=21, edit_rate=0.25, delete_rate=0.2)
    first = run_crawl(replica.port, tmp_path, "haian")
    assert first.returncode == 0, first.stdout + first.stderr
    known = {t["url"] for t in truth(replica.base, HOST) if t["status"] == "active"}
    set_generation(replica.base, 1)
    now = {t["url"]: t for t in truth(replica.base, HOST) if t["url"] in known}
    gone = sum(1 for t in now.values() if t["status"] == "gone")
    changed = sum(1 for t in now.values() if t["status"] == "active" and t["version"] > 0)
    assert gone and changed, "the replica changed nothing"
    log = tmp_path / "nightly.jsonl"
    nightly = run_crawl(
        replica.port, tmp_path, "haian", extra=("--recheck-hours", "0", "--log-json", str(log))
    )
    assert nightly.returncode == 0, nightly.stdout + nightly.stderr
    line = next(ln for ln in nightly.stdout.splitlines() if ln.startswith("haian:"))
    sent = re.search(r"re-checked (\d+) \(age (\d+), (.*?);", line)
    found = re.search(r"found changed (\d+), gone (\d+), unchanged (\d+)", line)
    assert sent and found, line
    # Every known article was due by age (or seen first in a listing that changed): each
    # is re-checked once and found one outcome.
    others = sum(int(n) for n in re.findall(r"\d+", sent.group(3)))
    assert int(sent.group(1)) == int(sent.group(2)) + others == len(known), line
    assert int(sent.group(2)) > len(known) // 2, line
    assert [int(g) for g in found.groups()] == [changed, gone, len(known) - changed - gone]
    assert re.search(r"^haian: \d+ fetches,", line)
    # The JSON-lines log of scheduled runs says the same.
    finished = [json.loads(x) for x in log.read_text().splitlines() if '"finished"' in x][-1]
    assert sum(finished["rechecks"].values()) == len(known)
    assert finished["recheck_found"]["gone"] == gone
