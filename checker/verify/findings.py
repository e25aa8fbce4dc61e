"""Findings of the verify stage: quotes and content drift."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from checker.model import Finding, Reference, Severity
from checker.verify.text import closest_passage, find_quote, similarity, word_count

if TYPE_CHECKING:
    from checker.verify.runner import PageText, SnapshotRef, VerifyConfig

_SHOWN = 300  #: characters of a passage shown in a message
_INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\u2060\ufeff"), None)


def _closest(quote: str, text: str) -> str:
    passage = closest_passage(quote, text)
    if passage is None:
        return "the page has no text"
    shown = passage.text.translate(_INVISIBLE)
    shown = shown if len(shown) <= _SHOWN else shown[: _SHOWN - 1] + "…"
    return f"closest passage (similarity {passage.similarity:.2f}): {shown!r}"


def quote_finding(
    ref: Reference,
    live: PageText | None,
    snap: SnapshotRef | None,
    snapshot_text: Callable[[SnapshotRef], PageText | None],
    is_live: bool,
) -> Finding | None:
    """None when the quote is where it should be (or nothing can be judged)."""
    quote = ref.quote.strip()
    if live is not None and find_quote(quote, live.full):
        return None
    snap_page = snapshot_text(snap) if snap is not None else None
    in_snapshot = snap_page is not None and find_quote(quote, snap_page.full)
    if live is not None and in_snapshot and snap is not None:
        return Finding(
            "quote-found-in-snapshot-only",
            Severity.WARNING,
            "The live page no longer contains the quote; the archived copy of "
            f"{snap.day:%Y-%m-%d} does ({_closest(quote, live.full)})",
            ref.id,
            fields=("quote", "url"),
            values=(quote, ref.url),
            suggestion=f"cite the archived copy {snap.url} (url-status=dead or unfit)",
        )
    if live is not None and snap_page is not None and snap is not None:
        return Finding(
            "quote-missing-everywhere",
            Severity.WARNING,
            "Neither the live page nor the archived copy of "
            f"{snap.day:%Y-%m-%d} contains the quote: maybe a wrong quote or a wrong source "
            f"(live page: {_closest(quote, live.full)})",
            ref.id,
            fields=("quote", "url"),
            values=(quote, ref.url),
        )
    if live is not None:
        return Finding(
            "quote-missing-live",
            Severity.WARNING,
            f"The live page does not contain the quote; {_closest(quote, live.full)}"
            + ("" if snap is None else " (the archived copy could not be read)"),
            ref.id,
            fields=("quote", "url"),
            values=(quote, ref.url),
        )
    if not is_live and snap_page is not None and not in_snapshot and snap is not None:
        return Finding(
            "quote-missing-everywhere",
            Severity.WARNING,
            f"The live page is gone and the archived copy of {snap.day:%Y-%m-%d} does not "
            f"contain the quote: maybe a wrong quote or a wrong source "
            f"({_closest(quote, snap_page.full)})",
            ref.id,
            fields=("quote", "archive_url"),
            values=(quote, snap.url),
        )
    return None


def drift_finding(
    ref: Reference, live_main: str, snap: SnapshotRef, snap_main: str, config: VerifyConfig
) -> Finding | None:
    """content-drift when the main texts are long enough and too unlike."""
    if min(word_count(live_main), word_count(snap_main)) < config.min_words:
        return None
    score = similarity(live_main, snap_main)
    if score >= config.drift_threshold:
        return None
    return Finding(
        "content-drift",
        Severity.WARNING,
        f"The page's main text changed since the archived copy of {snap.day:%Y-%m-%d} "
        f"(near the retrieval date): similarity {score:.2f}, below {config.drift_threshold:g}",
        ref.id,
        fields=("url", "access_date"),
        values=(ref.url, ref.access_date),
        suggestion=f"check the claim against the archived copy {snap.url}, and cite it",
    )


def skipped_finding(count: int, reason: str) -> Finding:
    return Finding(
        "verify-skipped",
        Severity.INFO,
        f"{count} snapshot(s) not fetched for quote and drift checks: {reason}",
        None,
        suggestion="re-run later, or raise --verify-budget; fetched snapshot texts are kept",
    )
