"""A minimal writer of OLE2 / Compound File Binary (version 3) files, for legacy `.doc`.

Only what a `.doc` attachment needs: a root storage holding a few streams. Every stream is
padded to the 4096-byte mini-stream cutoff, so no mini FAT is needed; one FAT sector maps
up to 128 sectors (about 60 KB of streams), plenty for replica attachments.
"""

from __future__ import annotations

import struct

MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
SECTOR = 512
FREESECT = 0xFFFFFFFF
ENDOFCHAIN = 0xFFFFFFFE
FATSECT = 0xFFFFFFFD
NOSTREAM = 0xFFFFFFFF
MINI_CUTOFF = 4096


def _dir_entry(
    name: str, kind: int, left: int, right: int, child: int, start: int, size: int, red: bool
) -> bytes:
    encoded = name.encode("utf-16-le") + b"\x00\x00"
    return struct.pack(
        "<64sHBBIII16sIQQIQ",
        encoded,
        len(encoded) if name else 0,
        kind,
        0 if red else 1,
        left,
        right,
        child,
        b"\x00" * 16,
        0,
        0,
        0,
        start,
        size,
    )  # 128 bytes; version 3 readers ignore the high half of the 8-byte size


def _sort_key(name: str) -> tuple[int, str]:
    # CFB orders siblings by name length first, then by upper-cased name.
    return (len(name), name.upper())


def write_cfb(streams: dict[str, bytes]) -> bytes:
    """Return a compound file whose root storage holds `streams` (at most 3)."""
    if not 1 <= len(streams) <= 3:
        raise ValueError("write_cfb supports 1 to 3 streams")
    names = sorted(streams, key=_sort_key)
    padded = {n: streams[n].ljust(MINI_CUTOFF, b"\x00") for n in names}

    # Layout: sector 0 = FAT, sector 1 = directory, then each stream's sectors in turn.
    fat = [FATSECT, ENDOFCHAIN]
    starts: dict[str, int] = {}
    body = b""
    for n in names:
        data = padded[n]
        count = -(-len(data) // SECTOR)
        starts[n] = len(fat)
        first = len(fat)
        fat.extend(range(first + 1, first + count))
        fat.append(ENDOFCHAIN)
        body += data.ljust(count * SECTOR, b"\x00")
    if len(fat) > SECTOR // 4:
        raise ValueError("streams too large for a single FAT sector")
    fat_bytes = struct.pack(f"<{SECTOR // 4}I", *(fat + [FREESECT] * (SECTOR // 4 - len(fat))))

    # A balanced tree of up to 3 siblings: the middle one is the black root of the tree.
    ids = {n: i + 1 for i, n in enumerate(names)}
    mid = names[len(names) // 2]
    entries = [_dir_entry("Root Entry", 5, NOSTREAM, NOSTREAM, ids[mid], ENDOFCHAIN, 0, red=False)]
    for idx, n in enumerate(names):
        # Declared sizes are the padded ones: a stream below the cutoff would have to live
        # in the mini stream, which this writer does not produce.
        size = len(padded[n])
        if n == mid:
            left = ids[names[idx - 1]] if idx > 0 else NOSTREAM
            right = ids[names[idx + 1]] if idx + 1 < len(names) else NOSTREAM
            entries.append(_dir_entry(n, 2, left, right, NOSTREAM, starts[n], size, red=False))
        else:
            entries.append(
                _dir_entry(n, 2, NOSTREAM, NOSTREAM, NOSTREAM, starts[n], size, red=True)
            )
    while len(entries) < 4:
        entries.append(_dir_entry("", 0, NOSTREAM, NOSTREAM, NOSTREAM, 0, 0, red=False))
    directory = b"".join(entries)

    header = struct.pack(
        "<8s16sHHHHH6sIIIIIIIII",
        MAGIC,
        b"\x00" * 16,
        0x003E,  # minor version
        0x0003,  # major version 3: 512-byte sectors
        0xFFFE,  # little-endian byte order mark
        9,  # sector shift: 2**9
        6,  # mini sector shift: 2**6
        b"\x00" * 6,
        0,  # directory sectors (must be 0 in version 3)
        1,  # FAT sectors
        1,  # first directory sector
        0,  # transaction signature
        MINI_CUTOFF,
        ENDOFCHAIN,  # first mini FAT sector: none
        0,
        ENDOFCHAIN,  # first DIFAT sector: none
        0,
    )
    difat = struct.pack("<109I", 0, *([FREESECT] * 108))
    return header + difat + fat_bytes + directory + body
