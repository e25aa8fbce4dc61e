"""The archive client's unit tests, replaying vcrpy cassettes in the archive's real
formats (tests/cassettes: the project's own, plus real recordings by other projects —
see tests/cassettes/README.md).  Nothing is sent: record_mode "none"."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import vcr

from checker.archive.client import (
    ArchiveClient,
    ArchiveConfig,
    ArchiveStopped,
    SiteBlocked,
    parse_cdx,
)
from checker.links.page import extract_title

CASSETTES = Path(__file__).parent / "cassettes"
URL = "http://www.example.com/news/2017/04/13/report.html"


def same_lookup(r1: Any, r2: Any) -> None:
    """Match on what identifies a lookup (url, closest, timestamp, filter), not on the
    order or the exact field list of the query."""
    q1, q2 = parse_qs(urlsplit(r1.uri).query), parse_qs(urlsplit(r2.uri).query)
    for key in ("url", "closest", "timestamp", "filter"):
        assert q1.get(key) == q2.get(key), key


def replay(name: str, *match: str, **kw: Any) -> Any:
    recorder = vcr.VCR(record_mode="none", cassette_library_dir=str(CASSETTES))
    recorder.register_matcher("same_lookup", same_lookup)
    return recorder.use_cassette(
        name, match_on=match or ("method", "host", "path", "same_lookup"), **kw
    )


def client(**kw: Any) -> ArchiveClient:
    kw.setdefault("rate_per_minute", 6000)
    return ArchiveClient(ArchiveConfig(**kw), sleep=lambda _: None)


def test_cdx_rows_normalised() -> None:
    with replay("cdx_closest.yaml"), client() as archive:
        rows = archive.cdx(URL, "20170415000000")
    assert [r.timestamp for r in rows] == ["20170416080000", "20170413121500", "20170501000000"]
    assert rows[0].original == URL  # ':80' dropped
    assert all(r.statuscode == "200" for r in rows)


def test_cdx_odd_rows_without_filter() -> None:
    text = (CASSETTES / "cdx_closest.yaml").read_text(encoding="utf-8")
    assert "warc/revisit" in text  # the recording without the filter shows revisits
    rows = parse_cdx(
        '[["timestamp","original","statuscode","mimetype","digest"],'
        '["20170416080000","http://www.example.com:80/a","-","warc/revisit","X"],'
        '["20170413121500","http://www.example.com/a","200","text/html","Y"],'
        '["20170413121500","http://www.example.com/a","200","text/html","Y"]]'
    )
    assert [(r.timestamp, r.original) for r in rows] == [
        ("20170413121500", "http://www.example.com/a")
    ]


def test_cdx_empty() -> None:
    with replay("cdx_empty.yaml"), client() as archive:
        assert archive.cdx("http://www.example.com/never-archived.html", "20170415000000") == []


def test_cdx_429_pauses_then_stops() -> None:
    sleeps: list[float] = []
    with replay("cdx_429.yaml", allow_playback_repeats=True):
        archive = ArchiveClient(ArchiveConfig(rate_per_minute=6000, max_429=2), sleep=sleeps.append)
        with pytest.raises(ArchiveStopped):
            archive.cdx(URL, "20170415000000")
    assert sleeps == [60.0]  # Retry-After obeyed once, then stopped
    assert archive.calls == 2 and archive.stopped
    with pytest.raises(ArchiveStopped):
        archive.cdx(URL, "20170415000000")  # nothing more is sent
    assert archive.calls == 2


def test_availability_hit_and_miss() -> None:
    base = "https://web.archive.org"
    with replay("availability_hit.yaml"), client(availability_url=base) as archive:
        assert archive.available(URL, "20170415000000") == ("20170416080000", URL)
    with replay("availability_miss.yaml"), client(availability_url=base) as archive:
        assert (
            archive.available("http://www.example.com/never-archived.html", "20170415000000")
            is None
        )


def test_playback_capture() -> None:
    with replay("playback_capture.yaml", "method", "host", "path"), client() as archive:
        capture = archive.capture("20170416080000", URL.replace(".com/", ".com:80/"))
    assert capture.status == 200 and capture.timestamp == "20170416080000"
    assert extract_title(capture.body)


def test_playback_redirect_to_nearest() -> None:
    with replay("playback_redirect.yaml", "method", "host", "path"), client() as archive:
        capture = archive.capture("20170415000000", URL)
    assert capture.timestamp == "20170416080000" and capture.status == 200


def test_real_recording_blocked_site() -> None:
    with (
        replay("wayback-edgi-test_search_raises_for_blocked_urls.yaml", "method", "host", "path"),
        client() as archive,
        pytest.raises(SiteBlocked),
    ):
        archive.cdx("https://nationalpost.com/health", "20191001000000")


def test_real_recording_memento() -> None:
    with (
        replay("wayback-edgi-test_get_memento.yaml", "method", "host", "path"),
        client() as archive,
    ):
        capture = archive.capture("20171124151315", "https://www.fws.gov/birds/")
    assert capture.status == 200 and capture.timestamp == "20171124151315"
    assert "Birds" in extract_title(capture.body)


def test_real_recording_archived_429_is_a_capture_not_rate_limiting() -> None:
    """A capture whose original status was 429 is a memento (Memento-Datetime), not the
    archive limiting us: it must be judged like any capture, and not stop lookups."""
    name = "wayback-edgi-test_get_memento_works_on_archived_rate_limit_responses.yaml"
    with replay(name, "method", "host", "path"), client() as archive:
        capture = archive.capture("20150129034904", "http://www.reddit.com/r/PokemonGiveaway")
        assert capture.status == 429 and capture.timestamp == "20150129034904"
        assert archive.rate_limited == 0 and not archive.stopped
