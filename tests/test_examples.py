"""The nightly CI example stays coherent with the CLI it drives."""

from __future__ import annotations

import re
from pathlib import Path

import yaml
from click.testing import CliRunner

from checker.cli import main

ROOT = Path(__file__).resolve().parents[1]
WORKFLOW = ROOT / "examples" / "github-actions" / "nightly.yml"


def test_workflow_shape() -> None:
    flow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    steps = flow["jobs"]["check"]["steps"]
    uses = [s.get("uses", "") for s in steps]
    assert any(u.startswith("actions/cache/restore") for u in uses)
    assert any(u.startswith("actions/cache/save") for u in uses)
    assert any(u.startswith("actions/upload-artifact") for u in uses)
    runs = "\n".join(s.get("run", "") for s in steps)
    assert "GITHUB_STEP_SUMMARY" in runs and "summary.md" in runs
    assert "citewatch check references.csv" in runs and "citewatch patch" in runs
    assert flow[True]["schedule"][0]["cron"]  # 'on' parses as True in YAML 1.1


def test_workflow_uses_only_real_flags() -> None:
    text = WORKFLOW.read_text(encoding="utf-8")
    for command in ("check", "patch"):
        help_text = CliRunner().invoke(main, [command, "--help"]).output
        known = set(re.findall(r"--[a-z][a-z-]+", help_text))
        for line in re.findall(rf"citewatch {command} (.*)", text):
            used = set(re.findall(r"--[a-z][a-z-]+", line))
            assert used <= known, used - known
