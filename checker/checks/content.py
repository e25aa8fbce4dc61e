"""Content checks: missing and generic titles, generic or junk author names.

The generic phrases follow Module:Citation/CS1's lists (field-notes §4); the author
rules catch what citation bots produce when they split an organisation or a street
address into last/first names ("Editor, Letters to the", "Avenue, Human Rights Watch |
350 Fifth; …", "Campaign, Human Rights").
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterator
from functools import lru_cache
from typing import TYPE_CHECKING

from checker.checks import CheckConfig
from checker.model import Finding, Reference, Severity

if TYPE_CHECKING:
    from ahocorasick_rs import AhoCorasick

#: Whole titles that say nothing about the source.
GENERIC_TITLES = frozenset(
    {
        "404",
        "document",
        "untitled",
        "home",
        "homepage",
        "home page",
        "index",
        "title",
        "no title",
        "main page",
        "welcome",
        "error",
        "not found",
        "page not found",
        "news",
        "article",
        "pdf",
        "login",
        "log in",
        "sign in",
        "redirect",
        "redirecting",
        "wayback machine",
        "internet archive wayback machine",
        "archive",
        "access denied",
        "just a moment",
        "attention required",
        "forbidden",
        "403 forbidden",
        "404 not found",
        "google books",
        "facebook",
        "instagram",
        "twitter",
        "youtube",
    }
)
#: Phrases that mark a title as the page's error/robot/paywall screen.
GENERIC_TITLE_PHRASES = (
    "page not found",
    "are you a robot",
    "subscribe to read",
    "website is for sale",
    "domain is for sale",
    "this domain may be for sale",
    "hugedomains",
    "wayback machine",
    "log into facebook",
    "login • instagram",
    "404 error",
    "error 404",
    "not found |",
    "| not found",
    "access denied",
    "attention required! | cloudflare",
    "page you requested",
    "page cannot be found",
    "page could not be found",
    "sorry, this page",
    "cite error:",
    "account suspended",
    "request rejected",
    "just a moment...",
)
_ANY_PHRASE = re.compile("|".join(map(re.escape, GENERIC_TITLE_PHRASES)))


@functools.cache
def _phrases() -> AhoCorasick:
    """An Aho-Corasick automaton (ahocorasick_rs, as the page signals use) of
    :data:`GENERIC_TITLE_PHRASES`: a title is scanned once, in compiled code, for all of
    them (where ``_ANY_PHRASE`` tries every phrase at every position)."""
    import ahocorasick_rs

    return ahocorasick_rs.AhoCorasick(GENERIC_TITLE_PHRASES)


def any_phrase(norm: str) -> bool:
    """Whether a normalised title holds one of :data:`GENERIC_TITLE_PHRASES` (what
    ``_ANY_PHRASE.search`` says)."""
    return bool(_phrases().find_matches_as_indexes(norm))


#: Words that are never a person's name in an author field.
GENERIC_NAMES = frozenset(
    {
        "editor",
        "editors",
        "author",
        "authors",
        "staff",
        "staff writer",
        "admin",
        "administrator",
        "webmaster",
        "user",
        "super user",
        "contributor",
        "collaborator",
        "reporter",
        "correspondent",
        "news",
        "news desk",
        "desk",
        "press release",
        "reuters",
        "associated press",
        "ap",
        "afp",
        "agence france-presse",
        "cnn",
        "bbc",
        "bbc news",
        "facebook",
        "twitter",
        "instagram",
        "google",
        "linkedin",
        "youtube",
        "about us",
        "contact us",
        "home page",
        "privacy",
        "policy",
        "statement",
        "translator",
        "interviewer",
        "verfasser",
        "site name",
        "submitted",
        "email",
    }
)
#: Words that mark an organisation (so a "Last, First" split of it is junk).
ORG_WORDS = frozenset(
    {
        "campaign",
        "watch",
        "network",
        "organization",
        "organisation",
        "association",
        "council",
        "department",
        "ministry",
        "agency",
        "committee",
        "foundation",
        "institute",
        "university",
        "society",
        "union",
        "office",
        "commission",
        "league",
        "coalition",
        "federation",
        "corporation",
        "company",
        "inc",
        "ltd",
        "llc",
        "government",
        "press",
        "news",
        "times",
        "post",
        "service",
        "centre",
        "center",
        "bureau",
        "board",
        "museum",
        "library",
        "rights",
        "amnesty",
        "international",
        "letters",
    }
)
_ADDRESS = re.compile(
    r"\b(avenue|street|road|floor|suite|boulevard|blvd|ave|st\.|p\.?o\. box)\b|\d{5}(-\d{4})?",
    re.IGNORECASE,
)
_FUNCTION_WORD_END = re.compile(r"\b(the|of|and|for|to|a|an)$", re.IGNORECASE)


def _norm(text: str) -> str:
    # NFKC leaves ASCII alone, and casefold is lower there
    text = text.lower() if text.isascii() else unicodedata.normalize("NFKC", text).casefold()
    # whitespace runs as one space (str.split and the regex \s agree on whitespace)
    return " ".join(text.split()).strip(" .,:;-–—'\"")


def generic_title(title: str) -> str:
    """The reason ``title`` is generic, or ''."""
    norm = _norm(title)
    if norm in GENERIC_TITLES:
        return f"{title!r} names no source"
    if not any_phrase(norm):  # one scan rejects the usual title
        return ""
    for phrase in GENERIC_TITLE_PHRASES:  # the first phrase of the list names the reason
        if phrase in norm:
            return f"{title!r} looks like an error, robot-check or for-sale page ({phrase!r})"
    return ""


@lru_cache(maxsize=65536)
def junk_author(name: str) -> str:
    """The reason one author entry is not a person's name, or ''."""
    if "|" in name or _ADDRESS.search(name):
        return "looks like a street address or page furniture"
    if any(ch.isdigit() for ch in name):
        return "contains digits"
    whole = _norm(name)
    parts = [_norm(p) for p in name.split(",", 1)]
    if whole in GENERIC_NAMES or any(p in GENERIC_NAMES for p in parts if p):
        return "is a generic name, not a person"
    if len(parts) == 2:
        last, first = parts
        if _FUNCTION_WORD_END.search(first):
            return f"looks like a phrase split into last/first names ({first!r} {last!r})"
        given = re.findall(r"[\w']+", first)
        if len(given) >= 2 and set(given) & ORG_WORDS:
            return f"looks like an organisation split into last/first names ({first} {last})"
    return ""


def _people(author: str) -> list[str]:
    return [p.strip() for p in author.split(";") if p.strip()]


def check(ref: Reference, config: CheckConfig) -> Iterator[Finding]:
    if not ref.title.strip():
        yield Finding(
            "missing-title",
            Severity.ERROR,
            "The reference has no title",
            ref.id,
            fields=("title",),
            values=("",),
        )
    else:
        reason = generic_title(ref.title)
        if reason:
            yield Finding(
                "generic-title",
                Severity.ERROR,
                f"Generic title: {reason}",
                ref.id,
                fields=("title",),
                values=(ref.title,),
                suggestion="replace it with the source's real title",
            )
    if ref.author:
        yield from _authors(ref)


@lru_cache(maxsize=65536)
def _reasons(author: str) -> tuple[tuple[str, str], ...]:
    """Each person of an author cell with :func:`junk_author`'s reason ('' when none)."""
    return tuple((p, junk_author(p)) for p in _people(author))


def _authors(ref: Reference) -> Iterator[Finding]:
    reasons = _reasons(ref.author)
    bad = [(p, r) for p, r in reasons if r]
    if not bad:
        return
    people = [p for p, _ in reasons]
    if "|" in ref.author or _ADDRESS.search(ref.author):
        bad = [(ref.author, "looks like a street address or page furniture")]
    suggestion = "remove the author (the source names no person)"
    suggested = {"author": "; ".join(p for p, r in reasons if not r)}
    if len(people) == 1 and "split into last/first" in bad[0][1] and "," in people[0]:
        last, first = (part.strip() for part in people[0].split(",", 1))
        suggestion = f"write the name whole: author = {f'{first} {last}'!r}"
        suggested = {"author": f"{first} {last}"}
    for person, reason in bad:
        yield Finding(
            "generic-author",
            Severity.WARNING,
            f"Author {person!r} {reason}",
            ref.id,
            fields=("author",),
            values=(person,),
            suggestion=suggestion,
            suggested=suggested,
        )
