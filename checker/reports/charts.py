"""Inline SVG charts for index.html: server-rendered, so they need no JavaScript.

The chart functions are pure: data in, an SVG string out, every label escaped (and
stripped of characters XML cannot hold), so each chart is a well-formed XML document
that can also be inlined in the page.  Each carries a ``<title>``/``<desc>`` named by
``aria-labelledby``; the page adds a caption and a data table as the text fallback.

Sized for phones too: the page lets a chart shrink to 92% of its drawn width (``--w``)
and no further, so its 12 px text never renders below 11 px; bar charts are drawn
400 px wide, stacked charts only as wide as their bars need (at most 700 px).

Colours come from CSS classes (``c-<status>``, ``g-rotten``/``g-unknown``/``g-ok``/
``g-other``) styled by the page, with a ``fill`` attribute as fallback.

The data helpers (:func:`rot_by_year`, :func:`rotten_hosts`, :func:`trend_points`)
group a :class:`~checker.model.CheckResult` the way the charts show it.
"""

from __future__ import annotations

import html
import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from checker.dates import DateError, parse_date
from checker.model import CheckResult, LinkStatus

#: Statuses in the order the breakdown shows them.
DISPLAY_ORDER: tuple[str, ...] = tuple(
    "alive redirected failing dead soft-404 usurped blocked transient invalid unsafe skipped "  # noqa: SIM905
    "inconclusive".split()
)
ROTTEN = frozenset(s.value for s in LinkStatus if s.rotten)
UNKNOWN = frozenset({LinkStatus.BLOCKED.value, LinkStatus.TRANSIENT.value})
OK = frozenset({LinkStatus.ALIVE.value, LinkStatus.REDIRECTED.value})
#: Statuses of a link that was actually fetched and judged.
CHECKED = ROTTEN | UNKNOWN | OK
#: Fallback fills (the page's CSS overrides them, for dark mode too).
FILL: Mapping[str, str] = dict(
    pair.split("=")
    for pair in (  # noqa: SIM905
        "alive=#2e8b57 redirected=#2a7f9e failing=#d9730d dead=#c0392b soft-404=#b03a5b "
        "usurped=#8e2448 blocked=#8a94a6 transient=#a9b1bf invalid=#7b4fb0 unsafe=#7b4fb0 "
        "skipped=#c5cad3 inconclusive=#c5cad3 g-rotten=#c0392b g-unknown=#9aa3b2 g-ok=#2e8b57 "
        "g-other=#c5cad3"
    ).split()
)
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def esc(value: object) -> str:
    """Text safe in XML and HTML content and attributes."""
    return html.escape(_NOT_XML.sub("", str(value)), quote=True)


def group_of(status: str) -> str:
    """``rotten``, ``unknown``, ``ok`` or ``other``."""
    if status in ROTTEN:
        return "rotten"
    if status in UNKNOWN:
        return "unknown"
    return "ok" if status in OK else "other"


def _cls(key: str) -> str:
    return key if key.startswith("g-") else "c-" + key


def _short(text: str, limit: int = 30) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.0f}%" if whole else "–"


def _svg(chart_id: str, title: str, desc: str, width: int, height: int, body: list[str]) -> str:
    cid = esc(chart_id)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" id="{cid}" '
        f'viewBox="0 0 {width} {height}" width="{width}" height="{height}" role="img" '
        f'style="--w:{width}" '
        f'aria-labelledby="{cid}-t {cid}-d"><title id="{cid}-t">{esc(title)}</title>'
        f'<desc id="{cid}-d">{esc(desc)}</desc>{"".join(body)}</svg>'
    )


def _rect(x: float, y: float, w: float, h: float, key: str, tip: str) -> str:
    return (
        f'<rect x="{x:.1f}" y="{y:.1f}" width="{max(w, 0):.1f}" height="{max(h, 0):.1f}" '
        f'class="{_cls(key)}" fill="{FILL.get(key, "#888")}"><title>{esc(tip)}</title></rect>'
    )


def _text(x: float, y: float, text: str, cls: str = "lbl", anchor: str = "start") -> str:
    return f'<text x="{x:.1f}" y="{y:.1f}" class="{cls}" text-anchor="{anchor}">{esc(text)}</text>'


def _lines(x: float, y: float, lines: Sequence[str], cls: str = "axis") -> str:
    """Centred text of several lines (14 px apart), the first at ``y``."""
    spans = "".join(
        f'<tspan x="{x:.1f}" dy="{0 if i == 0 else 14}">{esc(line)}</tspan>'
        for i, line in enumerate(lines)
    )
    return f'<text x="{x:.1f}" y="{y:.1f}" class="{cls}" text-anchor="middle">{spans}</text>'


def _ticks(top: int, count: int = 4) -> list[int]:
    """Round axis ticks from 0 up to at least ``top``."""
    raw = max(top, 1) / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = max(1, int(next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)))
    return [step * i for i in range(math.ceil(max(top, 1) / step) + 1)]


def hbar_chart(
    chart_id: str, title: str, items: Sequence[tuple[str, int, str]], unit: str = "links"
) -> str:
    """Horizontal bars: ``(label, value, colour key)`` each, with value and share."""
    total = sum(value for _, value, _ in items)
    top = max((value for _, value, _ in items), default=0) or 1
    label_w, bar_w, row_h = 150, 170, 26
    height = len(items) * row_h + 8
    body: list[str] = []
    for i, (label, value, key) in enumerate(items):
        y = 4 + i * row_h
        width = bar_w * value / top if value else 0
        tip = f"{label}: {value:,} {unit} ({_pct(value, total)})"
        body.append(_text(label_w - 8, y + 17, _short(label, 21), anchor="end"))
        body.append(_rect(label_w, y + 4, max(width, 1.5 if value else 0), 18, key, tip))
        body.append(_text(label_w + width + 6, y + 17, f"{value:,} · {_pct(value, total)}", "val"))
    desc = "; ".join(f"{label} {value:,}" for label, value, _ in items) or "no data"
    return _svg(chart_id, title, desc, label_w + bar_w + 80, height, body)


def status_chart(counts: Mapping[str, int]) -> str:
    """(a) Link status breakdown, one bar per status present."""
    items = [(s, counts[s], s) for s in DISPLAY_ORDER if counts.get(s)]
    items += [(s, n, "g-other") for s, n in sorted(counts.items()) if s not in FILL and n]
    return hbar_chart("chart-status", "Link status of the distinct URLs checked", items, "URLs")


@dataclass(frozen=True, slots=True)
class Stack:
    """One stacked bar: a label and link counts by group."""

    label: str
    rotten: int
    unknown: int
    ok: int
    note: str = ""
    other: int = 0  #: not judged: inconclusive, skipped, invalid, unsafe

    @classmethod
    def of(cls, label: str, groups: Mapping[str, int], note: str = "") -> Stack:
        """From counts by group (missing groups count 0)."""
        count = {g: groups.get(g, 0) for g in ("rotten", "unknown", "ok", "other")}
        return cls(label, count["rotten"], count["unknown"], count["ok"], note, count["other"])

    @property
    def total(self) -> int:
        return self.rotten + self.unknown + self.ok


def _x_labels(count: int, most: int) -> set[int]:
    """Indexes of the bars to label: at most about ``most``, the last one always."""
    every = max(1, math.ceil(count / most))
    marks = list(range(0, count, every))
    if marks and count - 1 - marks[-1] < every * 0.7:
        marks.pop()
    return {*marks, count - 1}


def _stacked(
    chart_id: str,
    title: str,
    stacks: Sequence[Stack],
    share: bool,
    tips: Sequence[str],
    below: Sequence[Sequence[str]],
) -> str:
    """Vertical stacked bars: rotten, unknown, ok (and, for counts, not judged) from the
    bottom; ``share`` scales each bar to 100% and writes the rotten share above it.
    ``below`` holds each bar's label lines, written under the labelled bars."""
    left, top, plot_h = 48, 22, 170
    want = 60 if share else 72  # room per labelled bar for its labels
    width = max(360, min(700, left + 16 + want * len(stacks)))
    plot_w = width - left - 16
    scale = max(1, max((s.total + s.other for s in stacks), default=0))
    ticks = [0, 25, 50, 75, 100] if share else _ticks(scale)
    scale = 100 if share else ticks[-1]
    slot = plot_w / max(len(stacks), 1)
    bar = min(slot * 0.78, 44)
    body = []
    for t in ticks:
        y = top + plot_h * (1 - t / scale)
        body.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - 10}" y2="{y:.1f}" class="grid"/>')
        body.append(_text(left - 6, y + 4, f"{t}%" if share else f"{t:,}", "axis", "end"))
    labelled = _x_labels(len(stacks), max(1, int(plot_w // want)))
    lines = max((len(b) for b in below), default=1)
    for i, (s, tip) in enumerate(zip(stacks, tips, strict=True)):
        x, y = left + i * slot + (slot - bar) / 2, float(top + plot_h)
        parts = [(s.rotten, "g-rotten"), (s.unknown, "g-unknown"), (s.ok, "g-ok")]
        for value, key in parts if share else [*parts, (s.other, "g-other")]:
            height = plot_h * value / (s.total if share else scale) if s.total or not share else 0
            y -= height
            body.append(_rect(x, y, bar, height, key, tip))
        if share and slot >= 34:
            body.append(_text(x + bar / 2, top - 6, _pct(s.rotten, s.total), "val", "middle"))
        if s.note:
            body.append(_text(x + bar / 2, y - 3, "?", "val", "middle"))
        if i in labelled:
            body.append(_lines(x + bar / 2, top + plot_h + 16, [_short(t, 10) for t in below[i]]))
    desc = "; ".join(f"{s.label}: {s.rotten:,} rotten of {s.total:,}" for s in stacks)
    height = top + plot_h + 12 + 14 * lines
    return _svg(chart_id, title, desc or "no data", width, height, body)


def year_chart(stacks: Sequence[Stack]) -> str:
    """(b) Share of rotten links by publication year: 100% stacked bars."""
    tips = [
        f"{s.label}: {s.rotten:,} of {s.total:,} checked links rotten "
        f"({_pct(s.rotten, s.total)}), {s.unknown:,} unknown"
        for s in stacks
    ]
    title = "Share of rotten links by the year the source was published"
    below = [[s.label, f"{s.total:,} ref" + ("" if s.total == 1 else "s")] for s in stacks]
    return _stacked("chart-years", title, stacks, True, tips, below)


def trend_chart(stacks: Sequence[Stack]) -> str:
    """(c) Links by group across nightly runs: stacked bars of counts."""
    tips = [
        f"{s.label}{s.note}: {s.rotten:,} rotten, {s.unknown:,} unknown, "
        f"{s.ok:,} alive or redirected, {s.other:,} not judged"
        for s in stacks
    ]
    title = "Rotten, unknown and alive links across nightly runs"
    below = [s.label.split(" ", 1) for s in stacks]
    return _stacked("chart-trend", title, stacks, False, tips, below)


#: (label, colour key) of the stacked charts' groups, for the page's legend.
LEGEND: tuple[tuple[str, str], ...] = (
    ("rotten (dead, failing, soft 404, usurped)", "g-rotten"),
    ("unknown (blocked, transient)", "g-unknown"),
    ("alive or redirected", "g-ok"),
    ("not judged", "g-other"),
)


# --- data -------------------------------------------------------------------------------


def group_counts(counts: Mapping[str, int]) -> dict[str, int]:
    """Counts by group (``rotten``, ``unknown``, ``ok``, ``other``) from counts by status."""
    groups = dict.fromkeys(("rotten", "unknown", "ok", "other"), 0)
    for status, count in counts.items():
        groups[group_of(status)] += int(count)
    return groups


def _year(date: str) -> str:
    try:
        value = parse_date(date)
    except DateError:
        return ""
    return str(value.earliest.year) if value else ""


def rot_by_year(result: CheckResult) -> list[Stack]:
    """Checked links per reference by publication year (undated last)."""
    years: dict[str, Counter[str]] = {}
    links = result.links
    for ref in result.references if links else ():
        link = links.get(ref.url.strip())
        if link is not None and link.status.value in CHECKED:
            years.setdefault(_year(ref.date), Counter())[group_of(link.status.value)] += 1
    keys = sorted(k for k in years if k) + ([""] if "" in years else [])
    return [Stack.of(k or "no date", years[k]) for k in keys]


def rotten_hosts(result: CheckResult, limit: int = 10) -> list[tuple[str, int]]:
    """The hosts with the most rotten URLs, most first."""
    hosts: Counter[str] = Counter()
    for url, link in result.links.items():
        if link.status.rotten:
            hosts[host_of(url) or "(no host)"] += 1
    return sorted(hosts.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]


def host_of(url: str) -> str:
    """The lower-cased host name of ``url`` ("" when there is none)."""
    start = url.find("://")
    if start < 0:
        return ""
    rest = url[start + 3 :]
    end = min((i for i in (rest.find(c) for c in "/?#") if i >= 0), default=len(rest))
    netloc = rest[:end].rpartition("@")[2]
    if netloc.startswith("["):
        return netloc[1:].partition("]")[0].lower()
    return netloc.partition(":")[0].lower()


def trend_points(trend: Iterable[Mapping[str, Any]]) -> list[Stack]:
    """One stack per past run: its date and link counts by group.  When two runs share a
    day, every label carries the time too ("2024-05-01 02:00")."""
    entries = list(trend)
    starts = [str(entry.get("started") or "?") for entry in entries]
    days = [start[:10] for start in starts]
    timed = len(set(days)) < len(days)
    points = []
    for entry, start, day in zip(entries, starts, days, strict=True):
        counts = entry.get("counts") or {}
        groups = group_counts(counts if isinstance(counts, Mapping) else {})
        note = " (inconclusive)" if entry.get("inconclusive") else ""
        time = start[11:16] if timed and start[10:11] in ("T", " ") else ""
        points.append(Stack.of(f"{day} {time}" if time else day, groups, note))
    return points


def figures(result: CheckResult, counts: Mapping[str, int]) -> dict[str, Any]:
    """Everything the page's Links section shows: the charts (``*_svg``) and their data.

    ``counts`` are the distinct URLs by status; without them (offline) or when the run was
    inconclusive, only the trend is drawn."""
    judged = bool(counts) and not result.inconclusive
    points = trend_points(result.trend)
    years = rot_by_year(result) if judged else []
    hosts = rotten_hosts(result) if judged else []
    statuses = [(s, counts[s]) for s in DISPLAY_ORDER if counts.get(s)]
    statuses += [(s, n) for s, n in sorted(counts.items()) if s not in DISPLAY_ORDER]
    title = "Hosts with the most rotten URLs"
    host_bars = [(host, n, "g-rotten") for host, n in hosts]
    return {
        "link_ran": bool(counts) or bool(result.links),
        "judged": judged,
        "groups": group_counts(counts),
        "links_total": sum(counts.values()),
        "statuses": statuses,
        "status_svg": status_chart(counts) if judged else "",
        "years": years,
        "years_svg": year_chart(years) if years else "",
        "hosts": hosts,
        "hosts_svg": hbar_chart("chart-hosts", title, host_bars, "rotten URLs") if hosts else "",
        "trend": points,
        "trend_svg": trend_chart(points) if len(points) >= 2 else "",
        "legend": LEGEND,
    }
