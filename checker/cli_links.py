"""The link-stage options of ``citewatch check`` (lychee's names where lychee has one),
and the progress display: a rich bar on a terminal, periodic plain lines in CI."""

from __future__ import annotations

import datetime as dt
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from checker.archiveurl import WAYBACK
from checker.cli_safety import check_excludes, check_ip, option_group
from checker.config import Settings
from checker.links.fetch import FetchConfig
from checker.links.history import Policy
from checker.links.runner import DEFAULT_STATE, LinkConfig, Progress
from checker.links.safety import Resolver, system_resolver
from checker.links.scheduler import Politeness
from checker.model import LinkResult
from checker.store import is_database_url

if TYPE_CHECKING:
    from checker.archive.config import RescueConfig


_OPTIONS = [
    click.option(
        "--max-concurrency",
        type=click.IntRange(1, 512),
        default=32,
        show_default=True,
        help="Links checked at once, in all.",
    ),
    click.option(
        "--host-concurrency",
        type=click.IntRange(1, 64),
        default=2,
        show_default=True,
        help="Links checked at once on one host.",
    ),
    click.option(
        "--fetch-processes",
        type=click.IntRange(0, 64),
        default=0,
        show_default=True,
        help="Processes checking links of a large list, split by host (0: one per core, "
        "1: this process only).",
    ),
    click.option(
        "--host-interval",
        type=click.FloatRange(0),
        default=0.25,
        show_default=True,
        help="Seconds between two requests to one host.",
    ),
    click.option(
        "--timeout",
        type=click.FloatRange(1),
        default=20.0,
        show_default=True,
        help="Total seconds per URL (every hop, retry and byte).",
    ),
    click.option(
        "--state",
        "state_path",
        type=click.Path(dir_okay=False),
        default=str(DEFAULT_STATE),
        show_default=True,
        help="SQLite file, or a postgresql://… database, remembering checks across runs.",
    ),
    click.option("--no-state", is_flag=True, help="Remember nothing across runs."),
    click.option(
        "--confirm-checks",
        type=click.IntRange(1),
        default=3,
        show_default=True,
        help="Failed checks before a link is dead.",
    ),
    click.option(
        "--confirm-days",
        type=click.FloatRange(0),
        default=3.0,
        show_default=True,
        help="Days the failed checks must span.",
    ),
    click.option(
        "--confirm-now", is_flag=True, help="Accept a single failed check as dead (one-off runs)."
    ),
    click.option(
        "--alive-ttl",
        type=click.FloatRange(0),
        default=7.0,
        show_default=True,
        help="Days an alive result is reused before re-checking.",
    ),
    click.option(
        "--recheck-all",
        is_flag=True,
        help="Ignore the TTLs; check every link and probe every host again.",
    ),
    click.option(
        "--allow-private", is_flag=True, help="Allow loopback, private and link-local targets."
    ),
    click.option(
        "--exclude", multiple=True, metavar="REGEX", help="Skip URLs matching REGEX (repeatable)."
    ),
    click.option("--user-agent", default=None, help="User-Agent header to send."),
    click.option("--no-probe", is_flag=True, help="Skip the random-path soft-404 probe per host."),
    click.option(
        "--parking-ns",
        is_flag=True,
        help="Also ask DNS for the name servers of short pages' hosts and call a host on a "
        "parking service's name servers usurped (needs the optional dnspython).",
    ),
    click.option(
        "--domain-interval",
        multiple=True,
        metavar="DOMAIN=SECONDS",
        help="Seconds between requests to DOMAIN and its subdomains (repeatable).",
    ),
    click.option(
        "--domain-header",
        multiple=True,
        metavar="DOMAIN:NAME=VALUE",
        help="Extra request header for DOMAIN (repeatable).",
    ),
    click.option("--no-archive", is_flag=True, help="Skip the archive stage (no Wayback lookups)."),
    click.option(
        "--wayback-url",
        default=WAYBACK,
        show_default=True,
        metavar="URL",
        help="Wayback Machine endpoint (a mirror or a local double).",
    ),
    click.option(
        "--archive-all",
        is_flag=True,
        help="Also find captures for alive links without an archive_url.",
    ),
    click.option(
        "--archive-rate",
        type=click.FloatRange(0.1, 600),
        default=24.0,
        show_default=True,
        help="Archive calls per minute, at most.",
    ),
    click.option(
        "--memento-url",
        default=None,
        metavar="URL",
        help="A Memento TimeMap aggregator, asked for other archives' captures when the "
        "Wayback Machine has none (e.g. https://timetravel.mementoweb.org/timemap/link/).",
    ),
    click.option(
        "--resolve",
        "resolves",
        multiple=True,
        metavar="HOST=IP",
        help="Resolve HOST to IP instead of asking DNS (repeatable, like curl).",
    ),
    click.option(
        "--archive-timeout",
        type=click.FloatRange(1),
        default=60.0,
        show_default=True,
        help="Total seconds per archive call (headers, redirects and body).",
    ),
]


link_options = option_group(_OPTIONS)


def _pairs(items: tuple[str, ...], flag: str) -> list[tuple[str, str]]:
    pairs = []
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise click.BadParameter(f"{item!r} is not KEY=VALUE", param_hint=flag)
        pairs.append((key.strip().lower(), value.strip()))
    return pairs


def link_config(opts: dict[str, Any], settings: Settings | None = None) -> LinkConfig:
    settings = settings or Settings()
    check_excludes(opts["exclude"])
    if opts.get("parking_ns"):  # the signals load where pages are judged, after the fetch starts
        from checker.links.signals.parking import dns_nameserver_lookup

        if dns_nameserver_lookup() is None:
            raise click.UsageError(
                "--parking-ns asks DNS for name servers and needs dnspython: pip install dnspython"
            )
    intervals = dict(settings.domain_intervals)
    for domain, seconds in _pairs(opts["domain_interval"], "--domain-interval"):
        try:
            intervals[domain] = float(seconds)
        except ValueError:
            raise click.BadParameter(
                f"{seconds!r} is not seconds", param_hint="--domain-interval"
            ) from None
    headers = {d: dict(h) for d, h in settings.domain_headers.items()}
    for target, value in _pairs(opts["domain_header"], "--domain-header"):
        domain, sep, name = target.partition(":")
        if not sep or not name:
            raise click.BadParameter(f"{target!r} is not DOMAIN:NAME", param_hint="--domain-header")
        headers.setdefault(domain, {})[name] = value
    fetch = FetchConfig(
        deadline=opts["timeout"],
        allow_private=opts["allow_private"],
        connect_timeout=min(10.0, opts["timeout"]),
        read_timeout=min(15.0, opts["timeout"]),
        domain_headers=headers,
        **({"user_agent": opts["user_agent"]} if opts["user_agent"] else {}),
    )
    return LinkConfig(
        fetch=fetch,
        politeness=Politeness(
            opts["max_concurrency"], opts["host_concurrency"], opts["host_interval"], intervals
        ),
        policy=Policy(
            opts["confirm_checks"],
            opts["confirm_days"],
            dt.timedelta(days=opts["alive_ttl"]),
            opts["confirm_now"],
        ),
        state_path=None if opts["no_state"] else state_location(opts["state_path"]),
        recheck_all=opts["recheck_all"],
        probe=not opts["no_probe"],
        exclude=tuple(opts["exclude"]),
        parking_ns=opts.get("parking_ns", False),
        processes=opts.get("fetch_processes", 0),
    )


def state_location(value: str | Path) -> Path | str:
    """A ``postgresql://…`` URL stays a string (a Path would fold its ``//``)."""
    return str(value) if is_database_url(str(value)) else Path(value)


def rescue_config(opts: dict[str, Any], links: LinkConfig) -> RescueConfig | None:
    if opts["no_archive"]:
        return None
    from checker.archive.config import ArchiveConfig, RescueConfig

    base = opts["wayback_url"].rstrip("/")
    limits = {"rate_per_minute": opts["archive_rate"], "call_deadline": opts["archive_timeout"]}
    client = (
        ArchiveConfig(**limits) if base == WAYBACK else ArchiveConfig.for_endpoint(base, **limits)
    )
    return RescueConfig(
        memento_url=opts["memento_url"] or "",
        fetch=links.fetch,
        client=client,
        archive_all=opts["archive_all"],
        state_path=links.state_path,
    )


def resolver(resolves: tuple[str, ...]) -> Resolver | None:
    if not resolves:
        return None
    table: dict[str, list[str]] = {}
    for item in resolves:
        host, sep, ip = item.partition("=")
        if not sep or not host or not ip:
            raise click.BadParameter(f"{item!r} is not HOST=IP", param_hint="--resolve")
        check_ip(item, ip)
        table.setdefault(host.strip().lower(), []).append(ip.strip().strip("[]"))

    def resolve(host: str) -> list[str]:
        return table.get(host.lower()) or system_resolver(host)

    return resolve


class ProgressDisplay:
    """A rich progress bar on a terminal; a plain line every ``every`` seconds in CI."""

    def __init__(self, total: int, every: float = 10.0) -> None:
        self.total = total
        self.every = every
        self.done = 0
        self.counts: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._last = time.monotonic()
        self._bar: Any = None
        self._task: Any = None
        if sys.stderr.isatty() and total:
            from rich.progress import Progress as RichProgress

            self._bar = RichProgress(transient=True)
            self._task = self._bar.add_task("checking links", total=total)
            self._bar.start()

    def __call__(self, url: str, result: LinkResult) -> None:
        with self._lock:
            self.done += 1
            self.counts[result.status.value] += 1
            if self._bar is not None:
                self._bar.update(self._task, completed=self.done)
            elif time.monotonic() - self._last >= self.every or self.done == self.total:
                self._last = time.monotonic()
                done = f"{self.done}/{self.total}"
                click.echo(f"links: {done} fetched ({self.summary()}; unconfirmed)", err=True)

    def summary(self) -> str:
        return ", ".join(f"{n} {status}" for status, n in self.counts.most_common())

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()


def progress_for(total: int) -> tuple[Progress, Callable[[], None]]:
    display = ProgressDisplay(total)
    return display, display.close
