"""Differential run: random date-like strings through the module and through citewatch.

    .venv/bin/python bench/cs1_oracle/fuzz.py PATH/TO/Date_validation.lua [-n 5000] [--seed 1]

Builds strings from the tokens dates are made of (day numbers with and without zero
padding, month/season/quarter/named words in several spellings, years of 2–4 digits,
dashes, commas, spaces, letters), asks the module (as regenerate.py does) and citewatch,
and prints the agreement and a sample of the disagreements.  Nothing here is asserted:
the scored, committed corpus is tests/data/cs1_dates/verdicts.tsv.
"""

from __future__ import annotations

import argparse
import importlib.util
import random
import subprocess
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent
WORDS = [
    "January", "Jan", "February", "Feb", "March", "Mar", "May", "June", "Jun", "Sep",
    "Sept", "September", "December", "Dec", "june", "Winter", "Spring", "Summer", "Fall",
    "Autumn", "winter", "First Quarter", "Fourth Quarter", "Quarter 2", "Easter",
    "Christmas", "Halloween",
]  # fmt: skip
DASHES = ["\u2013", "-", " \u2013 ", " - ", "\u2014", "/"]


def _year(rng: random.Random) -> str:
    return rng.choice(["2015", "2016", "1999", "2000", "1900", "1500", "1300", "999", "099",
                       "2027", "2028", "0999", "15", "2026", "1582", "1581"])  # fmt: skip


def _day(rng: random.Random) -> str:
    return rng.choice(["1", "3", "9", "10", "28", "29", "30", "31", "01", "09", "0", "32"])


def candidate(rng: random.Random) -> str:
    w, d, y, dash = (
        (lambda: rng.choice(WORDS)),
        (lambda: _day(rng)),
        (lambda: _year(rng)),
        (lambda: rng.choice(DASHES)),
    )
    forms = [
        lambda: f"{d()} {w()} {y()}",
        lambda: f"{w()} {d()}, {y()}",
        lambda: f"{w()} {y()}",
        lambda: y(),
        lambda: f"{y()}-{rng.choice(['01', '02', '06', '12', '13', '00'])}-{d().zfill(2)}",
        lambda: f"{d()}{dash()}{d()} {w()} {y()}",
        lambda: f"{w()} {d()}{dash()}{d()}, {y()}",
        lambda: f"{d()} {w()}{dash()}{d()} {w()} {y()}",
        lambda: f"{w()} {d()}{dash()}{w()} {d()}, {y()}",
        lambda: f"{d()} {w()} {y()}{dash()}{d()} {w()} {y()}",
        lambda: f"{w()} {d()}, {y()}{dash()}{w()} {d()}, {y()}",
        lambda: f"{w()}{dash()}{w()} {y()}",
        lambda: f"{w()} {y()}{dash()}{w()} {y()}",
        lambda: f"{w()} {y()}{dash()}{y()[-2:]}",
        lambda: f"{w()} {y()}{dash()}{y()}",
        lambda: f"{y()}{dash()}{y()}",
        lambda: f"{y()}{dash()}{y()[-2:]}",
        lambda: f"c. {y()}",
        lambda: f"c.{y()}",
        lambda: "n.d.",
    ]
    text = rng.choice(forms)()
    if rng.random() < 0.15:
        text += rng.choice(["a", "b", "ab", "A"])
    return text


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("module", type=Path)
    parser.add_argument("-n", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--today", default="2026-11-27")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    cases = sorted({(rng.choice(["date"] * 8 + ["access-date", "archive-date"]), candidate(rng))
                    for _ in range(args.n)})  # fmt: skip
    run = subprocess.run(
        ["lua5.1", str(HERE / "oracle.lua"), str(args.module), args.today],
        input="".join(f"{p}\t{v}\n" for p, v in cases),
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    spec = importlib.util.spec_from_file_location("cs1_score", HERE / "score.py")
    assert spec is not None and spec.loader is not None
    score = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = score
    spec.loader.exec_module(score)
    import datetime as dt

    today = dt.date.fromisoformat(args.today)
    wrong = []
    for line in run.stdout.splitlines():
        param, value, verdict = line.split("\t")
        case = score.Case("fuzz", param, value, verdict == "valid")
        if score.citewatch_valid(case, today) != case.cs1_valid:
            wrong.append(case)
    valid = run.stdout.count("\tvalid\n")
    print(f"{len(cases)} distinct strings ({valid} valid for CS1): "
          f"agreement {1 - len(wrong) / len(cases):.2%}, {len(wrong)} differ")  # fmt: skip
    print(Counter(("CS1 accepts" if c.cs1_valid else "CS1 rejects", c.param) for c in wrong))
    for case in wrong[:40]:
        print(f"  {'CS1 accepts' if case.cs1_valid else 'CS1 rejects'}  {case.param:12} "
              f"{case.value!r}")  # fmt: skip


if __name__ == "__main__":
    main()
