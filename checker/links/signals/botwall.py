"""Bot walls: a challenge, captcha or block page stands where the cited page should be.

A wall says nothing about the page behind it, so whatever the status (200, 403, 429, 503,
999) the verdict is ``blocked``.  Decided, first match wins, from:

1. a header only walls send (``cf-mitigated: challenge``, ``x-amzn-waf-action: captcha``, ...);
2. vendor markup only challenge and block pages carry (Cloudflare ``cf_chl_opt`` and
   ``/cdn-cgi/challenge-platform/h/``, DataDome ``var dd={...captcha-delivery.com}``,
   PerimeterX ``px-captcha``, Akamai's ``Reference #18...``, AWS WAF ``gokuProps``, Anubis,
   Sucuri, Incapsula, ...) on a page that is short or was refused (status >= 400) -- a
   long article that merely embeds a vendor script is not a wall;
3. a challenge title ("Just a moment...", "Einen Moment bitte...", "Access denied |
   ...", "Checking you are not a bot", "Prove your humanity", ...): the title must *be*
   the phrase (up to punctuation or a " | site" suffix), so an article titled "Just a
   moment in history" is not a wall;
4. on a near-empty page: a challenge sentence; on a bare one (no text to speak of) a
   captcha widget or bot-detection script standing alone (a live page with a comment
   form's captcha, or a holding page on an Incapsula-fronted host, has text around it).

The markers live in ``data/botwalls.json`` with their sources.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from checker.links.signals._data import load, markers, phrases, union
from checker.links.signals.text import normalise

#: Visible text (characters) under which a page is "short": challenge pages are tiny.
SHORT_TEXT = 5000
#: Visible text under which a page is "near-empty": a challenge sentence is all it says.
EMPTY_TEXT = 400
#: Visible text under which a captcha widget or bot script is the whole page.
BARE_TEXT = 100

_DATA = load("botwalls")
_STRONG = markers(_DATA["strong_markup"], "vendor", re.S)
_WEAK = union([m["pattern"] for m in _DATA["weak_markup"]])
_WEAK_WHAT = markers(_DATA["weak_markup"], "what")
_TITLE = re.compile(
    r"^(?:" + "|".join(re.escape(normalise(t)) for t in _DATA["titles"]) + r")"
    r"(?:[\W_]*$|\s*[|\-–—:·»]\s)"
)
_TEXT = phrases([normalise(p) for p in _DATA["text_phrases"]])


def bot_wall(status: int, headers: Mapping[str, str], title: str, body: str, text: str) -> str:
    """Why the answer is a bot wall ("" if it does not look like one).  ``headers`` have
    lower-case names; ``text`` is the page's visible text."""
    for rule in _DATA["headers"]:
        value = headers.get(rule["name"])
        if value is None or (rule.get("needs_status") and status < 400):
            continue
        if not rule["value"] or value.strip().lower() == rule["value"]:
            return f"{rule['vendor']} wall ({rule['name']}: {value.strip()})"
    short = len(text) < SHORT_TEXT
    low = body.lower()
    if short or status >= 400:
        vendor = next(_STRONG.labels(low), "")
        if vendor:
            return f"{vendor} challenge or block page"
    norm_title = normalise(title)
    if norm_title and _TITLE.search(norm_title):
        return f"challenge page titled {title!r}"
    if len(text) < EMPTY_TEXT:
        norm = normalise(text)
        sentence = _TEXT.search(norm)
        if sentence:
            return f"challenge page ({sentence.group(0)!r})"
        if len(text) < BARE_TEXT and _WEAK.search(low):
            what = next(_WEAK_WHAT.labels(low))
            return f"{what} on an otherwise empty page"
    elif short and status >= 400:
        sentence = _TEXT.search(normalise(text))
        if sentence:
            return f"challenge page ({sentence.group(0)!r})"
    return ""
