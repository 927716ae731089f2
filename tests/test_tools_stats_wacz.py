"""`newsarchive stats` and `newsarchive wacz`, and the help of every tool command."""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import zipfile

import pytest
import surt
from click.testing import CliRunner

from archive.warc import iter_records
from newsarchive.cli import main
from tests.toolsupport import articles, build_archive

TOOLS = ("search", "export", "serve", "stats", "wacz")


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    root = tmp_path_factory.mktemp("tools-data")
    build_archive(root)
    return root


@pytest.mark.parametrize("name", TOOLS)
def test_help_has_an_example(name):
    result = CliRunner().invoke(main, [name, "--help"])
    assert result.exit_code == 0, result.output
    assert "Example:" in result.output
    assert "--data" in result.output


@pytest.mark.parametrize("name", ["stats", "wacz --out x.wacz", "export --out x.csv"])
def test_no_index_is_one_line(name, tmp_path):
    result = CliRunner().invoke(main, [*name.split(), "--data", str(tmp_path / "none")])
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [result.output.strip()]
    assert "no index" in result.output


# -- stats -----------------------------------------------------------------------------------


def test_stats_json(data):
    result = CliRunner().invoke(main, ["stats", "--json", "--data", str(data)])
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output)
    sites = {s["site"]: s for s in figures["sites"]}
    assert sites["haian"]["articles"] == 2 and sites["lechan"]["gone"] == 1
    assert sites["haian"]["attachments_fetched"] == sites["haian"]["attachments"] == 8
    months = {(m["site"], m["month"]): m["articles"] for m in figures["months"]}
    assert months[("haian", "2023-03")] == 1 and months[("lechan", "2023-03")] == 1
    assert figures["undated"] == 1
    crawls = figures["crawls"]
    assert [(c["new"], c["gone"]) for c in crawls] == [(4, 0), (0, 1)]
    assert {"what": "errors reported by crawls", "count": 1} in figures["failures"]


def test_stats_table_and_png(data, tmp_path):
    png = tmp_path / "chart.png"
    result = CliRunner().invoke(main, ["stats", "--png", str(png), "--data", str(data)])
    assert result.exit_code == 0, result.output
    for heading in ("Sites", "Articles per month", "Crawls", "Failures"):
        assert heading in result.output
    assert "2023-03" in result.output
    assert png.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    assert png.stat().st_size > 5000


def test_undated_articles_are_counted_apart_not_at_their_crawl_month(data):
    import sqlite3

    from archive.stats import collect, month_series

    with sqlite3.connect(data / "index.db") as conn:
        figures = collect(conn)
    months, _ = month_series(figures)
    # The undated article was fetched in 2025-11: it must not stretch the axis to then.
    assert months == ["2023-03", "2023-04"]
    assert {s["site"]: s["undated"] for s in figures.sites} == {"haian": 0, "lechan": 1}


def test_chart_draws_vietnamese_site_titles_with_every_glyph(data, tmp_path):
    import sqlite3
    import warnings

    from archive.chart import articles_per_month_png
    from archive.stats import collect

    with sqlite3.connect(data / "index.db") as conn:
        figures = collect(conn)
    assert figures.sites[0]["title"] == "Cổng thông tin điện tử quận Hải An"
    png = tmp_path / "chart.png"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert articles_per_month_png(figures, png) == 2
    missing = [str(w.message) for w in caught if "missing from" in str(w.message)]
    assert not missing, missing  # a font without Vietnamese letters draws boxes
    assert png.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")


# -- wacz ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def wacz_file(data, tmp_path_factory):
    out = tmp_path_factory.mktemp("wacz") / "archive.wacz"
    result = CliRunner().invoke(main, ["wacz", "--out", str(out), "--data", str(data)])
    assert result.exit_code == 0, result.output
    return out


def test_wacz_layout_and_digests(wacz_file, data):
    with zipfile.ZipFile(wacz_file) as zf:
        names = zf.namelist()
        assert {"datapackage.json", "datapackage-digest.json", "pages/pages.jsonl",
                "indexes/index.cdx.gz", "indexes/index.idx"} <= set(names)  # fmt: skip
        warcs = [n for n in names if n.startswith("archive/")]
        assert [n.removeprefix("archive/") for n in warcs] == sorted(
            p.name for p in (data / "warc").glob("*.warc.gz")
        )
        for name in warcs + ["indexes/index.cdx.gz"]:
            assert zf.getinfo(name).compress_type == zipfile.ZIP_STORED  # random access
        package_bytes = zf.read("datapackage.json")
        package = json.loads(package_bytes)
        digest = json.loads(zf.read("datapackage-digest.json"))
        assert digest["hash"] == "sha256:" + hashlib.sha256(package_bytes).hexdigest()
        listed = {r["path"]: r for r in package["resources"]}
        assert set(listed) == set(names) - {"datapackage.json", "datapackage-digest.json"}
        for path, res in listed.items():
            body = zf.read(path)
            assert res["hash"] == "sha256:" + hashlib.sha256(body).hexdigest(), path
            assert res["bytes"] == len(body)
        for name in warcs:  # the WARCs go in byte for byte
            assert zf.read(name) == (data / "warc" / name.removeprefix("archive/")).read_bytes()
        pages = [json.loads(line) for line in zf.read("pages/pages.jsonl").splitlines()]
    assert pages[0]["format"] == "json-pages-1.0"
    assert {p["url"] for p in pages[1:]} == {a.url for a in articles()}
    assert all(p["ts"].endswith("Z") and p["title"] for p in pages[1:])


def test_wacz_cdxj_finds_every_article(wacz_file, data):
    with zipfile.ZipFile(wacz_file) as zf:
        lines = gzip.GzipFile(fileobj=io.BytesIO(zf.read("indexes/index.cdx.gz"))).read()
        idx = zf.read("indexes/index.idx").decode().splitlines()
    entries = []
    for line in lines.decode("utf-8").splitlines():
        key, ts, blob = line.split(" ", 2)
        entries.append((key, ts, json.loads(blob)))
    assert [e[:2] for e in entries] == sorted(e[:2] for e in entries)  # binary-searchable
    assert idx[0].startswith("!meta 0 ")
    by_key = {}
    for key, _, fields in entries:
        by_key.setdefault(key, []).append(fields)
    for spec in articles():
        hits = by_key.get(surt.surt(spec.url))
        assert hits, spec.url
        (page,) = [h for h in hits if h["mime"] == "text/html"]
        assert page["url"] == spec.url and page["status"] == "200"
        # ... and the CDXJ location really holds that response.
        with open(data / "warc" / page["filename"], "rb") as f:
            f.seek(int(page["offset"]))
            member = f.read(int(page["length"]))
        assert spec.url.encode() in gzip.decompress(member)
    # Every response record of the WARCs is indexed (no metadata records among them).
    responses = sum(
        1
        for warc in (data / "warc").glob("*.warc.gz")
        for rec in iter_records(warc)
        if rec.rec_type == "response"
    )
    assert len(entries) == responses


def test_wacz_validates_with_py_wacz(wacz_file):
    validate = pytest.importorskip("wacz.validate")
    check = validate.Validation(str(wacz_file))
    assert check.version == "1.1.1"
    assert check.check_required_contents() == 0
    assert check.frictionless_validate()
    assert check.check_file_paths()
    assert check.check_file_hashes()


def test_wacz_leaves_out_an_incomplete_tail(data, tmp_path):
    import shutil

    copy = tmp_path / "data"
    shutil.copytree(data, copy)
    (warc,) = (copy / "warc").glob("*.warc.gz")
    whole = warc.read_bytes()
    warc.write_bytes(whole + whole[:200])  # a crash mid-record
    out = tmp_path / "x.wacz"
    result = CliRunner().invoke(main, ["wacz", "--out", str(out), "--data", str(copy)])
    assert result.exit_code == 0, result.output
    assert "incomplete record" in result.output
    with zipfile.ZipFile(out) as zf:
        assert zf.read(f"archive/{warc.name}") == whole


def test_wacz_name_must_end_in_wacz(data, tmp_path):
    result = CliRunner().invoke(
        main, ["wacz", "--out", str(tmp_path / "x.zip"), "--data", str(data)]
    )
    assert result.exit_code == 1 and ".wacz" in result.output
