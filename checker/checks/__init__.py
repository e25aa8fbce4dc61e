"""Offline integrity checks: dates, archive links, identifiers, titles, duplicates.

Each check is a function of one reference (or, for list-level rules, of the whole
table) returning :class:`~checker.model.Finding` objects with a stable code.  The
catalogue of codes lives in :mod:`checker.checks.codes` and docs/findings.md.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from checker.model import Finding, InputProblem, Reference, Severity

#: Wikipedia's own floor for access-date (Module:Citation/CS1).
WEB_FLOOR = dt.date(2001, 1, 15)


@dataclass(frozen=True, slots=True)
class CheckConfig:
    """Settings of the offline checks (every one a CLI flag / config key)."""

    today: dt.date = field(default_factory=dt.date.today)
    access_floor: dt.date = WEB_FLOOR
    url_date_tolerance_days: int = 31
    ignore: frozenset[str] = frozenset()
    #: the wiki language dates are written in ("" = English, the CS1 grammar); the
    #: date checks parse with :func:`checker.i18n.dates.parse_in`
    lang: str = ""


RefCheck = Callable[[Reference, CheckConfig], Iterable[Finding]]
ListCheck = Callable[[Sequence[Reference], CheckConfig], Iterable[Finding]]


def _ref_checks() -> tuple[RefCheck, ...]:
    from checker.checks import archive, content, dates, identifiers, urls

    return (dates.check, archive.check, urls.check, identifiers.check, content.check)


def _list_checks() -> tuple[ListCheck, ...]:
    from checker.checks import dates, duplicates

    return (dates.check_formats, dates.check_access_without_url, duplicates.check)


def problem_findings(problems: Iterable[InputProblem]) -> list[Finding]:
    """Input problems tied to a reference, as findings on it (so they show in reports)."""
    found = []
    for problem in problems:
        if problem.ref_id is None:
            continue
        found.append(
            Finding(
                "input-error",
                Severity.ERROR,
                str(problem),
                problem.ref_id,
                fields=(problem.field,) if problem.field else (),
            )
        )
    return found


def run_checks(references: Sequence[Reference], config: CheckConfig | None = None) -> list[Finding]:
    """Every offline finding for ``references``, in input order, list-level ones last."""
    config = config or CheckConfig()
    ref_checks = _ref_checks()
    findings: list[Finding] = []
    append = findings.extend
    for ref in references:
        for check in ref_checks:
            append(check(ref, config))
    for list_check in _list_checks():
        append(list_check(references, config))
    if config.ignore:
        findings = [f for f in findings if f.code not in config.ignore]
    return findings


__all__ = ["WEB_FLOOR", "CheckConfig", "problem_findings", "run_checks"]
