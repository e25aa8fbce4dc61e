"""Reports for a slice of the store (one page, one site, the worst pages): the usual
report built from stored citations and the latest stored verdict of each link."""

from __future__ import annotations

import datetime as dt

from checker import __version__
from checker.checks import CheckConfig, run_checks
from checker.links.findings import link_findings
from checker.links.outage import NetworkVerdict
from checker.links.runner import LinkRun
from checker.model import KNOWN_FIELDS, CheckResult, RunInfo
from checker.store.base import Store
from checker.store.dump import reference_of


def slice_result(
    store: Store,
    *,
    title: str | None = None,
    site: str | None = None,
    worst: int | None = None,
    config: CheckConfig | None = None,
    fail_on: str = "error",
) -> CheckResult:
    config = config or CheckConfig()
    started = dt.datetime.now(dt.UTC)
    cited = store.citations(title=title, site=site, worst=worst)
    refs = tuple(reference_of(c.title, c.citation) for c in cited)
    verdicts = store.verdicts([ref.url for ref in refs])
    hosts = len({url.split("/")[2] for url in verdicts if url.count("/") >= 2})
    network = NetworkVerdict(True, "stored verdicts", hosts, hosts)
    findings = list(run_checks(refs, config))
    findings.extend(link_findings(refs, LinkRun(verdicts, network, "store")))
    label = f"page {title}" if title is not None else f"site {site}" if site else f"worst {worst}"
    extras: dict[str, None] = {}
    for ref in refs:
        extras.update(dict.fromkeys(ref.extra))
    run = RunInfo(
        tool_version=__version__,
        started=started,
        finished=dt.datetime.now(dt.UTC),
        today=config.today,
        input_path=f"{store.kind} store: {label}",
        input_format="store",
        offline=False,
        fail_on=fail_on,
    )
    return CheckResult(
        refs,
        tuple(findings),
        (),
        run,
        KNOWN_FIELDS + tuple(extras),
        links=verdicts,
        trend=tuple(store.runs()),
    )
