"""junit.xml: the findings as a JUnit test report, for CI test dashboards.

One ``<testsuite name="citewatch">`` (inside ``<testsuites>``), one ``<testcase>`` per
reference, named ``<id>: <title>``.  Error and warning findings are ``<failure>``
elements (``type`` is the finding code); info findings go into the test case's
``<system-out>``.  List-level findings form a test case named ``(list)``; input problems
are listed in the suite's ``<system-err>``.

Elements are built with :mod:`xml.etree.ElementTree` (which escapes) one test case at a
time and streamed, so a million references never sit in memory as one tree.  Characters
XML 1.0 forbids (control characters, lone surrogates, U+FFFE/U+FFFF) are removed.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import IO, Any
from xml.sax.saxutils import quoteattr

from checker.model import CheckResult, Finding, Severity
from checker.reports import records

#: Longest title kept in a test case name, in characters.
MAX_TITLE = 80

_ATTR_ENTITIES = {"\n": "&#10;", "\r": "&#13;", "\t": "&#9;"}
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def clean(value: object) -> str:
    """A value as text that XML 1.0 can hold."""
    return _ILLEGAL.sub("", "" if value is None else str(value))


def _open_tag(tag: str, attrs: dict[str, str]) -> str:
    rendered = "".join(
        f" {name}={quoteattr(clean(value), _ATTR_ENTITIES)}" for name, value in attrs.items()
    )
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


def _testcase(name: str, findings: list[dict[str, Any]], where: str) -> ET.Element:
    case = ET.Element("testcase", classname="references", name=clean(name), time="0")
    notes = []
    for finding in findings:
        if finding["severity"] == Severity.INFO.label:
            notes.append(_details(finding, where))
            continue
        failure = ET.SubElement(
            case, "failure", type=clean(finding["code"]), message=clean(finding["message"])
        )
        failure.text = clean(_details(finding, where))
    if notes:
        ET.SubElement(case, "system-out").text = clean("\n\n".join(notes))
    return case


def _case_name(ref_id: str, title: str) -> str:
    title = " ".join(title.split())
    if len(title) > MAX_TITLE:
        title = title[: MAX_TITLE - 1] + "…"
    return f"{ref_id}: {title}" if title else ref_id


def _failures(findings: tuple[Finding, ...]) -> int:
    return sum(1 for f in findings if f.severity >= Severity.WARNING)


def write_stream(result: CheckResult, exit_code: int, out: IO[str]) -> None:
    run = records.run_record(result, exit_code)
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

    properties = ET.Element("properties")
    for key in ("tool_version", "input", "input_format", "today", "fail_on", "exit_code"):
        ET.SubElement(properties, "property", name=key, value=clean(run[key]))
    out.write(ET.tostring(properties, encoding="unicode") + "\n")

    if list_findings:
        ordered = sorted(list_findings, key=lambda f: (-f.severity, f.code))
        case = _testcase("(list)", [records.finding_record(f) for f in ordered], "")
        out.write(ET.tostring(case, encoding="unicode") + "\n")

    grouped = result.findings_by_ref()
    for ref in result.references:
        record = records.reference_record(ref, grouped.get(ref.id, []))
        where = record["location"]["text"] if record["location"] else ""
        case = _testcase(_case_name(ref.id, ref.title), record["findings"], where)
        out.write(ET.tostring(case, encoding="unicode") + "\n")

    if result.problems:
        err = ET.Element("system-err")
        err.text = clean("\n".join(f"input problem: {p}" for p in result.problems))
        out.write(ET.tostring(err, encoding="unicode") + "\n")
    out.write("</testsuite>\n</testsuites>\n")


def write(result: CheckResult, exit_code: int, path: Path) -> None:
    with path.open("w", encoding="utf-8") as out:
        write_stream(result, exit_code, out)
