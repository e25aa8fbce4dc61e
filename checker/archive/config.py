"""The archive stage's settings, apart from its clients: building them (the CLI does, for
every link check) imports neither requests nor wayback."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from checker import __version__
from checker.archiveurl import WAYBACK
from checker.links.fetch import FetchConfig

AVAILABILITY = "https://archive.org"
USER_AGENT = f"citewatch/{__version__} (+https://github.com/citewatch/citewatch)"

__all__ = ["AVAILABILITY", "USER_AGENT", "WAYBACK", "ArchiveConfig", "RescueConfig"]


@dataclass(frozen=True, slots=True)
class ArchiveConfig:
    """Settings of the archive stage (each a CLI flag / config key)."""

    base_url: str = WAYBACK
    availability_url: str = AVAILABILITY
    rate_per_minute: float = 24.0
    connect_timeout: float = 10.0
    read_timeout: float = 30.0
    max_429: int = 2
    max_retry_after: float = 120.0
    cdx_limit: int = 12  #: rows asked of CDX around the target
    max_validations: int = 3  #: captures fetched to validate, per link
    body_cap: int = 512 * 1024
    user_agent: str = USER_AGENT
    call_deadline: float = 60.0  #: total seconds per call: headers, redirects and body

    @classmethod
    def for_endpoint(cls, url: str, **kwargs: Any) -> ArchiveConfig:
        """A config whose every endpoint (CDX, availability, playback) is ``url``."""
        base = url.rstrip("/")
        return cls(base_url=base, availability_url=base, **kwargs)


@dataclass(frozen=True, slots=True)
class RescueConfig:
    client: ArchiveConfig = field(default_factory=ArchiveConfig)
    archive_all: bool = False  #: also look up alive links without an archive_url
    check_existing: bool = True
    state_path: Path | str | None = None  #: or a postgresql:// URL
    miss_ttl: dt.timedelta = dt.timedelta(days=14)
    memento_url: str = ""  #: a Memento TimeMap aggregator, asked when Wayback has nothing
    fetch: FetchConfig = field(default_factory=FetchConfig)  #: for other archives' mementos
