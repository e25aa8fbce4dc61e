"""Configuration files: ``[tool.citewatch]`` in pyproject.toml, or a citewatch.toml.

Every key is the long name of a ``citewatch check`` flag (``fail_on``, ``max_concurrency``,
``host_interval``, ``state``, ``wayback_url``, ``ignore = [...]``…): the file gives the
defaults, a flag on the command line wins.  Per-domain politeness lives in a
``domains`` table::

    [tool.citewatch]
    fail_on = "warning"
    host_interval = 0.5
    exclude = ["^https?://localhost"]

    [tool.citewatch.domains."example.org"]
    interval = 2.0
    headers = { Cookie = "consent=yes" }

``citewatch config`` prints the effective settings and where each came from.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CANDIDATES = ("citewatch.toml", "pyproject.toml")


class ConfigError(ValueError):
    """A configuration file that cannot be used (file, key and what is wrong)."""


@dataclass(frozen=True, slots=True)
class Settings:
    path: Path | None = None
    values: dict[str, Any] = field(default_factory=dict)
    domain_intervals: dict[str, float] = field(default_factory=dict)
    domain_headers: dict[str, dict[str, str]] = field(default_factory=dict)


def _table(path: Path) -> dict[str, Any] | None:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as err:
        raise ConfigError(f"{path}: cannot read: {err}") from None
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"{path}: not valid TOML: {err}") from None
    tool = data.get("tool", {})
    nested = tool.get("citewatch") if isinstance(tool, dict) else None
    if path.name == "pyproject.toml" or nested is not None:
        return nested if isinstance(nested, dict) else None
    return data


def load_settings(explicit: Path | None = None, cwd: Path | None = None) -> Settings:
    """The settings file given, else the first of citewatch.toml / pyproject.toml
    (with a ``[tool.citewatch]`` table) in ``cwd``; empty settings when there is none."""
    if explicit is not None:
        table = _table(explicit)
        if table is None:
            raise ConfigError(f"{explicit}: no [tool.citewatch] table")
        return _settings(explicit, table)
    for name in CANDIDATES:
        path = (cwd or Path.cwd()) / name
        if path.is_file():
            table = _table(path)
            if table is not None:
                return _settings(path, table)
    return Settings()


def _settings(path: Path, table: dict[str, Any]) -> Settings:
    values = {k.replace("-", "_"): v for k, v in table.items() if k != "domains"}
    intervals: dict[str, float] = {}
    headers: dict[str, dict[str, str]] = {}
    domains = table.get("domains", {})
    if not isinstance(domains, dict):
        raise ConfigError(f"{path}: 'domains' must be a table of domain names")
    for domain, spec in domains.items():
        if not isinstance(spec, dict):
            raise ConfigError(f"{path}: domains.{domain} must be a table")
        unknown = set(spec) - {"interval", "headers"}
        if unknown:
            raise ConfigError(
                f"{path}: domains.{domain}: unknown key {sorted(unknown)[0]!r} "
                "(use interval, headers)"
            )
        if "interval" in spec:
            if not isinstance(spec["interval"], int | float) or spec["interval"] < 0:
                raise ConfigError(f"{path}: domains.{domain}.interval must be seconds >= 0")
            intervals[domain.lower()] = float(spec["interval"])
        if "headers" in spec:
            if not isinstance(spec["headers"], dict):
                raise ConfigError(f"{path}: domains.{domain}.headers must be a table")
            headers[domain.lower()] = {str(k): str(v) for k, v in spec["headers"].items()}
    return Settings(path, values, intervals, headers)
