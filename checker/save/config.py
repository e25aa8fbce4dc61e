"""The save stage's settings and keys, apart from its client: building them (the CLI does,
for every link check) does not import requests."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field

from checker import __version__
from checker.archiveurl import WAYBACK

ENV_ACCESS = "CITEWATCH_IA_ACCESS"
ENV_SECRET = "CITEWATCH_IA_SECRET"
USER_AGENT = f"citewatch/{__version__} (+https://github.com/citewatch/citewatch)"

__all__ = ["ENV_ACCESS", "ENV_SECRET", "USER_AGENT", "WAYBACK", "Credentials", "SaveConfig"]


@dataclass(frozen=True, slots=True)
class Credentials:
    """The archive.org S3 keys.  ``repr`` and ``str`` never show them."""

    access: str = field(repr=False)
    secret: str = field(repr=False)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Credentials | None:
        env = os.environ if environ is None else environ
        access, secret = env.get(ENV_ACCESS, "").strip(), env.get(ENV_SECRET, "").strip()
        return cls(access, secret) if access and secret else None

    def header(self) -> str:
        return f"LOW {self.access}:{self.secret}"

    def __str__(self) -> str:
        return "Credentials(***)"


@dataclass(frozen=True, slots=True)
class SaveConfig:
    """Settings of the save stage (each a CLI flag or config key)."""

    base_url: str = WAYBACK  #: SPN2 lives at <base_url>/save
    playback_url: str = WAYBACK  #: where captures are replayed (<playback>/web/<ts>/<url>)
    if_older_days: int = 365  #: --save-if-older: a capture younger than this is enough
    max_jobs: int = 4  #: concurrent capture jobs, at most (also capped by /save/status/user)
    per_minute: float = 10.0  #: captures started per minute (the draft: 12 when logged in)
    per_day: int = 1000  #: captures started per 24 hours, counted in the state file
    poll_interval: float = 5.0  #: seconds between status requests (the draft's example: 5)
    job_deadline: float = 180.0  #: seconds a job may stay pending (the draft: at most 2 min)
    max_retry_after: float = 120.0  #: a longer Retry-After stops saving instead
    max_429: int = 2  #: the second 429 stops saving for the run
    connect_timeout: float = 10.0
    read_timeout: float = 60.0
    user_agent: str = USER_AGENT
