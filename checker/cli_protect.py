"""The protect-and-verify options of ``citewatch check``: Save Page Now (``--save``) and
quote/drift verification; also config keys (``save = true`` in citewatch.toml).  The
archive.org keys come from the environment only (never an option or a config key)."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

import click

from checker.archiveurl import WAYBACK
from checker.cli_safety import option_group
from checker.links.runner import LinkConfig
from checker.model import CheckResult, SaveStatus
from checker.save import SaveConfig
from checker.verify import VerifyConfig

if TYPE_CHECKING:
    from checker.archive.config import RescueConfig
    from checker.patch.plan import CellChange


_OPTIONS = [
    click.option(
        "--save",
        is_flag=True,
        help="Ask Save Page Now to capture live links without a recent archive (needs "
        "CITEWATCH_IA_ACCESS and CITEWATCH_IA_SECRET in the environment).",
    ),
    click.option(
        "--save-if-older",
        type=click.IntRange(0),
        default=365,
        show_default=True,
        metavar="DAYS",
        help="Save only when the newest known capture is older than DAYS.",
    ),
    click.option(
        "--save-url",
        default=None,
        metavar="URL",
        help="Save Page Now endpoint (default: the --wayback-url service).",
    ),
    click.option(
        "--save-jobs",
        type=click.IntRange(1, 12),
        default=4,
        show_default=True,
        help="Capture jobs at once, at most (also capped by the account's free sessions).",
    ),
    click.option(
        "--save-rate",
        type=click.FloatRange(0.1, 12),
        default=10.0,
        show_default=True,
        help="Captures started per minute, at most (SPN2 allows 12 when logged in).",
    ),
    click.option(
        "--save-daily",
        type=click.IntRange(1, 100_000),
        default=1000,
        show_default=True,
        help="Captures started per 24 hours, at most (counted in the state file).",
    ),
    click.option(
        "--save-timeout",
        type=click.FloatRange(1),
        default=180.0,
        show_default=True,
        help="Seconds a capture job may stay pending before it is left for the next run.",
    ),
    click.option(
        "--save-poll",
        type=click.FloatRange(0.01),
        default=5.0,
        show_default=True,
        help="Seconds between two status requests of a capture job.",
    ),
    click.option("--no-verify", is_flag=True, help="Skip the quote and content-drift checks."),
    click.option(
        "--verify-budget",
        type=click.IntRange(0),
        default=50,
        show_default=True,
        help="Snapshots fetched per run for quote and drift checks, at most.",
    ),
    click.option(
        "--drift-threshold",
        type=click.FloatRange(0, 1),
        default=0.5,
        show_default=True,
        help="Main-text similarity to the snapshot below which a page has drifted.",
    ),
]


protect_options = option_group(_OPTIONS)


def save_config(opts: dict[str, Any]) -> SaveConfig | None:
    if not opts.get("save"):
        return None
    wayback = str(opts.get("wayback_url") or WAYBACK).rstrip("/")
    return SaveConfig(
        base_url=(opts.get("save_url") or wayback).rstrip("/"),
        playback_url=wayback,
        if_older_days=opts["save_if_older"],
        max_jobs=opts["save_jobs"],
        per_minute=opts["save_rate"],
        per_day=opts["save_daily"],
        job_deadline=opts["save_timeout"],
        poll_interval=opts["save_poll"],
    )


def verify_config(
    opts: dict[str, Any], links: LinkConfig, archive: RescueConfig | None
) -> VerifyConfig | None:
    if opts.get("no_verify"):
        return None
    settings = VerifyConfig(
        fetch=links.fetch,
        politeness=links.politeness,
        snapshot_budget=opts["verify_budget"],
        drift_threshold=opts["drift_threshold"],
        state_path=links.local_state_file,
    )
    if archive is not None:
        settings = dataclasses.replace(settings, archive=archive.client)
    else:
        settings = dataclasses.replace(settings, snapshot_budget=0)  # --no-archive
    return settings


def report_protect(result: CheckResult) -> None:
    """One stderr line for --save without keys (or offline); one counting new captures."""
    if result.run.offline and click.get_current_context().params.get("save"):
        click.echo("warning: --save has no effect with --offline (no link is judged)", err=True)
    if any(f.code == "save-no-keys" for f in result.findings):
        from checker.save.findings import NO_KEYS

        click.echo(f"warning: {NO_KEYS}", err=True)
    new = [c for c in result.captures.values() if c.status is SaveStatus.CAPTURED]
    if new:
        fresh = sum(1 for c in new if not c.cached)
        click.echo(
            f"{len(new)} captures in the Wayback Machine ({fresh} new this run); "
            "write them with: citewatch patch INPUT --accept-new-captures",
            err=True,
        )


def wiki_capture_changes(report: dict[str, Any]) -> list[CellChange]:
    """:func:`~checker.patch.plan.capture_changes` located for the wikitext patcher."""
    from checker.patch.plan import capture_changes
    from checker.patch.wikitext import WikiChange

    refs = {str(ref.get("id")): ref for ref in report.get("references", [])}
    located: list[CellChange] = []
    for change in capture_changes(report):
        ref = refs.get(change.ref_id, {})
        line = (ref.get("location") or {}).get("line")
        located.append(
            WikiChange(
                change.ref_id,
                change.field,
                change.old,
                change.new,
                change.code,
                line=line if isinstance(line, int) else None,
                url=str(ref.get("fields", {}).get("url", "")),
            )
        )
    return located
