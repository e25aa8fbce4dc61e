"""The commands of a shared store: ``load`` (a whole wiki's dump), ``crawl`` (check what
is due) and ``report`` (a slice: one page, one site, the worst pages)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import resource
import sys
import uuid
from pathlib import Path
from typing import Any

import click

from checker import api
from checker.checks import CheckConfig
from checker.cli_links import link_config, link_options, progress_for, rescue_config, resolver
from checker.cli_safety import option_group
from checker.config import Settings
from checker.links.runner import check_links
from checker.model import LinkStatus, Reference
from checker.reports import OutputFormat, write_reports
from checker.store import StateError, Store, open_store

_NOT_FETCHED = frozenset({LinkStatus.INVALID, LinkStatus.UNSAFE, LinkStatus.SKIPPED})
_STATE = click.option(
    "--state",
    "state",
    required=True,
    metavar="PATH|URL",
    help="The store: a SQLite file, or postgresql://user@host/db.",
)


def _open(state: str) -> Store:
    try:
        return open_store(state if "://" in state else Path(state))
    except StateError as err:
        click.echo(f"error: {err}", err=True)
        sys.exit(int(api.ExitCode.INPUT_ERROR))


@click.command("load")
@click.argument("dump", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@_STATE
@click.option("--source", default=None, help="Name of this dump in the store (default: file name).")
@click.option("--all-namespaces", is_flag=True, help="Read every namespace, not only articles (0).")
def load_command(dump: Path, state: str, source: str | None, all_namespaces: bool) -> None:
    """Load a MediaWiki XML dump (.xml, .bz2) into the store, page by page; an
    interrupted load resumes where it stopped."""
    from checker.store.dump import LoadSummary, load_dump

    def progress(summary: LoadSummary) -> None:
        click.echo(
            f"load: {summary.resumed + summary.pages} pages, {summary.citations} citations "
            f"({summary.rate:.0f} pages/s)",
            err=True,
        )

    with _open(state) as store:
        try:
            summary = load_dump(
                dump,
                store,
                source=source,
                namespaces=None if all_namespaces else frozenset({0}),
                progress=progress,
            )
        except StateError as err:
            click.echo(f"error: {err}", err=True)
            sys.exit(int(api.ExitCode.INPUT_ERROR))
    for line in summary.malformed:
        click.echo(f"error: {line}", err=True)
    if summary.stopped:
        click.echo(f"error: {summary.stopped}; run the same command again to resume", err=True)
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    resumed = f" ({summary.resumed} already loaded)" if summary.resumed else ""
    click.echo(
        f"{summary.pages} pages loaded{resumed}, {summary.citations} citations, "
        f"{summary.urls} cited URLs, {len(summary.malformed)} malformed pages; "
        f"{summary.rate:.0f} pages/s, peak RSS {rss_mb:.0f} MB"
    )
    bad = summary.malformed or summary.stopped
    sys.exit(int(api.ExitCode.INPUT_ERROR if bad else api.ExitCode.OK))


ENGINE_OPTIONS = (
    click.option(
        "--engine",
        type=click.Choice(["local", "dask", "inline"]),
        default=None,
        help="Check partition by partition (one task per partition, ownership in the "
        "store): in this process (local) or on a Dask cluster (dask); or claim every due "
        "link at once and check them in this process (inline, the only one taking --limit). "
        "Default: local for a postgresql:// state, inline for a SQLite file or with --limit.",
    ),
    click.option(
        "--scheduler",
        default=None,
        metavar="ADDRESS",
        help="The Dask scheduler (tls://HOST:8786) for --engine dask.",
    ),
    click.option(
        "--local-workers",
        type=click.IntRange(1, 256),
        default=None,
        help="--engine dask: start a LocalCluster of N worker processes here; "
        "--engine local: partitions checked at once (default 4).",
    ),
    click.option(
        "--archive-minutes",
        type=click.FloatRange(0),
        default=10.0,
        show_default=True,
        help="--engine: minutes the single archive consumer may spend on the queue after "
        "the links (0: leave the queue for later).",
    ),
)


def default_engine(state: str | None, limit: int | None) -> str:
    """The engine ``crawl`` uses without ``--engine``: the partitioned local engine on
    PostgreSQL (its advisory locks make one task per partition hold across processes),
    the one-batch inline path on a SQLite file (one writer) or when ``--limit`` asks for
    a global cap (the engine budgets per site, not per run)."""
    from checker.store import is_database_url

    return "local" if limit is None and is_database_url(state) else "inline"


_engine_options = option_group(ENGINE_OPTIONS)


_ENGINE_KEYS = ("engine", "scheduler", "local_workers", "archive_minutes")


@click.command("crawl")
@click.option("--limit", type=click.IntRange(1), default=None, help="At most N links this run.")
@click.option(
    "--site-budget",
    type=click.IntRange(1),
    default=1000,
    show_default=True,
    help="At most N links of one site (registrable domain) this run; the rest stay due "
    "and come first next time.",
)
@click.option("--part", type=click.IntRange(0, 4095), default=None, help="Only this partition.")
@click.option(
    "--lease-hours",
    type=click.FloatRange(0.01),
    default=12.0,
    show_default=True,
    help="Claimed links are skipped by other runs this long (a killed run's come back).",
)
@link_options
@_engine_options
def crawl_command(
    limit: int | None, site_budget: int, part: int | None, lease_hours: float, **opts: Any
) -> None:
    """Check the links of the store (--state) that are due, and nothing else."""
    from checker.engine.command import engine_crawl  # on use: the engine is 0.1 s to import

    engine_opts = {k: opts.pop(k) for k in _ENGINE_KEYS}
    if engine_opts["engine"] is None:
        state = None if opts["no_state"] else str(opts["state_path"])
        engine_opts["engine"] = default_engine(state, limit)
    if engine_opts["engine"] != "inline":  # partition by partition (checker.engine)
        if limit is not None:
            raise click.UsageError("--limit does not apply to --engine (use --site-budget)")
        engine_crawl(
            **engine_opts, site_budget=site_budget, part=part, lease_hours=lease_hours, opts=opts
        )
        return
    if engine_opts["scheduler"]:
        raise click.UsageError("--scheduler needs --engine dask")
    settings = click.get_current_context().find_object(Settings) or Settings()
    config = dataclasses.replace(link_config(opts, settings), recheck_all=True)
    if config.state_path is None:
        raise click.UsageError("crawl needs a store: --state PATH or postgresql://…")
    resolve = resolver(opts["resolves"])
    with _open(str(config.state_path)) as store:
        now = store.now()
        run_id = f"crawl-{now:%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:8]}"
        urls = store.claim_due(
            now,
            run_id,
            limit=limit,
            site_budget=site_budget,
            part=part,
            lease=dt.timedelta(hours=lease_hours),
        )
        refs = [Reference(str(i), url=url) for i, url in enumerate(urls, 1)]
        display, close = progress_for(len(urls))
        try:
            run = check_links(
                refs, config, resolver=resolve, now=store.now, progress=display, source=run_id
            )
        finally:
            close()
        if run.inconclusive:
            store.release(run_id)
        else:
            # Never fetched (invalid, unsafe, excluded): recorded, so never due again.
            unchecked = [r for r in run.results.values() if r.status in _NOT_FETCHED]
            if unchecked:
                store.record_batch(unchecked, store.now(), run_id)
            archive = rescue_config(opts, config)
            if archive is not None:
                from checker.archive.rescue import rescue

                rescue(refs, dict(run.results), archive, resolver=resolve)
        left = store.due_count(store.now())
    counts: dict[str, int] = {}
    for result in run.results.values():
        counts[result.status.value] = counts.get(result.status.value, 0) + 1
    summary = ", ".join(f"{n} {s}" for s, n in sorted(counts.items())) or "nothing due"
    click.echo(f"crawl {run_id}: {len(urls)} due links checked ({summary}); {left} still due")
    if run.inconclusive:
        click.echo(
            "error: link checking was inconclusive (the network looks unusable); nothing "
            "was recorded and the links stay due",
            err=True,
        )
        sys.exit(int(api.ExitCode.INCONCLUSIVE))


@click.command("report")
@_STATE
@click.option("--page", "title", default=None, metavar="TITLE", help="One page's citations.")
@click.option("--site", default=None, metavar="DOMAIN", help="Citations of one site's links.")
@click.option(
    "--worst", type=click.IntRange(1), default=None, metavar="N", help="The N pages with most rot."
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("reports"),
    show_default=True,
)
@click.option(
    "--format",
    "formats",
    multiple=True,
    type=click.Choice([f.value for f in OutputFormat]),
    help="Report format (repeatable; default: all).",
)
@click.option(
    "--fail-on",
    type=click.Choice(api.FAIL_ON_CHOICES),
    default="error",
    show_default=True,
)
def report_command(
    state: str,
    title: str | None,
    site: str | None,
    worst: int | None,
    out_dir: Path,
    formats: tuple[str, ...],
    fail_on: str,
) -> None:
    """Write the usual reports for a slice of the store, from the stored verdicts."""
    from checker.store.slice import slice_result

    if sum(x is not None for x in (title, site, worst)) != 1:
        raise click.UsageError("choose exactly one of --page, --site, --worst")
    with _open(state) as store:
        result = slice_result(
            store, title=title, site=site, worst=worst, config=CheckConfig(), fail_on=fail_on
        )
    if not result.references:
        click.echo("error: nothing in the store matches that slice", err=True)
        sys.exit(int(api.ExitCode.INPUT_ERROR))
    code = api.exit_code(result, fail_on)
    chosen = [OutputFormat(f) for f in formats] if formats else list(OutputFormat)
    try:
        write_reports(result, out_dir, chosen, int(code))
    except OSError as err:
        raise click.ClickException(f"cannot write reports to {out_dir}: {err.strerror}") from None
    counts = result.counts()
    click.echo(
        f"{len(result.references)} citations: {counts['error']} errors, "
        f"{counts['warning']} warnings, {counts['info']} info. Reports in {out_dir}/"
    )
    sys.exit(int(code))


COMMANDS = (load_command, crawl_command, report_command)
