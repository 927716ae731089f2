"""ReplayWeb.page opens our WACZ: its npm package's built files (index.html, ui.js, sw.js)
and the .wacz served from loopback with Range requests (scripts/serve-replaywebpage.py),
opened in Debian's Chromium. The pages list shows the articles, and the seed article
replays with its title and its images.

Installed by scripts/install-replaywebpage.sh (npm registry; npm from Debian) and
scripts/install-browser.sh (Debian), both run by `make test`.
"""

from __future__ import annotations

import subprocess
import sys
from urllib.parse import quote

import pytest

from tests.replaysupport import ROOT, TOOLS_VENV, chromium, stop, tool

INSTALL = "bash scripts/install-replaywebpage.sh"

# Text of the open shadow roots, recursively: ReplayWeb.page's UI is web components.
SHADOW_TEXT = """
function text(root) {
  let out = '';
  for (const n of root.querySelectorAll('*')) {
    if (n.shadowRoot) out += ' ' + n.shadowRoot.textContent + text(n.shadowRoot);
  }
  return out;
}
return text(document);
"""

# The replayed page: the same-origin iframe (served by the service worker) holding an <h1>.
REPLAYED = """
function find(root) {
  for (const n of root.querySelectorAll('*')) {
    if (n.shadowRoot) { const f = find(n.shadowRoot); if (f) return f; }
    if (n.tagName === 'IFRAME') {
      let doc = null;
      try { doc = n.contentDocument; } catch (e) {}
      if (doc && doc.querySelector('h1')) return doc;
    }
  }
  return null;
}
const doc = find(document);
if (!doc) return null;
return {
  title: doc.title,
  h1: doc.querySelector('h1').textContent,
  images: Array.from(doc.images).map(i => [i.src, i.complete, i.naturalWidth]),
};
"""


@pytest.fixture(scope="module")
def replay_url(small_crawl, tmp_path_factory):
    """ReplayWeb.page and the crawl's WACZ on 127.0.0.1; yields the app's URL."""
    ui = tool(TOOLS_VENV / "replaywebpage" / "sw.js", INSTALL).parent
    wacz = tmp_path_factory.mktemp("rwp") / "haian.wacz"
    run = subprocess.run(
        [sys.executable, "-m", "newsarchive", "wacz", "--out", str(wacz),
         "--data", str(small_crawl.data)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "scripts" / "serve-replaywebpage.py"), str(wacz),
         "--port", "0", "--ui", str(ui)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        line = proc.stdout.readline().strip() if proc.stdout else ""
        assert line.startswith("http://127.0.0.1:"), line
        yield line
    finally:
        stop(proc)


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    driver = chromium(tmp_path_factory.mktemp("chromium-profile"))
    try:
        yield driver
    finally:
        driver.quit()


def wait_js(browser, script: str, done, timeout: float = 60):
    from selenium.webdriver.support.ui import WebDriverWait

    last = {}

    def check(driver):
        last["value"] = driver.execute_script(script)
        return done(last["value"])

    try:
        WebDriverWait(browser, timeout, poll_frequency=0.5).until(check)
    except Exception as exc:  # TimeoutException: show what the page had instead
        raise AssertionError(f"ReplayWeb.page never got there; last saw: {last.get('value')!r}"
                             f"\nbrowser log: {browser.get_log('browser')[-5:]}") from exc  # fmt: skip
    return last["value"]


def test_pages_list_shows_the_articles(browser, replay_url, small_crawl):
    browser.get(replay_url + "#view=pages")
    text = wait_js(browser, SHADOW_TEXT, lambda t: small_crawl.seed_title in (t or ""))
    assert f"{len(small_crawl.titles)} pages" in " ".join(text.split())
    missing = [t for t in small_crawl.titles if t not in text]
    assert not missing, missing


def test_seed_article_replays_with_title_and_images(browser, replay_url, small_crawl):
    browser.get(replay_url + "#view=replay&url=" + quote(small_crawl.seed_url, safe=":/"))
    page = wait_js(
        browser,
        REPLAYED,
        lambda p: bool(p and p["images"] and all(done for _, done, _ in p["images"])),
    )
    assert small_crawl.seed_title in page["title"]
    assert " ".join(page["h1"].split()) == small_crawl.seed_title
    # wombat shows the original URLs; the bytes came from the WACZ (decoded: width > 0).
    assert [src for src, _, _ in page["images"]] == list(small_crawl.seed_images)
    assert all(width > 0 for _, _, width in page["images"])
