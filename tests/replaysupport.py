"""One small crawl of the replica, shared by the real-client replay tests (pywb,
ReplayWeb.page): the WARCs, the index and the seed article's ground truth."""

from __future__ import annotations

import shutil
import socket
import sqlite3
import subprocess
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from tests.crawlsupport import run_crawl

ROOT = Path(__file__).resolve().parent.parent
TOOLS_VENV = ROOT / ".venv-tools"
ARTICLES = 12  # one listing site, a few pages: enough for a pages list, quick to crawl


@dataclass(frozen=True)
class SmallCrawl:
    data: Path
    seed_url: str
    seed_title: str
    seed_paragraph: str  # one body paragraph, as the portal shows it
    seed_images: tuple[str, ...]
    titles: tuple[str, ...]  # every archived article's title


def crawl_small(replica_factory, root: Path) -> SmallCrawl:
    replica = replica_factory(articles=ARTICLES)
    corpus = replica.corpus
    seed = corpus.seed_article()
    truth = corpus.truth(seed)
    data = root / "data"
    result = run_crawl(replica.port, data, "haian")
    assert result.returncode == 0, result.stdout + result.stderr
    with sqlite3.connect(data / "index.db") as conn:
        titles = tuple(t for (t,) in conn.execute("SELECT title FROM articles ORDER BY id"))
    return SmallCrawl(
        data=data,
        seed_url=corpus.url(seed),
        seed_title=truth["title"],
        seed_paragraph=truth["body"].split("\n\n")[0],
        seed_images=tuple(i["url"] for i in truth["images"]),
        titles=titles,
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(url: str, proc: subprocess.Popen, what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            out = proc.stdout.read().decode("utf-8", "replace") if proc.stdout else ""
            raise RuntimeError(f"{what} exited with {proc.returncode}: {out[-2000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{what} did not answer at {url} within {timeout:.0f} s")


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def tool(path: Path, install: str) -> Path:
    """A tool the project installs; fail (never skip) with the command that installs it."""
    if not path.exists():
        raise AssertionError(f"{path} is missing: run `{install}` (make test does)")
    return path


def which(name: str, install: str) -> str:
    found = shutil.which(name)
    if not found:
        raise AssertionError(f"{name} is not installed: run `{install}` (make test does)")
    return found


CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")


def chromium(profile: Path):
    """Headless Debian Chromium under Selenium (never Selenium Manager's downloads)."""
    import os

    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    install = "bash scripts/install-browser.sh"
    tool(CHROMIUM, install)
    tool(CHROMEDRIVER, install)
    os.environ["SE_OFFLINE"] = "true"
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for arg in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--window-size=1280,900",
        f"--user-data-dir={profile}",
    ):
        options.add_argument(arg)
    driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(60)
    return driver
