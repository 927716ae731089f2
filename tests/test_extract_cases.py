"""Saved-page cases: tests/cases/extract/<case>/{page.html, case.json, expected.json}.

Anyone can add a case: save the page, write case.json ({"url": ..., "profile": null or a
name, "http_charset": optional}) and expected.json (any subset of the CLI JSON keys; only
the keys present are compared). Replica-based cases are regenerated with
`python tests/test_extract_cases.py --regenerate` (the hand-written ones are left alone).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from newsarchive.extract import extract
from newsarchive.portals.profiles import get_profile

CASES = Path(__file__).parent / "cases" / "extract"
TRUTH_KEYS = ("url", "title", "published", "lead", "body", "images", "attachments", "tags")


def _cases() -> list[Path]:
    return sorted(p for p in CASES.iterdir() if (p / "case.json").is_file())


@pytest.mark.parametrize("case", _cases(), ids=lambda p: p.name)
def test_case(case: Path) -> None:
    spec = json.loads((case / "case.json").read_text("utf-8"))
    expected = json.loads((case / "expected.json").read_text("utf-8"))
    profile = get_profile(spec["profile"]) if spec.get("profile") else None
    got = extract(
        (case / "page.html").read_bytes(),
        spec["url"],
        profile,
        http_charset=spec.get("http_charset"),
    ).to_dict()
    for key, want in expected.items():
        if key == "warnings_contain":
            for fragment in want:
                assert any(fragment in w for w in got["warnings"]), (fragment, got["warnings"])
            continue
        if key == "provenance":
            for field, how in want.items():
                assert got["provenance"][field] == how, (field, got["provenance"])
            continue
        assert got[key] == want, f"{case.name}: {key}"


# --- regeneration of the replica-based cases ------------------------------------------


def _pick(corpus, gen: str, pred) -> object:
    for article in corpus.articles:
        if article.generation == gen and pred(article, corpus.truth(article)):
            return article
    raise LookupError(f"no generation {gen} article fits")


def regenerate() -> None:
    from newsarchive.replica import ReplicaConfig, build_corpus

    corpus = build_corpus(ReplicaConfig(articles=150, seed=1))
    seed = corpus.seed_article()
    chosen: dict[str, tuple[object, str, str | None]] = {}
    for gen in ("A", "B", "C"):
        chosen[f"replica_{gen.lower()}_seed"] = (seed, gen, None)
        chosen[f"replica_{gen.lower()}_seed_generic"] = (seed, gen, "generic")

    specs = {
        "c_files_tags": ("C", lambda a, t: t["attachments"] and t["tags"] and t["images"]),
        "c_nfd": ("C", lambda a, t: a.nfd),
        "c_meta_date": ("C", lambda a, t: a.meta_published and t["images"]),
        "c_lead_repeated": ("C", lambda a, t: a.lead_repeated),
        "b_files_tags": ("B", lambda a, t: t["attachments"] and t["tags"] and t["images"]),
        "b_uncaptioned": ("B", lambda a, t: any(i["caption"] is None for i in t["images"])),
        "a_weekday": ("A", lambda a, t: a.shows_date and a.date_form == "weekday"),
        "a_ngay": ("A", lambda a, t: a.shows_date and a.date_form == "ngay"),
        "a_thang": ("A", lambda a, t: a.shows_date and a.date_form == "thang"),
        "a_capnhat": ("A", lambda a, t: a.shows_date and a.date_form == "capnhat"),
        "a_no_date": ("A", lambda a, t: not a.shows_date),
        "a_files": ("A", lambda a, t: t["attachments"] and len(t["images"]) >= 1),
    }
    for name, (gen, pred) in specs.items():
        article = _pick(corpus, gen, pred)
        chosen[f"replica_{name}"] = (article, gen, None)
    for name, (article, gen, profile) in chosen.items():
        folder = CASES / name
        folder.mkdir(parents=True, exist_ok=True)
        truth = corpus.truth(article, gen)
        (folder / "page.html").write_bytes(corpus.render_article(article, gen))
        spec = {"url": truth["url"], "profile": profile, "source": "replica seed=1"}
        (folder / "case.json").write_text(json.dumps(spec, ensure_ascii=False, indent=1) + "\n")
        expected = {k: truth[k] for k in TRUTH_KEYS}
        (folder / "expected.json").write_text(
            json.dumps(expected, ensure_ascii=False, indent=1) + "\n"
        )
        print("wrote", folder)


if __name__ == "__main__":
    if "--regenerate" in sys.argv:
        regenerate()
