"""The protect-and-verify stages after the archive stage: Save Page Now for live links
(``checker.save``) and quote/drift verification (``checker.verify``)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from checker.links.safety import Resolver
from checker.model import ArchiveResult, ExistingArchive, Finding, LinkResult, Reference, SaveResult
from checker.save import Credentials, SaveConfig, save_findings, save_links
from checker.verify import VerifyConfig, verify


@dataclass(frozen=True, slots=True)
class Protected:
    findings: tuple[Finding, ...]
    captures: Mapping[str, SaveResult]


def protect(
    refs: Sequence[Reference],
    links: Mapping[str, LinkResult],
    archives: Mapping[str, ArchiveResult],
    existing: Mapping[str, ExistingArchive],
    *,
    save: SaveConfig | None,
    check: VerifyConfig | None,
    state_path: Path | None,
    resolver: Resolver | None = None,
    credentials: Credentials | None = None,
) -> Protected:
    """Save (when ``save`` is set; keys from the environment unless given) and verify
    (when ``check`` is set)."""
    findings: list[Finding] = []
    captures: Mapping[str, SaveResult] = {}
    if save is not None:
        keys = credentials if credentials is not None else Credentials.from_env()
        run = save_links(refs, links, archives, save, keys, state_path=state_path)
        findings.extend(save_findings(refs, run))
        captures = run.results
    if check is not None:
        findings.extend(verify(refs, links, archives, existing, check, resolver=resolver).findings)
    return Protected(tuple(findings), captures)
