"""Value types shared by the WARC writer, reader and checker."""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field


class ArchiveError(Exception):
    """Base class for errors raised by the archive package."""


class RecordNotFound(ArchiveError):
    """The file/offset/length given does not hold a readable WARC record."""


class PayloadDecodeError(ArchiveError):
    """The payload's Content-Encoding could not be undone."""


@dataclass(frozen=True)
class RecordRef:
    """Where a written record is: enough to read it back and to index it.

    `filename` is relative to the WARC directory; `offset`/`length` delimit the record's gzip
    member. `date` is the record's WARC-Date text. `payload_digest` is `sha1:BASE32` (for a
    revisit: the digest of the payload it stands for).
    """

    filename: str
    offset: int
    length: int
    record_id: str
    payload_digest: str | None
    target_uri: str
    date: str
    record_type: str = "response"


@dataclass(frozen=True)
class Exchange:
    """The two records of one HTTP exchange."""

    request: RecordRef
    response: RecordRef


@dataclass
class ArchivedRecord:
    """A record read back from a WARC file."""

    rec_type: str
    headers: list[tuple[str, str]]
    http_status: int | None
    http_reason: str | None
    http_headers: list[tuple[str, str]] | None
    payload: bytes  # raw bytes as stored: for a response, still Content-Encoded
    filename: str
    offset: int
    length: int
    digest_ok: bool | None = None  # None: nothing to check (e.g. revisit)
    digest_problems: list[str] = field(default_factory=list)

    def header(self, name: str) -> str | None:
        """A WARC header, case-insensitive."""
        lower = name.lower()
        return next((v for k, v in self.headers if k.lower() == lower), None)

    def http_header(self, name: str) -> str | None:
        lower = name.lower()
        return next((v for k, v in self.http_headers or () if k.lower() == lower), None)

    @property
    def record_id(self) -> str | None:
        return self.header("WARC-Record-ID")

    @property
    def target_uri(self) -> str | None:
        return self.header("WARC-Target-URI")

    @property
    def date(self) -> str | None:
        return self.header("WARC-Date")

    @property
    def decoded(self) -> bytes:
        """The payload with its Content-Encoding undone (raises PayloadDecodeError)."""
        return decode_payload(self.payload, self.http_header("Content-Encoding"))


def decode_payload(data: bytes, content_encoding: str | None) -> bytes:
    """Undo `Content-Encoding` (gzip, deflate, br; a list is undone last-applied first)."""
    if not content_encoding:
        return data
    codings = [c.strip().lower() for c in content_encoding.split(",") if c.strip()]
    for coding in reversed(codings):
        try:
            data = _decode_one(data, coding)
        except (zlib.error, OSError, ValueError) as exc:
            raise PayloadDecodeError(f"cannot decode {coding!r} payload: {exc}") from exc
    return data


def _decode_one(data: bytes, coding: str) -> bytes:
    if coding in ("identity", "none"):
        return data
    if coding in ("gzip", "x-gzip"):
        return zlib.decompress(data, zlib.MAX_WBITS | 16)
    if coding == "deflate":
        # RFC says zlib-wrapped, but many servers send raw deflate.
        try:
            return zlib.decompress(data)
        except zlib.error:
            return zlib.decompress(data, -zlib.MAX_WBITS)
    if coding == "br":
        try:
            import brotli  # optional dependency
        except ImportError as exc:
            raise PayloadDecodeError("brotli payload but the brotli module is missing") from exc
        try:
            return brotli.decompress(data)
        except brotli.error as exc:
            raise ValueError(str(exc)) from exc
    raise PayloadDecodeError(f"unknown Content-Encoding {coding!r}")
