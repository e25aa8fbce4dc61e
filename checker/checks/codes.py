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
            "a date after the run date (a publication date in the next "
            "year is only a warning: forthcoming works exist)",
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
        "input-error": (
            E,
            "a problem of the input row itself (malformed row, bad bytes, duplicate id…)",
        ),
    }
)
