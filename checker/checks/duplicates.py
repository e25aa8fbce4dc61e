"""Duplicates: the same source cited twice (same URL, or same title), and duplicates
that contradict each other on work, publisher, author or date.

Grouping is one pass over the normalised keys into a dictionary (a million references
cost one pass, not a pairwise comparison; pandas' ``duplicated`` and ``groupby`` gave
the same groups in the same order, but importing pandas cost every run a quarter of a
second before its first request).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Sequence

from checker.archiveurl import normalise_url
from checker.checks import CheckConfig
from checker.dates import DateError, parse_date
from checker.model import Finding, Reference, Severity

MIN_TITLE_KEY = 16  # shorter titles ("Home", "Report") collide by chance
_PAREN = re.compile(r"\((?:in [^)]*|pdf|press release)\)", re.IGNORECASE)


#: ASCII characters ``[\W_]`` matches (all but letters and digits), deleted by translate
_ASCII_NON_WORD = dict.fromkeys(c for c in range(128) if not chr(c).isalnum())


def title_key(title: str) -> str:
    if title.isascii():  # NFKC leaves ASCII alone and casefold is lower: no regex needed
        text = title.lower().translate(_ASCII_NON_WORD)
    else:
        text = unicodedata.normalize("NFKC", title).casefold()
        text = re.sub(r"[\W_]+", "", text)
    return text if len(text) >= MIN_TITLE_KEY else ""


def _name_key(text: str) -> str:
    text = _PAREN.sub("", unicodedata.normalize("NFKC", text)).casefold().strip()
    text = re.sub(r"^the\s+", "", text)
    return re.sub(r"[\W_]+", "", text)


def _acronyms(text: str) -> set[str]:
    """'Voice of America' -> {'voa', 'va'}."""
    words = re.findall(r"[^\W\d_]+", unicodedata.normalize("NFKC", text))
    full = "".join(w[0] for w in words).casefold()
    short = "".join(w[0] for w in words if w.lower() not in {"of", "the", "and"}).casefold()
    return {full, short} if len(words) > 1 else set()


def same_name(a: str, b: str) -> bool:
    """Work/publisher names equal up to case, 'The', punctuation, acronyms, suffixes."""
    ka, kb = _name_key(a), _name_key(b)
    if not ka or not kb or ka == kb or ka.startswith(kb) or kb.startswith(ka):
        return True
    return ka in _acronyms(b) or kb in _acronyms(a)


def _surnames(author: str) -> frozenset[str]:
    return frozenset(_name_key(p.split(",")[0]) for p in author.split(";") if p.strip())


def _dates_disagree(a: str, b: str) -> bool:
    try:
        da, db = parse_date(a), parse_date(b)
    except DateError:
        return False
    if da is None or db is None:
        return False
    return da.latest < db.earliest or db.latest < da.earliest


def conflicts(a: Reference, b: Reference, by_url: bool) -> list[tuple[str, str, str]]:
    """(field, value in a, value in b) for every field on which two citations disagree."""
    found = []
    for name in ("work", "publisher"):
        va, vb = a.get(name), b.get(name)
        if va and vb and not same_name(va, vb):
            found.append((name, va, vb))
    if a.author and b.author and not (_surnames(a.author) & _surnames(b.author)):
        found.append(("author", a.author, b.author))
    if a.date and b.date and _dates_disagree(a.date, b.date):
        found.append(("date", a.date, b.date))
    if by_url and a.title and b.title:
        ta, tb = title_key(a.title) or a.title.casefold(), title_key(b.title) or b.title.casefold()
        if ta != tb and not (ta.startswith(tb) or tb.startswith(ta)):
            found.append(("title", a.title, b.title))
    return found


def _groups(refs: Sequence[Reference]) -> Iterator[tuple[str, list[int]]]:
    """(column, positions) of every key shared by two or more references: URL groups
    first, then title groups, each in the order of its first member."""
    urls = [normalise_url(r.url) if r.url else "" for r in refs]
    titles = [title_key(r.title) for r in refs]
    for column, keys in (("url", urls), ("title", titles)):
        where: dict[str, list[int]] = {}
        for position, key in enumerate(keys):
            if key:
                where.setdefault(key, []).append(position)
        for members in where.values():
            if len(members) > 1:
                yield column, members


def check(refs: Sequence[Reference], config: CheckConfig) -> Iterator[Finding]:
    reported: set[tuple[str, frozenset[str]]] = set()
    for column, members in _groups(refs):
        group = [refs[i] for i in members]
        ids = frozenset(r.id for r in group)
        if len(ids) < 2:
            continue  # one id listed twice is an input problem, reported by the importer
        for ref in group:
            others = [o for o in group if o.id != ref.id]
            key = (ref.id, frozenset(o.id for o in others))
            if key in reported:
                continue
            reported.add(key)
            yield _finding(ref, others, column)


def _finding(ref: Reference, others: list[Reference], column: str) -> Finding:
    what = "URL" if column == "url" else "title"
    other_ids = tuple(o.id for o in others)
    listed = ", ".join(other_ids)
    clashes = [(o, c) for o in others for c in conflicts(ref, o, column == "url")]
    if not clashes:
        return Finding(
            "duplicate-reference",
            Severity.INFO,
            f"Same {what} as reference {listed}: the source is cited twice",
            ref.id,
            fields=(column,),
            values=(ref.get(column),),
            suggestion="cite it once and reuse the citation (a named reference)",
            related=other_ids,
        )
    parts = [f"{name} {va!r} here, {vb!r} in reference {o.id}" for o, (name, va, vb) in clashes]
    return Finding(
        "conflicting-duplicate",
        Severity.WARNING,
        f"Same {what} as reference {listed}, but they disagree: " + "; ".join(parts),
        ref.id,
        fields=tuple(dict.fromkeys(c[0] for _, c in clashes)),
        values=tuple(c[1] for _, c in clashes),
        suggestion="check which citation is right; one may name the wrong outlet or date",
        related=other_ids,
    )
