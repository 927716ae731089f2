"""pywb, the archivists' replay server, opens our WARCs as they are: `wb-manager add` into a
new collection, `wayback` on loopback, and the seed article replays through `mp_/` with its
text and its JPEG images (not the article JSON the metadata record holds).

pywb comes from PyPI into its own venv (scripts/install-pywb.sh, run by `make test`).
"""

from __future__ import annotations

import subprocess
import urllib.request

import pytest
from lxml import html as lxml_html

from tests.replaysupport import TOOLS_VENV, free_port, stop, tool, wait_for

INSTALL = "bash scripts/install-pywb.sh"


@pytest.fixture(scope="module")
def pywb(small_crawl, tmp_path_factory):
    """A pywb collection holding the crawl's WARCs, served on 127.0.0.1; yields its base URL."""
    wb_manager = tool(TOOLS_VENV / "bin" / "wb-manager", INSTALL)
    wayback = tool(TOOLS_VENV / "bin" / "wayback", INSTALL)
    root = tmp_path_factory.mktemp("pywb")
    warcs = sorted(str(p) for p in (small_crawl.data / "warc").glob("*.warc.gz"))
    for args in (["init", "news"], ["add", "news", *warcs]):
        run = subprocess.run(
            [str(wb_manager), *args], cwd=root, capture_output=True, text=True, timeout=120
        )
        assert run.returncode == 0, run.stdout + run.stderr
    port = free_port()
    proc = subprocess.Popen(
        [str(wayback), "--port", str(port), "--bind", "127.0.0.1"],
        cwd=root,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}/news"
    try:
        wait_for(f"http://127.0.0.1:{port}/", proc, "pywb's wayback")
        yield base
    finally:
        stop(proc)


def get(url: str) -> tuple[str, bytes]:
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.headers.get("Content-Type", ""), response.read()


def test_seed_article_replays_as_the_page(pywb, small_crawl):
    mime, body = get(f"{pywb}/mp_/{small_crawl.seed_url}")
    assert mime.startswith("text/html"), mime
    text = " ".join(lxml_html.fromstring(body).text_content().split())
    assert small_crawl.seed_title in text
    assert " ".join(small_crawl.seed_paragraph.split()) in text


def test_seed_image_replays_as_jpeg(pywb, small_crawl):
    mime, body = get(f"{pywb}/mp_/{small_crawl.seed_images[0]}")
    assert mime == "image/jpeg"
    assert body.startswith(b"\xff\xd8\xff")
