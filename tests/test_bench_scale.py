"""bench/bench_scale.py's own bookkeeping: a missing article or a wrong file counts as a miss,
a URL fetched by two workers counts as a duplicate, and the country table follows from the
measured inputs. (The timings themselves are the benchmark's, never asserted here.)"""

from __future__ import annotations

import importlib.util
import io
import math
import sqlite3
import sys
from pathlib import Path

import pytest
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

BENCH = Path(__file__).resolve().parent.parent / "bench" / "bench_scale.py"


@pytest.fixture(scope="module")
def scale():
    spec = importlib.util.spec_from_file_location("bench_scale", BENCH)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look the module up here
    spec.loader.exec_module(module)
    return module


def test_a_missing_article_and_a_wrong_file_count_as_misses(scale, tmp_path):
    replica = scale.start_replica(sites=2, articles=2)
    try:
        expected = scale.truth(replica.corpus)
        sites_file = tmp_path / "sites.toml"
        sites_file.write_text(replica.corpus.sites_toml(), encoding="utf-8")
        data = tmp_path / "data"
        cmd = scale.ours_cmd(replica, sites_file, data)
        run = scale.run_child("ours", cmd, replica, tmp_path / "crawl.log", timeout=120)
    finally:
        replica.handle.stop()
    assert run.code == 0, run.log.read_text()
    assert run.requests > 0 and run.cpu > 0 and run.rss_mb > 0
    fetches = scale.warc_fetches(data, digests=True)
    whole = scale.exactness(expected, data, fetches)
    assert whole.exact == whole.expected == 4 and whole.missing == 0
    assert whole.files_exact == whole.files_expected > 0

    gone = expected[0]["url"]
    with sqlite3.connect(data / "index.db") as conn:
        conn.execute("update articles set url = url || '-x' where url = ?", (gone,))
    first_file = expected[1]["files"][0]["url"]
    for f in fetches:
        if f.uri == first_file:
            f.sha256 = "0" * 64
    after = scale.exactness(expected, data, fetches)
    assert (after.exact, after.missing) == (3, 1)
    assert after.files_exact == whole.files_expected - 1


def _warc(path: Path, *uris: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        for uri in uris:
            http = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
            record = writer.create_warc_record(
                uri, "response", payload=io.BytesIO(b"<html></html>"), http_headers=http
            )
            writer.write_record(record)


def test_a_url_in_two_workers_warcs_is_a_duplicate_robots_txt_is_not(scale, tmp_path):
    _warc(tmp_path / "w1" / "a.warc.gz", "https://x.gov.vn/robots.txt", "https://x.gov.vn/a-1")
    _warc(tmp_path / "w2" / "b.warc.gz", "https://x.gov.vn/robots.txt", "https://x.gov.vn/b-2")
    assert scale.duplicates(scale.warc_fetches(tmp_path)) == 0
    _warc(tmp_path / "w3" / "c.warc.gz", "https://x.gov.vn/a-1")
    assert scale.duplicates(scale.warc_fetches(tmp_path)) == 1


def test_country_table_follows_from_the_measured_inputs(scale):
    kinds = {"listings": 100, "files": 250, "robots.txt": 20}
    measured = {
        "cpu_per_article": 0.02,
        "requests_per_article": 4.7,
        "kinds": kinds,
        "articles": 100,
        "sites": 20,
    }
    table = {r["metric"]: r for r in scale.part_c(measured, "c", workers_cpu=0.03)}
    rows = {m: r["value"] for m, r in table.items()}
    # every portal at once, each at 1 request/s: 3,000 articles x 4.7 requests
    assert rows["politeness-bound wall time (all portals at once)"] == round(3000 * 4.7 / 3600, 1)
    assert rows["total CPU"] == round(3300 * 3000 * 0.02 / 3600)
    hosts = 2 * 0.75 / (0.02 / 4.7)
    assert rows["portal hosts one machine keeps at 1 req/s"] == round(hosts)
    assert rows["machines to reach the politeness bound"] == math.ceil(3300 / hosts)
    assert rows["wall time with 1 machine"] == round(3300 * 3000 * 0.02 / 3600 / 1.5, 1)
    # the same figures from the Redis workers' CPU per article, beside them
    assert table["total CPU"]["peer_value"] == round(3300 * 3000 * 0.03 / 3600)
    hosts_b = 2 * 0.75 / (0.03 / 4.7)
    assert table["machines to reach the politeness bound"]["peer_value"] == math.ceil(
        3300 / hosts_b
    )
    assert table["wall time with 10 machines"]["peer_value"] == round(
        max(3000 * 4.7 / 3600, 3300 * 3000 * 0.03 / 3600 / 15), 1
    )
    assert any(m.startswith("assumed: politeness") for m in rows)
    assert "peer_value" not in scale.part_c(measured, "c")[6]
    assert scale.part_c({}, "c")[0]["metric"] == "not run"
