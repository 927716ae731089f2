"""A small real archive for the archivist/researcher tool tests (search, export, serve,
stats, wacz): WARC response records for pages, images and attachments written with
archive.warc.WarcWriter, then indexed with archive.index.Index, as the crawler does."""

from __future__ import annotations

import hashlib
import json
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from archive.index import Index
from archive.layout import DataDir
from archive.warc import WarcWriter

CONTACT = "mailto:archive@example.org"
# What the crawl session records of its settings (newsarchive/crawl/archiving.py).
CRAWL_SETTINGS = [
    {
        "USER_AGENT": f"newsarchive/0.1.0 (+{CONTACT}; web archive of public news)",
        "ROBOTSTXT_OBEY": True,
        "DOWNLOAD_DELAY": 1.0,
    },
    {
        "USER_AGENT": f"newsarchive/0.1.0 (+{CONTACT}; web archive of public news)",
        "ROBOTSTXT_OBEY": True,
        "DOWNLOAD_DELAY": 2.0,
    },
]
SITE_TITLES = {
    "haian": "Cổng thông tin điện tử quận Hải An",
    "lechan": "Cổng thông tin điện tử quận Lê Chân",
}
SEED_TITLE = "Thường trực Thành ủy làm việc với Ban Chấp hành Đảng bộ quận Hải An"
SEED_URL = "https://haian.haiphong.gov.vn/tin-tuc/thuong-truc-thanh-uy-lam-viec-voi-dang-bo-quan-hai-an-1234.html"
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00"
    b"\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff\x89\x99"
    b"=\x1d\x00\x00\x00\x00IEND\xaeB`\x82"
)
# Attachment names a hostile or careless portal could send: none may escape --with-files DIR.
EVIL_NAMES = [
    "../../../../tmp/escape.pdf",
    "/etc/passwd",
    "..",
    "CON.pdf",
    "a/b\\c:d*e?.pdf",
    "Báo cáo tổng kết năm 2023.docx",
    "x" * 400 + ".pdf",
    "\x00nul\x1fctl.pdf",
]


@dataclass
class ArticleSpec:
    site: str
    url: str
    title: str
    published: str | None
    lead: str
    body: str
    tags: list[str] = field(default_factory=list)
    images: list[tuple[str, str | None]] = field(default_factory=list)  # (url, caption)
    attachments: list[tuple[str, str]] = field(default_factory=list)  # (url, name)
    gone: bool = False


def articles() -> list[ArticleSpec]:
    seed = ArticleSpec(
        site="haian",
        url=SEED_URL,
        title=SEED_TITLE,
        published="2023-03-09T07:05:00+07:00",
        lead="Sáng 9/3, đồng chí Thường trực Thành ủy làm việc với Ban Chấp hành Đảng bộ quận.",
        body="Đảng bộ quận Hải An đã hoàn thành tốt nhiệm vụ năm 2022.\n\n"
        'Hội nghị bàn về phương hướng, nhiệm vụ trọng tâm năm 2023; "đột phá", chuyển đổi số.',
        tags=["Đảng bộ", "Hải An"],
        images=[
            ("https://haian.haiphong.gov.vn/upload/hoi-nghi.png", "Quang cảnh hội nghị"),
            ("https://cdn.haiphong.gov.vn/img/dong-chi.png", "Đồng chí Bí thư phát biểu, chỉ đạo"),
        ],
        attachments=[
            (f"https://cdn.haiphong.gov.vn/files/{i}.bin", name)
            for i, name in enumerate(EVIL_NAMES)
        ],
    )
    others = [
        ArticleSpec(
            site="haian",
            url="https://haian.haiphong.gov.vn/tin-tuc/chuyen-doi-so-2.html",
            title="Quận Hải An đẩy mạnh chuyển đổi số",
            published="2023-04-20T10:00:00+07:00",
            lead="Chuyển đổi số là nhiệm vụ trọng tâm.",
            body="Người dân bán hàng trực tuyến ngày càng nhiều.",
            tags=["chuyển đổi số"],
        ),
        ArticleSpec(
            site="lechan",
            url="https://lechan.haiphong.gov.vn/tin-tuc/le-hoi-3.html",
            title="Lê Chân tổ chức lễ hội truyền thống",
            published="2023-03-15T08:30:00+07:00",
            lead="Lễ hội diễn ra trong ba ngày.",
            body="Nhân dân quận Lê Chân hào hứng tham gia lễ hội.",
            images=[("https://lechan.haiphong.gov.vn/anh/le-hoi.png", None)],
        ),
        ArticleSpec(
            site="lechan",
            url="https://lechan.haiphong.gov.vn/tin-tuc/bai-da-xoa-4.html",
            title="Thông báo lịch tiếp công dân",
            published=None,
            lead="Lịch tiếp công dân tháng 5.",
            body="Bài viết này đã bị gỡ khỏi cổng thông tin.",
            gone=True,
        ),
    ]
    return [seed, *others]


def page_html(spec: ArticleSpec) -> bytes:
    paras = "".join(f"<p>{p}</p>" for p in spec.body.split("\n\n"))
    links = "".join(f'<a href="{u}">{n}</a>' for u, n in spec.attachments)
    imgs = "".join(f'<img src="{u}" alt="{c or ""}">' for u, c in spec.images)
    html = (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{spec.title}</title></head>"
        f"<body><h1>{spec.title}</h1><p class='lead'>{spec.lead}</p>{paras}{imgs}{links}"
        "</body></html>"
    )
    return html.encode("utf-8")


def build_archive(root: Path) -> DataDir:
    """Write WARCs and the index under `root` (a data directory) and return it."""
    data = DataDir(root)
    when = datetime(2025, 11, 25, 3, 40, tzinfo=timezone.utc)
    specs = articles()
    with WarcWriter(data.warc_dir, fsync=False) as warc, Index(data.index_path) as index:
        for site in sorted({s.site for s in specs}):
            index.upsert_site(
                site, f"https://{site}.haiphong.gov.vn/", "haiphong-c", SITE_TITLES[site]
            )
        crawl = index.start_crawl(sorted({s.site for s in specs}), CRAWL_SETTINGS[0])
        for spec in specs:
            _store_article(warc, index, crawl, spec, when)
        index.finish_crawl(crawl, {"pages": 20, "articles_new": len(specs), "errors": 1})
        # A second crawl: one article has gone from the portal.
        crawl2 = index.start_crawl(["lechan"], CRAWL_SETTINGS[1])
        for spec in specs:
            if spec.gone:
                index.mark_gone(spec.url, datetime(2025, 12, 1, tzinfo=timezone.utc), 404)
        index.finish_crawl(crawl2, {"pages": 3, "articles_unchanged": 1, "articles_gone": 1})
    return data


def _exchange(warc: WarcWriter, url: str, payload: bytes, mime: str, when: datetime):
    return warc.write_exchange(
        url,
        request_headers=[("User-Agent", "newsarchive-test")],
        status=200,
        reason="OK",
        response_headers=[("Content-Type", mime)],
        payload=payload,
        ip="127.0.0.1",
        date=when,
    )


def _store_article(warc, index: Index, crawl: int, spec: ArticleSpec, when: datetime) -> None:
    ex = _exchange(warc, spec.url, page_html(spec), "text/html; charset=utf-8", when)
    capture = index.add_capture(
        crawl, spec.url, fetched_at=when, http_status=200, kind="page", ref=ex.response
    )
    index.record_article(
        crawl,
        spec.site,
        spec.url,
        spec.url,
        {
            "title": spec.title,
            "published": spec.published,
            "lead": spec.lead,
            "body": spec.body,
            "tags": spec.tags,
            "images": [{"url": u, "caption": c} for u, c in spec.images],
            "attachments": [{"url": u, "name": n} for u, n in spec.attachments],
        },
        when,
        capture,
    )
    files = [("image", u, None, PNG, "image/png") for u, _ in spec.images] + [
        ("attachment", u, n, f"file {i}: {n}".encode(), "application/pdf")
        for i, (u, n) in enumerate(spec.attachments)
    ]
    for kind, url, name, body, mime in files:
        fx = _exchange(warc, url, body, mime, when)
        index.add_capture(crawl, url, fetched_at=when, http_status=200, kind=kind, ref=fx.response)
        index.record_file(
            spec.url,
            kind,
            url,
            name=name,
            mime_type=mime,
            size=len(body),
            sha256=hashlib.sha256(body).hexdigest(),
            ref=fx.response,
        )


# -- running a server in a subprocess -------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_serve(data: Path, port: int) -> subprocess.Popen:
    """`newsarchive serve` in a subprocess, returned once it answers on 127.0.0.1:port."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "newsarchive", "serve", "--data", str(data), "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            out = proc.stdout.read().decode("utf-8", "replace") if proc.stdout else ""
            raise RuntimeError(f"serve exited with {proc.returncode}: {out}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/-/versions.json", timeout=2):
                return proc
        except OSError:
            time.sleep(0.1)
    stop(proc)
    raise RuntimeError("serve did not answer within 30 s")


def stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def get_json(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.loads(response.read().decode("utf-8"))
