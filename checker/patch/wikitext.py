"""Patching an article's wikitext: what ``citewatch patch`` does to ``.wiki`` files.

:func:`plan_wikitext` turns a report into changes (:func:`checker.patch.plan.plan`'s
cells, plus a ``dead_link`` mark for every reference whose link is confirmed rotten and
has no usable capture, finding ``archive-none``); each change carries the reference's
line and URL from the report.  :func:`apply_wikitext` finds each reference's citation
by that line and URL (else by id) and edits the parsed tree, which ``str()`` turns back
into the article with every other byte as it was:

* a rescued reference gets ``|archive-url= |archive-date= |url-status=`` on its citation
  template (an existing empty or aliased parameter is filled instead; the spacing of
  the template's own parameters is followed); its archive date is written in the
  article's ``{{use dmy dates}}``/``{{use mdy dates}}`` format, else in the format of
  the template's access-date; a bare link gets ``{{webarchive|url=…|date=…}}`` after it,
  and an archive already held in a ``{{webarchive}}`` is replaced there;
* an unrescuable one gets ``{{dead link|date=Month YYYY|bot=citewatch|fix-attempted=yes}}``
  right after its template (inside the ref), unless it has one or has an archive.

A citation a person marked ``url-status=live``, or that links an archive of another
service, is left alone (noted) unless ``force``.

On another wiki (the language detected from the templates the article uses, see
:mod:`checker.i18n`), a template of that wiki gets that wiki's own parameter names and
date style from its data file: ``|archiv-url= |archiv-datum=2023-04-18`` on a German
``{{Internetquelle}}``, ``|archive-url= |archive-date=18 avril 2023`` on a French
``{{Lien web}}``, ``|urlarchivo= |fechaarchivo=18 de abril de 2023 |urlmuerta=sí`` on a
Spanish ``{{Cita web}}``; a dead link is marked through the template's own parameter
(``offline=ja``, ``urlmuerta=sí``) where it has one, else left unmarked (noted).
English ``{{cite …}}`` templates keep the English names on every wiki.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from mwparserfromhell.nodes import ExternalLink, Template
from mwparserfromhell.nodes.extras import Parameter

from checker.dates import DateError, parse_date
from checker.i18n import Language, WriteSpec, language
from checker.i18n.dates import parse_in
from checker.i18n.dates import render as render_in
from checker.importers.decoding import bad_bytes, decode
from checker.importers.wikitext_cite import WEBARCHIVE, WRITE_NAMES, plain, template_name
from checker.importers.wikitext_format import Citation, scan
from checker.model import DATE_FIELDS, DateFormat, Precision, format_date
from checker.patch.atomic import diff_and_write
from checker.patch.plan import CONFIRMED_ROTTEN, CellChange, PatchRefused, plan

DEAD_LINK_FIELD = "dead_link"
_BOM = b"\xef\xbb\xbf"
_WAYBACK_HOSTS = frozenset({"web.archive.org", "wayback.archive.org", "archive.org"})
_STYLES = {"dmy": DateFormat.DMY, "mdy": DateFormat.MDY}


@dataclass(frozen=True, slots=True)
class WikiChange(CellChange):
    """A change with where the report saw the reference: its line and URL."""

    line: int | None = None
    url: str = ""


def plan_wikitext(report: dict[str, Any], accept_date_fixes: bool = False) -> list[CellChange]:
    """The changes to make to the article ``report`` is about."""
    refs = {str(ref.get("id")): ref for ref in report.get("references", [])}
    changes: list[CellChange] = []
    for change in plan(report, accept_date_fixes):
        line, url = _where(refs.get(change.ref_id, {}))
        changes.append(WikiChange(*_cells(change), line=line, url=url))
    for ref in report.get("references", []):
        status = (ref.get("link") or {}).get("status")
        codes = {finding.get("code") for finding in ref.get("findings", [])}
        if status in CONFIRMED_ROTTEN and "archive-none" in codes:
            line, url = _where(ref)
            changes.append(
                WikiChange(ref["id"], DEAD_LINK_FIELD, "", "", "archive-none", line=line, url=url)
            )
    return changes


def _cells(change: CellChange) -> tuple[str, str, str, str, str]:
    return change.ref_id, change.field, change.old, change.new, change.code


def _where(ref: dict[str, Any]) -> tuple[int | None, str]:
    location = ref.get("location") or {}
    line = location.get("line")
    return (line if isinstance(line, int) else None), str(ref.get("fields", {}).get("url", ""))


@dataclass(frozen=True, slots=True)
class WikiPatch:
    """What patching an article did: the diff, the changes made, what was left alone."""

    diff: str
    applied: tuple[CellChange, ...]
    notes: tuple[str, ...]


def apply_wikitext(
    path: Path,
    changes: Sequence[CellChange],
    write: bool,
    today: dt.date,
    force: bool = False,
    notes: list[str] | None = None,
) -> str:
    """Apply ``changes`` to the article at ``path``; return the unified diff (the file is
    written, atomically, only if ``write``).  What was left alone is added to ``notes``."""
    result = patch_wikitext(path, changes, write, today, force)
    if notes is not None:
        notes.extend(result.notes)
    return result.diff


def patch_wikitext(
    path: Path, changes: Sequence[CellChange], write: bool, today: dt.date, force: bool = False
) -> WikiPatch:
    """:func:`apply_wikitext`, with what it did."""
    data = path.read_bytes()
    text = decode(data)
    if bad_bytes(text):
        raise PatchRefused(f"{path} is not UTF-8 ({bad_bytes(text)}); it cannot be edited safely")
    found = scan(str(path), text)
    if str(found.code) != text:  # never write what the parser did not read back exactly
        raise PatchRefused(f"{path}: the wikitext does not parse back to itself; edit it by hand")
    grouped: dict[str, list[CellChange]] = {}
    for change in changes:
        grouped.setdefault(change.ref_id, []).append(change)
    notes: list[str] = []
    applied: list[CellChange] = []
    for ref_id, group in grouped.items():
        cite = _locate(found.citations, group[0])
        if cite is None:
            raise PatchRefused(
                f"{path}: reference {ref_id} is not where the report saw it; re-run check"
            )
        reason = _guard(cite, group, force)
        if reason:
            notes.append(f"{ref_id} (line {cite.line}): left alone: {reason}")
            continue
        for change in group:
            current = cite.fields.get(change.field, "")
            if change.field != DEAD_LINK_FIELD and current.strip() != change.old.strip():
                raise PatchRefused(
                    f"{path}: reference {ref_id}'s {change.field} is {current!r}, "
                    f"the report saw {change.old!r}; re-run check"
                )
        local = _local_spec(cite, found.lang)
        if local is not None:
            _edit_local(cite, group, local, today, notes)
        elif found.lang:
            group = _foreign_english(cite, group, found.lang, notes)
            if not group:
                continue
            _edit(cite, group, _STYLES.get(found.date_format), today, notes)
        else:
            _edit(cite, group, _STYLES.get(found.date_format), today, notes)
        applied.extend(group)
    new_text = str(found.code)
    bom = _BOM if data.startswith(_BOM) else b""
    diff = diff_and_write(path, text, new_text, write, bom, original=data)
    return WikiPatch(diff, tuple(applied), tuple(notes))


def _locate(citations: Sequence[Citation], change: CellChange) -> Citation | None:
    """The citation a change is about: same line and URL, else same id and URL."""
    if not isinstance(change, WikiChange):
        return next((c for c in citations if c.id == change.ref_id), None)
    same_url = [c for c in citations if c.fields.get("url", "") == change.url]
    here = [c for c in same_url if c.line == change.line]
    for candidates in (here, same_url):
        if len(candidates) == 1:
            return candidates[0]
        named = [c for c in candidates if c.id == change.ref_id]
        if named:
            return named[0]
    return None


def _service(url: str) -> str:
    host = (urlsplit(url).hostname or "").lower().removeprefix("www.")
    return "web.archive.org" if host in _WAYBACK_HOSTS else host


def _guard(cite: Citation, group: Sequence[CellChange], force: bool) -> str:
    """Why the citation must be left alone ("" when it may be edited)."""
    if cite.template is None and not isinstance(cite.node, ExternalLink):
        return "a text citation without a link"
    dead_mark = any(c.field == DEAD_LINK_FIELD for c in group)
    if dead_mark and (cite.dead_link is not None or cite.fields.get("archive_url")):
        return "it is already marked dead or links an archived copy"
    if force:
        return ""
    captures_only = all(c.code == "new-capture" for c in group)  # they keep url-status=live
    if cite.fields.get("url_status", "").strip().lower() == "live" and not captures_only:
        return "a person marked it url-status=live (use --force to override)"
    archive = cite.fields.get("archive_url", "")
    offered = next((c.new for c in group if c.field == "archive_url"), "https://web.archive.org/")
    if archive and _service(archive) != _service(offered):
        return f"it links an archive of another service, {_service(archive)} (use --force)"
    return ""


def _edit(
    cite: Citation,
    group: Sequence[CellChange],
    style: DateFormat | None,
    today: dt.date,
    notes: list[str],
) -> None:
    style = style or _access_style(cite)
    values = {
        c.field: _render(c.new, style) if c.field in DATE_FIELDS else c.new
        for c in group
        if c.field != DEAD_LINK_FIELD
    }
    template = cite.template
    if any(c.field == DEAD_LINK_FIELD for c in group):
        mark = f"{{{{dead link|date={today:%B} {today.year}|bot=citewatch|fix-attempted=yes}}}}"
        cite.container.insert_after(cite.node, mark, recursive=False)
    archive: dict[str, str] = {
        k: values.pop(k) for k in ("archive_url", "archive_date") if k in values
    }
    held = cite.params.get("archive_url")
    in_template = held is not None and bool(plain(held.value))
    if archive and (template is None or (cite.webarchive is not None and not in_template)):
        _webarchive(cite, archive)
        values.pop("url_status", None)  # only a citation template has url-status
    elif archive and template is not None:
        values = {**archive, **values}
    if template is None:
        for name in values:
            notes.append(f"{cite.id}: {name} not written: the reference is a bare link")
        return
    added: list[tuple[str, str]] = []
    for name, value in values.items():
        param = cite.params.get(name)
        if name == "url_status" and param is None:
            param = cite.params.get("deadurl")
            if param is not None:
                param.name = str(param.name).replace(plain(param.name), "url-status")
        if param is not None:
            _set_value(param, value)
        elif name == "date" and any(plain(p.name).lower() == "year" for p in template.params):
            notes.append(f"{cite.id}: date not written: the template gives a year")
        else:
            added.append((WRITE_NAMES.get(name, name), value))
    if added:
        add_params(template, added)


def _foreign_english(
    cite: Citation, group: Sequence[CellChange], lang: str, notes: list[str]
) -> list[CellChange]:
    """On another wiki, what may still be written the English way: an English
    ``{{cite …}}`` template's parameters, but no English {{webarchive}} or {{dead link}}
    (that wiki has its own templates, which citewatch does not insert)."""
    if cite.template is None:
        notes.append(
            f"{cite.id} (line {cite.line}): left alone: a bare link on the {lang} wiki "
            "(its own archive template is not written; add the archive by hand)"
        )
        return []
    kept = [c for c in group if c.field != DEAD_LINK_FIELD]
    webarchive = cite.webarchive
    if webarchive is not None and template_name(webarchive) not in WEBARCHIVE:
        archive_fields = {"archive_url", "archive_date", "url_status"}
        if any(c.field in archive_fields for c in kept):
            notes.append(
                f"{cite.id}: archive not written: it is held in a "
                f"{{{{{template_name(webarchive)}}}}} of the {lang} wiki"
            )
        kept = [c for c in kept if c.field not in archive_fields]
    if len(kept) < len(group):
        notes.append(
            f"{cite.id}: not marked dead: no {{{{dead link}}}} is inserted on the {lang} wiki"
        )
    return kept


def _local_spec(cite: Citation, lang: str) -> tuple[Language, WriteSpec] | None:
    """The wiki's own writing rules, when the citation is one of its templates."""
    data = language(lang) if lang else None
    if data is None or cite.template is None:
        return None
    name = template_name(cite.template)
    if name not in data.templates:
        return None
    return data, data.write_spec(name) or WriteSpec({})


def _edit_local(
    cite: Citation,
    group: Sequence[CellChange],
    local: tuple[Language, WriteSpec],
    today: dt.date,
    notes: list[str],
) -> None:
    """Edit a template of another wiki with its own parameter names and date style."""
    data, spec = local
    template = cite.template
    assert template is not None
    values: dict[str, str] = {}
    for change in group:
        field = "url_status" if change.field == DEAD_LINK_FIELD else change.field
        value = "dead" if change.field == DEAD_LINK_FIELD else change.new
        if field in DATE_FIELDS:
            value = _render_local(value, data.code, spec.date_style)
        if field == "url_status":
            mapped = spec.dead if value == "dead" else spec.live if value == "live" else ""
            if not mapped or "url_status" not in spec.names:
                if value == "dead" and change.field == DEAD_LINK_FIELD:
                    notes.append(
                        f"{cite.id}: not marked dead: {{{{{template_name(template)}}}}} "
                        f"of the {data.code} wiki has no dead-link parameter citewatch writes"
                    )
                continue
            value = mapped
        values.setdefault(field, value)
    added: list[tuple[str, str]] = []
    for field, value in values.items():
        param = cite.params.get(field) or (
            cite.params.get("deadurl") if field == "url_status" else None
        )
        if param is not None:
            _set_value(param, value)
        elif field in spec.names:
            added.append((spec.names[field], value))
        else:
            notes.append(
                f"{cite.id}: {field} not written: no parameter for it is known for "
                f"{{{{{template_name(template)}}}}} on the {data.code} wiki"
            )
    if added:
        add_params(template, added)


def _render_local(value: str, lang: str, style: str) -> str:
    """A full date rewritten in the wiki's style (``y-MM-dd``, ``d MMMM y``…)."""
    try:
        parsed = parse_in(value, lang)
    except DateError:
        return value
    if not style or parsed is None or parsed.precision is not Precision.DAY:
        return value
    return render_in(parsed.earliest, lang, style)


def _webarchive(cite: Citation, archive: dict[str, str]) -> None:
    """Put the archive into the citation's {{webarchive}}, or add one after the link."""
    if cite.webarchive is not None:
        for field, name in (("archive_url", "url"), ("archive_date", "date")):
            if field in archive:
                if cite.webarchive.has(name):
                    _set_value(cite.webarchive.get(name), archive[field])
                else:
                    cite.webarchive.add(name, _escape(archive[field]))
        return
    mark = f" {{{{webarchive|url={_escape(archive.get('archive_url', ''))}"
    mark += f"|date={_escape(archive.get('archive_date', ''))}}}}}"
    cite.container.insert_after(cite.node, mark, recursive=False)


def _access_style(cite: Citation) -> DateFormat | None:
    try:
        value = parse_date(cite.fields.get("access_date", ""))
    except DateError:
        return None
    return value.format if value is not None and value.format in _FULL_FORMATS else None


_FULL_FORMATS = frozenset({DateFormat.DMY, DateFormat.MDY, DateFormat.YMD})


def _render(value: str, style: DateFormat | None) -> str:
    """``value`` (a full date) rewritten in ``style``; kept as it is otherwise."""
    try:
        parsed = parse_date(value)
    except DateError:
        return value
    if style is None or parsed is None or parsed.precision is not Precision.DAY:
        return value
    return format_date(parsed.earliest, style)


def _escape(value: str) -> str:
    return value.replace("|", "{{!}}")


def _set_value(param: Parameter, value: str) -> None:
    """Replace a parameter's value, keeping the whitespace around it."""
    lead, trail = _space(str(param.value))
    param.value = f"{lead}{_escape(value)}{trail}"


def _space(text: str) -> tuple[str, str]:
    """The whitespace before and after ``text``."""
    stripped = text.strip()
    if not stripped:
        return "", text
    start = text.index(stripped)
    return text[:start], text[start + len(stripped) :]


def add_params(template: Template, items: Sequence[tuple[str, str]]) -> None:
    """Append named parameters, following the spacing of the template's own ones:
    ``{{cite web |a=1 |b=2}}`` gets `` |c=3``; one parameter a line gets one a line."""
    params = list(template.params)
    named = [p for p in params if p.showkey]
    name_pre, name_post = _space(str(named[-1].name)) if named else ("", "")
    value_pre = _space(str(named[-1].value))[0] if named else ""
    if params:
        last = params[-1]
        tail = _space(str(last.value))[1]
        gap_source = params[-2].value if len(params) > 1 else template.name
        gap = _space(str(gap_source))[1]
        last.value = str(last.value)[: len(str(last.value)) - len(tail)] + gap
    else:
        tail = gap = ""
    for index, (name, value) in enumerate(items):
        ending = tail if index == len(items) - 1 else gap
        template.add(
            f"{name_pre}{name}{name_post}",
            f"{value_pre}{_escape(value)}{ending}",
            showkey=True,
            preserve_spacing=False,
        )
