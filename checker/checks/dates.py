"""Date checks: validity, order (published ≤ retrieved, published ≤ archived), the
future, the web's floor, missing retrieval dates and mixed formats across the list."""

from __future__ import annotations

import datetime as dt
import functools
from collections import Counter, defaultdict
from collections.abc import Iterator, Mapping, Sequence

from checker.checks import CheckConfig
from checker.dates import DateError, Parsed, analyse
from checker.i18n.dates import is_english, parse_in
from checker.model import DATE_FIELDS, DateFormat, DateValue, Finding, Reference, Severity

ParsedDates = dict[str, DateValue | None]

#: A retrieval date whose year looks mistyped is fixed only if the fixed date falls this
#: close after publication (the typical slip: a January retrieval typed with last year).
YEAR_FIX_WINDOW_DAYS = 90


def parse_fields(ref: Reference, lang: str = "") -> tuple[ParsedDates, dict[str, DateError]]:
    """The reference's date fields parsed (in ``lang``); invalid ones returned separately."""
    ok, bad, _ = _analyse_fields(ref, lang)
    return ok, bad


#: CS1's reading of each date text seen in this process (:func:`read_cs1`): a long list
#: repeats a few thousand date strings, each read once by every check that needs it.
_READINGS: dict[str, Parsed | DateError | None] = {}
#: At most this many texts are kept (past it, texts are read again each time).
READINGS_MAX = 1 << 18


def read_cs1(raw: str) -> Parsed | DateError | None:
    """What :func:`checker.dates.analyse` makes of ``raw``: its reading, None for an
    empty text, or the DateError it would raise (returned, not raised)."""
    try:
        return _READINGS[raw]
    except KeyError:  # read for the first time (or past READINGS_MAX)
        pass
    found: Parsed | DateError | None
    try:
        found = analyse(raw)
    except DateError as err:
        found = err.with_traceback(None)  # kept: without the frames it was raised in
    if len(_READINGS) < READINGS_MAX:
        _READINGS[raw] = found
    return found


def cs1_date(raw: str) -> DateValue | None:
    """:func:`checker.dates.parse_date` of ``raw`` (None where it would raise DateError:
    a caller that skips invalid dates)."""
    found = read_cs1(raw)
    return found.value if isinstance(found, Parsed) else None


def _read(raw: str, lang: str) -> Parsed | None:
    """CS1's reading of a date; on another wiki, that wiki's CLDR formats when CS1 has none
    (a German article may cite with {{cite web}} and ISO or English dates)."""
    if is_english(lang):
        return analyse(raw)
    try:
        return analyse(raw)
    except DateError:
        value = parse_in(raw, lang)  # raises the language's own DateError
        return None if value is None else Parsed(value, "cldr", last_year=value.latest.year)


def _analyse_fields(
    ref: Reference, lang: str = ""
) -> tuple[ParsedDates, dict[str, DateError], dict[str, Parsed]]:
    ok: ParsedDates = {}
    bad: dict[str, DateError] = {}
    readings: dict[str, Parsed] = {}
    english = is_english(lang)
    for name in DATE_FIELDS:
        raw = getattr(ref, name)  # a known field (Reference.get, without its lookup)
        ok[name] = None
        if not raw:  # what _read gives for an empty cell, without calling it
            continue
        if english:  # what _read gives, each text read once (read_cs1)
            found = read_cs1(raw)
            if isinstance(found, DateError):
                bad[name] = found
                continue
            parsed = found
        else:
            try:
                parsed = _read(raw, lang)
            except DateError as err:
                bad[name] = err
                continue
        if parsed is None:
            continue
        if parsed.date_only and name != "date":
            # CS1: seasons, quarters, named dates, "c." and "n.d." only in |date=.
            bad[name] = DateError(
                f"{raw!r}: a season, quarter, named date, 'c.' or 'n.d.' is for the "
                "publication date only"
            )
            continue
        ok[name] = parsed.value
        readings[name] = parsed
    return ok, bad, readings


def check(ref: Reference, config: CheckConfig) -> Iterator[Finding]:
    parsed, bad, readings = _analyse_fields(ref, config.lang)
    for name, err in bad.items():
        yield Finding(
            "invalid-date",
            Severity.ERROR,
            f"{DATE_FIELDS[name].capitalize()}: {err.message}",
            ref.id,
            fields=(name,),
            values=(ref.get(name),),
            suggestion=f"write {err.suggestion!r}" if err.suggestion else "",
            suggested={name: err.suggestion} if err.suggestion else {},
        )
    for name, reading in readings.items():
        if reading.hyphen_fix:
            yield Finding(
                "date-range-hyphen",
                Severity.WARNING,
                f"{DATE_FIELDS[name].capitalize()} {ref.get(name)!r} separates a range "
                "with a hyphen; CS1 accepts it and renders an en dash",
                ref.id,
                fields=(name,),
                values=(ref.get(name),),
                suggestion=f"write {reading.hyphen_fix!r}",
                suggested={name: reading.hyphen_fix},
            )
    pub, access, archive = parsed["date"], parsed["access_date"], parsed["archive_date"]
    if readings:
        yield from _future(ref, readings, config.today)
    if access is not None:
        if not access.is_full_date:
            yield Finding(
                "access-date-imprecise",
                Severity.ERROR,
                f"Retrieval date {access.raw!r} is not a single full date (day, month, year)",
                ref.id,
                fields=("access_date",),
                values=(access.raw,),
            )
        if access.latest < config.access_floor:
            yield Finding(
                "access-date-too-early",
                Severity.ERROR,
                f"Retrieval date {access.raw!r} is before {config.access_floor.isoformat()}, "
                "earlier than any web retrieval a citation can record",
                ref.id,
                fields=("access_date",),
                values=(access.raw,),
            )
    if ref.url and not ref.access_date:
        yield Finding(
            "access-date-missing",
            Severity.WARNING,
            "The reference has a URL but no retrieval date: nobody can tell which version "
            "of the page was cited, or pick the right archived copy",
            ref.id,
            fields=("access_date", "url"),
            values=("", ref.url),
            suggestion="add the date the page was read (or the archive capture's date)",
        )
    if pub is not None and access is not None and access.latest < pub.earliest:
        yield _before_publication(ref, pub, access, config.today)
    if pub is not None and archive is not None and archive.latest < pub.earliest:
        yield Finding(
            "archive-before-publication",
            Severity.ERROR,
            f"Archived ({archive.raw}) before it was published ({pub.raw})",
            ref.id,
            fields=("archive_date", "date"),
            values=(archive.raw, pub.raw),
        )


@functools.cache
def _horizon(today: dt.date) -> tuple[dt.date, int]:
    """The day after ``today`` and the year after it."""
    return today + dt.timedelta(days=1), today.year + 1


def _future(ref: Reference, readings: dict[str, Parsed], today: dt.date) -> Iterator[Finding]:
    tomorrow, next_year = _horizon(today)
    for name, reading in readings.items():
        value = reading.value
        if value is None:
            continue
        # A publication date may announce a forthcoming work, up to next year (CS1's
        # limit, for a range's end too); a retrieval or capture cannot be after tomorrow.
        beyond = reading.last_year > next_year
        if not beyond and value.earliest <= tomorrow:
            continue
        message = (
            f"{DATE_FIELDS[name].capitalize()} {value.raw!r} names {reading.last_year}, "
            f"beyond next year (the run date is {today.isoformat()})"
            if beyond
            else f"{DATE_FIELDS[name].capitalize()} {value.raw!r} is after the run date "
            f"{today.isoformat()}"
        )
        yield Finding(
            "date-in-future",
            Severity.ERROR if beyond or name != "date" else Severity.WARNING,
            message,
            ref.id,
            fields=(name,),
            values=(value.raw,),
        )


def _before_publication(
    ref: Reference, pub: DateValue, access: DateValue, today: dt.date
) -> Finding:
    suggestion = ""
    suggested: dict[str, str] = {}
    if access.is_full_date:
        day = access.earliest
        for year in (pub.earliest.year, pub.earliest.year + 1, day.year + 1):
            try:
                candidate = day.replace(year=year)
            except ValueError:  # 29 February
                continue
            if (
                pub.earliest <= candidate <= today
                and (candidate - pub.latest).days <= YEAR_FIX_WINDOW_DAYS
            ):
                fixed = access.render(candidate)
                suggestion = (
                    f"the retrieval year looks mistyped ({day.year} for {year}): "
                    f"access_date = {fixed!r}"
                )
                suggested = {"access_date": fixed}
                break
    gap = (pub.earliest - access.latest).days
    return Finding(
        "access-before-publication",
        Severity.ERROR,
        f"Retrieved ({access.raw}) {gap} day{'s' if gap != 1 else ''} before it was "
        f"published ({pub.raw})",
        ref.id,
        fields=("access_date", "date"),
        values=(access.raw, pub.raw),
        suggestion=suggestion,
        suggested=suggested,
    )


_FULL = (DateFormat.DMY, DateFormat.MDY, DateFormat.YMD)


def _style(raw: str, lang: str) -> str:
    """The written style of a full date (a language's CLDR style, else dmy, mdy or ymd);
    "" for an invalid date or one that is not a full date."""
    try:
        value = parse_in(raw, lang)
    except DateError:
        return ""
    if value is not None and value.format in _FULL:
        return value.style or value.format.value
    return ""


def check_access_without_url(refs: Sequence[Reference], config: CheckConfig) -> Iterator[Finding]:
    """List level: retrieval dates without a URL (one finding: lists imported from a
    rendered page lose every URL, and one line per reference would drown the report)."""
    ids = [ref.id for ref in refs if ref.access_date and not ref.url]
    if ids:
        yield Finding(
            "access-date-without-url",
            Severity.INFO,
            f"{len(ids)} reference{'s have' if len(ids) != 1 else ' has'} a retrieval date "
            "but no URL (the citation templates ignore such dates; a rendered page loses "
            "its URLs)",
            None,
            fields=("access_date", "url"),
            suggestion="add the URLs (citewatch import --merge FILE fills them by id)",
            related=tuple(ids),
        )


def check_formats(refs: Sequence[Reference], config: CheckConfig) -> Iterator[Finding]:
    """List level: one format for publication dates; one for access and archive dates."""
    groups = {"publication": ("date",), "access and archive": ("access_date", "archive_date")}
    styles: dict[str, str] = {}  # each date text's style, read once ("" for none)
    for label, names in groups.items():
        seen: dict[str, list[str]] = defaultdict(list)
        for ref in refs:
            for name in names:
                raw = getattr(ref, name)  # a known field (Reference.get, without its lookup)
                if not raw:
                    continue
                style = styles.get(raw)
                if style is None:
                    style = _style(raw, config.lang)
                    if len(styles) < READINGS_MAX:
                        styles[raw] = style
                if style:
                    seen[style].append(ref.id)
        finding = mixed_formats(label, names, seen)
        if finding is not None:
            yield finding


def mixed_formats(
    label: str, names: tuple[str, ...], seen: Mapping[str, list[str]]
) -> Finding | None:
    """The finding for one group of date fields whose dates were written in the styles of
    ``seen`` (style -> the ids of the references using it, in list order); None for one
    style."""
    if len(seen) < 2:
        return None
    counts = Counter({fmt: len(ids) for fmt, ids in seen.items()})
    majority = counts.most_common(1)[0][0]
    minority = [ref_id for fmt, ids in seen.items() if fmt != majority for ref_id in ids]
    parts = ", ".join(f"{fmt} {n}" for fmt, n in counts.most_common())
    return Finding(
        "mixed-date-formats",
        Severity.WARNING,
        f"The {label} dates mix {len(seen)} formats ({parts}); the Manual of Style asks for one",
        None,
        fields=names,
        values=tuple(fmt for fmt, _ in counts.most_common()),
        suggestion=f"write the {len(set(minority))} other references' {label} dates "
        f"as {majority}, the list's majority format",
        related=tuple(dict.fromkeys(minority)),
    )
