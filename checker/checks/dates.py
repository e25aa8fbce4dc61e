"""Date checks: validity, order (published ≤ retrieved, published ≤ archived), the
future, the web's floor, missing retrieval dates and mixed formats across the list."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence

from checker.checks import CheckConfig
from checker.dates import DateError
from checker.i18n.dates import parse_in
from checker.model import DATE_FIELDS, DateFormat, DateValue, Finding, Reference, Severity

ParsedDates = dict[str, DateValue | None]

#: A retrieval date whose year looks mistyped is fixed only if the fixed date falls this
#: close after publication (the typical slip: a January retrieval typed with last year).
YEAR_FIX_WINDOW_DAYS = 90


def parse_fields(ref: Reference, lang: str = "") -> tuple[ParsedDates, dict[str, DateError]]:
    """The reference's date fields parsed (in ``lang``); invalid ones returned separately."""
    ok: ParsedDates = {}
    bad: dict[str, DateError] = {}
    for name in DATE_FIELDS:
        raw = ref.get(name)
        try:
            ok[name] = parse_in(raw, lang)
        except DateError as err:
            bad[name] = err
            ok[name] = None
    return ok, bad


def check(ref: Reference, config: CheckConfig) -> Iterator[Finding]:
    parsed, bad = parse_fields(ref, config.lang)
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
    pub, access, archive = parsed["date"], parsed["access_date"], parsed["archive_date"]
    yield from _future(ref, parsed, config.today)
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


def _future(ref: Reference, parsed: ParsedDates, today: dt.date) -> Iterator[Finding]:
    tomorrow = today + dt.timedelta(days=1)
    for name, value in parsed.items():
        if value is None or value.earliest <= tomorrow:
            continue
        # A publication date may announce a forthcoming work; beyond next year it cannot.
        lenient = name == "date" and value.earliest.year <= today.year + 1
        yield Finding(
            "date-in-future",
            Severity.WARNING if lenient else Severity.ERROR,
            f"{DATE_FIELDS[name].capitalize()} {value.raw!r} is after the run date "
            f"{today.isoformat()}",
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
    for label, names in groups.items():
        seen: dict[str, list[str]] = defaultdict(list)
        for ref in refs:
            for name in names:
                raw = ref.get(name)
                if not raw:
                    continue
                try:
                    value = parse_in(raw, config.lang)
                except DateError:
                    continue
                if value is not None and value.format in _FULL:
                    # a language's written style (d. MMMM y / dd.MM.y), else dmy/mdy/ymd
                    seen[value.style or value.format.value].append(ref.id)
        if len(seen) < 2:
            continue
        counts = Counter({fmt: len(ids) for fmt, ids in seen.items()})
        majority = counts.most_common(1)[0][0]
        minority = [ref_id for fmt, ids in seen.items() if fmt is not majority for ref_id in ids]
        parts = ", ".join(f"{fmt} {n}" for fmt, n in counts.most_common())
        yield Finding(
            "mixed-date-formats",
            Severity.WARNING,
            f"The {label} dates mix {len(seen)} formats ({parts}); the Manual of Style asks "
            f"for one",
            None,
            fields=names,
            values=tuple(fmt for fmt, _ in counts.most_common()),
            suggestion=f"write the {len(set(minority))} other references' {label} dates "
            f"as {majority}, the list's majority format",
            related=tuple(dict.fromkeys(minority)),
        )
