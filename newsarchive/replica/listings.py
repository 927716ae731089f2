"""Listing pagination of the three generations, and the ASP.NET viewstate of generation A."""

from __future__ import annotations

import base64
import hashlib
import hmac
import struct

from newsarchive.replica.render_common import Link

PER_PAGE = {"C": 10, "B": 15, "A": 20}
A_PAGER_TARGET = "ctl00$MainContent$pager"


def page_count(items: int, generation: str) -> int:
    return max(1, -(-items // PER_PAGE[generation]))


def page_slice(items: list, page: int, generation: str) -> list:
    per = PER_PAGE[generation]
    return items[(page - 1) * per : page * per]


def _window(page: int, pages: int, width: int = 5) -> range:
    start = max(1, min(page - width // 2, pages - width + 1))
    return range(start, min(pages, start + width - 1) + 1)


def c_pager(base: str, page: int, pages: int) -> list[Link]:
    def href(n: int) -> str:
        return base if n == 1 else f"{base}?page={n}"

    links = [Link("«", href(1)), Link("Trang trước", href(page - 1))] if page > 1 else []
    links += [Link(str(n), href(n)) for n in _window(page, pages) if n != page]
    if page < pages:
        links += [Link("Trang sau", href(page + 1)), Link("»", href(pages))]
    return links


def b_pager(base: str, page: int, pages: int) -> list[Link]:
    def href(n: int) -> str:
        return base if n == 1 else f"{base}/trang-{n}"

    links = [Link("Trước", href(page - 1))] if page > 1 else []
    links += [Link(str(n), href(n)) for n in _window(page, pages) if n != page]
    if page < pages:
        links += [Link("Sau", href(page + 1)), Link("»", href(pages))]
    return links


def a_pager(page: int, pages: int) -> list[Link]:
    """Generation A: `href` carries the __EVENTARGUMENT of the postback ("Page$N")."""
    start = ((page - 1) // 10) * 10 + 1
    links = [Link("<", f"Page${page - 1}")] if page > 1 else []
    links += [
        Link(str(n), f"Page${n}") for n in range(start, min(pages, start + 9) + 1) if n != page
    ]
    if page < pages:
        links.append(Link(">", f"Page${page + 1}"))
    return links


def issue_viewstate(secret: bytes, category_id: int, page: int) -> str:
    payload = struct.pack(">HI", category_id, page)
    mac = hmac.new(secret, payload, hashlib.sha1).digest()
    return base64.b64encode(b"\xff\x01" + payload + mac).decode()


def check_viewstate(secret: bytes, category_id: int, token: str) -> bool:
    """True when `token` is a viewstate this server issued for `category_id`."""
    try:
        raw = base64.b64decode(token, validate=True)
    except (ValueError, TypeError):
        return False
    if len(raw) != 2 + 6 + 20 or raw[:2] != b"\xff\x01":
        return False
    payload, mac = raw[2:8], raw[8:]
    cat, _page = struct.unpack(">HI", payload)
    expected = hmac.new(secret, payload, hashlib.sha1).digest()
    return cat == category_id and hmac.compare_digest(mac, expected)


def parse_page_argument(argument: str) -> int | None:
    if not argument.startswith("Page$"):
        return None
    try:
        return int(argument[5:])
    except ValueError:
        return None
