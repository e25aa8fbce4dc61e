"""The catalogue of finding codes: stable names, default severity, one-line meaning.

docs/findings.md is checked against this table by the test suite.
"""

from __future__ import annotations

from types import MappingProxyType

from checker.model import Severity

E, W, N = Severity.ERROR, Severity.WARNING, Severity.INFO

CODES = MappingProxyType(
    {
        "access-before-publication": (
            E,
            "retrieved earlier than published (compared at the coarser precision of the two)",
        ),
        "archive-before-publication": (E, "archived earlier than published"),
        "date-in-future": (
            E,
            "a date after the run date (a publication date up to the end of next year is "
            "only a warning: forthcoming works exist; beyond it, a range's end included, an "
            "error)",
        ),
        "access-date-too-early": (
            E,
            "retrieved before the web could be cited (default floor 2001-01-15)",
        ),
        "access-date-imprecise": (E, "the retrieval date is not one full date"),
        "invalid-date": (
            E,
            "not a date shape the citation templates accept, or not a real calendar date",
        ),
        "date-range-hyphen": (
            W,
            "a range written with a hyphen (2002-2003): CS1 accepts it and renders an en "
            "dash; the en-dash spelling is suggested",
        ),
        "access-date-missing": (W, "a URL without a retrieval date"),
        "access-date-without-url": (N, "list level: retrieval dates without URLs"),
        "mixed-date-formats": (
            W,
            "list level: publication (or access/archive) dates in more than one format",
        ),
        "archive-date-mismatch": (E, "archive date disagrees with the archive URL's timestamp"),
        "archive-url-malformed": (
            E,
            "archive URL without a 14-digit timestamp, a wildcard, or not a URL",
        ),
        "archive-url-without-date": (E, "archive URL without archive date"),
        "archive-url-without-url": (E, "archive URL without the original URL"),
        "archive-url-other-page": (W, "the archive URL captures another page than the URL"),
        "archive-date-without-url": (W, "archive date without archive URL"),
        "url-status-without-archive": (W, "url_status dead/usurped/unfit without an archive"),
        "invalid-url-status": (E, "url_status not one of live, dead, unfit, usurped"),
        "url-date-mismatch": (W, "a date in the URL path far from the publication date"),
        "invalid-url": (E, "a malformed URL"),
        "invalid-isbn": (E, "ISBN checksum or shape wrong"),
        "invalid-issn": (E, "ISSN checksum or shape wrong"),
        "invalid-doi": (E, "DOI not of the shape 10.NNNN/suffix"),
        "generic-title": (E, "a title that names no source ('Document', 'Page not found')"),
        "generic-author": (
            W,
            "an author that is no person: generic words, organisations or "
            "addresses split into last/first names",
        ),
        "missing-title": (E, "no title"),
        "duplicate-reference": (N, "the same source (URL or title) cited twice"),
        "conflicting-duplicate": (
            W,
            "the same URL or title cited twice with contradicting "
            "work, publisher, author, date or title",
        ),
        "link-dead": (E, "the link failed on N checks over D days (confirmed)"),
        "link-failing": (W, "the link failed; not yet confirmed across runs"),
        "link-soft-404": (E, "the link answers 200 with an error page or redirects to the root"),
        "link-usurped": (E, "the domain is parked, for sale or taken over"),
        "link-blocked": (N, "401/403/429/999 or a bot challenge: unknown, never dead"),
        "link-transient": (N, "5xx, timeout or reset: unknown for now"),
        "link-tls-error": (W, "this host's TLS certificate or handshake failed; never dead"),
        "link-redirected": (N, "moved permanently; the new URL is suggested"),
        "link-unsafe": (W, "the URL resolves to a private/loopback address; not checked"),
        "content-drift": (
            W,
            "the live page's title no longer resembles the cited title, or its main text "
            "differs from a snapshot near the retrieval date (similarity below 0.5 by default)",
        ),
        "publication-date-mismatch": (W, "the page states another publication date than cited"),
        "host-outage": (W, "list level: every link of one host failed at connection level"),
        "links-inconclusive": (E, "list level: the run's own network was unusable (exit 3)"),
        "archive-found": (
            N,
            "a validated archived copy for a rotten link (the cells patch "
            "would fill are suggested)",
        ),
        "archive-none": (W, "no usable archived copy of a rotten link"),
        "archive-blocked": (W, "the Internet Archive excludes the site"),
        "archive-pending": (N, "the lookup did not happen this run (rate limited or failed)"),
        "archive-url-broken": (
            E,
            "the existing archive link is missing, elsewhere in time, or an error page",
        ),
        "archive-stopped": (W, "list level: the archive rate-limited the run; lookups stopped"),
        "input-error": (
            E,
            "a problem of the input row itself (malformed row, bad bytes, duplicate id…)",
        ),
        # Save Page Now and verification (checker/save, checker/verify)
        "new-capture": (
            N,
            "--save: the Wayback Machine captured the live page (the archive_url, "
            "archive_date and url-status=live cells are suggested for "
            "`patch --accept-new-captures`)",
        ),
        "save-failed": (N, "--save: Save Page Now could not capture the page (its error code)"),
        "save-stopped": (W, "list level: Save Page Now requests stopped (429, limits, keys)"),
        "save-no-keys": (
            W,
            "list level: --save without CITEWATCH_IA_ACCESS/CITEWATCH_IA_SECRET; nothing saved",
        ),
        "quote-missing-live": (
            W,
            "the live page no longer contains the cited quote (closest passage shown)",
        ),
        "quote-missing-everywhere": (
            W,
            "neither the live page nor its snapshot contains the quote (wrong quote or source?)",
        ),
        "quote-found-in-snapshot-only": (
            W,
            "the quote is only in the archived copy: the page changed; cite the snapshot",
        ),
        "verify-skipped": (N, "list level: snapshots not fetched (over the archive budget)"),
    }
)


#: Where each date rule comes from: Wikipedia's citation module (CS1) or citewatch.
DATE_RULES: tuple[tuple[str, str, str], ...] = (
    (
        "`invalid-date`",
        "CS1",
        "the shapes of Module:Citation/CS1/Date_validation: dmy, mdy, ymd (from 1582), "
        "month-year, year (3 or 4 digits, from 100), seasons, `First Quarter` … "
        "`Fourth Quarter`, `Easter`/`Christmas`, ranges in the short form only, `c. 1900` "
        "(with the space), `n.d.`, a disambiguating letter after any form; no zero-padded "
        "days; months in a range both long or both short; season year ranges only "
        "`Winter`/`Summer` over consecutive years; `YYYY–YY` only when YY ≥ 13; Julian leap "
        "years before 1582",
    ),
    (
        "`invalid-date`",
        "CS1",
        "seasons, quarters, named dates, `c.` and `n.d.` in the publication date only",
    ),
    (
        "`date-range-hyphen`",
        "CS1 (as a warning)",
        "CS1 accepts hyphen ranges, renders en dashes and adds a maintenance category",
    ),
    ("`access-date-imprecise`", "CS1", "the retrieval date is one full date"),
    ("`access-date-too-early`", "CS1", "no retrieval date before 2001-01-15"),
    (
        "`date-in-future`",
        "CS1 and citewatch",
        "CS1: no year beyond next year (a range's end included) and no retrieval date "
        "after tomorrow; citewatch: no archive date after tomorrow either, and a "
        "publication date after tomorrow is a warning",
    ),
    (
        "`access-before-publication`, `archive-before-publication`, "
        "`mixed-date-formats`, `access-date-missing`, `access-date-without-url`, "
        "`archive-date-mismatch`, `url-date-mismatch`",
        "citewatch",
        "comparisons between dates and fields; the module checks each date alone",
    ),
)


def render_markdown() -> str:
    """docs/findings.md, generated from the catalogue (a test keeps the file in sync)."""
    lines = [
        "# Finding codes",
        "",
        "<!-- generated by checker.checks.codes.render_markdown(); edit the catalogue -->",
        "",
        "Every finding has a stable `code` (never renamed within a major version), a",
        "severity and the fields involved. Severities are defaults; `date-in-future` is a",
        "warning for a publication date in the next year. Leave a code out of a run with",
        "`--ignore CODE`.",
        "",
        "| code | severity | meaning |",
        "|---|---|---|",
    ]
    lines += [f"| `{code}` | {sev.label} | {text} |" for code, (sev, text) in CODES.items()]
    lines += [
        "",
        "## Suggested fixes",
        "",
        "Where a fix is certain or likely, `suggestion` says it in words and `suggested`",
        "maps field → value (report.json). Examples: `access-before-publication` when a",
        "January retrieval was typed with last year's year (the fixed date must fall within",
        "90 days after publication); `invalid-date` for common slips (`Sept`, lower-case",
        "months, a missing comma, a zero-padded day, `c.1900`, an em dash or slash for an en dash,",
        "a long-form range CS1 wants short, mixed long and short month names, a comma",
        "after the month); `archive-date-mismatch` and `archive-url-without-date` from",
        "the capture's timestamp, in the format the reference already uses;",
        "`generic-author` for an organisation split into last/first names;",
        "`link-redirected` with the new URL; `date-range-hyphen` with the en dash",
        "(`patch --accept-date-fixes` writes these date fixes).",
        "",
        "## Date rules: Wikipedia's or citewatch's",
        "",
        "The date grammar follows Module:Citation/CS1/Date_validation; citewatch scores",
        "itself against the module's own verdicts (see [dates.md](dates.md), which lists",
        "the deliberate differences).",
        "",
        "| code | rule from | rule |",
        "|---|---|---|",
    ]
    lines += [f"| {codes} | {origin} | {rule} |" for codes, origin, rule in DATE_RULES]
    lines.append("")
    return "\n".join(lines)
