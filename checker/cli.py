"""The command line: a thin layer over :mod:`checker.api`.

Exit codes: 0 nothing at or above --fail-on; 1 findings at or above it; 2 usage or
input error (the report is still written); 3 inconclusive (network trouble); 4 internal
error (a bug: one line names the bug report written beside the report).
"""

from __future__ import annotations

import atexit
import datetime as dt
import json
import math
import os
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any

import click

from checker import __version__, api
from checker.checks import WEB_FLOOR, CheckConfig
from checker.checks.codes import CODES
from checker.cli_links import (
    link_config,
    link_options,
    progress_for,
    rescue_config,
    resolver,
)
from checker.cli_patch import patch_command
from checker.cli_protect import (
    protect_options,
    report_protect,
    save_config,
    verify_config,
)
from checker.cli_safety import (
    SafeGroup,
    check_ignored,
    fail,
    printable,
    same_file,
)
from checker.cli_store import COMMANDS
from checker.config import ConfigError, Settings, load_settings
from checker.importers import InputFormat, load
from checker.importers.merge import merge
from checker.links.fetch import FetchConfig
from checker.model import CheckResult, Finding, Severity
from checker.reports import OutputFormat, write_reports
from checker.reports import prepare as prepare_reports
from checker.store import StateError
from checker.table import write_csv

MAX_LISTED = 50


def _lang(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is None:
        return None
    from checker.i18n import lang_known, normalise_lang

    if not lang_known(value):
        raise click.BadParameter(f"{value!r} is not a language CLDR knows (e.g. de, fr, es)")
    return normalise_lang(value) or "en"


LANG_HELP = (
    "Language of the wiki the list comes from (de, fr, es, it, pt, ru, pl, ja, nl, sv, "
    "zh…): its templates, rendered phrases and date formats (default: from the page "
    "itself — <html lang>, the wiki's domain, the templates used — else English)."
)


def _date(
    ctx: click.Context, param: click.Parameter, value: str | dt.date | None
) -> dt.date | None:
    if value is None or isinstance(value, dt.date):  # a TOML file may give a date
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a YYYY-MM-DD date") from None


@click.group(cls=SafeGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="citewatch")
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="Settings file (default: citewatch.toml, else [tool.citewatch] in "
    "pyproject.toml, in the current directory).",
)
@click.pass_context
def main(ctx: click.Context, config_path: Path | None) -> None:
    """citewatch: find rotten links and faulty dates in reference lists."""
    try:
        settings = load_settings(config_path)
    except ConfigError as err:
        raise click.UsageError(str(err)) from None
    ctx.obj = settings
    if settings.values:
        ctx.default_map = {"check": _defaults_for(check_command, settings)}


def _option_keys(command: click.Command) -> dict[str, click.Parameter]:
    """Config key (the flag's long name, underscored) -> the click parameter."""
    keys: dict[str, click.Parameter] = {}
    for param in command.params:
        for opt in getattr(param, "opts", []):
            if opt.startswith("--"):
                keys[opt[2:].replace("-", "_")] = param
    return keys


def _defaults_for(command: click.Command, settings: Settings) -> dict[str, Any]:
    keys = _option_keys(command)
    defaults: dict[str, Any] = {}
    for key, value in settings.values.items():
        param = keys.get(key)
        if param is None or param.name is None:
            raise click.UsageError(
                f"{settings.path}: unknown setting {key!r} (settings are "
                "the long names of 'citewatch check' flags)"
            )
        defaults[param.name] = value
    return defaults


@main.command("check")
@click.argument("input_path", metavar="INPUT", type=click.Path(dir_okay=False))
@click.option(
    "--from",
    "fmt",
    type=click.Choice([f.value for f in InputFormat]),
    help="Input format (default: from the file name and content).",
)
@click.option("--offline", is_flag=True, help="Offline checks only: no network at all.")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("reports"),
    show_default=True,
    help="Directory for the reports.",
)
@click.option(
    "--fail-on",
    type=click.Choice(api.FAIL_ON_CHOICES),
    default="error",
    show_default=True,
    help="Lowest severity that makes the exit code 1.",
)
@click.option(
    "--format",
    "formats",
    multiple=True,
    type=click.Choice([f.value for f in OutputFormat]),
    help="Report format to write (repeatable; default: all).",
)
@click.option(
    "--today",
    callback=_date,
    metavar="YYYY-MM-DD",
    help="The run date for future-date checks (default: today).",
)
@click.option(
    "--access-floor",
    callback=_date,
    metavar="YYYY-MM-DD",
    help=f"Earliest plausible retrieval date (default {WEB_FLOOR}).",
)
@click.option(
    "--ignore",
    "ignored",
    multiple=True,
    metavar="CODE",
    help="Finding code to leave out (repeatable).",
)
@click.option("-q", "--quiet", is_flag=True, help="Print only the summary line.")
@click.option("--lang", callback=_lang, metavar="CODE", help=LANG_HELP)
@link_options
@protect_options
def check_command(
    input_path: str,
    fmt: str | None,
    offline: bool,
    out_dir: Path,
    fail_on: str,
    formats: tuple[str, ...],
    today: dt.date | None,
    access_floor: dt.date | None,
    ignored: tuple[str, ...],
    quiet: bool,
    lang: str | None,
    **link_opts: Any,
) -> None:
    """Check the reference list INPUT and write reports to --out."""
    check_ignored(ignored, CODES)
    chosen = [OutputFormat(f) for f in formats] if formats else list(OutputFormat)
    _refuse_own_input(Path(input_path), out_dir, chosen)
    try:
        Path(input_path).open("rb").close()
    except OSError as err:  # nothing written: the previous report and state stay as they were
        fail(f"cannot read file {input_path}: {err.strerror or err}")
    config = CheckConfig(
        today=today or dt.date.today(),
        access_floor=access_floor or WEB_FLOOR,
        ignore=frozenset(ignored),
    )
    settings = click.get_current_context().find_object(Settings) or Settings()
    links = None if offline else link_config(link_opts, settings)
    archive = None if links is None else rescue_config(link_opts, links)
    resolve = resolver(link_opts["resolves"])
    started = dt.datetime.now(dt.UTC)
    imported = load(input_path, fmt, lang)
    urls: set[str] = set()  # the URLs to check (none offline: no pass over the list)
    if links is not None:
        urls = {ref.url.strip() for ref in imported.references if ref.url.strip()}
    display, close = progress_for(len(urls) if links is not None else 0)
    try:
        result = api.check_import(
            imported,
            config,
            links=links,
            archive=archive,
            resolver=resolve,
            progress=display,
            fail_on=fail_on,
            started=started,
            save=None if links is None else save_config(link_opts),
            check=None if links is None else verify_config(link_opts, links, archive),
            prepare=lambda: prepare_reports(chosen),
        )
    except StateError as err:
        click.echo(f"error: {err}", err=True)
        sys.exit(int(api.ExitCode.INPUT_ERROR))
    finally:
        close()
    report_protect(result)
    if result.inconclusive:
        click.echo(
            "error: link checking was inconclusive (the network looks unusable); "
            "no link was marked dead",
            err=True,
        )
    code = api.exit_code(result, fail_on)
    for problem in result.problems:
        click.echo(f"error: {printable(problem)}", err=True)
    if not quiet:
        _list_findings(result, fail_on)
    try:
        write_reports(result, out_dir, chosen, int(code))
    except OSError as err:
        fail(f"cannot write reports to {out_dir}: {err.strerror or err}")
    counts = result.counts()
    flagged = len({f.ref_id for f in result.findings if f.ref_id is not None})
    click.echo(
        f"{len(result.references)} references, {flagged} with findings: "
        f"{counts['error']} errors, {counts['warning']} warnings, {counts['info']} info"
        + (f", {len(result.problems)} input problems" if result.problems else "")
        + f". Reports in {printable(out_dir)}/"
    )
    sys.exit(int(code))


def _refuse_own_input(input_path: Path, out_dir: Path, formats: list[OutputFormat]) -> None:
    """A report must never be written over the file being checked."""
    for fmt in formats:
        if same_file(input_path, out_dir / fmt.filename):
            fail(
                f"refusing to overwrite the input {input_path} with the {fmt.value} report; "
                "choose another --out"
            )


def _list_findings(result: CheckResult, fail_on: str) -> None:
    threshold = Severity.parse(fail_on) if fail_on != "never" else Severity.ERROR
    where = {ref.id: str(ref.location) if ref.location else ref.id for ref in result.references}
    shown = [f for f in result.findings if f.severity >= threshold]
    for finding in shown[:MAX_LISTED]:
        click.echo(printable(_line(finding, where)))
    if len(shown) > MAX_LISTED:
        click.echo(f"… and {len(shown) - MAX_LISTED} more (see the report)")


def _line(finding: Finding, where: dict[str, str]) -> str:
    place = where.get(finding.ref_id, "(list)") if finding.ref_id else "(list)"
    ref = f" [ref {finding.ref_id}]" if finding.ref_id else ""
    text = f"{place}{ref}: {finding.severity.label} {finding.code}: {finding.message}"
    return text + (f" — suggest: {finding.suggestion}" if finding.suggestion else "")


@main.command("import")
@click.argument("input_path", metavar="INPUT", type=click.Path(dir_okay=False))
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    required=True,
    help="The references.csv to write.",
)
@click.option(
    "--from",
    "fmt",
    type=click.Choice([f.value for f in InputFormat]),
    help="Input format (default: from the file name and content).",
)
@click.option(
    "--merge",
    "merge_path",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="CSV keyed by id whose known columns fill empty cells (e.g. verified URLs).",
)
@click.option("--lang", callback=_lang, metavar="CODE", help=LANG_HELP)
def import_command(
    input_path: str, fmt: str | None, output: Path, merge_path: Path | None, lang: str | None
) -> None:
    """Convert INPUT (any supported format) to the canonical references.csv."""
    imported = load(input_path, fmt, lang)
    if merge_path is not None and imported.references:
        imported, filled = merge(imported, merge_path)
        click.echo(f"{filled} empty cells filled from {merge_path}")
    for problem in imported.problems:
        click.echo(f"error: {printable(problem)}", err=True)
    if any(p.fatal for p in imported.problems):
        sys.exit(int(api.ExitCode.INPUT_ERROR))
    if same_file(Path(input_path), output):
        raise click.UsageError("refusing to overwrite the input; choose another --output")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{output.name}.", dir=output.parent or Path("."))
    except OSError as err:
        fail(f"cannot write {output}: {err.strerror or err} ({output.parent or '.'})")
    os.close(fd)
    try:
        write_csv(imported.references, imported.columns, Path(tmp))
        os.chmod(tmp, 0o644)
        os.replace(tmp, output)
    except OSError as err:
        fail(f"cannot write {output}: {err.strerror or err}")
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    read_as = f" (read as the {imported.lang} wiki)" if imported.lang else ""
    click.echo(f"{len(imported.references)} references written to {output}{read_as}")
    sys.exit(int(api.ExitCode.INPUT_ERROR if imported.problems else api.ExitCode.OK))


@main.command("config")
@click.pass_context
def config_command(ctx: click.Context) -> None:
    """Print the effective settings of 'citewatch check' and where each comes from."""
    settings: Settings = ctx.find_object(Settings) or Settings()
    source = str(settings.path) if settings.path else "default"
    click.echo(f"# settings file: {settings.path or '(none)'}")
    for key, param in sorted(_option_keys(check_command).items()):
        if key in settings.values:
            value, origin = settings.values[key], source
        else:
            value, origin = param.get_default(click.Context(check_command)), "default"
            if str(value) == "Sentinel.UNSET":  # click's marker for "no default"
                value = None
            if value is None and isinstance(param, click.Option):
                value = [] if param.multiple else (False if param.is_flag else None)
            value = _REAL_DEFAULTS.get(key, value)
        if value is None:  # no value to give: a TOML comment saying what happens
            click.echo(f"# {key}: not set ({_UNSET_MEANS.get(key, 'unused')})")
            continue
        click.echo(f"{key} = {_toml(value)}  # {origin}")
    for domain in sorted(set(settings.domain_intervals) | set(settings.domain_headers)):
        parts = []
        if domain in settings.domain_intervals:
            parts.append(f"interval = {_toml(settings.domain_intervals[domain])}")
        if domain in settings.domain_headers:
            headers = ", ".join(
                f"{_toml(k)} = {_toml(v)}" for k, v in settings.domain_headers[domain].items()
            )
            parts.append(f"headers = {{ {headers} }}")
        click.echo(f"domains.{_toml(domain)} = {{ {', '.join(parts)} }}  # {source}")


#: What ``check`` uses when a flag without a click default is not given.
_REAL_DEFAULTS: dict[str, Any] = {
    "access_floor": WEB_FLOOR.isoformat(),
    "user_agent": FetchConfig().user_agent,
    "memento_url": "",
}
_UNSET_MEANS = {
    "from": "detected from the file name and content",
    "today": "the date of the run",
}
main.add_command(patch_command)
for _command in COMMANDS:  # load, crawl, report: the shared store (checker/cli_store.py)
    main.add_command(_command)


def _toml(value: Any) -> str:
    """``value`` as a TOML value (strings escaped as TOML basic strings)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return (
            repr(value)
            if math.isfinite(value)
            else ("nan" if value != value else ("inf" if value > 0 else "-inf"))
        )
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{_toml(str(k))} = {_toml(v)}" for k, v in value.items()) + " }"
    if isinstance(value, dt.date):
        value = value.isoformat()
    return json.dumps(str(value), ensure_ascii=False).replace("\x7f", "\\u007f")


def console() -> None:
    """The ``citewatch`` command (and ``python -m checker``): :func:`main`, then an exit
    that skips the interpreter's teardown of the run's objects.  Freeing them one by one
    takes a tenth of a second for 5,000 references and seconds for a million, and the
    process ends anyway (mypy exits the same way).  Other threads are joined, the exit
    handlers run (multiprocessing's, logging's) and the output is flushed first; the
    exit status is the one ``main`` chose."""
    try:
        main()
        status: Any = 0
    except SystemExit as stop:
        status = stop.code
    if status is None:
        status = 0
    elif not isinstance(status, int):
        print(status, file=sys.stderr)
        status = 1
    current = threading.current_thread()
    for thread in threading.enumerate():
        if thread is not current and not thread.daemon:
            thread.join()
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe (`| head`): nothing more to say
            status = status or 1
    os._exit(status)
