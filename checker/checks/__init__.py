"""Offline integrity checks: dates, archive links, identifiers, titles, duplicates.

Each check is a function of one reference (or, for list-level rules, of the whole
table) returning :class:`~checker.model.Finding` objects with a stable code.  The
catalogue of codes lives in :mod:`checker.checks.codes` and docs/findings.md.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
import os
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
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


#: Lists at least this long are checked by several processes (where fork exists).
PARALLEL_MIN = 100_000
_SHARED: tuple[Sequence[Reference], CheckConfig] | None = None  #: inherited by forked workers


def _check_span(span: tuple[int, int]) -> list[Finding]:
    """The per-reference findings of ``references[start:end]`` (in a forked worker)."""
    assert _SHARED is not None
    references, config = _SHARED
    return _per_reference(references[span[0] : span[1]], config)


def _check_list(_: int) -> list[Finding]:
    """The list-level findings (in a forked worker, beside the per-reference spans)."""
    assert _SHARED is not None
    return _list_level(*_SHARED)


def _list_level(references: Sequence[Reference], config: CheckConfig) -> list[Finding]:
    findings: list[Finding] = []
    for list_check in _list_checks():
        findings.extend(list_check(references, config))
    return findings


def _per_reference(references: Sequence[Reference], config: CheckConfig) -> list[Finding]:
    ref_checks = _ref_checks()
    findings: list[Finding] = []
    append = findings.extend
    for ref in references:
        for check in ref_checks:
            append(check(ref, config))
    return findings


def _parallel(references: Sequence[Reference], config: CheckConfig) -> list[Finding] | None:
    """Every finding, computed by forked worker processes (they inherit the list; only
    findings, which pickle, come back): the list-level checks are one more task beside
    the spans of references, so no core waits; None where that cannot help."""
    global _SHARED
    workers = min(os.cpu_count() or 1, 8)
    if workers < 2 or len(references) < PARALLEL_MIN:
        return None
    try:
        context = multiprocessing.get_context("fork")
    except ValueError:
        return None
    size = max(10_000, len(references) // (workers * 8))
    spans = [(i, min(i + size, len(references))) for i in range(0, len(references), size)]
    _SHARED = (references, config)
    _ref_checks(), _list_checks()  # imported once here, not in every worker
    try:
        with ProcessPoolExecutor(workers, mp_context=context) as pool:
            listed = pool.submit(_check_list, 0)  # the longest task, started first
            findings: list[Finding] = []
            for part in pool.map(_check_span, spans):
                findings.extend(part)
            findings.extend(listed.result())
            return findings
    finally:
        _SHARED = None


def run_checks(references: Sequence[Reference], config: CheckConfig | None = None) -> list[Finding]:
    """Every offline finding for ``references``, in input order, list-level ones last.
    A long list is checked by several processes (the same findings, the same order)."""
    config = config or CheckConfig()
    findings = _parallel(references, config)
    if findings is None:
        findings = _per_reference(references, config)
        findings.extend(_list_level(references, config))
    if config.ignore:
        findings = [f for f in findings if f.code not in config.ignore]
    return findings


__all__ = ["WEB_FLOOR", "CheckConfig", "problem_findings", "run_checks"]
