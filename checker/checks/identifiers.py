"""Identifier checks: ISBN-10/13 and ISSN checksums (python-stdnum), DOI shape."""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

from stdnum import isbn as stdnum_isbn
from stdnum import issn as stdnum_issn
from stdnum.exceptions import ValidationError

from checker.checks import CheckConfig
from checker.model import Finding, Reference, Severity

_DOI = re.compile(r"^10\.\d{4,9}/\S+$")
_SEPARATORS = re.compile(r"[;,]")


@lru_cache(maxsize=65536)
def _invalid(kind: str, raw: str) -> str:
    """Why ``raw`` is not a valid ISBN/ISSN ('' when it is)."""
    try:
        (stdnum_isbn if kind == "isbn" else stdnum_issn).validate(raw)
    except ValidationError as err:
        return str(err)
    return ""


def check(ref: Reference, config: CheckConfig) -> Iterator[Finding]:
    for kind, cell in (("isbn", ref.isbn), ("issn", ref.issn)):
        for raw in _split(cell):
            reason = _invalid(kind, raw)
            if reason:
                yield Finding(
                    f"invalid-{kind}",
                    Severity.ERROR,
                    f"{kind.upper()} {raw!r} is not valid: {reason}",
                    ref.id,
                    fields=(kind,),
                    values=(raw,),
                )
    if not ref.doi:
        return
    doi = ref.doi.strip().removeprefix("https://doi.org/").removeprefix("doi:")
    if doi and not _DOI.match(doi):
        yield Finding(
            "invalid-doi",
            Severity.ERROR,
            f"DOI {ref.doi!r} does not have the shape 10.NNNN/suffix",
            ref.id,
            fields=("doi",),
            values=(ref.doi,),
        )


def _split(value: str) -> list[str]:
    """Several identifiers may share a cell, separated by ';' or ','."""
    if not value:
        return []
    return [part.strip() for part in _SEPARATORS.split(value) if part.strip()]
