"""`newsarchive probe` on every replica variant: names the pagination scheme and the article
URL shape, and gives 3 sample articles that match the ground truth."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

from newsarchive.discovery.probe import ProbeError, probe
from newsarchive.replica.variant_server import run_variants_in_thread
from newsarchive.replica.variants import SITES
from tests.test_discovery_variants import FIELDS, KNOWN_GAPS, _get


@pytest.fixture(scope="module")
def probed():
    handle = run_variants_in_thread(articles=24)
    info = json.loads(_get(handle.base, "/__variants__"))
    mapping = {"*.vidu.gov.vn": f"127.0.0.1:{handle.port}"}
    results = {
        (key, start): probe(site[start], host_map=mapping, delay=0)
        for key, site in info.items()
        for start in ("home", "listing")
    }
    truth = {
        key: {
            t["url"]: t
            for t in map(json.loads, _get(handle.base, "/__truth__", site["host"]).splitlines())
        }
        for key, site in info.items()
    }
    yield handle, info, results, truth
    handle.stop()


def _scheme_re(expected: str) -> re.Pattern[str]:
    return re.compile(re.escape(expected).replace(re.escape("{inst}"), r"\w+") + "$")


@pytest.mark.parametrize("start", ["home", "listing"])
@pytest.mark.parametrize("site", sorted(SITES))
def test_probe_names_the_pagination_scheme(probed, site: str, start: str) -> None:
    _, info, results, _ = probed
    assert _scheme_re(info[site]["pagination"]).match(results[(site, start)].pagination)


@pytest.mark.parametrize("start", ["home", "listing"])
@pytest.mark.parametrize("site", sorted(SITES))
def test_probe_names_the_article_url_shape(probed, site: str, start: str) -> None:
    _, info, results, _ = probed
    assert results[(site, start)].article_shape == info[site]["article_shape"]


@pytest.mark.parametrize("site", sorted(SITES))
def test_probe_gives_three_correct_samples(probed, site: str) -> None:
    _, _, results, truth = probed
    samples = results[(site, "home")].samples
    assert len(samples) == 3
    for sample in samples:
        expected = truth[site][sample["url"]]
        checked = [f for f in FIELDS if (site, f) not in KNOWN_GAPS]
        assert {f: sample[f] for f in checked} == {f: expected[f] for f in checked}
        assert set(sample["provenance"]) >= {"title", "published", "body"}


def test_probe_cli_prints_the_report_and_the_site_entry(probed) -> None:
    handle, info, _, _ = probed
    run = subprocess.run(
        [sys.executable, "-m", "newsarchive", "probe", info["thuanan"]["home"], "--delay", "0",
         "--map", f"*.vidu.gov.vn=127.0.0.1:{handle.port}"],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    for line in (
        "CMS family (guess): joomla",
        "Pagination: ?start=N",
        "Article URL shape: /index.php?catid={id}&id={id}&option&view",
        "[sites.thuanan]",
        'profile = "generic"',
    ):
        assert line in run.stdout
    assert run.stdout.count("     title [") == 3


def test_probe_of_an_unreachable_site_is_one_line() -> None:
    with pytest.raises(ProbeError, match="cannot fetch"):
        probe("http://127.0.0.1:9/", delay=0, timeout=2)
    run = subprocess.run(
        [sys.executable, "-m", "newsarchive", "probe", "ftp://x"], capture_output=True, text=True
    )
    assert run.returncode != 0 and "Traceback" not in run.stderr
