"""Fault injection, deterministic by (seed, URL), and the hostile pages linked when faults are on.

Each URL falls in at most one fault class: the unit interval from a hash of (seed, URL) is
cut into consecutive slices, one per fault, so every fault keeps exactly its configured rate.
Attempts are counted per URL so "503 on the first attempt(s)" lets a retrying client through.
"""

from __future__ import annotations

import threading
import zlib
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache

from newsarchive.replica.generations import unit

KINDS = ("503", "slow", "reset", "truncated", "charset")
# Fraction of URLs per fault; "charset" applies to article pages only.
RATES: dict[str, dict[str, float]] = {
    "none": {},
    "mild": {"503": 0.02, "slow": 0.01, "reset": 0.01, "truncated": 0.01, "charset": 0.01},
    "harsh": {"503": 0.10, "slow": 0.05, "reset": 0.05, "truncated": 0.05, "charset": 0.05},
}
ATTEMPTS_503 = {"mild": 1, "harsh": 2}
BOMB_PATH = "/tai-lieu/du-lieu-nen"
BIG_PATH = "/tai-lieu/bao-cao-tong-hop-lon"
LOOP_PATHS = ("/__loop__/a", "/__loop__/b")
BOMB_SIZE = 1 << 30  # bytes after decompression
BIG_SIZE = 11 * (1 << 20)  # just over 10 MB


@dataclass(frozen=True)
class Fault:
    kind: str
    delay: float = 0.0  # seconds, for "slow"


class Faults:
    def __init__(self, level: str, seed: int) -> None:
        self.level = level
        self.seed = seed
        self.rates = RATES[level]
        self.counts: Counter[str] = Counter()
        self._attempts: Counter[str] = Counter()
        self._lock = threading.Lock()

    def kind_of(self, url: str, is_article: bool) -> str | None:
        """The fault class of `url` (independent of attempts), or None."""
        if not self.rates:
            return None
        u = unit(self.seed, "fault", url)
        edge = 0.0
        for kind in KINDS:
            edge += self.rates[kind]
            if u < edge:
                return None if kind == "charset" and not is_article else kind
        return None

    def plan(self, url: str, is_article: bool) -> Fault | None:
        """The fault to serve for this attempt at `url` (counts the attempt)."""
        kind = self.kind_of(url, is_article)
        if kind is None:
            return None
        with self._lock:
            self._attempts[url] += 1
            attempt = self._attempts[url]
        if kind == "503" and attempt > ATTEMPTS_503[self.level]:
            return None
        if kind in ("reset", "truncated") and attempt > 1:
            return None
        delay = 0.5 + 1.5 * unit(self.seed, "delay", url) if kind == "slow" else 0.0
        return Fault(kind, delay)

    def count(self, kind: str) -> None:
        with self._lock:
            self.counts[kind] += 1

    def snapshot(self) -> dict[str, int]:
        with self._lock:
            out = {k: self.counts.get(k, 0) for k in (*KINDS, "loop", "big", "bomb")}
        out["level"] = self.level  # type: ignore[assignment]
        return out


@lru_cache(maxsize=1)
def gzip_bomb() -> bytes:
    """A gzip member inflating to BOMB_SIZE zero bytes, about 1 MB on the wire.

    After a full flush deflate restarts from an empty window, so each 1 MiB chunk of zeros
    compresses to the same bytes: compress one chunk and repeat it instead of 1 GB of input.
    """
    chunk = bytes(1 << 20)
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = comp.compress(chunk) + comp.flush(zlib.Z_FULL_FLUSH)
    tail = comp.flush(zlib.Z_FINISH)
    crc = 0
    for _ in range(BOMB_SIZE // len(chunk)):
        crc = zlib.crc32(chunk, crc)
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"
    trailer = crc.to_bytes(4, "little") + (BOMB_SIZE % 2**32).to_bytes(4, "little")
    return header + block * (BOMB_SIZE // len(chunk)) + tail + trailer


@lru_cache(maxsize=1)
def big_page_chunk() -> bytes:
    """One 64 KiB piece of the >10 MB report page (the page repeats it)."""
    row = "<tr><td>Số liệu tổng hợp</td><td>1.234.567</td><td>98,7%</td></tr>\n".encode()
    return (row * (65536 // len(row) + 1))[:65536]


def big_page_parts() -> tuple[bytes, bytes, bytes, int]:
    head = (
        '<!DOCTYPE html><html lang="vi"><head><meta charset="utf-8">'
        "<title>Báo cáo tổng hợp</title></head><body><table>\n"
    ).encode()
    foot = b"</table></body></html>\n"
    repeats = BIG_SIZE // len(big_page_chunk())
    return head, big_page_chunk(), foot, repeats
