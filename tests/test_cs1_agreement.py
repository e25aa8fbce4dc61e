"""citewatch agrees with Module:Citation/CS1 on at least 98 % of 521 real and typical date strings,
and every disagreement is a documented, deliberate difference (docs/dates.md)."""

from __future__ import annotations

import csv
import importlib.util
import re
import sys
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data" / "cs1_dates"


def _score_module() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "cs1_score", ROOT / "bench" / "cs1_oracle" / "score.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


score = _score_module()


def documented_differences() -> set[tuple[str, str]]:
    doc = (ROOT / "docs" / "dates.md").read_text(encoding="utf-8")
    section = doc.split("## Deliberate differences", 1)[1].split("\n## ", 1)[0]
    rows = re.findall(r"^\| ([a-z-]+) \| `([^`]+)` \| (?:valid|invalid) \|", section, re.M)
    return set(rows)


def test_fixture_is_the_oracle_run_over_the_cases() -> None:
    today, cases = score.load()
    with (DATA / "cases.tsv").open(encoding="utf-8", newline="") as handle:
        inputs = [
            (r["source"], r["param"], r["value"])
            for r in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        ]
    assert [(c.source, c.param, c.value) for c in cases] == inputs
    assert len(cases) >= 300
    assert {c.source for c in cases} == {"seed", "help-cs1-errors", "issue-11", "cs1-shapes"}
    # Both verdicts are well represented, so agreement is not won by saying yes.
    valid = sum(c.cs1_valid for c in cases)
    assert 0.3 < valid / len(cases) < 0.8
    assert today.isoformat() == "2026-11-27"


def test_agreement_with_the_module() -> None:
    today, cases = score.load()
    wrong = score.disagreements(today, cases)
    assert 1 - len(wrong) / len(cases) >= 0.98, [(c.param, c.value) for c in wrong]


def test_every_disagreement_is_documented() -> None:
    today, cases = score.load()
    wrong = {(c.param, c.value) for c in score.disagreements(today, cases)}
    assert wrong == documented_differences()


def test_the_seed_dates_all_agree() -> None:
    today, cases = score.load()
    seed = [c for c in cases if c.source == "seed"]
    assert len(seed) > 100
    assert score.disagreements(today, seed) == []
