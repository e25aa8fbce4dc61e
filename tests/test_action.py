"""The GitHub Action (action.yml): its own shell steps, run as the runner would.

Each ``run:`` step is executed with bash (``-eo pipefail``, as Actions does) in a faked
runner environment: ``GITHUB_OUTPUT``, ``GITHUB_STEP_SUMMARY``, ``RUNNER_TEMP``,
``GITHUB_ACTION_PATH``, inputs and step outputs substituted into ``env:`` as the runner
substitutes them. The ``uses:`` steps are not run: the cache is emulated with the
semantics of actions/cache (a key is written once; restore takes the exact key, else the
newest entry with a matching prefix), the upload is recorded. The install step is not run
either (it would download every dependency): the command it would output is this
environment's ``citewatch``; the wheel itself is installed and run by ``make package``.
Checks reach only the simulated web on loopback.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from checker.testing.simweb import SimWeb

ROOT = Path(__file__).resolve().parents[1]
ACTION = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
CITEWATCH = str(Path(sys.executable).with_name("citewatch"))
EXPR = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")


@dataclass
class Cache:
    """actions/cache semantics: immutable keys; restore by exact key, else newest prefix."""

    entries: list[tuple[str, Path]] = field(default_factory=list)
    root: Path = Path()

    def restore(self, key: str, prefixes: list[str], path: Path) -> str | None:
        hit = next((k for k, _ in self.entries if k == key), None)
        for prefix in prefixes:
            if hit is None:
                hit = next((k for k, _ in reversed(self.entries) if k.startswith(prefix)), None)
        if hit is not None:
            shutil.rmtree(path, ignore_errors=True)
            shutil.copytree(dict(self.entries)[hit], path)
        return hit

    def save(self, key: str, path: Path) -> bool:
        if any(k == key for k, _ in self.entries) or not path.exists():
            return False  # the real action warns "Cache already exists" and saves nothing
        copy = self.root / f"entry{len(self.entries)}"
        shutil.copytree(path, copy)
        self.entries.append((key, copy))
        return True


@dataclass
class Job:
    inputs: dict[str, str]
    outputs: dict[str, dict[str, str]] = field(default_factory=dict)
    log: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    uploads: list[dict[str, str]] = field(default_factory=list)
    cache_events: list[str] = field(default_factory=list)
    summary: str = ""


def _value(expr: str, job: Job, github: dict[str, str]) -> str:
    if expr.startswith("inputs."):
        return job.inputs[expr.removeprefix("inputs.")]
    if expr.startswith("github."):
        return github[expr.removeprefix("github.")]
    match = re.fullmatch(r"steps\.([\w-]+)\.outputs\.([\w-]+)", expr)
    if match:
        return job.outputs.get(match[1], {}).get(match[2], "")
    raise AssertionError(f"expression not understood by this test: {expr}")


def _render(text: str, job: Job, github: dict[str, str]) -> str:
    return EXPR.sub(lambda m: _value(m[1], job, github), text)


def _condition(cond: str | None, job: Job) -> bool:
    if not cond:
        return not job.failed  # success() is the default
    result = not job.failed if "always()" not in cond else True
    for name, wanted in re.findall(r"inputs\.([\w-]+) == '([^']*)'", cond):
        result = result and job.inputs[name] == wanted
    return result


def run_action(
    workspace: Path,
    actions_cache: Cache,
    /,
    *,
    run_id: str = "1001",
    attempt: str = "1",
    command: str = CITEWATCH,
    **inputs: str,
) -> Job:
    defaults = {k: str(v.get("default", "")) for k, v in ACTION["inputs"].items()}
    unknown = set(inputs) - set(defaults)
    assert not unknown, f"not inputs of action.yml: {unknown}"
    job = Job({**defaults, **inputs})
    github = {"run_id": run_id, "run_attempt": attempt}
    temp = workspace.parent / "runner-temp"
    temp.mkdir(exist_ok=True)
    summary_file = temp / "step-summary.md"
    summary_file.touch()
    for index, step in enumerate(ACTION["runs"]["steps"]):
        step_id = step.get("id", f"step{index}")
        if not _condition(step.get("if"), job):
            continue
        uses = step.get("uses", "")
        with_ = {k: _render(str(v), job, github) for k, v in step.get("with", {}).items()}
        if uses.startswith("actions/cache/restore"):
            prefixes = [p for p in with_["restore-keys"].splitlines() if p]
            hit = actions_cache.restore(with_["key"], prefixes, workspace / with_["path"])
            job.cache_events.append(f"restore {with_['key']} -> {hit}")
        elif uses.startswith("actions/cache/save"):
            saved = actions_cache.save(with_["key"], workspace / with_["path"])
            job.cache_events.append(f"save {with_['key']} -> {saved}")
        elif uses.startswith("actions/upload-artifact"):
            job.uploads.append(with_)
        elif uses:
            continue  # setup-python: this interpreter stands in for it
        elif step_id == "install":
            job.outputs["install"] = {"command": command}
        else:
            output_file = temp / f"output-{step_id}"
            output_file.write_text("", encoding="utf-8")
            env = {
                "PATH": os.environ["PATH"],
                "HOME": str(workspace),
                "GITHUB_OUTPUT": str(output_file),
                "GITHUB_STEP_SUMMARY": str(summary_file),
                "GITHUB_ACTION_PATH": str(ROOT),
                "GITHUB_WORKSPACE": str(workspace),
                "RUNNER_TEMP": str(temp),
            }
            env.update({k: _render(str(v), job, github) for k, v in step.get("env", {}).items()})
            script = temp / f"{step_id}.sh"
            script.write_text(_render(step["run"], job, github), encoding="utf-8")
            proc = subprocess.run(
                ["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
                cwd=workspace,
                env=env,
                capture_output=True,
                text=True,
                timeout=120,
            )
            job.log.append(proc.stdout + proc.stderr)
            job.outputs[step_id] = dict(
                line.split("=", 1)
                for line in output_file.read_text(encoding="utf-8").splitlines()
                if "=" in line
            )
            if proc.returncode != 0:
                job.failed.append(step_id)
    job.summary = summary_file.read_text(encoding="utf-8")
    return job


def write_refs(workspace: Path, urls: list[str]) -> None:
    workspace.mkdir(parents=True, exist_ok=True)
    lines = ["id,url,title,access_date"]
    lines += [f"r{i},{url},Real Story,1 May 2019" for i, url in enumerate(urls, 1)]
    (workspace / "references.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")


def web_args(simweb: SimWeb) -> str:
    return " ".join([*simweb.cli_args(), "--timeout", "5", "--host-interval", "0"])


@pytest.fixture
def cache(tmp_path: Path) -> Cache:
    (tmp_path / "cache").mkdir()
    return Cache(root=tmp_path / "cache")


def test_findings_fail_the_job_with_outputs_summary_and_report(
    simweb: SimWeb, tmp_path: Path, cache: Cache
) -> None:
    ws = tmp_path / "ws"
    write_refs(
        ws,
        [
            simweb.url("news.example", "/article/real-story"),
            simweb.url("news.example", "/status/404"),
        ],
    )
    job = run_action(ws, cache, args=web_args(simweb) + " --confirm-now", archive="false")
    out = job.outputs["check"]
    assert out["exit-code"] == "1", job.log
    assert out["references"] == "2" and out["dead"] == "1" and out["inconclusive"] == "false"
    assert int(out["errors"]) >= 1
    assert out["report-dir"] == "citewatch-report"
    assert "# citewatch report" in job.summary
    assert job.uploads and job.uploads[0]["path"] == "citewatch-report"
    assert job.uploads[0]["name"] == "citewatch-report"
    assert (ws / "citewatch-report" / "index.html").is_file()
    assert job.failed == ["verdict"], job.failed
    assert "::error title=citewatch::findings at or above fail-on (exit 1)" in job.log[-1]


def test_fail_false_turns_findings_into_a_warning(
    simweb: SimWeb, tmp_path: Path, cache: Cache
) -> None:
    ws = tmp_path / "ws"
    write_refs(ws, [simweb.url("news.example", "/status/404")])
    job = run_action(
        ws, cache, args=web_args(simweb) + " --confirm-now", archive="false", fail="false"
    )
    assert job.outputs["check"]["exit-code"] == "1"
    assert job.failed == []
    assert "::warning title=citewatch::findings at or above fail-on (exit 1)" in job.log[-1]


def test_every_night_saves_a_new_entry_and_the_next_restores_it(
    simweb: SimWeb, tmp_path: Path, cache: Cache
) -> None:
    ws = tmp_path / "ws"
    write_refs(ws, [simweb.url("news.example", "/article/real-story")])
    args = web_args(simweb) + " --recheck-all"
    night1 = run_action(ws, cache, run_id="501", args=args, archive="false")
    assert night1.outputs["check"]["exit-code"] == "0", night1.log
    assert night1.cache_events == [
        "restore citewatch-state-501-1 -> None",
        "save citewatch-state-501-1 -> True",
    ]
    shutil.rmtree(ws / ".citewatch")  # a new runner: nothing left on disk
    night2 = run_action(ws, cache, run_id="502", args=args, archive="false")
    assert night2.cache_events == [
        "restore citewatch-state-502-1 -> citewatch-state-501-1",
        "save citewatch-state-502-1 -> True",
    ]
    # A re-run attempt of night 2 restores night 2's entry and still saves its own.
    rerun = run_action(ws, cache, run_id="502", attempt="2", args=args, archive="false")
    assert rerun.cache_events == [
        "restore citewatch-state-502-2 -> citewatch-state-502-1",
        "save citewatch-state-502-2 -> True",
    ]
    db = ws / ".citewatch" / "state.sqlite"
    runs = sqlite3.connect(db).execute("SELECT COUNT(*) FROM runs").fetchone()[0]
    assert runs == 3  # the history travelled through the cache: three nights recorded


def test_unusable_network_is_a_warning_not_a_failure(tmp_path: Path, cache: Cache) -> None:
    ws = tmp_path / "ws"
    # Hosts that resolve to a loopback port with nothing listening: no host answers.
    hosts = [f"site{i}.example" for i in range(4)]
    write_refs(ws, [f"http://{h}:9/page" for h in hosts])
    args = " ".join(f"--resolve {h}=127.0.0.1" for h in hosts)
    job = run_action(
        ws, cache, args=f"--allow-private --timeout 5 --confirm-now {args}", archive="false"
    )
    assert job.outputs["check"]["exit-code"] == "3", job.log
    assert job.outputs["check"]["inconclusive"] == "true"
    assert job.failed == []
    assert "::warning title=citewatch::the links could not be judged" in job.log[-1]


def test_missing_input_fails_and_no_summary_is_invented(tmp_path: Path, cache: Cache) -> None:
    ws = tmp_path / "ws"
    ws.mkdir()
    job = run_action(ws, cache, input="refernces.csv", args="--offline", fail="false")
    assert job.outputs["check"]["exit-code"] == "2"
    assert "references" not in job.outputs["check"]  # no report, no counts
    assert job.summary == ""
    assert "citewatch wrote no summary.md" in "".join(job.log)
    assert job.failed == []  # fail: false makes 2 a warning too
    assert "problems in the input (exit 2)" in job.log[-1]


@pytest.mark.parametrize("code", ["4", "127", ""])
def test_anything_else_always_fails(code: str) -> None:
    verdict = next(s for s in ACTION["runs"]["steps"] if s.get("name") == "Verdict")
    env: dict[str, Any] = {"PATH": os.environ["PATH"], "CW_CODE": code, "CW_FAIL": "false"}
    assert set(verdict["env"]) == {"CW_CODE", "CW_FAIL"}
    proc = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", verdict["run"]],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert proc.returncode != 0
    assert "::error title=citewatch::citewatch did not finish" in proc.stdout


def test_inputs_reach_the_command_line_unglobbed(tmp_path: Path, cache: Cache) -> None:
    ws = tmp_path / "ws"
    write_refs(ws, ["https://example.org/a"])
    (ws / "a-file-a-glob-would-match").touch()
    fake = tmp_path / "fake-citewatch"
    fake.write_text('#!/bin/sh\nprintf "%s\\n" "$@" > "$RUNNER_TEMP/argv"\nexit 0\n')
    fake.chmod(0o755)
    run_action(
        ws, cache, command=str(fake), args="--offline --ignore *", archive="false", cache="false"
    )
    argv = (tmp_path / "runner-temp" / "argv").read_text().splitlines()
    assert argv[:2] == ["check", "references.csv"]
    assert argv[argv.index("--ignore") + 1] == "*"  # never expanded by the shell
    assert argv[-1] == "--no-archive"
    assert argv[argv.index("--state") + 1] == ".citewatch/state.sqlite"
