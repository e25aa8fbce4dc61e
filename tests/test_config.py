"""Settings files: defaults for every flag, flags win, clear errors, `citewatch config`."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from checker.cli import main
from checker.cli_links import link_config
from checker.config import ConfigError, load_settings

WARN_ONLY = "id,title,url,date\n1,A headline long enough,https://a.example/,13 April 2017\n"


@pytest.fixture()
def project(tmp_path: Path) -> Path:
    (tmp_path / "refs.csv").write_text(WARN_ONLY, encoding="utf-8")
    old = Path.cwd()
    os.chdir(tmp_path)
    yield tmp_path
    os.chdir(old)


def check(*args: str) -> int:
    group = list(args[:2]) if args[:1] == ("--config",) else []
    rest = list(args[len(group) :])
    return CliRunner().invoke(main, [*group, "check", "refs.csv", "--offline", *rest]).exit_code


def test_pyproject_table_sets_defaults_and_flags_win(project: Path) -> None:
    assert check() == 0  # a warning does not fail by default
    (project / "pyproject.toml").write_text('[tool.citewatch]\nfail_on = "warning"\n')
    assert check() == 1
    assert check("--fail-on", "error") == 0


def test_citewatch_toml_first(project: Path) -> None:
    (project / "pyproject.toml").write_text('[tool.citewatch]\nfail_on = "warning"\n')
    (project / "citewatch.toml").write_text('fail_on = "never"\nignore = ["generic-title"]\n')
    assert check() == 0


def test_explicit_config_and_unknown_key(project: Path) -> None:
    (project / "other.toml").write_text('fail-on = "warning"\n')
    assert check("--config", "other.toml") == 1
    (project / "bad.toml").write_text("max_concurency = 3\n")
    result = CliRunner().invoke(main, ["--config", "bad.toml", "check", "refs.csv"])
    assert result.exit_code == 2
    assert "bad.toml: unknown setting 'max_concurency'" in result.output


def test_broken_toml_is_a_clear_error(project: Path) -> None:
    (project / "citewatch.toml").write_text("fail_on = \n")
    result = CliRunner().invoke(main, ["check", "refs.csv"])
    assert result.exit_code == 2 and "not valid TOML" in result.output
    assert "Traceback" not in result.output


def test_config_command_shows_effective_settings(project: Path) -> None:
    (project / "citewatch.toml").write_text(
        'host_interval = 0.5\n[domains."example.org"]\ninterval = 2.0\n'
        'headers = { Cookie = "consent=yes" }\n'
    )
    output = CliRunner().invoke(main, ["config"]).output
    assert "host_interval = 0.5  # " + str(project / "citewatch.toml") in output
    assert "max_concurrency = 32  # default" in output
    assert (
        'domains."example.org" = { interval = 2.0, headers = { "Cookie" = "consent=yes" } }'
        in output
    )


def test_domain_settings_reach_the_link_stage(project: Path) -> None:
    (project / "citewatch.toml").write_text(
        '[domains."slow.example"]\ninterval = 3.0\nheaders = { Cookie = "a=b" }\n'
    )
    settings = load_settings()
    opts = {
        "timeout": 20.0,
        "allow_private": False,
        "user_agent": None,
        "max_concurrency": 4,
        "host_concurrency": 1,
        "host_interval": 0.1,
        "confirm_checks": 3,
        "confirm_days": 3.0,
        "alive_ttl": 7.0,
        "confirm_now": False,
        "no_state": True,
        "state_path": None,
        "recheck_all": False,
        "no_probe": False,
        "exclude": (),
        "domain_interval": ("fast.example=0",),
        "domain_header": ("fast.example:X-Test=1",),
    }
    config = link_config(opts, settings)
    assert config.politeness.interval("www.slow.example") == 3.0
    assert config.politeness.interval("fast.example") == 0.0
    assert config.fetch.domain_headers["slow.example"] == {"Cookie": "a=b"}
    assert config.fetch.domain_headers["fast.example"] == {"x-test": "1"}


def test_bad_domain_table(tmp_path: Path) -> None:
    path = tmp_path / "citewatch.toml"
    path.write_text('[domains."a.example"]\nspeed = 1\n')
    with pytest.raises(ConfigError, match="unknown key 'speed'"):
        load_settings(path)
