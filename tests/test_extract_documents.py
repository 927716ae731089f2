"""Attachments behind any path with a document extension: the last segment, a segment in
the middle (Liferay `/documents/<g>/<f>/<name>.pdf/<uuid>`), or a query value
(`DownloadFile.aspx?file=...pdf`); never a page or an image."""

from __future__ import annotations

import pytest

from newsarchive.extract.links import is_document_url


@pytest.mark.parametrize(
    "url",
    [
        "https://cdn.haiphong.gov.vn/gov-hpg/6804/tintuc/2025/7/qd-so-12638871741697189500.pdf",
        "https://x.gov.vn/Uploads/files/K%E1%BA%BF%20ho%E1%BA%A1ch%20125.DOCX",
        "https://tinh.gov.vn/documents/10180/25510/bao-cao.pdf/8f6e2b1c-5d4a",
        "https://tinh.gov.vn/documents/20182/4471/danh-sach.xlsx/b2c3d4e5?version=1.0",
        "https://anlao.gov.vn/DownloadFile.aspx?file=/Uploads/VanBan/CV-15.pdf",
        "https://anlao.gov.vn/download.ashx?id=12&name=bieu%20mau.doc",
    ],
)
def test_document_urls(url: str) -> None:
    assert is_document_url(url)


@pytest.mark.parametrize(
    "url",
    [
        "https://x.gov.vn/tin-tuc/hoi-nghi-tong-ket-2022.html",
        "https://x.gov.vn/Portal/PrintItem.aspx?ContentID=135634",
        "https://x.gov.vn/upload/anh-hoi-nghi.jpg?maxwidth=1000",
        "https://x.gov.vn/pdf-viewer/tin-moi-123456",
        "https://x.gov.vn/?pageid=27218&p_steering=126716",
    ],
)
def test_not_documents(url: str) -> None:
    assert not is_document_url(url)
