"""Stage 1: bytes -> str. BOM, then a valid UTF-8 decode, then declared charsets."""

from __future__ import annotations

import codecs
import re

from newsarchive.extract.text import nfc

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE: it starts with the same bytes
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# <meta charset="x"> or <meta http-equiv="Content-Type" content="text/html; charset=x">,
# looked for in the first 4 KiB only, as browsers do (they prescan 1024 bytes; be lenient).
_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)


def _codec(name: str | None) -> str | None:
    if not name:
        return None
    try:
        return codecs.lookup(name.strip().strip("\"'")).name
    except LookupError:
        return None


def declared_meta_charset(data: bytes) -> str | None:
    m = _META_CHARSET.search(data[:4096])
    return m.group(1).decode("ascii", "replace") if m else None


def decode_html(data: bytes, http_charset: str | None = None) -> tuple[str, list[str]]:
    """Decode page bytes to NFC text; returns (text, warnings). Never raises.

    Order: BOM; a strict UTF-8 decode (servers here send UTF-8 labelled iso-8859-1, and
    valid UTF-8 is almost never accidental); the HTTP charset; the meta charset; UTF-8 with
    replacement characters as the last resort.
    """
    warnings: list[str] = []
    for bom, enc in _BOMS:
        if data.startswith(bom):
            return nfc(data[len(bom) :].decode(enc, "replace")), warnings

    header = _codec(http_charset)
    meta_raw = declared_meta_charset(data)
    meta = _codec(meta_raw)
    utf8 = _try_utf8(data)
    if utf8 is not None:
        text, truncated = utf8
        if truncated:
            warnings.append("body ends inside a UTF-8 sequence (truncated?)")
        for label, enc in (("HTTP", header), ("meta", meta)):
            if enc and enc not in ("utf-8", "ascii") and not data.isascii():
                warnings.append(f"{label} charset {enc} ignored: body is valid UTF-8")
        return nfc(text), warnings

    for label, enc in (("HTTP", header), ("meta", meta)):
        if enc and enc != "utf-8":
            try:
                return nfc(data.decode(enc)), warnings
            except (UnicodeDecodeError, LookupError):
                warnings.append(f"{label} charset {enc} does not decode the body")
    warnings.append("body is not valid UTF-8: undecodable bytes replaced")
    return nfc(data.decode("utf-8", "replace")), warnings


def _try_utf8(data: bytes) -> tuple[str, bool] | None:
    """(text, truncated) if data is UTF-8, allowing one cut sequence at the very end."""
    try:
        return data.decode("utf-8"), False
    except UnicodeDecodeError as exc:
        if exc.reason == "unexpected end of data" and exc.start >= len(data) - 3:
            try:
                return data[: exc.start].decode("utf-8"), True
            except UnicodeDecodeError:
                return None
        return None
