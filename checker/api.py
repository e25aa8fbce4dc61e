"""The library API: what the CLI calls, and what a Python user calls.

>>> from checker import api
>>> result = api.check_file("references.csv")                 # doctest: +SKIP
>>> api.exit_code(result, "error")                             # doctest: +SKIP
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import importlib
import itertools
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from checker import __version__
from checker.bulk import paused_gc
from checker.checks import PARALLEL_MIN, CheckConfig, Checked, problem_findings, run_checks
from checker.importers import InputFormat, load
from checker.links.runner import LinkConfig, Progress, check_links
from checker.links.safety import Resolver
from checker.model import CheckResult, Finding, ImportResult, RunInfo, Severity

if TYPE_CHECKING:
    from checker.archive.config import RescueConfig
    from checker.save import SaveConfig
    from checker.verify import VerifyConfig

#: The stages after the links, imported when a link check runs (while its fetch processes
#: fetch), not by every ``import checker.api``: the archive, capture and quote clients
#: bring requests, wayback and the page parsers (a quarter of a second); the suggestions'
#: coherence (with the date grammar) is not needed before the first request either (the
#: page verdict is imported where the first page is judged).
LATER_STAGES = (
    "checker.links.findings",
    "checker.archive.findings",
    "checker.protect",
    "checker.patch.coherence",
)


class ExitCode(enum.IntEnum):
    """Exit codes of ``citewatch`` (documented in the README)."""

    OK = 0  #: nothing at or above --fail-on
    FINDINGS = 1  #: findings at or above --fail-on
    INPUT_ERROR = 2  #: usage error, or the input had problems (the report is still written)
    INCONCLUSIVE = 3  #: the run could not judge the links (its own network was down)
    INTERNAL_ERROR = 4  #: a bug: one line names the bug report written beside the report


FAIL_ON_CHOICES = ("error", "warning", "info", "never")


def exit_code(result: CheckResult, fail_on: str = "error") -> ExitCode:
    if result.problems:
        return ExitCode.INPUT_ERROR
    if result.inconclusive:
        return ExitCode.INCONCLUSIVE
    if fail_on == "never":
        return ExitCode.OK
    threshold = Severity.parse(fail_on)
    worst = result.worst()
    return ExitCode.FINDINGS if worst is not None and worst >= threshold else ExitCode.OK


def check_import(
    imported: ImportResult,
    config: CheckConfig | None = None,
    *,
    links: LinkConfig | None = None,
    archive: RescueConfig | None = None,
    resolver: Resolver | None = None,
    progress: Progress | None = None,
    fail_on: str = "error",
    started: dt.datetime | None = None,
    save: SaveConfig | None = None,
    check: VerifyConfig | None = None,
    prepare: Callable[[], None] | None = None,
) -> CheckResult:
    """Run every check on an already imported list; the link stage when ``links`` is set.

    ``prepare`` is work for after the checks that may run while the fetch processes
    fetch (the CLI loads its report writers); it may also never be called."""
    config = config or CheckConfig()
    if not config.lang and imported.lang:  # dates parsed in the language the input was read in
        config = dataclasses.replace(config, lang=imported.lang)
    started = started or dt.datetime.now(dt.UTC)
    findings = problem_findings(imported.problems)
    checked: list[Checked] = []

    def offline_checks() -> None:
        with paused_gc():  # a long list's objects are not scanned again and again
            checked.append(run_checks(imported.references, config, settle=True))

    def meanwhile() -> None:  # while the fetch processes fetch
        offline_checks()
        for name in LATER_STAGES:
            importlib.import_module(name)
        if prepare is not None:
            prepare()  # e.g. the caller's report writers loaded

    link_run = None
    if links is not None:
        # The checks run while the fetch processes fetch, unless they fork workers of
        # their own (a very long list): no fork from a process with a second thread.
        overlap = len(imported.references) < PARALLEL_MIN
        link_run = check_links(
            imported.references,
            links,
            resolver=resolver,
            progress=progress,
            source=imported.source,
            meanwhile=meanwhile if overlap else None,
        )
    if not checked:
        offline_checks()
    settled = range(len(findings), len(findings) + getattr(checked[0], "settled", 0))
    findings.extend(checked[0])
    again: frozenset[str] = getattr(checked[0], "unsettled", frozenset())  # ids used twice
    if link_run is not None:
        from checker.links.findings import link_findings

        findings.extend(link_findings(imported.references, link_run))
    archive_run = None
    if link_run is not None and archive is not None and not link_run.inconclusive:
        from checker.archive.findings import archive_findings
        from checker.archive.rescue import rescue

        archive_run = rescue(
            imported.references, dict(link_run.results), archive, resolver=resolver
        )
        findings.extend(archive_findings(imported.references, archive_run, link_run.results))
    protected = None
    if link_run is not None and links is not None and not link_run.inconclusive:
        from checker.protect import protect

        protected = protect(
            imported.references,
            link_run.results,
            archive_run.results if archive_run else {},
            archive_run.existing if archive_run else {},
            save=save,
            check=check,
            state_path=links.local_state_file,
            resolver=resolver,
        )
        findings.extend(protected.findings)
    with paused_gc():  # the network stages above run with the collector: they make cycles
        findings = _coherent(imported, findings, settled, again)
    run = RunInfo(
        tool_version=__version__,
        started=started,
        finished=dt.datetime.now(dt.UTC),
        today=config.today,
        input_path=imported.source,
        input_format=imported.format,
        offline=links is None,
        fail_on=fail_on,
    )
    return CheckResult(
        imported.references,
        tuple(findings),
        imported.problems,
        run,
        imported.columns,
        links=link_run.results if link_run else {},
        inconclusive=link_run.inconclusive if link_run else False,
        trend=link_run.trend if link_run else (),
        archives=archive_run.results if archive_run else {},
        existing_archives=archive_run.existing if archive_run else {},
        captures=protected.captures if protected else {},
        input_digest=imported.input_digest,
    )


def _coherent(
    imported: ImportResult,
    findings: list[Finding],
    settled: range = range(0),
    again: frozenset[str] = frozenset(),
) -> list[Finding]:
    """Suggestions for one reference checked together: none undoes another.

    ``findings[settled]`` are per-reference findings whose suggestions were judged
    together already (in the check workers): a reference is judged again, with all its
    findings, only if another finding of it suggests something (judging again keeps
    what was kept and dropped, as the suggestions are judged in order); the ids in
    ``again`` were not settled there."""
    unsettled = itertools.chain(findings[: settled.start], findings[settled.stop :])
    wanted = {f.ref_id for f in unsettled if f.suggested and f.ref_id is not None}
    if again:
        wanted |= {f.ref_id for f in findings if f.ref_id in again}
    if not wanted:
        return findings
    from checker.patch.coherence import coherent  # with the date grammar: after the fetch starts

    by_ref: dict[str, list[int]] = {}
    for index, finding in enumerate(findings):
        if finding.ref_id in wanted:
            by_ref.setdefault(finding.ref_id, []).append(index)
    refs = {ref.id: ref for ref in imported.references if ref.id in wanted}
    for ref_id, indexes in by_ref.items():
        group = [findings[i] for i in indexes]
        ref = refs.get(ref_id)
        if ref is None or not any(f.suggested for f in group):
            continue
        for i, finding in zip(indexes, coherent(ref.fields(), group), strict=True):
            findings[i] = finding
    return findings


def check_file(
    path: str | Path,
    fmt: InputFormat | str | None = None,
    config: CheckConfig | None = None,
    *,
    links: LinkConfig | None = None,
    archive: RescueConfig | None = None,
    resolver: Resolver | None = None,
    progress: Progress | None = None,
    fail_on: str = "error",
    lang: str | None = None,
    save: SaveConfig | None = None,
    check: VerifyConfig | None = None,
) -> CheckResult:
    """Import ``path`` and run every check on it (links too when ``links`` is set; Save
    Page Now with ``save``, quote and drift checks with ``check``); ``lang`` is the wiki
    language (None: from the input itself, else English)."""
    started = dt.datetime.now(dt.UTC)
    return check_import(
        load(path, fmt, lang),
        config,
        links=links,
        archive=archive,
        resolver=resolver,
        progress=progress,
        fail_on=fail_on,
        started=started,
        save=save,
        check=check,
    )
