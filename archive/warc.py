"""Write WARC/1.1 files with warcio: one gzip member per record, crash-safe, rotating.

A file gets its final name when it is created, and only the process that created it ever
writes to it (O_EXCL, pid and host in the name). Records are written whole and fsynced per
batch, so a SIGKILL leaves at most one partial trailing record, which `repair_truncated`
cuts off. The index is only told about a record after it is on disk.

A failed write (ENOSPC, EIO) may still have put part of a batch on disk: the writer cuts the
file back to the end of the last whole record and checks the size, so every offset it hands
out is exact. When even that fails it refuses further writes (`WarcWriteError`) and the next
run's `repair_truncated` cuts the partial tail.

Digests are `sha1:BASE32`, as warcio, Heritrix and pywb write and compare them: revisit
deduplication and CDX tools then work on our files without recomputing anything.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import http
import io
import json
import os
import threading
import time
from collections.abc import Iterable, Mapping
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from warcio.statusandheaders import StatusAndHeaders, StatusAndHeadersParser
from warcio.warcwriter import WARCWriter as _WarcioWriter

from archive.records import (
    ArchivedRecord,
    ArchiveError,
    Exchange,
    PayloadDecodeError,
    RecordNotFound,
    RecordRef,
    decode_payload,
)
from archive.warccheck import (
    OPEN_FILES,
    CheckResult,
    RepairResult,
    check_file,
    repair_truncated,
    safe_hostname,
)
from archive.warcread import iter_records, read_record

__all__ = [
    "ArchiveError",
    "ArchivedRecord",
    "CheckResult",
    "Exchange",
    "PayloadDecodeError",
    "RecordNotFound",
    "RecordRef",
    "RepairResult",
    "WarcWriteError",
    "WarcWriter",
    "check_file",
    "decode_payload",
    "payload_digest",
    "iter_records",
    "metadata_subject",
    "metadata_target",
    "read_record",
    "repair_truncated",
]

WARC_VERSION = "1.1"
REVISIT_PROFILES = {
    "identical-payload-digest": "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest",
    "server-not-modified": "http://netpreserve.org/warc/1.1/revisit/server-not-modified",
}
NORMALISATION_NOTE = (
    "HTTP records are rebuilt from the crawler's parsed response, not captured off the wire: "
    "reason phrase rebuilt (standard phrase when the server's is unknown); "
    "Transfer-Encoding removed and payload stored de-chunked "
    "(original kept as X-Archive-Orig-Transfer-Encoding); "
    "Content-Length set to the stored payload length "
    "(a differing original kept as X-Archive-Orig-Content-Length); "
    "header name case normalised by the HTTP client; "
    "payload stored exactly as sent, still Content-Encoded."
)

# Side records get a target of their own, `urn:<kind>:<page URL>`, as Browsertrix names its
# page text and screenshot records (urn:text:, urn:view:): never the page URL itself.
METADATA_TARGET_PREFIX = "urn:newsarchive:article:"

Headers = Iterable[tuple[str, str]]


class WarcWriteError(ArchiveError):
    """Records could not be stored (disk full, I/O error); `cause` is the OSError.

    `consistent` is True when the file was cut back to its last whole record (the writer can
    go on once space is back), False when the writer had to give up on its file.
    """

    def __init__(self, message: str, cause: OSError | None, consistent: bool) -> None:
        super().__init__(message)
        self.cause = cause
        self.consistent = consistent


class WarcWriter:
    """Appends records to `<prefix>-<UTC yyyymmddHHMMSSffffff>-<serial>-<host>-<pid>.warc.gz`.

    Not thread-safe across processes by design (each process writes its own files); calls
    from several threads of one process are serialised.
    """

    def __init__(
        self,
        directory: str | os.PathLike[str],
        prefix: str = "newsarchive",
        max_bytes: int = 1_000_000_000,
        software: str = "newsarchive/0.1.0",
        info: Mapping[str, Any] | None = None,
        *,
        fsync: bool = True,
        fsync_interval: float = 0.0,
    ) -> None:
        self.directory = Path(directory)
        self.prefix = prefix
        self.max_bytes = max_bytes
        self.software = software
        self.info = dict(info or {})
        self.fsync = fsync
        # Group commit: with an interval, fsync at most that often (and always at close).
        # A killed process loses nothing either way (the kernel has the bytes); the interval
        # only bounds what a power cut could take, and saves one fsync per record.
        self.fsync_interval = fsync_interval
        self._last_fsync = 0.0
        self.files: list[str] = []  # names of every file this writer created, in order
        self._fd: int | None = None
        self._filename: str | None = None
        self._size = 0
        self._records = 0  # records after the warcinfo in the current file
        self._serial = 0
        self._broken: WarcWriteError | None = None  # set when the file's tail is unknown
        self._opened = False
        self._lock = threading.Lock()
        # Record construction only; bytes go through _serialize.
        self._builder = _WarcioWriter(None, gzip=True, warc_version=WARC_VERSION)

    # -- lifecycle -------------------------------------------------------------------------

    def open(self) -> WarcWriter:
        with self._lock:
            if self._fd is None:
                self.directory.mkdir(parents=True, exist_ok=True)
                self._opened = True
                self._new_file()
        return self

    def close(self) -> None:
        with self._lock:
            self._opened = False
            self._close_file()

    def __enter__(self) -> WarcWriter:
        return self.open()

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def current_file(self) -> str | None:
        return self._filename

    # -- records ---------------------------------------------------------------------------

    def write_exchange(
        self,
        url: str,
        *,
        method: str = "GET",
        request_headers: Headers,
        request_body: bytes = b"",
        status: int,
        reason: str | None,
        protocol: str = "HTTP/1.1",
        response_headers: Headers,
        payload: bytes,
        ip: str | None,
        date: datetime,
    ) -> Exchange:
        """Write a response record and its request record, each naming the other."""
        warc_date = warc_date_text(date)
        resp_id, req_id = _new_id(), _new_id()
        response = self._builder.create_warc_record(
            url,
            "response",
            payload=io.BytesIO(payload),
            length=len(payload),
            http_headers=StatusAndHeaders(
                _status_line(status, reason),
                fix_response_headers(response_headers, len(payload)),
                protocol=protocol,
            ),
            warc_headers_dict=_warc_headers(resp_id, warc_date, ip, req_id),
        )
        request = self._request_record(
            url, method, request_headers, request_body, protocol, req_id, warc_date, ip, resp_id
        )
        resp_ref, req_ref = self._write_batch([(response, "response"), (request, "request")])
        return Exchange(request=req_ref, response=resp_ref)

    def write_revisit(
        self,
        url: str,
        *,
        profile: Literal["identical-payload-digest", "server-not-modified"],
        refers_to: RecordRef,
        status: int,
        reason: str | None,
        response_headers: Headers,
        ip: str | None,
        date: datetime,
        method: str = "GET",
        request_headers: Headers = (),
        protocol: str = "HTTP/1.1",
    ) -> Exchange:
        """Write a revisit record (headers only) pointing at an earlier response.

        identical-payload-digest: the payload was byte-identical to `refers_to`'s.
        server-not-modified: the server answered 304; the headers are the 304's.
        """
        if profile not in REVISIT_PROFILES:
            raise ValueError(f"unknown revisit profile {profile!r}")
        warc_date = warc_date_text(date)
        rev_id, req_id = _new_id(), _new_id()
        headers = _warc_headers(rev_id, warc_date, ip, req_id)
        headers.update(
            {
                "WARC-Profile": REVISIT_PROFILES[profile],
                "WARC-Refers-To": refers_to.record_id,
                "WARC-Refers-To-Target-URI": refers_to.target_uri,
                "WARC-Refers-To-Date": refers_to.date,
            }
        )
        if profile == "identical-payload-digest" and refers_to.payload_digest:
            headers["WARC-Payload-Digest"] = refers_to.payload_digest
        revisit = self._builder.create_warc_record(
            url,
            "revisit",
            http_headers=StatusAndHeaders(
                _status_line(status, reason),
                fix_response_headers(response_headers, None),
                protocol=protocol,
            ),
            warc_headers_dict=headers,
        )
        request = self._request_record(
            url, method, request_headers, b"", protocol, req_id, warc_date, ip, rev_id
        )
        rev_ref, req_ref = self._write_batch([(revisit, "revisit"), (request, "request")])
        # The revisit stands for the referred payload: carry its digest for the index.
        rev_ref = dataclasses.replace(rev_ref, payload_digest=refers_to.payload_digest)
        return Exchange(request=req_ref, response=rev_ref)

    def write_metadata(
        self, url: str, *, concurrent_to: str, payload: Mapping[str, Any], date: datetime
    ) -> RecordRef:
        """Write a metadata record holding `payload` as JSON (the article extracted from `url`).

        Its target is `metadata_target(url)`, not `url`: replay indexes (pywb, cdxj-indexer)
        index metadata records too, and one under the page's own URL would be served in
        place of the page. It names the response it describes (`concurrent_to`) in both
        WARC-Concurrent-To and WARC-Refers-To. See docs/warc-records.md.
        """
        body = json.dumps(payload, ensure_ascii=False, default=str).encode("utf-8")
        headers = _warc_headers(_new_id(), warc_date_text(date), None, concurrent_to)
        headers["WARC-Refers-To"] = concurrent_to
        record = self._builder.create_warc_record(
            metadata_target(url),
            "metadata",
            payload=io.BytesIO(body),
            length=len(body),
            warc_content_type="application/json",
            warc_headers_dict=headers,
        )
        (ref,) = self._write_batch([(record, "metadata")])
        return ref

    def discard(self, refs: Iterable[RecordRef]) -> bool:
        """Take back the last records written (the index could not take them), so that no
        record stays in the WARC without its index row. False when they are no longer last."""
        refs = list(refs)
        with self._lock:
            if not refs or self._fd is None or self._broken is not None:
                return False
            start = min(r.offset for r in refs)
            end = max(r.offset + r.length for r in refs)
            if end != self._size or any(r.filename != self._filename for r in refs):
                return False
            try:
                os.ftruncate(self._fd, start)
                cut = os.fstat(self._fd).st_size == start
            except OSError as exc:
                self._give_up(exc)
                return False
            if not cut:
                return False
            self._size = start
            self._records -= len(refs)
            return True

    @staticmethod
    def payload_digest(payload: bytes) -> str:
        """The WARC-Payload-Digest a response with this payload gets (for deduplication)."""
        return payload_digest(payload)

    # -- internals -------------------------------------------------------------------------

    def _request_record(
        self,
        url: str,
        method: str,
        headers: Headers,
        body: bytes,
        protocol: str,
        rec_id: str,
        warc_date: str,
        ip: str | None,
        concurrent_to: str,
    ):
        parts = urlsplit(url)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        header_list = [(str(k), str(v)) for k, v in headers]
        # The client adds Host below the level the crawler sees; it was sent all the same.
        if not any(k.lower() == "host" for k, _ in header_list) and parts.netloc:
            header_list.insert(0, ("Host", parts.netloc.rpartition("@")[2]))
        return self._builder.create_warc_record(
            url,
            "request",
            payload=io.BytesIO(body),
            length=len(body),
            http_headers=StatusAndHeaders(
                f"{method.upper()} {target} {protocol}", header_list, is_http_request=True
            ),
            warc_headers_dict=_warc_headers(rec_id, warc_date, ip, concurrent_to),
        )

    def _write_batch(self, records: list[tuple[Any, str]]) -> list[RecordRef]:
        blobs = [_serialize(rec) for rec, _ in records]
        total = sum(len(b) for b in blobs)
        with self._lock:
            if self._broken is not None:
                raise self._broken
            if self._fd is None:
                if not self._opened:
                    raise ArchiveError("WarcWriter is not open: call open() first")
                self._new_file()  # the last attempt to start a file failed: try again
            # Rotate before a batch so a request/response pair never spans two files.
            if self._records and self._size + total > self.max_bytes:
                self._close_file()
                self._new_file()
            assert self._filename is not None
            offset = self._size
            self._write_all(b"".join(blobs))
            self._records += len(blobs)
            refs = []
            for (rec, rec_type), blob in zip(records, blobs, strict=True):
                h = rec.rec_headers
                refs.append(
                    RecordRef(
                        filename=self._filename,
                        offset=offset,
                        length=len(blob),
                        record_id=h.get_header("WARC-Record-ID"),
                        payload_digest=h.get_header("WARC-Payload-Digest"),
                        target_uri=h.get_header("WARC-Target-URI") or "",
                        date=h.get_header("WARC-Date"),
                        record_type=rec_type,
                    )
                )
                offset += len(blob)
            return refs

    def _write_all(self, data: bytes) -> None:
        """Append `data` whole, or leave the file as it was and raise WarcWriteError."""
        assert self._fd is not None
        start = self._size
        view = memoryview(data)
        try:
            while view:
                written = os.write(self._fd, view)
                view = view[written:]
                self._size += written  # count what reached the file, not what was asked
        except OSError as exc:
            raise self._undo_partial(start, exc) from exc
        if self.fsync:
            now = time.monotonic()
            if now - self._last_fsync >= self.fsync_interval:
                try:
                    os.fsync(self._fd)
                except OSError as exc:
                    # After a failed fsync the kernel may have dropped pages already counted:
                    # what is on disk is unknown, so this file takes no more records.
                    raise self._give_up(exc) from exc
                self._last_fsync = now

    def _undo_partial(self, start: int, exc: OSError) -> WarcWriteError:
        """Cut the file back to `start`, the end of its last whole record."""
        assert self._fd is not None
        try:
            os.ftruncate(self._fd, start)  # shrinking needs no space, even on a full disk
            cut = os.fstat(self._fd).st_size == start
        except OSError:
            cut = False
        if not cut:
            return self._give_up(exc)
        partial, self._size = self._size - start, start
        return WarcWriteError(
            f"could not write to {self._filename}: {exc.strerror or exc}"
            f" ({partial} bytes of a partial record cut: the file ends at its last whole record)",
            exc,
            consistent=True,
        )

    def _give_up(self, exc: OSError) -> WarcWriteError:
        self._broken = WarcWriteError(
            f"could not write to {self._filename}: {exc.strerror or exc}"
            " (its tail is repaired by the next run)",
            exc,
            consistent=False,
        )
        return self._broken

    def _new_file(self) -> None:
        host, pid = safe_hostname(), os.getpid()
        while True:
            stamp = datetime.now(timezone.utc).strftime("%Y%m%d%H%M%S%f")
            name = f"{self.prefix}-{stamp}-{self._serial:05d}-{host}-{pid}.warc.gz"
            path = self.directory / name
            try:
                # O_EXCL: never append to a file someone else may be writing.
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND, 0o644)
            except FileExistsError:
                continue  # same microsecond in another writer of this process: new stamp
            except OSError as exc:  # no space for the directory entry, no inodes
                raise WarcWriteError(
                    f"could not create {name}: {exc.strerror or exc}", exc, consistent=True
                ) from exc
            break
        self._serial += 1
        self._fd, self._filename, self._size, self._records = fd, name, 0, 0
        self.files.append(name)
        OPEN_FILES.add(str(path.resolve()))
        try:
            self._write_all(_serialize(self._warcinfo(name)))
        except WarcWriteError as exc:
            if exc.consistent:
                # Nothing of it is left: drop the empty file; the next batch starts a new one.
                self._close_file(sync=False)
                path.unlink(missing_ok=True)
                self.files.remove(name)
            raise
        if self.fsync:
            _fsync_dir(self.directory)  # make the new directory entry durable too

    def _close_file(self, *, sync: bool = True) -> None:
        if self._fd is None:
            return
        try:
            if self.fsync and sync and self._broken is None:
                os.fsync(self._fd)
        finally:
            os.close(self._fd)
            OPEN_FILES.discard(str((self.directory / (self._filename or "")).resolve()))
            self._fd = None
            self._filename = None

    def _warcinfo(self, filename: str):
        fields: dict[str, str] = {
            "software": self.software,
            "format": "WARC File Format 1.1",
            "conformsTo": "https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/",
            "hostname": safe_hostname(),
            "capture-method": "crawler (newsarchive, Scrapy); records written by archive.warc",
            "normalization": NORMALISATION_NOTE,
        }
        for key, value in self.info.items():
            text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
            fields[str(key)] = " ".join(text.split())  # warc-fields are one line each
        return self._builder.create_warcinfo_record(filename, fields)


def fix_response_headers(headers: Headers, payload_length: int | None) -> list[tuple[str, str]]:
    """Make the headers describe the stored bytes (see NORMALISATION_NOTE).

    `payload_length` None (revisits): no payload stored, Content-Length left alone.
    """
    out: list[tuple[str, str]] = []
    lengths: list[str] = []
    for name, value in headers:
        name, value = str(name), str(value)
        lower = name.lower()
        if lower == "transfer-encoding":
            out.append(("X-Archive-Orig-Transfer-Encoding", value))
        elif lower == "content-length" and payload_length is not None:
            lengths.append(value)
        else:
            out.append((name, value))
    if payload_length is not None:
        for value in lengths:
            if value.strip() != str(payload_length):
                out.append(("X-Archive-Orig-Content-Length", value))
        out.append(("Content-Length", str(payload_length)))
    return out


def metadata_target(url: str) -> str:
    """The WARC-Target-URI of the metadata record describing the page at `url`."""
    return METADATA_TARGET_PREFIX + url


def metadata_subject(target_uri: str) -> tuple[str, bool]:
    """(page URL, old form?) of a metadata record's WARC-Target-URI.

    Archives written before the `urn:` target carry the page URL itself (old form).
    """
    if target_uri.startswith(METADATA_TARGET_PREFIX):
        return target_uri[len(METADATA_TARGET_PREFIX) :], False
    return target_uri, True


def payload_digest(payload: bytes) -> str:
    """`sha1:BASE32` of the payload, as written in WARC-Payload-Digest."""
    return "sha1:" + base64.b32encode(hashlib.sha1(payload).digest()).decode("ascii")


def warc_date_text(date: datetime) -> str:
    """WARC/1.1 date with microseconds, in UTC (naive datetimes are taken as UTC)."""
    if date.tzinfo is not None:
        date = date.astimezone(timezone.utc)
    return date.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _status_line(status: int, reason: str | None) -> str:
    if not reason:
        try:
            reason = http.HTTPStatus(status).phrase
        except ValueError:
            reason = "Unknown"
    return f"{status} {reason}"


def _warc_headers(
    rec_id: str, warc_date: str, ip: str | None, concurrent_to: str | None
) -> dict[str, str]:
    headers = {"WARC-Record-ID": rec_id, "WARC-Date": warc_date}
    if ip:
        headers["WARC-IP-Address"] = ip
    if concurrent_to:
        headers["WARC-Concurrent-To"] = concurrent_to
    return headers


def _new_id() -> str:
    return StatusAndHeadersParser.make_warc_id()


def _serialize(record) -> bytes:
    buf = io.BytesIO()
    _WarcioWriter(buf, gzip=True, warc_version=WARC_VERSION).write_record(record)
    return buf.getvalue()


def _fsync_dir(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some filesystems refuse fsync on directories; the data fsync still holds
    finally:
        os.close(fd)
