"""Run every benchmark in bench/ and print one table.

Each `bench/bench_*.py` exposes `run(quick: bool = False) -> list[dict]`; a row has
`bench`, `metric`, `value`, and optionally `unit`, `peer`, `peer_value`, `ratio`, `target`.
Machines here are noisy, so targets are ratios against a peer measured in the same run.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import sys
import time
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent


def load(path: Path):
    spec = importlib.util.spec_from_file_location(path.stem, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses and pickling look modules up here
    assert spec.loader is not None
    spec.loader.exec_module(module)
    return module


def fmt(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:,.3g}" if abs(value) < 100 else f"{value:,.0f}"
    return str(value)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("names", nargs="*", help="only these benchmarks (e.g. replica extract)")
    parser.add_argument("--quick", action="store_true", help="smaller inputs, for a smoke run")
    parser.add_argument("--soak", action="store_true", help="the long runs (run(soak=True))")
    parser.add_argument("--json", type=Path, help="also write the rows to this JSON file")
    parser.add_argument(
        "--aeb",
        help="article-extraction-benchmark checkout or bare git dir for bench_aeb "
        "(or NEWSARCHIVE_AEB); without it that bench is a 'not run' row",
    )
    args = parser.parse_args()
    if args.aeb:
        os.environ["NEWSARCHIVE_AEB"] = args.aeb
    sys.path.insert(0, str(HERE.parent))

    rows: list[dict] = []
    failed = []
    for path in sorted(HERE.glob("bench_*.py")):
        name = path.stem.removeprefix("bench_")
        if args.names and name not in args.names:
            continue
        started = time.monotonic()
        print(f"running {name} ...", file=sys.stderr, flush=True)
        try:
            module = load(path)
            kwargs = {"quick": args.quick}
            if args.soak:
                if not getattr(module, "SOAK", False):
                    continue
                kwargs["soak"] = True
            rows.extend(module.run(**kwargs))
        except Exception as exc:  # one broken benchmark must not hide the others' figures
            if getattr(exc, "setup_error", False):
                # A missing input (e.g. no benchmark checkout) is a row of the table, a miss
                # said as such, not a crash that hides the other figures.
                print(f"  {name}: {exc}", file=sys.stderr)
                rows.append({"bench": name, "metric": "not run", "value": str(exc), "ok": False})
            else:
                traceback.print_exc()
                failed.append(name)
        print(f"  {name} took {time.monotonic() - started:.0f} s", file=sys.stderr, flush=True)

    headers = ["bench", "metric", "value", "unit", "peer", "peer_value", "ratio", "target", "ok"]
    table = [[fmt(row.get(h)) for h in headers] for row in rows]
    widths = [
        max(len(h), *(len(r[i]) for r in table)) if table else len(h) for i, h in enumerate(headers)
    ]
    print(" | ".join(h.ljust(w) for h, w in zip(headers, widths, strict=False)))
    print("-+-".join("-" * w for w in widths))
    for r in table:
        print(" | ".join(c.ljust(w) for c, w in zip(r, widths, strict=False)))
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2, ensure_ascii=False))
    if failed:
        print(f"failed benchmarks: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
