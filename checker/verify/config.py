"""The verify stage's settings, apart from its runner: building them (the CLI does, for
every link check) imports neither requests nor the page parsers."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from checker.archive.config import ArchiveConfig
from checker.links.fetch import FetchConfig
from checker.links.scheduler import Politeness


@dataclass(frozen=True, slots=True)
class VerifyConfig:
    fetch: FetchConfig = field(default_factory=FetchConfig)  #: the link stage's manners
    politeness: Politeness = field(default_factory=Politeness)
    archive: ArchiveConfig = field(default_factory=ArchiveConfig)
    quote_body_cap: int = 4 * 1024 * 1024  #: bytes read of a page cited with a quote
    snapshot_budget: int = 50  #: snapshots fetched from the archive per run, at most
    drift_threshold: float = 0.5  #: main-text similarity below this is content-drift
    drift_window_days: int = 180  #: a snapshot this near the access-date is compared
    min_words: int = 40  #: main texts shorter than this are not compared
    state_path: Path | None = None
