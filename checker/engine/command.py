"""``citewatch crawl --engine local|dask``: the partitioned night from the command line."""

from __future__ import annotations

import dataclasses
import datetime as dt
import sys
from typing import TYPE_CHECKING, Any

import click

from checker import api

if TYPE_CHECKING:
    from checker.engine.driver import CrawlSummary
    from checker.engine.partition import PartitionSummary


def _resolve_pairs(resolves: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    pairs = []
    for item in resolves:
        host, sep, ip = item.partition("=")
        if not sep or not host or not ip:
            raise click.BadParameter(f"{item!r} is not HOST=IP", param_hint="--resolve")
        pairs.append((host.strip().lower(), ip.strip()))
    return tuple(pairs)


def engine_crawl(
    *,
    engine: str,
    scheduler: str | None,
    local_workers: int | None,
    archive_minutes: float,
    site_budget: int,
    part: int | None,
    lease_hours: float,
    opts: dict[str, Any],
) -> None:
    """Run the night on ``engine`` and exit with the crawl's code."""
    # Imported here: the engine is a tenth of a second of every citewatch command's start.
    from checker.cli_links import link_config, rescue_config
    from checker.engine import archive
    from checker.engine.driver import crawl, open_state
    from checker.engine.local import LocalEngine
    from checker.engine.partition import EngineConfig

    links = dataclasses.replace(link_config(opts), recheck_all=True)
    if links.state_path is None:
        raise click.UsageError("crawl needs a store: --state PATH or postgresql://…")
    state = str(links.state_path)
    if engine == "dask" and "://" not in state:
        raise click.UsageError("--engine dask needs a shared store: --state postgresql://…")
    if scheduler and engine != "dask":
        raise click.UsageError("--scheduler needs --engine dask")
    config = EngineConfig(
        links=links,
        resolve=_resolve_pairs(opts["resolves"]),
        site_budget=site_budget,
        lease=dt.timedelta(hours=lease_hours),
        archive=not opts["no_archive"],
    )

    def progress(summary: PartitionSummary) -> None:
        if summary.outcome in ("checked", "inconclusive"):
            counts = ", ".join(f"{n} {s}" for s, n in sorted(summary.counts.items()))
            click.echo(
                f"part {summary.part}: {summary.outcome}, {summary.checked}/{summary.due} "
                f"due links ({counts or 'none'}) on {summary.worker}",
                err=True,
            )

    parts = None if part is None else [part]
    if engine == "dask":
        from checker.engine.cluster import DaskEngine, EngineError

        try:
            with DaskEngine(scheduler, local_workers or 2) as cluster:
                summary = crawl(state, config, cluster, parts=parts, on_done=progress)
        except EngineError as err:
            click.echo(f"error: {err}", err=True)
            sys.exit(int(api.ExitCode.INPUT_ERROR))
    else:
        summary = crawl(
            state, config, LocalEngine(local_workers or 4), parts=parts, on_done=progress
        )
    _report(summary)
    rescue = rescue_config(opts, links)
    if rescue is not None and archive_minutes > 0 and not summary.inconclusive:
        with open_state(state, config) as store:
            drained = archive.drain(store, state, rescue.client, seconds=archive_minutes * 60)
        stop = f"; stopped: {drained.stopped}" if drained.stopped else ""
        click.echo(
            f"archive: {drained.looked_up} lookups ({drained.found} found, {drained.calls} "
            f"calls); {drained.pending} links still pending{stop}"
        )
    elif rescue is not None:
        with open_state(state, config) as store:
            click.echo(f"archive: {archive.pending(store)} links pending")
    if summary.inconclusive:
        click.echo(
            "error: some partitions were inconclusive (their network looked unusable); "
            "nothing was recorded for them and their links stay due",
            err=True,
        )
        sys.exit(int(api.ExitCode.INCONCLUSIVE))


def _report(summary: CrawlSummary) -> None:
    counts = ", ".join(f"{n} {s}" for s, n in sorted(summary.counts.items())) or "nothing due"
    outcomes = ", ".join(f"{n} {s}" for s, n in sorted(summary.outcomes.items())) or "none"
    click.echo(
        f"crawl {summary.run_id}: {summary.partitions} partitions ({outcomes}); "
        f"{summary.checked} due links checked ({counts}); {summary.queued} queued for the "
        f"archive; {summary.still_due} still due; {summary.seconds:.1f} s"
    )
