"""Text normalisation shared by every field: NFC, collapsed whitespace, no invisible junk."""

from __future__ import annotations

import re
import unicodedata

# Zero-width characters that editors paste into Vietnamese text; they are not whitespace to
# str.split() yet must not survive into the archive (they break exact matching and search).
_INVISIBLE_CHARS = "\u200b\ufeff\u2060\u00ad"
_INVISIBLE = dict.fromkeys(map(ord, _INVISIBLE_CHARS), None)
_SPACE_RUN = re.compile(r"\s+")


def nfc(text: str) -> str:
    """NFC form; cheap when the text already is (the common case)."""
    return text if unicodedata.is_normalized("NFC", text) else unicodedata.normalize("NFC", text)


def clean_text(text: str | None) -> str:
    """NFC, invisible characters removed, every whitespace run (incl. &nbsp;) -> one space."""
    if not text:
        return ""
    text = nfc(text)
    if any(c in text for c in _INVISIBLE_CHARS):  # rare: skip the per-character translate
        text = text.translate(_INVISIBLE)
    return _SPACE_RUN.sub(" ", text).strip()


def element_text(el) -> str:
    """Collapsed text of an lxml element, including descendants' text."""
    # itertext() walks in C; text_content() would also do but builds an XPath string.
    return clean_text("".join(el.itertext()))
