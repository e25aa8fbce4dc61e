"""The typed data model shared by every stage.

Every value that crosses a stage boundary is one of these frozen dataclasses, so a
stage can never mutate what another stage produced.  ``slots=True`` keeps a list of a
million references within a few hundred megabytes.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

#: The canonical columns of references.csv, in their canonical order.  They follow the
#: parameters of Wikipedia's citation templates (Module:Citation/CS1).
KNOWN_FIELDS: tuple[str, ...] = (
    "id",
    "url",
    "title",
    "author",
    "work",
    "publisher",
    "date",
    "access_date",
    "archive_url",
    "archive_date",
    "url_status",
    "isbn",
    "issn",
    "doi",
    "language",
    "quote",
)

_KNOWN_SET = frozenset(KNOWN_FIELDS)  #: for a quick membership test

#: Fields holding a date, with the words a person reads for them.
DATE_FIELDS: Mapping[str, str] = MappingProxyType(
    {"date": "publication date", "access_date": "retrieval date", "archive_date": "archive date"}
)

_EMPTY: Mapping[str, str] = MappingProxyType({})
_NO_LINKS: Mapping[str, Any] = MappingProxyType({})


class Severity(enum.IntEnum):
    """How bad a finding is.  Ordered, so ``severity >= Severity.WARNING`` works."""

    INFO = 1
    WARNING = 2
    ERROR = 3

    @property
    def label(self) -> str:
        return self.name.lower()

    @classmethod
    def parse(cls, text: str) -> Severity:
        try:
            return cls[text.strip().upper()]
        except KeyError:
            raise ValueError(f"unknown severity {text!r} (use error, warning or info)") from None


class Precision(enum.Enum):
    """How much of a calendar date a cited value pins down."""

    DAY = "day"
    MONTH = "month"
    SEASON = "season"
    YEAR = "year"
    RANGE = "range"


class DateFormat(enum.Enum):
    """The written shape of a date, as the Manual of Style names them."""

    DMY = "dmy"  # 13 April 2017
    MDY = "mdy"  # April 13, 2017
    YMD = "ymd"  # 2017-04-13
    MY = "my"  # April 2017 (compatible with both dmy and mdy)
    Y = "y"  # 2017, seasons, year ranges (compatible with everything)


@dataclass(frozen=True, slots=True)
class DateValue:
    """A parsed date: the interval of calendar days it can mean, and how it was written.

    ``earliest``/``latest`` bound every day the value can denote, so two values are
    compared at the coarser precision of the two by comparing intervals.
    """

    raw: str
    earliest: dt.date
    latest: dt.date
    precision: Precision
    format: DateFormat
    circa: bool = False
    #: the CLDR pattern a date of another language was written in (``d. MMMM y``)
    style: str = ""
    #: the language whose grammar read it ("" for the English CS1 grammar)
    lang: str = ""

    @property
    def is_full_date(self) -> bool:
        return self.precision is Precision.DAY

    def render(self, day: dt.date) -> str:
        """Write ``day`` in this value's format (dmy, mdy or ymd; a language's style)."""
        if self.style and self.lang:
            from checker.i18n.dates import render

            return render(day, self.lang, self.style)
        return format_date(day, self.format)


def format_date(day: dt.date, fmt: DateFormat) -> str:
    if fmt is DateFormat.MDY:
        return f"{day:%B} {day.day}, {day.year}"
    if fmt is DateFormat.YMD:
        return day.isoformat()
    return f"{day.day} {day:%B} {day.year}"


@dataclass(frozen=True, slots=True)
class Location:
    """Where a reference came from: file and 1-based line (or a reference anchor)."""

    path: str
    line: int | None = None
    anchor: str | None = None

    def __str__(self) -> str:
        if self.line is not None:
            return f"{self.path}:{self.line}"
        if self.anchor:
            return f"{self.path}#{self.anchor}"
        return self.path


@dataclass(frozen=True, slots=True)
class Reference:
    """One citation, in the canonical columns.  Empty string means 'absent'.

    ``extra`` holds the columns citewatch does not know, in input order; they are
    carried through untouched.
    """

    id: str
    url: str = ""
    title: str = ""
    author: str = ""
    work: str = ""
    publisher: str = ""
    date: str = ""
    access_date: str = ""
    archive_url: str = ""
    archive_date: str = ""
    url_status: str = ""
    isbn: str = ""
    issn: str = ""
    doi: str = ""
    language: str = ""
    quote: str = ""  #: the quoted words the citation relies on (CS1 ``quote=``)
    extra: Mapping[str, str] = field(default_factory=lambda: _EMPTY)
    location: Location | None = None

    def get(self, name: str) -> str:
        """A field by column name, known or extra."""
        if name in _KNOWN_SET:
            value: str = getattr(self, name)
            return value
        return self.extra.get(name, "")

    def fields(self) -> dict[str, str]:
        """The known fields as a plain dict (id first)."""
        return {name: getattr(self, name) for name in KNOWN_FIELDS}

    def with_fields(self, changes: Mapping[str, str]) -> Reference:
        """A copy with some known fields (not ``id``) replaced."""
        bad = set(changes) - set(KNOWN_FIELDS[1:])
        if bad:
            raise ValueError(f"not a replaceable field: {', '.join(sorted(bad))}")
        values: dict[str, Any] = dict(changes)
        return dataclasses.replace(self, **values)


@dataclass(frozen=True, slots=True)
class Finding:
    """One fault found in a reference (or, with ``ref_id`` None, in the list as a whole).

    ``code`` is stable across releases; ``fields`` and ``values`` name what is involved;
    ``suggestion`` is a concrete fix when one exists (``suggested`` maps field to the
    proposed value, so ``patch`` can apply it).
    """

    code: str
    severity: Severity
    message: str
    ref_id: str | None
    fields: tuple[str, ...] = ()
    values: tuple[str, ...] = ()
    suggestion: str = ""
    suggested: Mapping[str, str] = field(default_factory=lambda: _EMPTY)
    related: tuple[str, ...] = ()

    @property
    def main_field(self) -> str:
        """The first field involved ("" for list-level findings)."""
        return self.fields[0] if self.fields else ""

    def __reduce__(self) -> tuple[Any, ...]:
        # Picklable (checks run in worker processes): the read-only mapping travels as a dict.
        state = (self.code, self.severity, self.message, self.ref_id, self.fields,
                 self.values, self.suggestion, dict(self.suggested), self.related)  # fmt: skip
        return (_finding, state)


def _finding(*state: Any) -> Finding:
    finding = Finding(*state)
    if not finding.suggested:
        object.__setattr__(finding, "suggested", _EMPTY)
    return finding


def by_position(obj: Any) -> tuple[Any, ...]:
    """``__reduce__`` of a frozen dataclass as its class and its fields in order: what
    the fetch processes send back per link, unpickled without dataclasses' slower
    ``__setstate__`` (which looks the fields up again for every object)."""
    return (type(obj), tuple([getattr(obj, name) for name in obj.__match_args__]))


@dataclass(frozen=True, slots=True)
class InputProblem:
    """Something wrong with the input itself: file, row, field and what is wrong."""

    path: str
    row: int | None
    field: str | None
    message: str
    ref_id: str | None = None
    fatal: bool = False

    def __str__(self) -> str:
        where = self.path
        if self.row is not None:
            where += f", row {self.row}"
        if self.field:
            where += f", field {self.field!r}"
        return f"{where}: {self.message}"


@dataclass(frozen=True, slots=True)
class ImportResult:
    """What an importer read: the references and every problem met on the way."""

    references: tuple[Reference, ...]
    problems: tuple[InputProblem, ...] = ()
    columns: tuple[str, ...] = KNOWN_FIELDS
    source: str = ""
    format: str = ""
    lang: str = ""  #: the wiki language the input was read as ("" = English)
    #: the hash of ``references`` (``run.input_digest`` of report.json) when the importer
    #: made it on the way; "" = made when a report needs it
    input_digest: str = field(default="", compare=False)


@dataclass(frozen=True, slots=True)
class RunInfo:
    """Metadata of one run, written into every report."""

    tool_version: str
    started: dt.datetime
    finished: dt.datetime
    today: dt.date
    input_path: str
    input_format: str
    offline: bool
    fail_on: str


@dataclass(frozen=True, slots=True)
class CheckResult:
    """Everything a run produced: the input, its problems and every finding."""

    references: tuple[Reference, ...]
    findings: tuple[Finding, ...]
    problems: tuple[InputProblem, ...]
    run: RunInfo
    columns: tuple[str, ...] = KNOWN_FIELDS
    links: Mapping[str, LinkResult] = field(default_factory=lambda: _NO_LINKS)
    inconclusive: bool = False  #: the link stage could not judge (network unusable)
    trend: tuple[Mapping[str, Any], ...] = ()  #: past runs from the state file, oldest first
    archives: Mapping[str, ArchiveResult] = field(default_factory=lambda: _NO_LINKS)
    existing_archives: Mapping[str, ExistingArchive] = field(default_factory=lambda: _NO_LINKS)
    captures: Mapping[str, SaveResult] = field(default_factory=lambda: _NO_LINKS)  #: by URL
    #: the hash of ``references`` if made already (ImportResult.input_digest), else ""
    input_digest: str = field(default="", compare=False)

    def link_of(self, ref: Reference) -> LinkResult | None:
        url = ref.url.strip()
        return self.links.get(url) if url else None

    def archive_of(self, ref: Reference) -> ArchiveResult | None:
        url = ref.url.strip()
        return self.archives.get(url) if url else None

    def findings_by_ref(self) -> dict[str | None, list[Finding]]:
        grouped: dict[str | None, list[Finding]] = {}
        for finding in self.findings:
            grouped.setdefault(finding.ref_id, []).append(finding)
        return grouped

    def list_findings(self) -> list[Finding]:
        return [f for f in self.findings if f.ref_id is None]

    def counts(self) -> dict[str, int]:
        by_severity = Counter(finding.severity for finding in self.findings)
        return {s.label: by_severity[s] for s in Severity}

    def worst(self) -> Severity | None:
        return max((f.severity for f in self.findings), default=None)


class LinkStatus(enum.StrEnum):
    """The verdict on one URL (the report's ``link.status``)."""

    ALIVE = "alive"  #: answers 200 with real content
    REDIRECTED = "redirected"  #: alive at another URL after a permanent redirect
    DEAD = "dead"  #: 404/410, no such host, refused… confirmed across runs
    FAILING = "failing"  #: looks dead, not yet confirmed
    SOFT_404 = "soft-404"  #: answers 200 but the page is an error page / redirect to root
    USURPED = "usurped"  #: the domain is parked, for sale or taken over
    BLOCKED = "blocked"  #: 401/403/429/999 or a bot challenge: unknown, never dead
    TRANSIENT = "transient"  #: 5xx, timeout, reset: unknown for now
    TLS_ERROR = "tls-error"  #: this host's certificate or TLS handshake failed: never dead
    INVALID = "invalid"  #: malformed URL or unsupported scheme
    UNSAFE = "unsafe"  #: refused target (loopback, private, link-local…)
    SKIPPED = "skipped"  #: no URL, or excluded
    INCONCLUSIVE = "inconclusive"  #: the run's own network was unusable

    @property
    def rotten(self) -> bool:
        """Statuses for which an archived copy should be found."""
        return self in (
            LinkStatus.DEAD,
            LinkStatus.FAILING,
            LinkStatus.SOFT_404,
            LinkStatus.USURPED,
        )


@dataclass(frozen=True, slots=True)
class Hop:
    """One HTTP exchange of a check: method, URL, status (or error), timing."""

    method: str
    url: str
    status: int | None = None
    error: str = ""  # "dns", "refused", "timeout", "reset", "tls", "too-large", "unsafe"…
    location: str = ""
    elapsed_ms: int = 0

    def __reduce__(self) -> tuple[Any, ...]:
        return by_position(self)


@dataclass(frozen=True, slots=True)
class LinkResult:
    """A URL's verdict with its evidence: every hop, the final URL, the page's title,
    the rule that decided, and (from the state file) how long it has been failing."""

    url: str
    status: LinkStatus
    rule: str  #: the rule that decided, e.g. "http-404", "soft404-probe", "parked-domain"
    detail: str = ""  #: a sentence a person understands
    hops: tuple[Hop, ...] = ()
    final_url: str = ""
    http_status: int | None = None
    title: str = ""
    page_date: str = ""  #: the publication date the page states (ISO), if any
    elapsed_ms: int = 0
    checked_at: dt.datetime | None = None
    failures: int = 0  #: consecutive failed checks so far (confirmation count)
    failing_since: dt.datetime | None = None
    suggested_url: str = ""  #: for REDIRECTED: the new URL

    def __reduce__(self) -> tuple[Any, ...]:
        return by_position(self)


class ArchiveStatus(enum.StrEnum):
    """What the archive stage found for one cited URL."""

    FOUND = "found"  #: a validated capture
    NONE = "none"  #: the archive has no usable capture
    PENDING = "pending"  #: not looked up: lookups stopped (rate limited) or failed
    BLOCKED = "blocked"  #: the site is excluded from the archive
    SKIPPED = "skipped"  #: not looked up (link alive, inconclusive run, --no-archive)


@dataclass(frozen=True, slots=True)
class Candidate:
    """A capture the archive stage examined, and what it concluded."""

    timestamp: str
    url: str
    accepted: bool
    reason: str


@dataclass(frozen=True, slots=True)
class Snapshot:
    """A validated capture to cite: where, when, how far from the access-date, and why."""

    url: str  #: the playback URL to put in archive_url
    original: str
    timestamp: str  #: 14 digits
    captured: dt.datetime
    target: dt.date | None  #: the date aimed at (access-date, else publication date)
    distance_days: int | None  #: captured minus target, in days (negative = before)
    title: str
    reason: str  #: why it was accepted
    source: str  #: "cdx" or "availability"


@dataclass(frozen=True, slots=True)
class ArchiveResult:
    """The archive stage's answer for one cited URL."""

    url: str
    status: ArchiveStatus
    snapshot: Snapshot | None = None
    candidates: tuple[Candidate, ...] = ()
    lookups: int = 0  #: archive API calls made for it this run (0 when cached)
    detail: str = ""
    cached: bool = False


@dataclass(frozen=True, slots=True)
class ExistingArchive:
    """The verdict on an archive_url already in the list."""

    archive_url: str
    ok: bool
    reason: str
    captured: dt.datetime | None = None  #: the capture actually served


class SaveStatus(enum.StrEnum):
    """What a Save Page Now request for one live URL came to."""

    CAPTURED = "captured"  #: a capture exists now (new, or a recent one SPN2 returned)
    ERROR = "error"  #: SPN2 answered an ``error:…`` code (``error`` holds it)
    TIMEOUT = "timeout"  #: the job was still pending at the deadline
    NOT_SENT = "not-sent"  #: not requested: saving stopped, or a limit was reached


@dataclass(frozen=True, slots=True)
class SaveResult:
    """A Save Page Now 2 request for one URL and its outcome (never any credential)."""

    url: str
    status: SaveStatus
    job_id: str = ""
    timestamp: str = ""  #: 14 digits, of the capture (CAPTURED)
    archive_url: str = ""  #: the playback URL of the capture (CAPTURED)
    error: str = ""  #: SPN2's ``status_ext`` (e.g. ``error:blocked-url``), or ``http-429``…
    message: str = ""  #: what SPN2 said, or why nothing was sent
    requested_at: dt.datetime | None = None
    cached: bool = False  #: from the state file (an earlier run)

    @property
    def captured(self) -> dt.datetime | None:
        try:
            return dt.datetime.strptime(self.timestamp, "%Y%m%d%H%M%S")
        except ValueError:
            return None
