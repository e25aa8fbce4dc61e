"""Offline checks over several processes give exactly the findings of one process."""

from __future__ import annotations

import datetime as dt
import pickle

import pytest

from checker import checks
from checker.checks import CheckConfig, run_checks
from checker.model import Reference


def refs(n: int) -> list[Reference]:
    out = []
    for i in range(n):
        day = dt.date(2010, 1, 1) + dt.timedelta(days=i * 37 % 4000)
        out.append(
            Reference(
                id=str(i),
                url=f"https://site{i % 7}.example/{day:%Y/%m/%d}/story-{i}",
                title=f"Story {i % 40}",
                date=f"{day.day} {day:%B} {day.year}",
                access_date=(day - dt.timedelta(days=i % 3 * 200)).isoformat(),
                isbn="1873328126" if i % 11 == 0 else "",
                archive_url=f"https://web.archive.org/web/2011/{i}" if i % 13 == 0 else "",
            )
        )
    return out


def test_parallel_checks_match_one_process(monkeypatch: pytest.MonkeyPatch) -> None:
    references = refs(600)
    config = CheckConfig(today=dt.date(2026, 11, 24))
    single = run_checks(references, config)
    assert single  # the list really has findings
    monkeypatch.setattr(checks, "PARALLEL_MIN", 10)
    monkeypatch.setattr(checks, "cores", lambda: 2)
    parallel = checks._parallel(references, config)
    assert parallel is not None  # the forked path really ran
    assert run_checks(references, config) == single
    assert pickle.loads(pickle.dumps(single)) == single  # findings travel between processes
