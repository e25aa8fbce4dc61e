"""The reference table as a pandas DataFrame, and the canonical CSV writer.

Columns: the canonical ones (model.KNOWN_FIELDS) first, then the input's unknown
columns in their original order, so ``citewatch import`` output round-trips.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from checker.model import KNOWN_FIELDS, Reference

if TYPE_CHECKING:
    import pandas as pd


def table_columns(columns: Sequence[str]) -> list[str]:
    extras = [c for c in columns if c not in KNOWN_FIELDS]
    return [*KNOWN_FIELDS, *dict.fromkeys(extras)]


def to_frame(refs: Sequence[Reference], columns: Sequence[str] = KNOWN_FIELDS) -> pd.DataFrame:
    """One row per reference, every cell a string ('' when absent)."""
    import pandas as pd  # on use: a check never needs it, and it costs 0.2 s to import

    names = table_columns(columns)
    data = {name: [ref.get(name) for ref in refs] for name in names}
    return pd.DataFrame(data, columns=names, dtype=object)


def write_csv(refs: Sequence[Reference], columns: Sequence[str], path: Path) -> None:
    """Write the canonical references.csv (UTF-8, header row, minimal quoting)."""
    frame = to_frame(refs, columns)
    frame.to_csv(
        path, index=False, encoding="utf-8", quoting=csv.QUOTE_MINIMAL, lineterminator="\n"
    )
