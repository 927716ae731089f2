"""`newsarchive search` through click's CliRunner, on a small real archive."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsarchive.cli import main
from tests.toolsupport import SEED_TITLE, build_archive


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    root = tmp_path_factory.mktemp("search-data")
    build_archive(root)
    return root


def run(data, *args: str):
    return CliRunner().invoke(main, ["search", *args, "--data", str(data)])


def search_json(data, *args: str) -> list[dict]:
    result = run(data, *args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def test_unaccented_query_finds_the_seed_article(data):
    result = run(data, "dang", "bo", "hai", "an")
    assert result.exit_code == 0, result.output
    assert SEED_TITLE in result.output
    # The snippet shows the text as written, hits marked.
    assert "[Đảng] [bộ]" in result.output


def test_accented_query_finds_the_seed_article(data):
    rows = search_json(data, "Đảng bộ")
    assert [r["title"] for r in rows] == [SEED_TITLE]
    assert "<mark>Đảng</mark>" in rows[0]["snippet"]


def test_one_argument_query_too(data):
    assert search_json(data, "dang bo hai an")[0]["title"] == SEED_TITLE


def test_accents_are_respected_when_typed(data):
    # "bàn" (discuss) is in the seed article, "bán" (sell) in another one.
    assert [r["title"] for r in search_json(data, "bàn")] == [SEED_TITLE]
    assert SEED_TITLE not in [r["title"] for r in search_json(data, "bán")]
    assert len(search_json(data, "ban")) >= 2  # unaccented: both, and "Ban Chấp hành"


def test_phrase_and_prefix(data):
    assert search_json(data, '"dang bo quan"')[0]["title"] == SEED_TITLE
    assert search_json(data, '"quan dang bo"') == []
    titles = {r["title"] for r in search_json(data, "chuyen*")}
    assert "Quận Hải An đẩy mạnh chuyển đổi số" in titles


def test_site_and_date_filters(data):
    assert {r["site"] for r in search_json(data, "quan", "--site", "lechan")} == {"lechan"}
    march = search_json(data, "quan", "--since", "2023-03-01", "--until", "2023-03-31")
    assert {r["published"][:7] for r in march} == {"2023-03"}
    assert search_json(data, "dang", "--since", "2023-03-10") == []
    assert search_json(data, "dang", "--until", "2023-03-09")[0]["title"] == SEED_TITLE


def test_limit(data):
    assert len(search_json(data, "quan", "--limit", "1")) == 1


def test_filters_are_parameters_not_sql(data):
    result = run(data, "dang", "--site", "haian' OR 1=1 --")
    assert result.exit_code == 1
    assert "unknown site" in result.output


def test_unbalanced_quote_is_a_usage_error(data):
    result = run(data, '"dang bo')
    assert result.exit_code == 2
    assert "unbalanced quote" in result.output
    assert "Traceback" not in result.output
    assert len(result.output.strip().splitlines()) == 1


@pytest.mark.parametrize("query", ["AND", "(dang", "dang)", "NOT", '""', "*", "OR OR"])
def test_malformed_queries_give_one_line(data, query):
    result = run(data, query)
    assert result.exit_code in (0, 2), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert len(result.output.strip().splitlines()) <= 1


def test_bad_dates_and_missing_index(data, tmp_path):
    bad = run(data, "dang", "--since", "09/03/2023")
    assert bad.exit_code == 1 and "YYYY-MM-DD" in bad.output
    missing = CliRunner().invoke(main, ["search", "dang", "--data", str(tmp_path)])
    assert missing.exit_code == 1
    assert "no index" in missing.output and "Traceback" not in missing.output


def test_no_result_message(data):
    result = run(data, "khongtontaitu")
    assert result.exit_code == 0
    assert "no articles match" in result.output


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.text(alphabet=st.characters(blacklist_categories=["Cs"]), min_size=1, max_size=30))
def test_odd_input_never_gives_a_traceback(data, query):
    result = run(data, query)
    assert result.exit_code in (0, 2), (query, result.output, result.exception)
    assert "Traceback" not in result.output
