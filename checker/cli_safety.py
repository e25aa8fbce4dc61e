"""What keeps the command line trustworthy for a CI job and a terminal.

* :class:`SafeGroup`: an unexpected exception never exits 1 ("findings"): it is caught
  at the top, a bug report (traceback, version, arguments with header values masked,
  never the environment) is written beside the report, one line names it, exit 4.
* :func:`printable`: values from the input (ids, ref names, locations, messages) go to
  the terminal with control characters escaped, TTY or not.
* Validators for options whose mistakes would otherwise surface late or as a crash:
  ``--ignore`` codes (with a close match), ``--exclude`` regexes, ``--resolve`` IPs,
  and ``check`` writing a report over its own input.
"""

from __future__ import annotations

import datetime as dt
import difflib
import ipaddress
import os
import platform
import re
import sys
import traceback
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click

from checker import __version__

#: Exit code of an internal error (a bug): documented in README and api.ExitCode.
INTERNAL_ERROR = 4
INPUT_ERROR = 2
BUG_REPORT = "citewatch-bug-report.txt"

# C0 and C1 controls, DEL, and the bidirectional overrides/isolates (Trojan Source).
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_KEEP_IN_TEXT = re.compile(
    "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]|\r(?!\n)"
)


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def printable(value: object) -> str:
    """``value`` as one terminal-safe line: every control character escaped."""
    return _CONTROL.sub(_escape, str(value))


def printable_text(text: str) -> str:
    """Multi-line text (a diff) with tabs, line ends and CRLF kept, other controls escaped."""
    return _KEEP_IN_TEXT.sub(_escape, text)


def fail(message: str, code: int = INPUT_ERROR) -> NoReturn:
    """One line on stderr, then exit ``code`` (2 by default: usage or input error)."""
    click.echo(f"error: {printable(message)}", err=True)
    sys.exit(code)


# --- exit 4 -------------------------------------------------------------------------

_SECRET_FLAGS = ("--domain-header", "--user-agent")


def _masked_argv(argv: Sequence[str]) -> list[str]:
    """The command line with header values masked (they may carry cookies or tokens)."""
    out: list[str] = []
    hide_next = False
    for arg in argv:
        if hide_next:
            out.append(_mask(arg))
            hide_next = False
            continue
        flag, sep, _ = arg.partition("=")
        if flag in _SECRET_FLAGS:
            out.append(f"{flag}=…" if sep else arg)
            hide_next = not sep
            continue
        out.append(arg)
    return out


def _mask(item: str) -> str:
    key, sep, _ = item.partition("=")
    return f"{key}=…" if sep else "…"


def bug_report_dir(params: dict[str, Any]) -> Path:
    """Beside the report: ``--out`` of check, the ``--report``'s folder for patch, the
    output's folder for import, else ``reports/``; the current directory as a fallback."""
    if isinstance(params.get("out_dir"), Path):
        return Path(params["out_dir"])
    if isinstance(params.get("report_path"), Path):
        return Path(params["report_path"]).parent
    if isinstance(params.get("output"), Path):  # import: beside the file it writes
        return Path(params["output"]).parent
    return Path("reports")


def write_bug_report(directory: Path, error: BaseException, argv: Sequence[str]) -> Path:
    """The traceback and what is needed to reproduce it; no environment variable."""
    text = "\n".join(
        [
            "citewatch internal error: please file this report (it holds no environment",
            "variables; header values on the command line are masked).",
            "",
            f"time: {dt.datetime.now(dt.UTC).isoformat(timespec='seconds')}",
            f"citewatch: {__version__}",
            f"python: {platform.python_version()} ({platform.platform()})",
            f"command: citewatch {' '.join(_masked_argv(argv))}",
            "",
            "".join(traceback.format_exception(error)),
        ]
    )
    for folder in (directory, Path(".")):
        try:
            folder.mkdir(parents=True, exist_ok=True)
            target = folder / BUG_REPORT
            target.write_text(text, encoding="utf-8")
            return target
        except OSError:
            continue
    raise OSError("no folder to write the bug report to")


_PARAMS = "citewatch.params"
_ARGV = "citewatch.argv"


F = TypeVar("F", bound=Callable[..., Any])


def option_group(options: Sequence[Callable[[Any], Any]]) -> Callable[[F], F]:
    """One decorator for a list of ``click.option``s, applied so they show in order."""

    def apply(func: F) -> F:
        for option in reversed(options):
            func = option(func)
        return func

    return apply


class SafeCommand(click.Command):
    """A subcommand that leaves its parameters where the crash handler finds them."""

    def invoke(self, ctx: click.Context) -> Any:
        ctx.meta[_PARAMS] = dict(ctx.params)
        return super().invoke(ctx)


class SafeGroup(click.Group):
    """A click group whose subcommands never let an unexpected exception out."""

    command_class = SafeCommand

    def main(self, args: Sequence[str] | None = None, *a: Any, **kw: Any) -> Any:
        self._argv = list(args) if args is not None else sys.argv[1:]
        return super().main(args, *a, **kw)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except KeyboardInterrupt:  # not "findings" (1): the shell's code for SIGINT
            click.echo("interrupted", err=True)
            sys.exit(130)
        except Exception as error:  # the whole point: a bug report and exit 4
            params = ctx.meta.get(_PARAMS, {})
            try:
                path = write_bug_report(bug_report_dir(params), error, getattr(self, "_argv", []))
                where = f"details in {path}"
            except OSError:
                where = "no bug report could be written"
            click.echo(
                "internal error (a bug in citewatch, exit 4): "
                f"{printable(type(error).__name__)}: {printable(error)}; {where}",
                err=True,
            )
            sys.exit(INTERNAL_ERROR)


# --- option validators ----------------------------------------------------------------


def check_ignored(codes: Iterable[str], known: Iterable[str]) -> None:
    """Refuse an unknown ``--ignore`` code, suggesting the closest known one."""
    catalogue = sorted(known)
    for code in codes:
        if code in catalogue:
            continue
        close = difflib.get_close_matches(code, catalogue, n=1, cutoff=0.6)
        hint = f"; did you mean {close[0]!r}?" if close else " (see docs/findings.md)"
        raise click.BadParameter(
            f"unknown finding code {printable(code)!r}{hint}", param_hint="--ignore"
        )


def check_excludes(patterns: Iterable[str]) -> None:
    for pattern in patterns:
        try:
            re.compile(pattern)
        except re.error as err:
            raise click.BadParameter(
                f"{printable(pattern)!r} is not a regular expression: {err}", param_hint="--exclude"
            ) from None


def check_ip(item: str, ip: str) -> None:
    try:
        ipaddress.ip_address(ip.strip().strip("[]"))
    except ValueError:
        raise click.BadParameter(
            f"{printable(item)!r}: {printable(ip)!r} is not an IP address", param_hint="--resolve"
        ) from None


def same_file(a: Path, b: Path) -> bool:
    """Whether two paths name one file: resolved paths (symlinks followed), or the same
    inode when both exist (hard links)."""
    try:
        if a.resolve() == b.resolve():
            return True
    except (OSError, RuntimeError):
        pass
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return False
