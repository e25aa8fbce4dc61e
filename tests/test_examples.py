"""The nightly CI example and the GitHub Action stay coherent with the CLI they drive."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml
from click.testing import CliRunner

from checker.cli import main

ROOT = Path(__file__).resolve().parents[1]
WORKFLOW = ROOT / "examples" / "github-actions" / "nightly.yml"
ACTION = ROOT / "action.yml"
PINNED = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40}$")


def _load(path: Path) -> dict[Any, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def _all_steps(flow: dict[Any, Any]) -> list[dict[str, Any]]:
    return [step for job in flow["jobs"].values() for step in job["steps"]]


def test_workflow_runs_the_action_then_patches() -> None:
    flow = _load(WORKFLOW)
    check = flow["jobs"]["check"]["steps"]
    action_step = next(s for s in check if s.get("uses", "").startswith("citewatch/citewatch@"))
    action_inputs = set(_load(ACTION)["inputs"])
    assert set(action_step.get("with", {})) <= action_inputs
    runs = "\n".join(s.get("run", "") for s in check)
    default_out = _load(ACTION)["inputs"]["out"]["default"]
    assert f'"$CITEWATCH" patch references.csv --report {default_out}/report.json' in runs
    assert flow[True]["schedule"][0]["cron"]  # 'on' parses as True in YAML 1.1


def test_least_privilege_and_pinned_actions() -> None:
    flow = _load(WORKFLOW)
    assert flow["permissions"] == {}
    assert flow["jobs"]["check"]["permissions"] == {"contents": "read", "actions": "write"}
    assert flow["jobs"]["patch"]["permissions"] == {
        "contents": "write",
        "pull-requests": "write",
    }
    steps = _all_steps(flow) + _load(ACTION)["runs"]["steps"]
    for step in steps:
        uses = step.get("uses")
        if uses and not uses.startswith("citewatch/citewatch@"):
            assert PINNED.match(uses), f"{uses} is not pinned by commit hash"
    for step in _all_steps(flow):
        if step.get("uses", "").startswith("actions/checkout@"):
            assert step["with"]["persist-credentials"] is False


def test_workflow_and_action_use_only_real_flags() -> None:
    texts = WORKFLOW.read_text(encoding="utf-8") + ACTION.read_text(encoding="utf-8")
    for command in ("check", "patch"):
        help_text = CliRunner().invoke(main, [command, "--help"]).output
        known = set(re.findall(r"--[a-z][a-z-]+", help_text))
        lines = re.findall(rf'(?:citewatch|"\$CITEWATCH") {command} (.*(?:\\\n.*)*)', texts)
        assert lines, command
        for line in lines:
            used = set(re.findall(r"--[a-z][a-z-]+", line))
            assert used <= known, used - known
