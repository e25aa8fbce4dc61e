"""Regenerate tests/data/cs1_dates/verdicts.tsv by running Wikipedia's own module.

    apt-get install lua5.1
    .venv/bin/python bench/cs1_oracle/regenerate.py PATH/TO/Date_validation.lua [--today YYYY-MM-DD]

The module is not shipped with citewatch (CC BY-SA 3.0/4.0; see README.md in
tests/data/cs1_dates/).  The verdict table keeps the run date it was made with: the
module's "at most next year" and "not after tomorrow" limits depend on it, and the
test scores citewatch with the same date.
"""

from __future__ import annotations

import argparse
import csv
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data" / "cs1_dates"
ORACLE = Path(__file__).with_name("oracle.lua")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("module", type=Path, help="Module:Citation/CS1/Date_validation source")
    parser.add_argument("--today", default="2026-11-27", help="the run date (YYYY-MM-DD)")
    parser.add_argument("--lua", default="lua5.1")
    args = parser.parse_args()
    with (DATA / "cases.tsv").open(encoding="utf-8", newline="") as handle:
        cases = list(csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE))
    stdin = "".join(f"{c['param']}\t{c['value']}\n" for c in cases)
    run = subprocess.run(
        [args.lua, str(ORACLE), str(args.module), args.today],
        input=stdin,
        capture_output=True,
        text=True,
        check=True,
    )
    verdicts = [line.split("\t") for line in run.stdout.splitlines()]
    assert len(verdicts) == len(cases), "the oracle skipped a case"
    with (DATA / "verdicts.tsv").open("w", encoding="utf-8", newline="") as handle:
        handle.write(f"# Module:Citation/CS1/Date_validation verdicts, run date {args.today}\n")
        handle.write("source\tparam\tvalue\tcs1\n")
        for case, (param, value, verdict) in zip(cases, verdicts, strict=True):
            assert (param, value) == (case["param"], case["value"])
            handle.write(f"{case['source']}\t{param}\t{value}\t{verdict}\n")
    valid = sum(v[2] == "valid" for v in verdicts)
    print(f"{len(verdicts)} verdicts ({valid} valid) written to {DATA / 'verdicts.tsv'}")


if __name__ == "__main__":
    main()
