"""The project's first real input: the seed article's 141 references.

The committed references.csv must be exactly what `citewatch import` makes of the seed,
and the report must flag every reference retrieved before it was published — judged
here by an independent oracle (strptime over the three full-date formats), not by a
list of ids.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from click.testing import CliRunner

from checker.cli import main
from checker.importers import load

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "data" / "seed" / "anti-gay-purges-in-chechnya.txt"
URLS = ROOT / "data" / "seed" / "seed-urls.csv"


def _oracle_day(text: str) -> dt.date | None:
    for fmt in ("%d %B %Y", "%B %d, %Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def test_committed_references_csv_is_the_import_of_the_seed(tmp_path: Path) -> None:
    out = tmp_path / "references.csv"
    result = CliRunner().invoke(main, ["import", str(SEED), "--merge", str(URLS), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes() == (ROOT / "references.csv").read_bytes()


def test_seed_has_141_references_and_16_verified_urls() -> None:
    refs = load(ROOT / "references.csv").references
    assert [r.id for r in refs] == [str(i) for i in range(1, 142)]
    with_url = {r.id for r in refs if r.url}
    verified = {line.split(",")[0] for line in URLS.read_text().splitlines()[1:]}
    assert with_url == verified and len(with_url) == 16


def test_every_retrieval_before_publication_is_flagged_and_no_other(tmp_path: Path) -> None:
    refs = load(ROOT / "references.csv").references
    expected = set()
    for ref in refs:
        pub, access = _oracle_day(ref.date), _oracle_day(ref.access_date)
        if pub and access and access < pub:
            expected.add(ref.id)
    assert len(expected) >= 3  # the seed really has such faults
    out = tmp_path / "out"
    result = CliRunner().invoke(
        main,
        [
            "check",
            str(ROOT / "references.csv"),
            "--offline",
            "--out",
            str(out),
            "--today",
            "2026-11-24",
            "--format",
            "json",
        ],
    )
    assert result.exit_code == 1, result.output
    report = json.loads((out / "report.json").read_text(encoding="utf-8"))
    flagged = {
        r["id"]
        for r in report["references"]
        if any(f["code"] == "access-before-publication" for f in r["findings"])
    }
    assert flagged == expected
    for r in report["references"]:
        for f in r["findings"]:
            if f["code"] == "access-before-publication" and f["suggested"]:
                fixed = _oracle_day(f["suggested"]["access_date"])
                pub = _oracle_day(r["fields"]["date"])
                assert fixed is not None and pub is not None and fixed >= pub
