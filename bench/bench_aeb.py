"""Real pages: ScrapingHub's article-extraction-benchmark, ours (`--profile generic`) beside
trafilatura, both scored by the benchmark's own evaluate.py in the same run.

The benchmark is not part of this repository (nothing of it is committed): give its path,
a checkout or a bare git directory of github.com/scrapinghub/article-extraction-benchmark,
with `--aeb PATH` or `NEWSARCHIVE_AEB=PATH`. Without it `make bench` shows a "not run" row for it.

Both extractors get the same 181 saved pages. trafilatura runs exactly as the benchmark's
own extractors/run_trafilatura.py runs it (`trafilatura.extract(html)`); ours runs
`newsarchive.extract.extract(bytes, url, generic profile)` and its articleBody is the lead
plus the body paragraphs (the article's text without headline and captions). The two
prediction files go into a scratch copy of the benchmark's layout (ground-truth.json,
output/*.json) and the benchmark's evaluate.py scores them, unchanged.

    .venv/bin/python bench/bench_aeb.py --aeb /path/to/article-extraction-benchmark
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

ENV = "NEWSARCHIVE_AEB"
TARGET_F1 = 0.95
OURS = "newsarchive_generic"
PEER = "trafilatura"


class BenchmarkMissing(RuntimeError):
    setup_error = True  # bench/run.py prints the message alone, without a traceback


def locate(path: str | os.PathLike | None, scratch: Path) -> Path:
    """A directory holding evaluate.py, ground-truth.json and html/: the given checkout, or
    the HEAD tree of a bare git directory exported into `scratch`."""
    if not path:
        raise BenchmarkMissing(
            f"article-extraction-benchmark not given: pass --aeb PATH or set {ENV}=PATH "
            "(a checkout or bare git dir of github.com/scrapinghub/article-extraction-benchmark)"
        )
    root = Path(path).expanduser()
    if (root / "evaluate.py").is_file() and (root / "ground-truth.json").is_file():
        return root
    if (root / "HEAD").is_file() and (root / "objects").is_dir():
        out = scratch / "aeb"
        out.mkdir()
        archive = subprocess.run(
            ["git", f"--git-dir={root}", "archive", "HEAD", "evaluate.py", "ground-truth.json",
             "html"],
            capture_output=True, check=False,
        )  # fmt: skip
        if archive.returncode != 0:
            raise BenchmarkMissing(f"cannot read {root} with git: {archive.stderr.decode()[:200]}")
        subprocess.run(["tar", "-x", "-C", str(out)], input=archive.stdout, check=True)
        return out
    raise BenchmarkMissing(f"{root} is not article-extraction-benchmark (no evaluate.py)")


def load_pages(root: Path, limit: int | None = None) -> list[tuple[str, bytes, str]]:
    """(item id, page bytes, page URL), sorted by id."""
    truth = json.loads((root / "ground-truth.json").read_text("utf-8"))
    pages = []
    for key in sorted(truth)[:limit]:
        with gzip.open(root / "html" / f"{key}.html.gz", "rb") as f:
            pages.append((key, f.read(), truth[key].get("url") or "https://example.com/"))
    return pages


def ours(html: bytes, url: str) -> str:
    from newsarchive.extract import extract
    from newsarchive.portals.profiles import get_profile

    article = extract(html, url, get_profile("generic"))
    return "\n\n".join([article.lead, *article.paragraphs] if article.lead else article.paragraphs)


def theirs(html: bytes) -> str:
    import trafilatura

    # As the benchmark's extractors/run_trafilatura.py: text in, default settings.
    return trafilatura.extract(html.decode("utf-8", "replace"), include_comments=False) or ""


def evaluate(root: Path, scratch: Path, predictions: dict[str, dict], n_bootstrap: int) -> dict:
    """Run the benchmark's evaluate.py (unchanged) on our prediction files."""
    work = scratch / "eval"
    (work / "output").mkdir(parents=True)
    truth = json.loads((root / "ground-truth.json").read_text("utf-8"))
    keys = next(iter(predictions.values())).keys()
    (work / "ground-truth.json").write_text(json.dumps({k: truth[k] for k in keys}))
    for name, output in predictions.items():
        (work / "output" / f"{name}.json").write_text(json.dumps(output, ensure_ascii=False))
    result = work / "results.json"
    proc = subprocess.run(
        [sys.executable, str(root / "evaluate.py"), "--n-bootstrap", str(n_bootstrap),
         "--output", str(result)],
        cwd=work, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if proc.returncode != 0:
        raise RuntimeError(f"evaluate.py failed: {proc.stderr[-500:]}")
    print(proc.stdout, file=sys.stderr)
    return json.loads(result.read_text("utf-8"))


def run(quick: bool = False, aeb: str | None = None) -> list[dict]:
    with tempfile.TemporaryDirectory(prefix="aeb-") as tmp:
        scratch = Path(tmp)
        root = locate(aeb or os.environ.get(ENV), scratch)
        pages = load_pages(root, 40 if quick else None)
        predictions: dict[str, dict] = {OURS: {}, PEER: {}}
        seconds = {OURS: 0.0, PEER: 0.0}
        for key, html, url in pages:
            t = time.perf_counter()
            predictions[OURS][key] = {"articleBody": ours(html, url)}
            seconds[OURS] += time.perf_counter() - t
            t = time.perf_counter()
            predictions[PEER][key] = {"articleBody": theirs(html)}
            seconds[PEER] += time.perf_counter() - t
        metrics = evaluate(root, scratch, predictions, 200 if quick else 1000)
    a, b = metrics[OURS], metrics[PEER]
    rows = []
    for m in ("f1", "precision", "recall", "accuracy"):
        row = {
            "bench": "aeb",
            "metric": f"generic.{m}",
            "value": round(a[m], 3),
            "unit": f"± {a[m + '_std']:.3f}",
            "peer": PEER,
            "peer_value": round(b[m], 3),
            "ratio": round(a[m] / b[m], 3) if b[m] else None,
        }
        if m == "f1":
            row["target"] = f">= peer, >= {TARGET_F1}"
            row["ok"] = a[m] >= b[m] and a[m] >= TARGET_F1
        rows.append(row)
    rows.append(
        {
            "bench": "aeb",
            "metric": "generic.pages/s",
            "value": round(len(pages) / seconds[OURS], 1),
            "unit": "pages/s",
            "peer": PEER,
            "peer_value": round(len(pages) / seconds[PEER], 1),
            "ratio": round(seconds[PEER] / seconds[OURS], 2),
        }
    )
    rows.append({"bench": "aeb", "metric": "pages", "value": len(pages), "unit": "pages"})
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--aeb", help=f"benchmark checkout or bare git dir (or ${ENV})")
    parser.add_argument("--quick", action="store_true", help="the first 40 pages only")
    parser.add_argument("--json", action="store_true", help="print the rows as JSON")
    args = parser.parse_args()
    try:
        rows = run(quick=args.quick, aeb=args.aeb)
    except BenchmarkMissing as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(rows, ensure_ascii=False, indent=1))
    else:
        for row in rows:
            print(
                f"{row['metric']:<20} ours {row['value']!s:<8} {row.get('unit', ''):<9}"
                f" {row.get('peer', '')} {row.get('peer_value', '')!s:<8}"
                f" {'ok' if row.get('ok') else ('MISSED' if 'ok' in row else '')}"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
