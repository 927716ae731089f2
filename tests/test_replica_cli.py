"""`newsarchive replica`: help with an example; bad options are click errors, not tracebacks."""

from __future__ import annotations

from click.testing import CliRunner

from newsarchive.cli import main


def test_help_has_example():
    result = CliRunner().invoke(main, ["replica", "--help"])
    assert result.exit_code == 0 and "Example:" in result.output


def test_bad_faults_value_is_a_clean_error():
    result = CliRunner().invoke(main, ["replica", "--faults", "apocalyptic"])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "Invalid value for '--faults'" in result.output


def test_rates_summing_over_one_are_rejected():
    result = CliRunner().invoke(main, ["replica", "--edit-rate", "0.7", "--delete-rate", "0.6"])
    assert result.exit_code == 2 and "Traceback" not in result.output
