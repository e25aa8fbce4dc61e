"""Score citewatch's date checks against the verdicts of Module:Citation/CS1.

    .venv/bin/python bench/cs1_oracle/score.py        # agreement and every disagreement

A case is *rejected* by citewatch when the date checks give an ERROR on its field (a
warning, such as a hyphen for an en dash, is an acceptance: CS1 accepts and fixes those).
tests/test_cs1_agreement.py asserts the agreement and that each disagreement is one of
the documented deliberate differences (docs/dates.md).
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

from checker.checks import CheckConfig
from checker.checks import dates as date_checks
from checker.model import Reference, Severity

DATA = Path(__file__).resolve().parents[2] / "tests" / "data" / "cs1_dates"
FIELDS = {"date": "date", "access-date": "access_date", "archive-date": "archive_date"}


@dataclass(frozen=True)
class Case:
    source: str
    param: str
    value: str
    cs1_valid: bool


def load(path: Path = DATA / "verdicts.tsv") -> tuple[dt.date, list[Case]]:
    """The run date of the verdict table and its cases."""
    lines = path.read_text(encoding="utf-8").splitlines()
    today = dt.date.fromisoformat(lines[0].rsplit(" ", 1)[1])
    rows = csv.DictReader(lines[1:], delimiter="\t", quoting=csv.QUOTE_NONE)
    cases = [Case(r["source"], r["param"], r["value"], r["cs1"] == "valid") for r in rows]
    return today, cases


def citewatch_valid(case: Case, today: dt.date) -> bool:
    field = FIELDS[case.param]
    ref = Reference(id="1", **{field: case.value})
    findings = date_checks.check(ref, CheckConfig(today=today))
    return not any(f.severity is Severity.ERROR and field in f.fields for f in findings)


def disagreements(today: dt.date, cases: list[Case]) -> list[Case]:
    return [c for c in cases if citewatch_valid(c, today) != c.cs1_valid]


def main() -> None:
    today, cases = load()
    wrong = disagreements(today, cases)
    agree = 1 - len(wrong) / len(cases)
    print(f"{len(cases)} cases, run date {today}: agreement {agree:.1%} ({len(wrong)} differ)")
    for case in wrong:
        verdict = "accepts" if case.cs1_valid else "rejects"
        print(f"  CS1 {verdict:7}  {case.param:12} {case.value!r:40} ({case.source})")


if __name__ == "__main__":
    main()
