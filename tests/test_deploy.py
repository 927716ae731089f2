"""deploy/: the crontab line and the systemd unit run the crawl the way cron and systemd
would: `env -i` (no environment), no terminal (new session, stdin from /dev/null), another
working directory. Paths of the examples are replaced by this checkout and a temp folder."""

from __future__ import annotations

import configparser
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from newsarchive.cli.exitcodes import LOCKED
from tests.crawlsupport import comparable, index_articles, truth, truth_comparable

ROOT = Path(__file__).resolve().parents[1]
DEPLOY = ROOT / "deploy"
HOME = Path(sys.executable).parent.parent.parent  # the checkout holding .venv


@pytest.fixture
def installed(replica_factory, tmp_path):
    """An env file as an operator writes it, pointing at a replica and a temp archive."""
    replica = replica_factory(articles=30, seed=9)
    data = tmp_path / "archive"
    data.mkdir()
    sites = tmp_path / "sites.toml"
    sites.write_text(
        '[sites.haian]\ntitle = "Hải An"\nstart_urls = ["https://haian.haiphong.gov.vn/"]\n'
        'profile = "haiphong-c"\n',
        encoding="utf-8",
    )
    env = tmp_path / "newsarchive.env"
    env.write_text(
        f"NEWSARCHIVE_HOME={HOME}\nNEWSARCHIVE_DATA={data}\nNEWSARCHIVE_SITES={sites}\n"
        f"NEWSARCHIVE_CRAWL_ARGS='--fast --map *.haiphong.gov.vn=127.0.0.1:{replica.port}'\n",
        encoding="utf-8",
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    return replica, data, env, elsewhere


def localize(command: str, env: Path) -> str:
    return command.replace("/etc/newsarchive/newsarchive.env", str(env)).replace(
        "/opt/newsarchive", str(ROOT)
    )


def run_as_cron(argv: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["env", "-i", *argv],
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        start_new_session=True,  # no controlling terminal, as under cron
        timeout=600,
    )


def assert_archived(replica, data: Path) -> None:
    expected = {
        t["url"]: truth_comparable(t)
        for t in truth(replica.base, "haian.haiphong.gov.vn")
        if t["status"] == "active"
    }
    archived = {u: comparable(a) for u, a in index_articles(data / "index.db").items()}
    assert archived == expected
    assert list((data / "logs").glob("crawl-*.log")), "no run log written"
    assert (data / "crawl.jsonl").is_file()
    log = max((data / "logs").glob("crawl-*.log")).read_text(encoding="utf-8")
    assert "crawl finished" in log and "haian: " in log


def crontab_command() -> str:
    lines = [
        line
        for line in (DEPLOY / "crontab").read_text().splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    ]
    assert len(lines) == 1, lines
    fields = lines[0].split(None, 5)
    assert len(fields) == 6, "a crontab line is five time fields and a command"
    return fields[5]


def test_the_crontab_line_crawls_with_no_environment_or_terminal(installed):
    replica, data, env, elsewhere = installed
    result = run_as_cron(["/bin/sh", "-c", localize(crontab_command(), env)], elsewhere)
    assert result.returncode == 0, result.stdout + result.stderr
    assert_archived(replica, data)


def test_the_systemd_service_crawls_with_no_environment_or_terminal(installed):
    replica, data, env, elsewhere = installed
    unit = configparser.ConfigParser(interpolation=None, strict=False)
    unit.optionxform = str  # type: ignore[assignment,method-assign]
    unit.read(DEPLOY / "newsarchive.service")
    service = unit["Service"]
    assert service["Type"] == "oneshot"
    assert str(LOCKED) in service["SuccessExitStatus"].split()
    assert "WorkingDirectory" not in service  # the script must not rely on one
    argv = shlex.split(localize(service["ExecStart"], env))
    result = run_as_cron(argv, elsewhere)
    assert result.returncode == 0, result.stdout + result.stderr
    assert_archived(replica, data)
    timer = configparser.ConfigParser(interpolation=None, strict=False)
    timer.read(DEPLOY / "newsarchive.timer")
    assert timer["Timer"]["OnCalendar"] and timer["Install"]["WantedBy"] == "timers.target"


def test_a_missing_env_file_is_a_config_error(tmp_path):
    result = run_as_cron(
        [str(DEPLOY / "newsarchive-crawl.sh"), str(tmp_path / "none.env")], tmp_path
    )
    assert result.returncode == 2
    assert "cannot read" in result.stderr
