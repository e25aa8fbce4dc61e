"""Filling empty cells from a second table keyed by id (``citewatch import --merge``).

Rendered reference lists lose their URLs; a small CSV of verified ``id,url`` pairs puts
them back.  Only empty known cells are filled: nothing already in the list changes.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

from checker.importers import csv_format
from checker.model import KNOWN_FIELDS, ImportResult, InputProblem


def merge(base: ImportResult, path: Path) -> tuple[ImportResult, int]:
    """``base`` with empty known cells filled from the CSV at ``path``; and the count."""
    extra = csv_format.read(str(path), path.read_bytes())
    problems = list(base.problems) + list(extra.problems)
    by_id = {ref.id: ref for ref in extra.references}
    filled = 0
    refs = []
    for ref in base.references:
        donor = by_id.pop(ref.id, None)
        if donor is None:
            refs.append(ref)
            continue
        changes = {
            name: donor.get(name)
            for name in KNOWN_FIELDS[1:]
            if donor.get(name) and not ref.get(name)
        }
        filled += len(changes)
        refs.append(ref.with_fields(changes))
    for ref_id in by_id:
        problems.append(
            InputProblem(str(path), None, "id", f"id {ref_id!r} is not in {base.source}")
        )
    return dataclasses.replace(base, references=tuple(refs), problems=tuple(problems)), filled
