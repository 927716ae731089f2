"""Fold Vietnamese text to plain lower-case ASCII letters for accent-insensitive search."""

from __future__ import annotations

import unicodedata

# đ/Đ are letters in their own right, not d + a combining mark, so NFD leaves them alone
# (and SQLite's remove_diacritics never folds them either).
_EXTRA = str.maketrans({"đ": "d", "Đ": "D", "ð": "d", "Ð": "D"})


def fold(text: str) -> str:
    """`Đảng bộ quận Hải An` -> `dang bo quan hai an`.

    Lower case, NFD, drop combining marks, đ->d, NFC. Lower-casing first keeps it idempotent:
    some capitals lower to a letter plus a combining mark (İ -> i + U+0307).
    """
    decomposed = unicodedata.normalize("NFD", text.lower())
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return unicodedata.normalize("NFC", stripped.translate(_EXTRA))
