"""Parquet export of 200,000 articles (synthetic index, bench/synth.py): wall time and peak
RSS of the export process, targets < 60 s and < 300 MB.

The export runs in a child process (`python -m newsarchive export`), so its peak RSS
(VmHWM) is the export's alone, interpreter and pyarrow included. Usage: python bench/bench_export.py
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if __package__ in (None, ""):
    sys.path.insert(0, str(ROOT))

from bench.synth import synthetic_index  # noqa: E402

ARTICLES = 200_000
QUICK_ARTICLES = 20_000
TARGET_SECONDS = 60.0
TARGET_RSS_MB = 300.0

# Runs in the child: export, then report the child's own peak RSS (KiB). VmHWM, not
# ru_maxrss: on Linux ru_maxrss survives exec, so a child forked from a large bench process
# would report the parent's size.
_CHILD = """
import resource, sys
from newsarchive.cli import main
try:
    main(sys.argv[1:], standalone_mode=False)
finally:
    try:
        hwm = next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM:"))
    except (OSError, StopIteration):
        hwm = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print("maxrss_kib", hwm, file=sys.stderr)
"""


def export_once(data_dir: Path, out: Path, fmt: str = "parquet") -> tuple[float, float, int]:
    """(seconds, peak RSS in MB, output bytes)."""
    started = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-c", _CHILD, "export", "--format", fmt, "--out", str(out),
         "--data", str(data_dir)],
        cwd=ROOT, capture_output=True, text=True, check=False,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )  # fmt: skip
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        raise RuntimeError(f"export failed: {proc.stderr[-2000:]}")
    kib = next(
        int(line.split()[1]) for line in proc.stderr.splitlines() if line.startswith("maxrss_kib")
    )
    return seconds, kib / 1024, out.stat().st_size


def run(quick: bool = False) -> list[dict]:
    n = QUICK_ARTICLES if quick else ARTICLES
    index_path, build_seconds = synthetic_index(n)
    rows: list[dict] = []
    if build_seconds is not None:
        rows.append(
            {"bench": "export", "metric": f"build synthetic index ({n:,} articles)",
             "value": build_seconds, "unit": "s", "target": "< 120 s", "ok": build_seconds < 120}
        )  # fmt: skip
    with tempfile.TemporaryDirectory(prefix="newsarchive-export-bench-") as tmp:
        seconds, rss, size = export_once(index_path.parent, Path(tmp) / "articles.parquet")
    rows += [
        {"bench": "export", "metric": f"parquet export time ({n:,} articles)", "value": seconds,
         "unit": "s", "target": f"< {TARGET_SECONDS:g} s", "ok": seconds < TARGET_SECONDS},
        {"bench": "export", "metric": "parquet export peak RSS", "value": rss, "unit": "MB",
         "target": f"< {TARGET_RSS_MB:g} MB", "ok": rss < TARGET_RSS_MB},
        {"bench": "export", "metric": "parquet file size", "value": size / 1e6, "unit": "MB",
         "target": "", "ok": None},
        {"bench": "export", "metric": "rows per second", "value": n / seconds, "unit": "rows/s",
         "target": "", "ok": None},
    ]  # fmt: skip
    return rows


if __name__ == "__main__":
    for row in run(quick="--quick" in sys.argv):
        print(row)
