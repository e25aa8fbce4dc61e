"""Offline integrity checks: dates, archive links, identifiers, titles, duplicates.

Each check is a function of one reference (or, for list-level rules, of the whole
table) returning :class:`~checker.model.Finding` objects with a stable code.  The
catalogue of codes lives in :mod:`checker.checks.codes` and docs/findings.md.
"""

from __future__ import annotations

import datetime as dt
import functools
import multiprocessing
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from checker.bulk import cores, freeze_large
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


#: the workers settle each reference's suggestions, but for these repeated ids (inherited)
_SETTLE: frozenset[str] | None = None


def _check_span(span: tuple[int, int]) -> list[Packed]:
    """The per-reference findings of ``references[start:end]`` (in a forked worker),
    packed for the trip back (:func:`pack`)."""
    assert _SHARED is not None
    references, config = _SHARED
    return pack(_per_reference(references[span[0] : span[1]], config, _SETTLE))


def _check_list(_: int) -> list[Packed]:
    """The list-level findings (in a forked worker, beside the per-reference spans)."""
    assert _SHARED is not None
    return pack(_list_level(*_SHARED))


#: A finding as a plain tuple: its fields in order, the severity as an int and the
#: suggestion mapping as a tuple of (field, value) pairs.
Packed = tuple[
    str,
    int,
    str,
    "str | None",
    tuple[str, ...],
    tuple[str, ...],
    str,
    tuple[tuple[str, str], ...],
    tuple[str, ...],
]


def pack(findings: Iterable[Finding]) -> list[Packed]:
    """Findings as plain tuples, which pickle several times faster than the objects;
    equal strings and tuples are one object, so the pickle holds each once."""
    memo: dict[Any, Any] = {}
    keep = memo.setdefault
    return [
        (
            f.code,
            int(f.severity),
            keep(f.message, f.message),
            f.ref_id,
            keep(f.fields, f.fields),
            keep(f.values, f.values),
            keep(f.suggestion, f.suggestion),
            keep(items, items) if (items := tuple(f.suggested.items())) else (),
            f.related,
        )
        for f in findings
    ]


class Unpacker:
    """Findings again from :func:`pack`'s tuples: equal strings, tuples and suggestion
    mappings become one shared object (a million references' findings repeat a few
    thousand messages), which keeps the run's memory down.  The findings are equal to
    the ones packed."""

    def __init__(self) -> None:
        self._memo: dict[Any, Any] = {}
        self._suggested: dict[tuple[tuple[str, str], ...], Mapping[str, str]] = {}
        self._severity = {int(s): s for s in Severity}

    def __call__(self, packed: Iterable[Packed]) -> list[Finding]:
        keep = self._memo.setdefault
        severity = self._severity
        suggested = self._suggested
        empty = Finding("", Severity.INFO, "", None).suggested  # the shared empty mapping
        out = []
        for code, rank, message, ref_id, fields, values, suggestion, items, related in packed:
            if items:
                mapping = suggested.get(items)
                if mapping is None:
                    mapping = suggested[items] = dict(items)
            else:
                mapping = empty
            out.append(
                Finding(
                    keep(code, code),
                    severity[rank],
                    keep(message, message),
                    ref_id,
                    keep(fields, fields),
                    keep(values, values),
                    keep(suggestion, suggestion),
                    mapping,
                    keep(related, related) if related else (),
                )
            )
        return out


def _list_level(references: Sequence[Reference], config: CheckConfig) -> list[Finding]:
    findings: list[Finding] = []
    for list_check in _list_checks():
        findings.extend(list_check(references, config))
    return findings


def _per_reference(
    references: Sequence[Reference],
    config: CheckConfig,
    settle: frozenset[str] | None = None,
) -> list[Finding]:
    """The findings of every reference; with ``settle`` (ids not to settle), each
    reference's suggestions judged together (:func:`checker.patch.coherence.coherent`)."""
    ref_checks = _ref_checks()
    findings: list[Finding] = []
    append = findings.extend
    if settle is None:
        for ref in references:
            for check in ref_checks:
                append(check(ref, config))
        return findings
    from checker.patch.coherence import coherent

    ignore = config.ignore
    for ref in references:
        found: list[Finding] = []
        for check in ref_checks:
            found.extend(check(ref, config))
        if not found:  # the usual reference
            continue
        if ignore:
            found = [f for f in found if f.code not in ignore]
        if any(f.suggested for f in found) and ref.id not in settle and _to_judge(found):
            found = coherent(ref.fields(), found)
        append(found)
    return findings


def _parallel(
    references: Sequence[Reference], config: CheckConfig, settle: frozenset[str] | None = None
) -> tuple[list[Finding], list[Finding]] | None:
    """The per-reference and the list-level findings, computed by forked worker
    processes (they inherit the list; only findings, which pickle, come back): the
    list-level checks are one more task beside the spans of references, so no core
    waits; None where that cannot help."""
    global _SHARED, _SETTLE
    workers = min(cores(), 8)
    if workers < 2 or len(references) < PARALLEL_MIN:
        return None
    try:
        context = multiprocessing.get_context("fork")
    except ValueError:
        return None
    size = max(10_000, len(references) // (workers * 8))
    spans = [(i, min(i + size, len(references))) for i in range(0, len(references), size)]
    _SHARED, _SETTLE = (references, config), settle
    _ref_checks(), _list_checks()  # imported once here, not in every worker
    freeze_large(len(references))  # the workers' collections leave the shared pages alone
    try:
        from concurrent.futures import ProcessPoolExecutor  # on use: not at every start

        with ProcessPoolExecutor(workers, mp_context=context) as pool:
            listed = pool.submit(_check_list, 0)  # the longest task, started first
            unpack = Unpacker()
            findings: list[Finding] = []
            for part in pool.map(_check_span, spans):
                findings.extend(unpack(part))
            return findings, unpack(listed.result())
    finally:
        _SHARED, _SETTLE = None, None


def _to_judge(findings: list[Finding]) -> bool:
    """Whether :func:`checker.patch.coherence.coherent` could change ``findings``: only
    a suggestion of a date it compares, or a finding offering the live page's date,
    can be judged to contradict another (say, removing a generic author cannot); the
    others it returns as they are."""
    dated, page_date = _judged()
    return any(f.code in page_date or not dated.isdisjoint(f.suggested) for f in findings)


@functools.cache
def _judged() -> tuple[frozenset[str], frozenset[str]]:
    """The date fields coherent() compares, and the codes offering the page's date."""
    from checker.patch.coherence import ORDER, PAGE_DATE_CODES

    return frozenset(name for pair in ORDER for name in pair), PAGE_DATE_CODES


class Checked(list[Finding]):
    """What :func:`run_checks` returns: the findings; with ``settle``, the first
    ``settled`` of them (the per-reference ones) have each reference's suggestions
    already judged together by :func:`checker.patch.coherence.coherent`, except for
    the ids in ``unsettled`` (an id used twice: its findings are judged as one group)."""

    settled = 0
    unsettled: frozenset[str] = frozenset()


def _repeated_ids(references: Sequence[Reference]) -> frozenset[str]:
    ids = [ref.id for ref in references]
    if len(set(ids)) == len(ids):
        return frozenset()
    seen: set[str] = set()
    repeated = set()
    for ref_id in ids:
        if ref_id in seen:
            repeated.add(ref_id)
        seen.add(ref_id)
    return frozenset(repeated)


def run_checks(
    references: Sequence[Reference], config: CheckConfig | None = None, *, settle: bool = False
) -> Checked:
    """Every offline finding for ``references``, in input order, list-level ones last.
    A long list is checked by several processes (the same findings, the same order).

    ``settle``: judge each reference's own suggestions together where they are made
    (in the workers), as :func:`checker.api.check_import` would after the run; the
    list-level findings are left to it (``Checked.settled`` says where they start)."""
    config = config or CheckConfig()
    unsettled = _repeated_ids(references) if settle else None
    parts = _parallel(references, config, unsettled)
    if parts is None:
        found = _per_reference(references, config, unsettled)
        split = len(found)
        found.extend(_list_level(references, config))
    else:
        found, listed = parts
        split = len(found)
        found.extend(listed)
    if config.ignore:
        if settle:  # the per-reference ones were filtered before they were judged
            kept = [f for f in found[split:] if f.code not in config.ignore]
            found[split:] = kept
        else:
            found = [f for f in found if f.code not in config.ignore]
    checked = Checked(found)
    checked.settled = split if settle else 0
    checked.unsettled = unsettled or frozenset()
    return checked


__all__ = ["WEB_FLOOR", "CheckConfig", "Checked", "problem_findings", "run_checks"]
