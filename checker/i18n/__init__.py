"""Other wikis: their languages, citation templates, parameter names and rendered phrases.

One data file per language in ``checker/i18n/data/<code>.toml`` (tables, not code): the
wiki's domains, its citation/archive/dead-link template names, its parameter names
mapped to citewatch's canonical fields, the phrases its templates render ("abgerufen am
{date}", "consulté le {date}"), and for writing back the parameter names and date style
of each template.  Dates come from CLDR through :mod:`checker.i18n.dates`.

>>> language("de").templates[:2]
('internetquelle', 'literatur')
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from types import MappingProxyType
from typing import Any

ENGLISH = "en"


@dataclass(frozen=True)
class DeadParam:
    """A parameter that says the link is dead (``offline=ja``, ``urlmuerta=sí``)."""

    dead: tuple[str, ...]  #: values meaning dead ("*": any non-empty value)
    live: tuple[str, ...] = ()

    def status(self, value: str) -> str:
        lowered = value.strip().lower()
        if not lowered:
            return ""
        if "*" in self.dead or lowered in self.dead:
            return "dead"
        return "live" if lowered in self.live else ""


@dataclass(frozen=True)
class WriteSpec:
    """How to write new parameters into a template of this wiki."""

    names: Mapping[str, str]  #: canonical field -> parameter name
    dead: str = ""  #: the value written for url_status dead ("" = not written)
    live: str = ""
    date_style: str = ""  #: CLDR pattern for written dates ("" = like the access date)


@dataclass(frozen=True)
class Language:
    """What citewatch knows of one wiki language (from its data file)."""

    code: str
    name: str
    wikis: tuple[str, ...]
    templates: tuple[str, ...]  #: citation templates (normalised names)
    archive_templates: tuple[str, ...]
    dead_link_templates: tuple[str, ...]
    dead_citations: tuple[str, ...]  #: citation templates that say the link is dead
    params: Mapping[str, str]  #: parameter (lower case) -> canonical field
    dead_params: Mapping[str, DeadParam]
    retrieved: tuple[str, ...]  #: phrase patterns with ``{date}``
    archived: tuple[str, ...]
    published: tuple[str, ...]
    work_markers: tuple[str, ...]
    day_suffixes: tuple[str, ...] = ()
    extra_date_patterns: tuple[str, ...] = ()
    write: Mapping[str, WriteSpec] = field(default_factory=dict)  #: template -> spec
    sources: tuple[str, ...] = ()

    def write_spec(self, template: str) -> WriteSpec | None:
        return self.write.get(template)


def _strings(value: Any) -> tuple[str, ...]:
    return tuple(str(v) for v in value) if isinstance(value, list) else ()


def _norm(name: str) -> str:
    return re.sub(r"\s+", " ", name.replace("_", " ")).strip().lower()


def _parse(data: dict[str, Any]) -> Language:
    templates = data.get("templates", {})
    phrases = data.get("phrases", {})
    dead = {
        _norm(name): DeadParam(
            tuple(v.lower() for v in _strings(spec.get("dead"))),
            tuple(v.lower() for v in _strings(spec.get("live"))),
        )
        for name, spec in data.get("dead_params", {}).items()
    }
    write: dict[str, WriteSpec] = {}
    for spec in data.get("write", []):
        names = {
            key: str(spec[key])
            for key in ("archive_url", "archive_date", "access_date", "url_status")
            if key in spec
        }
        item = WriteSpec(
            MappingProxyType(names),
            str(spec.get("dead", "")),
            str(spec.get("live", "")),
            str(spec.get("date_style", "")),
        )
        for template in _strings(spec.get("templates")):
            write[_norm(template)] = item
    return Language(
        code=str(data["code"]),
        name=str(data.get("name", data["code"])),
        wikis=_strings(data.get("wikis")),
        templates=tuple(_norm(t) for t in _strings(templates.get("citation"))),
        archive_templates=tuple(_norm(t) for t in _strings(templates.get("archive"))),
        dead_link_templates=tuple(_norm(t) for t in _strings(templates.get("dead_link"))),
        dead_citations=tuple(_norm(t) for t in _strings(templates.get("dead_citation"))),
        params=MappingProxyType({_norm(k): str(v) for k, v in data.get("params", {}).items()}),
        dead_params=MappingProxyType(dead),
        retrieved=_strings(phrases.get("retrieved")),
        archived=_strings(phrases.get("archived")),
        published=_strings(phrases.get("published")),
        work_markers=_strings(phrases.get("work")),
        day_suffixes=_strings(data.get("day_suffixes")),
        extra_date_patterns=_strings(data.get("extra_date_patterns")),
        write=MappingProxyType(write),
        sources=_strings(data.get("sources")),
    )


@lru_cache(maxsize=1)
def available() -> tuple[str, ...]:
    """The language codes with a data file (templates and phrases), sorted."""
    folder = resources.files("checker.i18n") / "data"
    return tuple(
        sorted(
            entry.name.removesuffix(".toml")
            for entry in folder.iterdir()
            if entry.name.endswith(".toml")
        )
    )


@lru_cache(maxsize=64)
def language(code: str) -> Language | None:
    """The data of language ``code`` (``de``, ``fr``…); None for English or an unknown one."""
    base = code.replace("_", "-").split("-")[0].lower()
    if base not in available():
        return None
    text = (resources.files("checker.i18n") / "data" / f"{base}.toml").read_text("utf-8")
    return _parse(tomllib.loads(text))


def normalise_lang(code: str) -> str:
    """``de-DE`` -> ``de``; ``""``/``en`` -> ``""`` (English, the default grammar)."""
    base = code.strip().replace("_", "-").split("-")[0].lower()
    return "" if base in ("", ENGLISH) else base


def lang_known(code: str) -> bool:
    """Whether citewatch can read dates (CLDR) of ``code``."""
    from checker.i18n.dates import locale_of

    base = normalise_lang(code)
    return not base or locale_of(base) is not None


__all__ = [
    "ENGLISH",
    "DeadParam",
    "Language",
    "WriteSpec",
    "available",
    "lang_known",
    "language",
    "normalise_lang",
]
