"""Suggestions that never contradict each other.

Each check suggests its own fix; two fixes for one reference can undo each other (the
retrieval year is fixed, and another finding offers a publication date that puts
retrieval before publication again).  :func:`coherent_fields` judges the suggestions of
one reference together, in order, keeping one only if the combined result has no date
contradiction it did not already have, and none on a field it changes; a page whose
content drifted from the cited version does not vouch for the citation's date.
:func:`coherent` applies this to a run's findings (the report shows only suggestions
that can all be applied), and :func:`checker.patch.plan.plan` to a report before
patching.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence

from checker.dates import DateError, parse_date
from checker.model import DateValue, Finding

#: (earlier, later): the first must not be after the second.
ORDER = (("date", "access_date"), ("date", "archive_date"))
#: A finding offering the live page's date as the citation's date.
PAGE_DATE_CODES = frozenset({"publication-date-mismatch"})
#: Findings saying the live page is not the version that was cited.
DRIFT_CODES = frozenset({"content-drift"})


def _date(value: str) -> DateValue | None:
    try:
        return parse_date(value)
    except DateError:
        return None


def contradictions(fields: Mapping[str, str]) -> set[tuple[str, str]]:
    """The ordered pairs of date fields in ``fields`` that contradict each other."""
    found = set()
    for first, second in ORDER:
        a, b = _date(fields.get(first, "")), _date(fields.get(second, ""))
        if a is not None and b is not None and b.latest < a.earliest:
            found.add((first, second))
    return found


def coherent_fields(
    fields: Mapping[str, str], proposals: Sequence[tuple[str, Mapping[str, str]]]
) -> list[str]:
    """For each (code, suggested) proposal, "" when it may be offered with the ones kept
    before it, else why not."""
    codes = {code for code, _ in proposals}
    combined = dict(fields)
    current = contradictions(combined)
    verdicts = []
    for code, suggested in proposals:
        if not suggested:
            verdicts.append("")
            continue
        if code in PAGE_DATE_CODES and codes & DRIFT_CODES:
            verdicts.append("the page changed since it was cited, so its date is not the cited one")
            continue
        trial = {**combined, **suggested}
        after = contradictions(trial)
        # A fix that makes an unreadable date readable reveals a contradiction, it does not
        # make one: only pairs readable before count against it.
        wrong = {
            pair
            for pair in after
            if all(_date(combined.get(name, "")) is not None for name in pair)
            and (pair not in current or set(pair) & set(suggested))
        }
        if wrong:
            first, second = sorted(wrong)[0]
            verdicts.append(
                f"with the other fixes it would put {second} before {first} "
                f"({trial.get(second)!r} < {trial.get(first)!r})"
            )
            continue
        combined, current = trial, after
        verdicts.append("")
    return verdicts


def coherent(fields: Mapping[str, str], findings: Sequence[Finding]) -> list[Finding]:
    """``findings`` of one reference, with a suggestion dropped (and said so) where it
    would contradict a suggestion kept before it."""
    verdicts = coherent_fields(fields, [(f.code, f.suggested) for f in findings])
    out = []
    for finding, why in zip(findings, verdicts, strict=True):
        if why:
            finding = dataclasses.replace(
                finding, suggested={}, suggestion=f"no fix suggested: {why}"
            )
        out.append(finding)
    return out
