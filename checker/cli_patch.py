"""``citewatch patch``: the reviewed fixes of a check run written into the input file
(references.csv, or an article's wikitext), atomically, only the cells it means to change."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from checker.cli_protect import wiki_capture_changes
from checker.cli_safety import SafeCommand, fail, printable, printable_text


@click.command("patch", cls=SafeCommand)
@click.argument(
    "input_path", metavar="INPUT", type=click.Path(dir_okay=False, exists=True, path_type=Path)
)
@click.option(
    "--report",
    "report_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("reports/report.json"),
    show_default=True,
    help="The report.json of the check run to apply.",
)
@click.option(
    "--diff/--write",
    "dry_run",
    default=True,
    help="Print the unified diff (default), or write the file atomically.",
)
@click.option(
    "--accept-date-fixes",
    is_flag=True,
    help="Also apply suggested date fixes (never applied silently).",
)
@click.option(
    "--force",
    is_flag=True,
    help="Wikitext: also edit citations a person marked url-status=live or archived elsewhere.",
)
@click.option(
    "--accept-new-captures",
    is_flag=True,
    help="Also write the Save Page Now captures of 'check --save' (archive_url, "
    "archive_date, url_status=live).",
)
def patch_command(
    input_path: Path,
    report_path: Path,
    dry_run: bool,
    accept_date_fixes: bool,
    force: bool,
    accept_new_captures: bool = False,
) -> None:
    """Write the reviewed fixes of a check run into INPUT (references.csv, or an
    article's wikitext: .wiki, .wikitext, .mediawiki)."""
    from checker.patch.plan import (  # on use: not on a check's way to its first request
        PatchRefused,
        apply_csv,
        capture_changes,
        check_report,
        load_report,
        plan,
        still_to_do,
    )
    from checker.patch.wikitext import patch_wikitext, plan_wikitext

    wikitext = input_path.suffix.lower() in (".wiki", ".wikitext", ".mediawiki")
    if not wikitext and input_path.suffix.lower() not in (".csv", ".tsv"):
        raise click.UsageError(
            "patch edits references.csv (CSV/TSV) and wikitext (.wiki, .wikitext, "
            ".mediawiki) files only"
        )
    notes: list[str] = []
    try:
        report = load_report(report_path)
        check_report(report, report_path, input_path)
        if wikitext:
            patched = patch_wikitext(
                input_path,
                still_to_do(
                    report,
                    input_path,
                    plan_wikitext(report, accept_date_fixes)
                    + (wiki_capture_changes(report) if accept_new_captures else []),
                ),
                not dry_run,
                dt.date.today(),
                force=force,
            )
            diff, changes, notes = patched.diff, list(patched.applied), list(patched.notes)
        else:
            planned = plan(report, accept_date_fixes)
            planned += capture_changes(report) if accept_new_captures else []
            changes = still_to_do(report, input_path, planned)
            diff = apply_csv(input_path, changes, write=not dry_run)
    except PatchRefused as err:
        fail(str(err))
    click.echo(printable_text(diff), nl=False)
    for note in notes:
        click.echo(f"note: {printable(note)}", err=True)
    refs = len({c.ref_id for c in changes})
    verb = "written to" if not dry_run else "would change"
    if not changes:
        click.echo("nothing to patch", err=True)
    elif dry_run:
        click.echo(
            f"{len(changes)} cells in {refs} references {verb} {input_path} (use --write to apply)",
            err=True,
        )
    else:
        click.echo(f"{len(changes)} cells in {refs} references {verb} {input_path}", err=True)
