"""Reading publication dates: Vietnamese day-first forms, profile formats, ISO meta values.

Fast path: regexes for the forms these portals print ("07:05 09/03/2023",
"Thứ Năm, 09/03/2023 - 07:05", "9 tháng 3 năm 2023", ...): they run on every page, and a
general date library costs ~1 ms a call and happily guesses (month-first, relative dates).
Library use, where it earns its keep:
- `dateutil.parser.isoparse` for meta tags: it accepts every ISO 8601 variant CMSes emit
  (Z, +07, +0700, fractions, basic format) that a hand regex would have to re-implement.
- `zoneinfo` (tz database) for Asia/Ho_Chi_Minh rather than a fixed +07:00, so pre-1975
  dates get their historical offsets.
- `dateparser` (lazily, only for a labelled date line the regexes cannot read) knows month
  names in Vietnamese and English (en.haiphong.gov.vn); it is told to accept absolute dates
  with day, month and year only, so it reads rather than guesses.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone, tzinfo
from functools import lru_cache

LOCAL_TZ_NAME = "Asia/Ho_Chi_Minh"
MIN_YEAR, MAX_YEAR = 1990, 2100

_TIME = (
    r"(?<![\d:])(?P<H>[01]?\d|2[0-3])\s*[:hH]\s*(?P<M>[0-5]\d)(?::(?P<S>[0-5]\d))?"
    r"(?:\s*(?P<ampm>AM|PM|SA|CH|sáng|chiều|tối)\b)?(?![\d:])"
)
_TIME_RE = re.compile(_TIME, re.I)
_MONTH_NAMES = (
    "january", "february", "march", "april", "may", "june", "july", "august", "september",
    "october", "november", "december",
)  # fmt: skip
_MONTHS = "|".join(
    [*_MONTH_NAMES, "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sept?", "oct", "nov", "dec"]
)
_DATE_RES = (
    # 09/03/2023, 9-3-2023, 09.03.2023 (day first: the only order used in Vietnam)
    re.compile(r"(?<![\d/.-])(?P<d>\d{1,2})\s?[/.-]\s?(?P<m>\d{1,2})\s?[/.-]\s?(?P<y>\d{4})(?!\d)"),
    # 9 tháng 3 năm 2023, 09 tháng 03, 2023
    re.compile(
        r"(?<!\d)(?P<d>\d{1,2})\s+tháng\s+(?P<m>\d{1,2})\s*(?:,|\s)\s*(?:năm\s+)?(?P<y>\d{4})(?!\d)",
        re.I,
    ),
    # 2023-03-09 (ISO order, seen in <time> text and data attributes)
    re.compile(r"(?<!\d)(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})(?!\d)"),
    # English pages (en.haiphong.gov.vn): "March 9, 2023", "9 March 2023", "Mar. 9, 2023"
    re.compile(
        r"\b(?P<m>" + _MONTHS + r")\.?\s+(?P<d>\d{1,2})(?:st|nd|rd|th)?,?\s+(?P<y>\d{4})(?!\d)",
        re.I,
    ),
    re.compile(
        r"(?<!\d)(?P<d>\d{1,2})(?:st|nd|rd|th)?\s+(?P<m>"
        + _MONTHS
        + r")\.?,?\s+(?P<y>\d{4})(?!\d)",
        re.I,
    ),
)
# What may stand between a date and the time that belongs to it.
_BETWEEN = r"[\s,|(\[\-–—]*(?:lúc|ngày|vào|at)?[\s,|(\[\-–—]*"
_TIME_AFTER = re.compile(_BETWEEN + _TIME, re.I)
_TIME_BEFORE = re.compile(_TIME + r"[\s,|)\]\-–—]*(?:ngày)?[\s,|)\]\-–—]*$", re.I)
_LABEL = re.compile(
    r"(ngày\s*(đăng|cập nhật|xuất bản)?|cập nhật|thời gian|đăng( lúc| ngày)?|posted|"
    r"published|updated|date)\s*:?",
    re.I,
)


# Where out-of-range dates are reported while one page is extracted (see collect_warnings):
# the parsers stay plain functions returning None, and the article still says why.
_WARNINGS: ContextVar[list[str] | None] = ContextVar("date_warnings", default=None)


@contextmanager
def collect_warnings() -> Iterator[list[str]]:
    """Collect the warnings the date parsers raise (out-of-range dates) in this context."""
    out: list[str] = []
    token = _WARNINGS.set(out)
    try:
        yield out
    finally:
        _WARNINGS.reset(token)


def _out_of_range(value: object) -> None:
    sink = _WARNINGS.get()
    message = (
        f"date out of the supported range ({MIN_YEAR}-{MAX_YEAR}) ignored: {str(value)[:40]!r}"
    )
    if sink is not None and message not in sink:
        sink.append(message)


@dataclass(frozen=True)
class DateHit:
    """A date read from text: aware datetime in local time, whether a time was given."""

    value: datetime
    has_time: bool
    start: int = 0
    end: int = 0

    def iso(self) -> str:
        return self.value.isoformat()


@lru_cache(maxsize=8)
def get_tz(name: str = LOCAL_TZ_NAME) -> tzinfo:
    try:
        from zoneinfo import ZoneInfo

        return ZoneInfo(name)
    except Exception:  # no tz database on this host: the portals' offset since 1975
        return timezone(timedelta(hours=7), name)


def _make(
    y: str,
    m: str,
    d: str,
    hh: str | None,
    mm: str | None,
    ss: str | None,
    ampm: str | None,
    tz: tzinfo,
) -> datetime | None:
    year, month, day = int(y), int(m), int(d)
    hour, minute, second = int(hh or 0), int(mm or 0), int(ss or 0)
    if ampm:
        pm = ampm.lower() in ("pm", "ch", "chiều", "tối")
        if pm and hour < 12:
            hour += 12
        elif not pm and hour == 12:
            hour = 0
    if not MIN_YEAR <= year <= MAX_YEAR:
        _out_of_range(f"{d}/{m}/{y}")
        return None
    try:
        return datetime(year, month, day, hour, minute, second, tzinfo=tz)
    except ValueError:
        return None


def find_date(
    text: str, formats: Sequence[str] = (), tz_name: str = LOCAL_TZ_NAME
) -> DateHit | None:
    """First readable date in `text` (profile formats first), with its adjacent time."""
    if not text or not any(c.isdigit() for c in text):
        return None
    tz = get_tz(tz_name)
    for fmt in formats:
        hit = _match_format(text, fmt, tz)
        if hit:
            return hit
    best: DateHit | None = None
    for rx in _DATE_RES:
        for m in rx.finditer(text):
            hit = _with_time(text, m, tz)
            if hit and (best is None or hit.start < best.start):
                best = hit
                break
    return best


def _month_number(value: str) -> str:
    if value.isdigit():
        return value
    name = value.lower()
    return str(next(i for i, m in enumerate(_MONTH_NAMES, 1) if m.startswith(name[:3])))


def _with_time(text: str, m: re.Match, tz: tzinfo) -> DateHit | None:
    y, mo, d = m.group("y"), _month_number(m.group("m")), m.group("d")
    after = _TIME_AFTER.match(text, m.end())
    if after:
        value = _make(y, mo, d, after["H"], after["M"], after["S"], after["ampm"], tz)
        if value:
            return DateHit(value, True, m.start(), after.end())
    before = _TIME_BEFORE.search(text, max(0, m.start() - 40), m.start())
    if before:
        value = _make(y, mo, d, before["H"], before["M"], before["S"], before["ampm"], tz)
        if value:
            return DateHit(value, True, before.start(), m.end())
    value = _make(y, mo, d, None, None, None, None, tz)
    return DateHit(value, False, m.start(), m.end()) if value else None


_FMT_TOKENS = {
    "%d": r"(?P<d>\d{1,2})",
    "%m": r"(?P<m>\d{1,2})",
    "%Y": r"(?P<y>\d{4})",
    "%H": r"(?P<H>\d{1,2})",
    "%M": r"(?P<M>\d{2})",
    "%S": r"(?P<S>\d{2})",
    "%p": r"(?P<ampm>AM|PM|SA|CH)",
}


@lru_cache(maxsize=64)
def _format_regex(fmt: str) -> re.Pattern:
    """strptime-like format -> regex searched anywhere in the text; spaces are flexible."""
    out = []
    for piece in re.split(r"(%[dmYHMSp])", fmt):
        if piece in _FMT_TOKENS:
            out.append(_FMT_TOKENS[piece])
        elif piece:
            pre = r"\s*" if piece[:1].isspace() else ""
            post = r"\s*" if piece[-1:].isspace() and piece.strip() else ""
            out.append(pre + r"\s*".join(map(re.escape, piece.split())) + post)
    return re.compile(r"(?<!\d)" + "".join(out) + r"(?!\d)", re.I)


def _match_format(text: str, fmt: str, tz: tzinfo) -> DateHit | None:
    for m in _format_regex(fmt).finditer(text):
        g = m.groupdict()
        value = _make(g["y"], g["m"], g["d"], g.get("H"), g.get("M"), g.get("S"), g.get("ampm"), tz)
        if value:
            return DateHit(value, "H" in g and g["H"] is not None, m.start(), m.end())
    return None


def parse_iso(value: str | None, tz_name: str = LOCAL_TZ_NAME) -> DateHit | None:
    """ISO 8601 from a meta tag or <time datetime>, converted to local time."""
    if not value:
        return None
    value = value.strip()
    if not re.match(r"\d{4}-?\d{2}-?\d{2}", value):
        return None
    from dateutil.parser import isoparse

    try:
        dt = isoparse(value)
    except (ValueError, OverflowError):
        return None
    # Check the year before converting: .NET's DateTime.MinValue/MaxValue
    # (0001-01-01T00:00:00+07:00, 9999-12-31T23:59:59Z) overflow datetime on astimezone().
    if not MIN_YEAR <= dt.year <= MAX_YEAR:
        _out_of_range(value)
        return None
    tz = get_tz(tz_name)
    has_time = len(value) > 10
    dt = dt.replace(tzinfo=tz) if dt.tzinfo is None else dt.astimezone(tz)
    return DateHit(dt.replace(microsecond=0), has_time)


def has_label(text: str) -> bool:
    return bool(_LABEL.search(text))


def parse_labelled(text: str, tz_name: str = LOCAL_TZ_NAME) -> DateHit | None:
    """Last resort for a labelled date line the regexes cannot read (month names)."""
    m = _LABEL.search(text)
    if not m or len(text) > 120:
        return None
    rest = text[m.end() :].strip()
    if not rest or not any(c.isdigit() for c in rest):
        return None
    import dateparser  # a declared dependency, imported lazily (it costs ~0.5 s to load)

    settings = {
        "DATE_ORDER": "DMY",
        "PARSERS": ["absolute-time"],
        "REQUIRE_PARTS": ["day", "month", "year"],
        "STRICT_PARSING": True,
        "RETURN_AS_TIMEZONE_AWARE": False,
    }
    try:
        dt = dateparser.parse(rest, languages=["vi", "en"], settings=settings)
    except Exception:  # dateparser raises assorted errors on odd input
        return None
    if dt is None:
        return None
    if not MIN_YEAR <= dt.year <= MAX_YEAR:
        _out_of_range(rest)
        return None
    tz = get_tz(tz_name)
    return DateHit(dt.replace(tzinfo=tz, microsecond=0), bool(_TIME_RE.search(rest)))
