"""Loading a whole wiki: a MediaWiki XML dump (``.xml`` or ``.bz2``) streamed page by
page with ``mwxml``, each page's citations read by the wikitext importer and written
to the store 50 pages at a time, each batch in one transaction with the load position,
so memory stays constant and an interrupted load resumes after the last batch stored.
A page that cannot be read is a finding; the rest is still loaded.
"""

from __future__ import annotations

import bz2
import dataclasses
import gzip
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from checker.importers.wikitext_format import read as read_wikitext
from checker.model import KNOWN_FIELDS, Reference
from checker.store.base import Citation, StateError, Store

_SKIP = ("id", "url")


@dataclass
class LoadSummary:
    source: str
    pages: int = 0  #: pages read by this load (resumed ones not included)
    resumed: int = 0  #: pages skipped because an earlier load stored them
    citations: int = 0
    urls: int = 0  #: cited http(s) URLs (with repeats)
    malformed: list[str] = field(default_factory=list)  #: one line per bad page
    seconds: float = 0.0
    stopped: str = ""  #: why the stream ended early (a broken file), "" if it did not

    @property
    def rate(self) -> float:
        return self.pages / self.seconds if self.seconds else 0.0


def _open(path: Path) -> Any:
    if path.suffix == ".bz2":
        return bz2.open(path, "rb")
    if path.suffix == ".gz":
        return gzip.open(path, "rb")
    return path.open("rb")


def citations_of(title: str, text: str) -> list[Citation]:
    """The cited URLs of one page's wikitext, with each citation's fields."""
    imported = read_wikitext(title, text.encode("utf-8", "surrogatepass"))
    return [_citation(ref) for ref in imported.references if ref.url.strip()]


def _citation(ref: Reference) -> Citation:
    fields = {k: v for k, v in ref.fields().items() if v and k not in _SKIP}
    fields.update({k: v for k, v in ref.extra.items() if v and k not in fields})
    return Citation(ref.id, ref.url.strip(), fields)


def reference_of(title: str, citation: Citation) -> Reference:
    """The reference a stored citation stands for (its page in ``extra``)."""
    known = {k: v for k, v in citation.fields.items() if k in KNOWN_FIELDS and k not in _SKIP}
    extra = {k: v for k, v in citation.fields.items() if k not in KNOWN_FIELDS}
    extra["article"] = title
    ref = Reference(id=f"{title}#{citation.ref_id}", url=citation.url).with_fields(known)
    return dataclasses.replace(ref, extra=extra)


def load_dump(
    path: Path,
    store: Store,
    *,
    source: str | None = None,
    namespaces: frozenset[int] | None = frozenset({0}),
    progress: Callable[[LoadSummary], None] | None = None,
    every: int = 1000,
    batch_size: int = 50,
) -> LoadSummary:
    """Stream ``path`` into ``store``; resumes after the pages a previous load stored."""
    try:
        from mwxml import Page, SiteInfo
        from mwxml.element_iterator import ElementIterator
    except ImportError:
        raise StateError(
            "loading a dump needs the scale extra: pip install 'citewatch[scale]'"
        ) from None

    summary = LoadSummary(source or path.name)
    done = store.load_position(summary.source)
    started = time.monotonic()
    position = 0
    batch: list[tuple[str, list[Citation]]] = []
    whole = [done]  # the position of the last page read whole

    def flush() -> None:
        if batch:
            store.put_pages(summary.source, batch, whole[0], store.now())
            batch.clear()

    with _open(path) as raw:
        try:
            root: Any = ElementIterator.from_file(raw)
            namespace_map = None
            for element in root:
                if element.tag == "siteinfo":
                    info = SiteInfo.from_element(element)
                    namespace_map = {n.name: n for n in info.namespaces or ()}
                    continue
                if element.tag != "page":
                    element.clear()
                    continue
                position += 1
                if position <= done:
                    element.clear()
                    summary.resumed += 1
                    continue
                title = f"page {position}"
                try:
                    page = Page.from_element(element, namespace_map)
                    title = page.title or title
                    text = ""
                    for revision in page:  # the newest revision comes last
                        text = revision.text or ""
                    wanted = namespaces is None or page.namespace in namespaces
                    cites = citations_of(title, text) if wanted and text else []
                except SyntaxError:  # the XML itself breaks off: stop, store nothing
                    raise
                except Exception as err:  # a page the parser cannot read: a finding
                    summary.malformed.append(
                        f"{path.name}: page {position} ({title}): malformed: {_reason(err)}"
                    )
                    cites = []
                    title = f"(malformed page {position})"
                finally:
                    element.clear()
                batch.append((title, cites))
                whole[0] = position
                if len(batch) >= batch_size:
                    flush()
                summary.pages += 1
                summary.citations += len(cites)
                summary.urls += sum(
                    c.url.lower().startswith(("http://", "https://")) for c in cites
                )
                if progress is not None and summary.pages % every == 0:
                    summary.seconds = time.monotonic() - started
                    progress(summary)
        except (EOFError, OSError, SyntaxError, ValueError, AssertionError) as err:
            broken = "the dump ends in the middle" if position else "not a MediaWiki XML dump"
            summary.stopped = f"{path.name}: {broken} ({_reason(err)})"
        finally:
            flush()  # every whole page read so far, even when interrupted
    if not position and not summary.stopped:
        summary.stopped = f"{path.name}: no <page> in it: not a MediaWiki XML dump"
    summary.seconds = time.monotonic() - started
    return summary


def _reason(err: BaseException) -> str:
    text = str(err).strip().splitlines()
    return text[0][:200] if text else type(err).__name__
