"""Sites are data: the sites file, its lookup order, `newsarchive sites`, the spider loader."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from newsarchive.cli import main
from newsarchive.crawl.spiderloader import SiteSpiderLoader
from newsarchive.portals.sites import SHIPPED_SITES, SitesError, load_sites, parse_sites
from tests.crawlsupport import comparable, index_articles, run_crawl, truth, truth_comparable

ONE_SITE = """
[sites.tienlang]
title = "Tiên Lãng"
start_urls = ["https://tienlang.haiphong.gov.vn/"]
profile = "auto"
politeness = { download_delay = 3, concurrency = 1 }
"""


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_the_shipped_file_holds_the_family_sites():
    assert sorted(load_sites(SHIPPED_SITES)) == ["haian", "lechan", "vinhbao"]


def test_lookup_order_explicit_then_env_then_local_then_shipped(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NEWSARCHIVE_SITES", raising=False)
    assert sorted(load_sites()) == ["haian", "lechan", "vinhbao"]
    write(tmp_path / "sites.toml", ONE_SITE)
    assert sorted(load_sites()) == ["tienlang"]
    env = write(tmp_path / "env.toml", ONE_SITE.replace("tienlang", "kienan"))
    monkeypatch.setenv("NEWSARCHIVE_SITES", str(env))
    assert sorted(load_sites()) == ["kienan"]
    explicit = write(tmp_path / "x.toml", ONE_SITE.replace("tienlang", "doson"))
    assert sorted(load_sites(explicit)) == ["doson"]


def test_auto_profile_is_resolved_from_the_url_and_politeness_becomes_settings():
    site = parse_sites(ONE_SITE)["tienlang"]
    assert site.resolved_profile() == "haiphong-c"
    assert site.scrapy_settings() == {"DOWNLOAD_DELAY": 3, "CONCURRENT_REQUESTS_PER_DOMAIN": 1}


@pytest.mark.parametrize(
    "text, message",
    [
        ("[sites.x\n", "not valid TOML"),
        ("[sites.x]\ntitle = 'x'\n", "start_urls must be a list"),
        ("[sites.x]\nstart_urls = ['ftp://a/']\n", "is not an http(s) URL"),
        ("[sites.x]\nstart_urls = ['https://a/']\nprofile = 'nope'\n", "unknown profile 'nope'"),
        ("[sites.x]\nstart_urls = ['https://a/']\nspeed = 1\n", "unknown key 'speed'"),
        ("[sites.Bad]\nstart_urls = ['https://a/']\n", "site name 'Bad'"),
        (
            "[sites.x]\nstart_urls = ['https://a/']\npoliteness = {delay = 1}\n",
            "unknown politeness key 'delay'",
        ),
    ],
)
def test_a_bad_sites_file_is_one_line_and_exit_2(tmp_path, text, message):
    path = write(tmp_path / "bad.toml", text)
    with pytest.raises(SitesError, match=re.escape(message)):
        load_sites(path)
    for args in (["sites", "list"], ["crawl", "--all", "--data", str(tmp_path)]):
        result = CliRunner().invoke(main, [*args, "--sites", str(path)])
        assert result.exit_code == 2, result.output
        assert message in result.output and "Traceback" not in result.output


def test_the_loader_makes_one_spider_per_site_with_its_politeness():
    from scrapy.settings import Settings

    loader = SiteSpiderLoader.from_settings(
        Settings({"SPIDER_MODULES": ["spiders"], "NEWSARCHIVE_SITES": None})
    )
    assert {"haian", "lechan", "vinhbao", "adhoc"} <= set(loader.list())
    haian = loader.load("haian")
    assert haian.name == "haian" and haian.site_config.profile == "haiphong-c"
    with pytest.raises(KeyError):
        loader.load("nowhere")


def test_no_per_site_python_file_remains():
    spiders = Path(__file__).resolve().parents[1] / "spiders"
    assert sorted(p.name for p in spiders.glob("*.py")) == ["__init__.py", "adhoc.py", "base.py"]


def test_scrapy_list_lists_the_sites_of_the_file_in_force(tmp_path):
    sites = write(tmp_path / "mine.toml", ONE_SITE)
    scrapy = Path(sys.executable).parent / "scrapy"
    env = {**os.environ, "NEWSARCHIVE_SITES": str(sites)}
    root = Path(__file__).resolve().parents[1]
    out = subprocess.run(
        [str(scrapy), "list"], cwd=root, env=env, capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    assert sorted(out.stdout.split()) == ["adhoc", "tienlang"]


@pytest.mark.parametrize(
    "url, profile, start",
    [
        ("https://haian.haiphong.gov.vn/", "haiphong-c", "https://haian.haiphong.gov.vn/"),
        ("https://lechan.haiphong.gov.vn/", "haiphong-b", "https://lechan.haiphong.gov.vn/"),
        (
            "https://vinhbao.haiphong.gov.vn/",
            "haiphong-a",
            "https://vinhbao.haiphong.gov.vn/Portal/Default.aspx",
        ),
    ],
)
def test_sites_add_guesses_the_profile_from_the_page(replica, tmp_path, url, profile, start):
    path = tmp_path / "sites.toml"
    result = CliRunner().invoke(
        main,
        ["sites", "add", url, "--name", "new", "--sites", str(path),
         "--map", f"*.haiphong.gov.vn=127.0.0.1:{replica.port}"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    site = load_sites(path)["new"]
    assert (site.profile, site.start_urls) == (profile, (start,))
    assert site.title.startswith("Cổng thông tin điện tử")


def test_a_new_user_file_starts_from_the_shipped_sites_and_remove_edits_only_it(tmp_path):
    path = tmp_path / "sites.toml"
    shipped = SHIPPED_SITES.read_bytes()
    result = CliRunner().invoke(main, ["sites", "remove", "lechan", "--sites", str(path)])
    assert result.exit_code == 0, result.output
    assert sorted(load_sites(path)) == ["haian", "vinhbao"]
    assert "# Sites newsarchive crawls" in path.read_text(encoding="utf-8")  # comments kept
    assert SHIPPED_SITES.read_bytes() == shipped
    again = CliRunner().invoke(main, ["sites", "remove", "lechan", "--sites", str(path)])
    assert again.exit_code == 2 and "no site 'lechan'" in again.output


def test_an_added_site_then_crawls_exactly(replica_factory, tmp_path):
    replica = replica_factory(articles=40, seed=11)
    path = tmp_path / "sites.toml"
    write(path, "")
    added = CliRunner().invoke(
        main,
        ["sites", "add", "https://lechan.haiphong.gov.vn/", "--sites", str(path),
         "--map", f"*.haiphong.gov.vn=127.0.0.1:{replica.port}"],
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    assert list(load_sites(path)) == ["lechan"]
    data = tmp_path / "data"
    result = run_crawl(replica.port, data, "lechan", extra=("--sites", str(path)))
    assert result.returncode == 0, result.stdout + result.stderr
    expected = {
        t["url"]: truth_comparable(t)
        for t in truth(replica.base, "lechan.haiphong.gov.vn")
        if t["status"] == "active"
    }
    archived = {url: comparable(a) for url, a in index_articles(data / "index.db").items()}
    assert len(expected) == 40
    assert archived == expected
