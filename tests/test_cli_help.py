"""Every command has help with an Example, as sqlite-utils checks for its CLI."""

import pytest
from click.testing import CliRunner

from newsarchive.cli import COMMANDS, main


@pytest.mark.parametrize("name", sorted(COMMANDS))
def test_command_help_has_example(name):
    result = CliRunner().invoke(main, [name, "--help"])
    assert result.exit_code == 0, result.output
    assert "Example" in result.output


def test_group_help_lists_every_command():
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    for name in COMMANDS:
        assert name in result.output


def test_unknown_site_is_a_one_line_error():
    result = CliRunner().invoke(main, ["crawl", "nowhere"])
    assert result.exit_code != 0
    assert "unknown site 'nowhere'" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    "command", [["search", "foo"], ["stats"], ["show", "1"], ["crawl", "haian"]]
)
def test_a_damaged_index_is_a_one_line_error(tmp_path, command):
    (tmp_path / "index.db").write_bytes(b"this is not sqlite")
    result = CliRunner().invoke(main, [*command, "--data", str(tmp_path)])
    assert result.exit_code == 1
    assert "the archive index cannot be read" in result.output
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit)
