"""Search snippets: a short window of an article's written text around the query's words,
each hit marked. Computed in Python for the final page of results only: FTS5's snippet()
re-runs the whole MATCH, which on a large archive costs more than the ranking itself."""

from __future__ import annotations

import re
import unicodedata

from archive.fold import fold

_WORD = re.compile(r"\w+", re.UNICODE)
_QUERY_WORD = re.compile(r"\w+\*?", re.UNICODE)
_OPERATORS = {"AND", "OR", "NOT"}


class Term:
    """One query word: accented words match the written text, plain ones the folded text."""

    def __init__(self, word: str):
        self.prefix = word.endswith("*")
        word = unicodedata.normalize("NFC", word.rstrip("*"))
        self.accented = fold(word) != word.lower()
        self.key = word.lower() if self.accented else fold(word)

    def matches(self, token: str) -> bool:
        candidate = token.lower() if self.accented else fold(token)
        return candidate.startswith(self.key) if self.prefix else candidate == self.key


def query_terms(query: str) -> list[Term]:
    words = [w for w in _QUERY_WORD.findall(query) if w not in _OPERATORS]
    return [Term(w) for w in words if w.rstrip("*")]


def make_snippet(
    texts: list[str | None],
    query: str,
    marks: tuple[str, str] = ("[", "]"),
    width: int = 24,
) -> str:
    """The `width`-word window with the most distinct query words, from the first text
    column that has any (in the order given), hits wrapped in `marks`."""
    terms = query_terms(query)
    best: tuple[int, str, list[re.Match[str]], int] | None = None
    for text in texts:
        if not text:
            continue
        tokens = list(_WORD.finditer(text))
        hits = [i for i, t in enumerate(tokens) if any(term.matches(t.group()) for term in terms)]
        if not hits:
            continue
        distinct = len({i for i in hits})
        if best is None or distinct > best[0]:
            best = (distinct, text, tokens, hits[0])
    if best is None:
        first = next((t for t in texts if t), "")
        tokens = list(_WORD.finditer(first))
        return _window(first, tokens, 0, width, terms, marks)
    _, text, tokens, first_hit = best
    start = max(0, first_hit - width // 3)
    return _window(text, tokens, start, width, terms, marks)


def _window(
    text: str,
    tokens: list[re.Match[str]],
    start: int,
    width: int,
    terms: list[Term],
    marks: tuple[str, str],
) -> str:
    if not tokens:
        return text[:200]
    chosen = tokens[start : start + width]
    begin, end = chosen[0].start(), chosen[-1].end()
    out: list[str] = []
    pos = begin
    for token in chosen:
        out.append(text[pos : token.start()])
        word = token.group()
        out.append(f"{marks[0]}{word}{marks[1]}" if any(t.matches(word) for t in terms) else word)
        pos = token.end()
    snippet = " ".join("".join(out).split())
    return ("…" if begin > 0 else "") + snippet + ("…" if end < len(text.rstrip()) else "")
