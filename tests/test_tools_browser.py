"""A person's view of `newsarchive serve`: headless Debian Chromium driven by Selenium types
an unaccented word into the articles search box and sees the accented article.

Chromium comes from Debian's packages (scripts/install-browser.sh); nothing is downloaded.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

from tests.toolsupport import SEED_TITLE, build_archive, free_port, start_serve, stop

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")


@pytest.fixture
def browser(monkeypatch):
    # A missing browser is a failure that says what to run, never a silent skip.
    if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        pytest.fail(
            "Chromium is not installed: run scripts/install-browser.sh as root "
            "(apt-get install -y chromium chromium-driver fonts-dejavu-core)"
        )
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    # Selenium Manager must never try to fetch a browser or driver.
    monkeypatch.setenv("SE_OFFLINE", "true")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    profile = tempfile.mkdtemp(prefix="newsarchive-chromium-")
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
    driver.set_page_load_timeout(30)
    try:
        yield driver
    finally:
        driver.quit()


def test_unaccented_search_in_the_browser(browser, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    build_archive(tmp_path)
    port = free_port()
    proc = start_serve(tmp_path, port)
    try:
        browser.get(f"http://127.0.0.1:{port}/index/articles")
        box = browser.find_element(By.NAME, "_search")
        box.clear()
        box.send_keys("dang bo hai an", Keys.ENTER)
        WebDriverWait(browser, 15).until(ec.url_contains("q=dang"))  # the ranked search
        WebDriverWait(browser, 15).until(
            ec.text_to_be_present_in_element((By.TAG_NAME, "body"), SEED_TITLE)
        )
        body = browser.find_element(By.TAG_NAME, "body").text
        assert SEED_TITLE in body
        assert "1 row" in body  # only the seed article matches
        if os.environ.get("NEWSARCHIVE_SCREENSHOT"):
            browser.save_screenshot(os.environ["NEWSARCHIVE_SCREENSHOT"])
    finally:
        stop(proc)


def test_screenshot_of_the_articles_table(browser, tmp_path):
    """What an archivist sees first: at least 10 article titles on the first screen, and
    the table's search box putting the seed article first for `dang bo hai an`."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    from tests.test_tools_search_shared import _distract

    build_archive(tmp_path)
    _distract(tmp_path, 40)
    port = free_port()
    proc = start_serve(tmp_path, port)
    shots = Path(os.environ.get("NEWSARCHIVE_SCREENSHOT_DIR", tmp_path))
    try:
        browser.get(f"http://127.0.0.1:{port}/index/articles")
        WebDriverWait(browser, 15).until(
            ec.presence_of_element_located((By.CSS_SELECTOR, "td.col-title"))
        )
        browser.save_screenshot(str(shots / "datasette-articles.png"))
        height = browser.execute_script("return window.innerHeight")
        visible = [
            cell.text
            for cell in browser.find_elements(By.CSS_SELECTOR, "td.col-title")
            if cell.text.strip() and cell.rect["y"] + cell.rect["height"] <= height
        ]
        assert len(visible) >= 10, f"only {len(visible)} titles on the first screen"

        box = browser.find_element(By.NAME, "_search")
        box.clear()
        box.send_keys("dang bo hai an", Keys.ENTER)
        WebDriverWait(browser, 15).until(ec.url_contains("q=dang"))
        WebDriverWait(browser, 15).until(
            ec.presence_of_element_located((By.CSS_SELECTOR, "td.col-title"))
        )
        browser.save_screenshot(str(shots / "datasette-search.png"))
        first = browser.find_elements(By.CSS_SELECTOR, "td.col-title")[0].text
        assert first == SEED_TITLE
    finally:
        stop(proc)
