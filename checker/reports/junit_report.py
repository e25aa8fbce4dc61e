"""junit.xml: the findings as a JUnit test report, for CI test dashboards.

One ``<testsuite name="citewatch">`` (inside ``<testsuites>``), one ``<testcase>`` per
reference, named ``<id>: <title>``.  Error and warning findings are ``<failure>``
elements (``type`` is the finding code); info findings go into the test case's
``<system-out>``.  List-level findings form a test case named ``(list)``; input problems
are listed in the suite's ``<system-err>``.

Streamed as text, one test case at a time (no element tree per test case), every
attribute and text escaped, so a million references never sit in memory as one tree.  Characters
XML 1.0 forbids (control characters, lone surrogates, U+FFFE/U+FFFF) are removed.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import IO, Any

from checker.model import CheckResult, Finding, Reference, Severity
from checker.reports import records

#: Longest title kept in a test case name, in characters.
MAX_TITLE = 80

_INFO = Severity.INFO.label
_ATTR = str.maketrans(
    {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\n": "&#10;", "\r": "&#13;",
     "\t": "&#9;"}
)  # fmt: skip
_TEXT = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


#: Characters an attribute value / a text node must escape (a fast test before translate)
_ATTR_SPECIAL = re.compile('[&<>"\n\r\t]')
_TEXT_SPECIAL = re.compile("[&<>]")


def clean(value: object) -> str:
    """A value as text that XML 1.0 can hold."""
    return _ILLEGAL.sub("", "" if value is None else str(value))


#: Any character :func:`clean` removes or an attribute / a text node escapes: one scan
#: passes the usual value through untouched
_ATTR_ANY = re.compile(f"{_ILLEGAL.pattern}|{_ATTR_SPECIAL.pattern}")
_TEXT_ANY = re.compile(f"{_ILLEGAL.pattern}|{_TEXT_SPECIAL.pattern}")


def _attr(value: object) -> str:
    """``value`` cleaned and escaped for an attribute (translate only where needed)."""
    text = "" if value is None else str(value)
    if not _ATTR_ANY.search(text):  # nothing to remove or escape: what the steps give
        return text
    text = clean(text)
    return text.translate(_ATTR) if _ATTR_SPECIAL.search(text) else text


def _open_tag(tag: str, attrs: dict[str, str]) -> str:
    rendered = "".join(f' {name}="{_attr(value)}"' for name, value in attrs.items())
    return f"<{tag}{rendered}>"


def _details(finding: dict[str, Any], where: str) -> str:
    lines = [f"[{finding['severity']}] {finding['code']}: {finding['message']}"]
    if where:
        lines.append(f"at: {where}")
    if finding["fields"]:
        lines.append("fields: " + ", ".join(finding["fields"]))
    for name, value in zip(finding["fields"], finding["values"], strict=False):
        lines.append(f"{name} = {value}")
    if finding["suggestion"]:
        lines.append(f"suggestion: {finding['suggestion']}")
    if finding["related"]:
        lines.append("related: " + ", ".join(finding["related"]))
    return "\n".join(lines)


def _text(value: str) -> str:
    if not _TEXT_ANY.search(value):  # nothing to remove or escape: what the steps give
        return value
    text = clean(value)
    return text.translate(_TEXT) if _TEXT_SPECIAL.search(text) else text


def _testcase(name: str, findings: list[dict[str, Any]], where: str) -> str:
    quoted = _attr(name)
    if not findings:
        return f'<testcase classname="references" name="{quoted}" time="0" />'
    parts = [f'<testcase classname="references" name="{quoted}" time="0">']
    notes = []
    for finding in findings:
        if finding["severity"] == _INFO:
            notes.append(_details(finding, where))
            continue
        parts.append(
            f'<failure type="{_attr(finding["code"])}" message="{_attr(finding["message"])}">'
            + _text(_details(finding, where))
            + "</failure>"
        )
    if notes:
        parts.append("<system-out>" + _text("\n\n".join(notes)) + "</system-out>")
    parts.append("</testcase>")
    return "".join(parts)


def _case_name(ref_id: str, title: str) -> str:
    title = " ".join(title.split())
    if len(title) > MAX_TITLE:
        title = title[: MAX_TITLE - 1] + "…"
    return f"{ref_id}: {title}" if title else ref_id


def _failures(findings: tuple[Finding, ...]) -> int:
    return sum(1 for f in findings if f.severity >= Severity.WARNING)


def head(recs: records.Records, out: IO[str]) -> None:
    result = recs.result
    run = recs.run_base  # no input digest: the test report does not show it
    list_findings = result.list_findings()
    tests = len(result.references) + (1 if list_findings else 0)
    counts = {
        "tests": str(tests),
        "failures": str(_failures(result.findings)),
        "errors": "0",
        "skipped": "0",
        "time": f"{(result.run.finished - result.run.started).total_seconds():.3f}",
    }
    out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    out.write(_open_tag("testsuites", {"name": "citewatch", **counts}) + "\n")
    suite = {"name": "citewatch", **counts, "timestamp": run["started"]}
    out.write(_open_tag("testsuite", suite) + "\n")

    properties = ["<properties>"]
    for key in ("tool_version", "input", "input_format", "today", "fail_on", "exit_code"):
        properties.append(_open_tag("property", {"name": key, "value": run[key]})[:-1] + " />")
    out.write("".join(properties) + "</properties>\n")

    if list_findings:
        ordered = sorted(list_findings, key=lambda f: (-f.severity, f.code))
        case = _testcase("(list)", [records.finding_record(f) for f in ordered], "")
        out.write(case + "\n")


def item(ref: Reference, record: dict[str, Any], out: IO[str]) -> None:
    where = record["location"]["text"] if record["location"] else ""
    out.write(_testcase(_case_name(ref.id, ref.title), record["findings"], where) + "\n")


def tail(recs: records.Records, out: IO[str]) -> None:
    problems = recs.result.problems
    if problems:
        text = "\n".join(f"input problem: {p}" for p in problems)
        out.write("<system-err>" + _text(text) + "</system-err>\n")
    out.write("</testsuite>\n</testsuites>\n")


def write_stream(
    result: CheckResult, exit_code: int, out: IO[str], recs: records.Records | None = None
) -> None:
    recs = recs or records.Records(result, exit_code)
    head(recs, out)
    location = records.location_record
    for ref in result.references:  # the parts of the record a test case shows, no more
        found = recs.findings_of(ref)
        if found:
            item(ref, {"location": location(ref), "findings": found}, out)
        else:  # no failure names the place: what item() writes without it
            out.write(_testcase(_case_name(ref.id, ref.title), found, "") + "\n")
    tail(recs, out)


def write(
    result: CheckResult, exit_code: int, path: Path, recs: records.Records | None = None
) -> None:
    with path.open("w", encoding="utf-8", buffering=1 << 20) as out:
        write_stream(result, exit_code, out, recs)
