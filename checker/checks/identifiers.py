"""Identifier checks: ISBN-10/13 and ISSN checksums (python-stdnum), DOI shape."""

from __future__ import annotations

import re
from collections.abc import Iterator

from stdnum import isbn as stdnum_isbn
from stdnum import issn as stdnum_issn
from stdnum.exceptions import ValidationError

from checker.checks import CheckConfig
from checker.model import Finding, Reference, Severity

_DOI = re.compile(r"^10\.\d{4,9}/\S+$")


def check(ref: Reference, config: CheckConfig) -> Iterator[Finding]:
    for raw in _split(ref.isbn):
        try:
            stdnum_isbn.validate(raw)
        except ValidationError as err:
            yield Finding(
                "invalid-isbn", Severity.ERROR, f"ISBN {raw!r} is not valid: {err}", ref.id,
                fields=("isbn",), values=(raw,),
            )
    for raw in _split(ref.issn):
        try:
            stdnum_issn.validate(raw)
        except ValidationError as err:
            yield Finding(
                "invalid-issn", Severity.ERROR, f"ISSN {raw!r} is not valid: {err}", ref.id,
                fields=("issn",), values=(raw,),
            )
    doi = ref.doi.strip().removeprefix("https://doi.org/").removeprefix("doi:")
    if doi and not _DOI.match(doi):
        yield Finding(
            "invalid-doi", Severity.ERROR,
            f"DOI {ref.doi!r} does not have the shape 10.NNNN/suffix", ref.id,
            fields=("doi",), values=(ref.doi,),
        )


def _split(value: str) -> list[str]:
    """Several identifiers may share a cell, separated by ';' or ','."""
    return [part.strip() for part in re.split(r"[;,]", value) if part.strip()]
