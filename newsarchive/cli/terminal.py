"""Crawled text on a terminal: control characters shown, never obeyed."""

from __future__ import annotations

import json
import re
from typing import Any

# C0 and C1 controls and DEL, except newline and tab: ESC starts terminal commands (colours,
# window titles, OSC 52 clipboard writes), BEL rings, CR/BS overwrite what was printed.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def safe(text: object) -> str:
    """`text` with every control character written as a visible escape (`\\x1b`)."""
    value = "" if text is None else str(text)
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", value)


# json.dumps escapes C0 controls but passes DEL and the C1 range (CSI is U+009B) through.
_JSON_UNESCAPED_CONTROL = re.compile(r"[\x7f-\x9f]")


def json_text(value: Any, **dumps_options: Any) -> str:
    """`value` as JSON (Unicode kept) with every control character escaped as `\\uXXXX`.

    Inside JSON these characters can only occur in strings, so the escape keeps it valid."""
    text = json.dumps(value, ensure_ascii=False, **dumps_options)
    return _JSON_UNESCAPED_CONTROL.sub(lambda m: f"\\u{ord(m.group()):04x}", text)
