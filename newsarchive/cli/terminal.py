"""Crawled text on a terminal: control characters shown, never obeyed."""

from __future__ import annotations

import re

# C0 and C1 controls and DEL, except newline and tab: ESC starts terminal commands (colours,
# window titles, OSC 52 clipboard writes), BEL rings, CR/BS overwrite what was printed.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def safe(text: object) -> str:
    """`text` with every control character written as a visible escape (`\\x1b`)."""
    value = "" if text is None else str(text)
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", value)
