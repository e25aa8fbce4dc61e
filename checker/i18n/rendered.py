"""Citations as other wikis render them, read back into the canonical fields.

Each language's data file lists its rendered phrases with a ``{date}`` slot:
"abgerufen am {date}" (de), "consulté le {date}" (fr), "Consultado el {date}" (es),
"URL consultato il {date}" (it), "Consultado em {date}" (pt), "Дата обращения: {date}"
(ru), "dostęp {date}" (pl), "{date}閲覧" (ja); archive notes ("archiviert vom Original am
{date}", "Memento vom {date}") and publication phrases ("vom {date}").  The slot matches
only a date of that language's CLDR grammar, so "vom 18. April 2023" is one date, never
a title ending in "vom 18" and the date "April 2023".

:func:`parse_localized` reads one rendered citation: the phrases first (and removes
them), then the title (the italic or linked title an HTML note gives, else the first
quoted text: „…“, «…», "…", 「…」), the work after the wiki's marker ("In:", "sur"), and
the first remaining date as the publication date.
"""

from __future__ import annotations

import re
from functools import lru_cache

from checker.i18n import Language, language
from checker.i18n.dates import grammar

_QUOTED = re.compile(r"[„«“\"「『‚]\s*(?P<title>[^„«»“”\"「」『』‚‘]{2,300}?)\s*[“»”\"」』‘]")
_SPACES = re.compile(r"\s+")
_BYLINE = re.compile(r"^(?P<author>[^:\d„«“\"]{2,60}):$")


def _phrase(pattern: str, date_regex: str) -> re.Pattern[str]:
    before, _, after = pattern.partition("{date}")
    parts = [re.escape(w) for w in before.split()]
    head = r"\s+".join(parts)
    tail = r"\s+".join(re.escape(w) for w in after.split())
    glue_before = r"\s*" if not before.endswith(" ") else r"\s+"
    body = (head + glue_before if head else "") + f"(?P<date>{date_regex})"
    if tail:
        body += (r"\s+" if after.startswith(" ") else r"\s*") + tail
    prefix = r"(?<![\w])" if head and head[0].isalnum() else ""
    return re.compile(prefix + body, re.IGNORECASE)


@lru_cache(maxsize=32)
def _patterns(code: str) -> dict[str, tuple[re.Pattern[str], ...]]:
    data, g = language(code), grammar(code)
    if data is None or g is None:
        return {}
    return {
        "access_date": tuple(_phrase(p, g.regex) for p in data.retrieved),
        "archive_date": tuple(_phrase(p, g.regex) for p in data.archived),
        "date": tuple(_phrase(p, g.regex) for p in data.published),
    }


@lru_cache(maxsize=32)
def _any_date(code: str) -> re.Pattern[str] | None:
    g = grammar(code)
    if g is None:
        return None
    return re.compile(rf"(?<![\w.]){g.regex}(?![\w])", re.IGNORECASE)


def phrase_fields(text: str, code: str) -> tuple[dict[str, str], str]:
    """The dates the language's phrases give, and ``text`` without those phrases."""
    found: dict[str, str] = {}
    rest = text
    for name, patterns in _patterns(code).items():
        for pattern in patterns:
            match = pattern.search(rest)
            if match and name not in found:
                found[name] = _SPACES.sub(" ", match["date"]).strip()
                rest = rest[: match.start()] + " " + rest[match.end() :]
    return found, rest


def _work(rest: str, data: Language) -> str:
    for marker in data.work_markers:
        pattern = re.compile(rf"(?:^|[\s,.;])({re.escape(marker)})\s+(?P<work>[^,.;()\[\]]+)")
        if match := pattern.search(rest):
            return match["work"].strip(" :")
    return ""


def parse_localized(text: str, code: str, title: str = "") -> dict[str, str] | None:
    """The fields of one citation rendered by the ``code`` wiki (None if empty)."""
    data = language(code)
    clean = _SPACES.sub(" ", text).strip()
    if not clean:
        return None
    fields, rest = phrase_fields(clean, code)
    if not title and (quoted := _QUOTED.search(rest)):
        title = quoted["title"]
    title = title.strip().rstrip(".,:;").strip()
    if title:
        fields["title"] = title
        at = rest.find(title)
        named = _BYLINE.match(rest[:at].strip()) if at > 0 else None
        if named and len(named["author"].split()) <= 5:  # "Daniel Stenberg: <title>"
            fields["author"] = named["author"].strip()
            rest = rest[at:]
        rest = rest.replace(title, " ", 1)
    if data is not None and (work := _work(rest, data)):
        fields["work"] = work
    if "date" not in fields and (any_date := _any_date(code)) and (found := any_date.search(rest)):
        fields["date"] = _SPACES.sub(" ", found.group(0)).strip()
    if "title" not in fields:
        _first_element(rest, data, fields)
    if "title" not in fields:
        fields["title"] = clean
    return fields


_SENTENCE = re.compile(r"(?<!\b\w)\.\s+(?=\S)")
_LANG_MARK = re.compile(r"^\s*\([A-Za-z]{2,3}\)\s*|\s*\([^()\d]{1,12}\.\)\s*$")
_AUTHOR = re.compile(r"^(?P<author>[^:\d]{2,60}?):\s+(?P<title>\S.*)$")


def _first_element(rest: str, data: Language | None, fields: dict[str, str]) -> None:
    """Title (and author before a colon) from the first element of unquoted text."""
    text = rest.strip()
    cut = len(text)
    for marker in data.work_markers if data is not None else ():
        found = re.search(rf"(?:,\s*|\s+){re.escape(marker)}\s", text)
        if found:
            cut = min(cut, found.start())
    if sentence := _SENTENCE.search(text[:cut]):
        cut = sentence.start()
    head = _LANG_MARK.sub("", text[:cut]).strip(" ,.;:—-")
    if not head:
        return
    if (named := _AUTHOR.match(head)) and len(named["author"].split()) <= 5:
        fields.setdefault("author", named["author"].strip())
        head = named["title"].strip()
    fields["title"] = head


__all__ = ["parse_localized", "phrase_fields"]
