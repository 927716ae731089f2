"""Scrapyd, the real client and server (issue 10): a clean checkout of the project deployed with
`scrapyd-deploy` to a loopback `scrapyd`, a crawl of the replica scheduled through its API with
the settings README gives, and the replica's articles found in the index afterwards.

scrapyd and scrapyd-client come from PyPI through the project's `[scrapyd]` extra (make test
installs it); a missing one fails here with what to run."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
import time
import urllib.parse
import urllib.request
import zipfile
from pathlib import Path

import pytest

from newsarchive.crawl.settingsaddon import DerivedSettings
from newsarchive.portals.sites import get_site
from tests.crawlsupport import truth
from tests.toolsupport import free_port, stop

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SITE = "vinhbao"
HOST = "vinhbao.haiphong.gov.vn"


def _tool(name: str) -> Path:
    path = BIN / name
    if not path.exists():
        pytest.fail(
            f"{path} is missing: run `.venv/bin/pip install -e '.[scrapyd]'` (make test does)"
        )
    return path


def _api(base: str, path: str, data: dict | list | None = None) -> dict:
    body = None if data is None else urllib.parse.urlencode(data).encode()
    with urllib.request.urlopen(f"{base}/{path}", data=body, timeout=10) as response:
        return json.loads(response.read().decode("utf-8"))


@pytest.fixture
def scrapyd(tmp_path):
    """A scrapyd of our own on a free loopback port, its state in tmp_path/scrapyd."""
    home = tmp_path / "scrapyd"
    home.mkdir()
    port = free_port()
    (home / "scrapyd.conf").write_text(
        "[scrapyd]\n"
        f"bind_address = 127.0.0.1\nhttp_port = {port}\n"
        "eggs_dir = eggs\nlogs_dir = logs\nitems_dir =\ndbs_dir = dbs\n"
        "max_proc = 1\npoll_interval = 0.5\n",
        encoding="utf-8",
    )
    log = open(home / "scrapyd.out", "wb")  # noqa: SIM115 - closed below
    proc = subprocess.Popen([str(_tool("scrapyd"))], cwd=home, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                _api(base, "daemonstatus.json")
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        "scrapyd did not start: " + (home / "scrapyd.out").read_text()[-2000:]
                    ) from None
                time.sleep(0.2)
        yield base, home
    finally:
        stop(proc)
        log.close()


@pytest.fixture
def checkout(tmp_path):
    """The project as a fresh clone has it (committed files only)."""
    dest = tmp_path / "checkout"
    subprocess.run(["git", "clone", "--quiet", "--no-hardlinks", str(ROOT), str(dest)], check=True)
    return dest


def test_deploy_schedule_and_archive_through_scrapyd(scrapyd, checkout, replica_factory, tmp_path):
    base, home = scrapyd
    replica = replica_factory(articles=20, seed=5)
    # A deploy target for this server, outside the checkout (Scrapy reads
    # $XDG_CONFIG_HOME/scrapy.cfg too), so the checkout stays exactly as cloned.
    xdg = tmp_path / "xdg"
    xdg.mkdir()
    (xdg / "scrapy.cfg").write_text(f"[deploy:local]\nurl = {base}/\nproject = newsarchive\n")
    env = {"PATH": f"{BIN}:/usr/bin:/bin", "HOME": str(tmp_path), "XDG_CONFIG_HOME": str(xdg)}

    deploy = subprocess.run(
        [str(_tool("scrapyd-deploy")), "local", "--version", "r1"],
        cwd=checkout, env=env, capture_output=True, text=True, timeout=180,
    )  # fmt: skip
    assert deploy.returncode == 0, deploy.stdout + deploy.stderr
    assert json.loads(deploy.stdout.strip().splitlines()[-1])["status"] == "ok"
    stray = subprocess.run(
        ["git", "status", "--porcelain"], cwd=checkout, capture_output=True, text=True
    ).stdout
    assert stray == "", f"deploy left files behind:\n{stray}"

    # The egg carries the settings entry point and the sites file (package data).
    egg = next((home / "eggs" / "newsarchive").glob("*.egg"))
    with zipfile.ZipFile(egg) as z:
        assert "settings = newsarchive.settings" in z.read("EGG-INFO/entry_points.txt").decode()
        assert "newsarchive/portals/sites.toml" in z.namelist()
    spiders = _api(base, "listspiders.json?project=newsarchive")["spiders"]
    assert {"haian", "lechan", SITE} <= set(spiders)  # sites from the sites file in the egg

    data = tmp_path / "archive"
    job = _api(
        base,
        "schedule.json",
        [
            ("project", "newsarchive"),
            ("spider", SITE),
            ("setting", f"NEWSARCHIVE_DATA={data}"),
            ("setting", f"NEWSARCHIVE_HOST_MAP=*.haiphong.gov.vn=127.0.0.1:{replica.port}"),
            ("setting", "NEWSARCHIVE_FAST=1"),
            ("setting", "NEWSARCHIVE_CONTACT=mailto:archive@example.org"),
        ],
    )
    assert job["status"] == "ok", job
    deadline = time.monotonic() + 240
    while True:
        jobs = _api(base, "listjobs.json?project=newsarchive")
        if any(j["id"] == job["jobid"] for j in jobs["finished"]):
            break
        assert time.monotonic() < deadline, f"the job did not finish: {jobs}"
        time.sleep(1)

    log = next((home / "logs" / "newsarchive" / SITE).glob("*.log")).read_text()
    expected = {t["url"] for t in truth(replica.base, HOST) if t["status"] == "active"}
    assert (data / "index.db").exists(), log[-3000:]
    with sqlite3.connect(data / "index.db") as conn:
        archived = {u for (u,) in conn.execute("SELECT url FROM articles WHERE site = ?", (SITE,))}
        site_row = conn.execute("SELECT base_url FROM sites WHERE name = ?", (SITE,)).fetchone()
        (recorded,) = conn.execute("SELECT settings FROM crawls").fetchone()
    assert archived == expected, log[-3000:]
    assert site_row == (get_site(SITE).start_urls[0],)
    assert list((data / "warc").glob("*.warc.gz"))


def test_fast_switch_applies_the_replica_settings_below_explicit_ones():
    from scrapy.settings import Settings

    settings = Settings({"DOWNLOAD_DELAY": 1.0, "AUTOTHROTTLE_ENABLED": True}, priority="project")
    settings.set("NEWSARCHIVE_FAST", "1", priority="cmdline")
    settings.set("CONCURRENT_REQUESTS_PER_DOMAIN", 3, priority="cmdline")
    DerivedSettings().update_settings(settings)
    assert settings.getfloat("DOWNLOAD_DELAY") == 0
    assert settings.getbool("AUTOTHROTTLE_ENABLED") is False
    assert settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN") == 3  # given explicitly: kept


def test_fast_switch_is_off_by_default():
    from scrapy.utils.project import get_project_settings

    settings = get_project_settings()
    DerivedSettings().update_settings(settings)
    assert settings.getfloat("DOWNLOAD_DELAY") >= 1.0
    assert "newsarchive.crawl.settingsaddon.DerivedSettings" in settings.getdict("ADDONS")


def test_scrapy_cfg_has_a_deploy_url():
    import configparser

    cfg = configparser.ConfigParser()
    cfg.read(ROOT / "scrapy.cfg")
    assert cfg["deploy"]["url"].startswith("http")
    assert shutil.which("git"), "git is needed to clone the checkout"


def test_contact_setting_goes_into_the_user_agent():
    from scrapy.utils.project import get_project_settings

    settings = get_project_settings()
    settings.set("NEWSARCHIVE_CONTACT", "mailto:archive@example.org", priority="cmdline")
    DerivedSettings().update_settings(settings)
    assert "(+mailto:archive@example.org;" in settings.get("USER_AGENT")
    settings.set("USER_AGENT", "mine", priority="cmdline")
    DerivedSettings().update_settings(settings)
    assert settings.get("USER_AGENT") == "mine"
