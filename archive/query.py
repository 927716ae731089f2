"""Turn a user's search query into an FTS5 MATCH expression over both text forms.

A word or phrase with Vietnamese accents is matched only against the text as written, so
`bàn` never finds `bán`; one typed without accents is matched against every column,
including the folded copies, so `dang bo hai an` finds "Đảng bộ quận Hải An".
Supported syntax: words, "phrases", prefix* and "phrase"*, AND / OR / NOT, parentheses.
Every term is re-quoted, so punctuation in it can never become FTS5 syntax.
"""

from __future__ import annotations

import re
import unicodedata

from archive.fold import fold
from archive.migrations import TEXT_COLUMNS
from archive.records import ArchiveError


class SearchError(ArchiveError):
    """The search query cannot be understood; the message is one line for the user."""


_OPERATORS = {"AND", "OR", "NOT"}
_WRITTEN = "{" + " ".join(TEXT_COLUMNS) + "}"
_TOKEN = re.compile(r'"|\(|\)|[^\s"()]+')


def is_accented(text: str) -> bool:
    """True when folding would change more than letter case (accents, đ)."""
    return fold(text) != unicodedata.normalize("NFC", text).lower()


def to_match(query: str) -> str:
    """The FTS5 expression for `query`; raises SearchError on malformed input."""
    query = unicodedata.normalize("NFC", query)
    parts: list[str] = []
    prev_operand = False  # last item ends an operand: a following operand needs an AND
    depth = 0
    pos = 0
    while True:
        m = _TOKEN.search(query, pos)
        if m is None:
            break
        tok, pos = m.group(), m.end()
        if tok == '"':
            close = query.find('"', pos)
            if close == -1:
                raise SearchError(f"unbalanced quote in search query: {query}")
            text, pos = query[pos:close], close + 1
            prefix = query.startswith("*", pos)
            pos += prefix
            term = _term(text, prefix)
            if term is None:
                continue
            parts.extend(["AND", term] if prev_operand else [term])
            prev_operand = True
        elif tok == "(":
            parts.extend(["AND", "("] if prev_operand else ["("])
            depth += 1
            prev_operand = False
        elif tok == ")":
            depth -= 1
            if depth < 0:
                raise SearchError(f"unbalanced parenthesis in search query: {query}")
            parts.append(")")
            prev_operand = True
        elif tok in _OPERATORS:
            parts.append(tok)
            prev_operand = False
        else:
            prefix = tok.endswith("*")
            term = _term(tok.rstrip("*"), prefix)
            if term is None:
                continue
            parts.extend(["AND", term] if prev_operand else [term])
            prev_operand = True
    if depth:
        raise SearchError(f"unbalanced parenthesis in search query: {query}")
    if not parts:
        raise SearchError("empty search query")
    return " ".join(parts)


def title_near(query: str) -> str | None:
    """For a plain multi-word query, an FTS5 expression matching titles that hold all its
    words close together, so that `dang bo hai an` ranks "... Đảng bộ quận Hải An" first;
    None for queries with operators, quotes or fewer than three words."""
    words = unicodedata.normalize("NFC", query).split()
    # Two words: bm25's title weight already does this job, and the NEAR scan would cost
    # as much as the whole search on a large archive.
    if len(words) < 3 or any(w in _OPERATORS or not re.fullmatch(r"[\w.,-]+", w) for w in words):
        return None
    terms = " ".join('"' + fold(w).strip(".,-") + '"' for w in words if fold(w).strip(".,-"))
    return f"{{title_fold}} : NEAR({terms}, {len(words)})" if terms else None


def _term(text: str, prefix: bool) -> str | None:
    if not text.strip():
        return None
    quoted = '"' + text.replace('"', '""') + '"' + ("*" if prefix else "")
    # Accented: only the written columns. Plain: all columns, folded ones included.
    return f"{_WRITTEN} : {quoted}" if is_accented(text) else quoted


def reaccent(snippet: str, written: list[str | None], marks: tuple[str, str]) -> str:
    """Show a snippet taken from a folded column in the written text it came from.

    FTS5 picks the snippet's column itself; when it picks a folded copy, find the same span
    in a written column (fold keeps character positions for NFC text) and copy the marks.
    """
    start, end = marks
    plain = snippet.replace(start, "").replace(end, "")
    core = plain.strip("…")
    if not core:
        return snippet
    for text in written:
        if not text or core in text:
            if text and core in text:
                return snippet  # already the written form
            continue
        folded = fold(text)
        if len(folded) != len(text):
            continue
        at = folded.find(core)
        if at == -1:
            continue
        original = iter(text[at : at + len(core)])
        out, i = [], 0
        lead = len(plain) - len(plain.lstrip("…"))
        while i < len(snippet):
            if snippet.startswith(start, i):
                out.append(start)
                i += len(start)
            elif snippet.startswith(end, i):
                out.append(end)
                i += len(end)
            elif lead:
                out.append(snippet[i])
                lead -= 1
                i += 1
            else:
                out.append(next(original, snippet[i]))
                i += 1
        return "".join(out)
    return snippet
