"""The Wayback Machine double answers in the real service's shapes; the cassettes replay.

Everything here stays on loopback: the double binds to 127.0.0.x, and vcrpy replays the
cassettes in ``record_mode="none"``, so an unmatched request fails instead of going out.
"""

from __future__ import annotations

import gzip
import json
import time
from collections.abc import Iterator
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests
import vcr
import yaml

from checker.testing.archive_double import BLOCKED_ERROR, FIELDS, ArchiveDouble, surt

CASSETTES = Path(__file__).parent / "cassettes"
OWN = [
    "cdx_closest.yaml",
    "cdx_empty.yaml",
    "cdx_429.yaml",
    "availability_hit.yaml",
    "availability_miss.yaml",
    "playback_capture.yaml",
    "playback_redirect.yaml",
]
REAL = sorted(p.name for p in CASSETTES.glob("wayback-edgi-*.yaml"))
U = "http://www.example.com/news/2017/04/13/report.html"
U80 = "http://www.example.com:80/news/2017/04/13/report.html"
UHTTPS = "https://www.example.com/news/2017/04/13/report.html"
FL = "timestamp,original,mimetype,statuscode,digest"
BODY = (
    "<!doctype html><html><head><title>Officials detained after inquiry report - Example News"
    "</title></head><body><h1>Officials detained after inquiry report - Example News</h1><p>The"
    " committee published its findings on 13 April 2017 after a two-year inquiry. Witnesses "
    "described the events in detail, and the report lists every source it relied on, with dates,"
    " places and the names of the officials involved.</p></body></html>\n"
)


def load(name: str) -> list[dict[str, Any]]:
    """A cassette's interactions, bodies as text (gzip undone)."""
    doc = yaml.safe_load((CASSETTES / name).read_text())
    assert doc["version"] == 1
    for item in doc["interactions"]:
        body = item["response"]["body"]["string"]
        if isinstance(body, bytes):
            item["response"]["body"]["string"] = gzip.decompress(body).decode()
        item["response"]["headers"] = {
            k.lower(): v[0] for k, v in item["response"]["headers"].items()
        }
    return list(doc["interactions"])


def real_cdx_json() -> dict[str, Any]:
    line = (CASSETTES / "cdx_toolkit-test_multi_ia.jsonl").read_text().splitlines()[0]
    return dict(json.loads(line))


@pytest.fixture
def ia() -> Iterator[ArchiveDouble]:
    with ArchiveDouble() as double:
        yield double


@pytest.fixture
def http() -> Iterator[requests.Session]:
    with requests.Session() as session:
        session.trust_env = False  # no proxy from the environment: loopback only
        yield session


def fill(ia: ArchiveDouble) -> None:
    """The captures the project's own cassettes describe."""
    ia.add_capture(U, "20170413121500", body=BODY)
    ia.add_capture(U, "20170413121500", body=BODY)
    ia.add_capture(U, "20170416080000", body=BODY, original=U80)
    ia.add_capture(U, "20170420093000", revisit=True)
    ia.add_capture(
        UHTTPS, "20170501000000", body=BODY.replace("13 April", "13 April (updated 1 May)")
    )
    ia.add_capture(UHTTPS, "20180102000000", status=404, title="Page Not Found - Example News")


def cdx(http: requests.Session, ia: ArchiveDouble, **params: str | list[str]) -> requests.Response:
    return http.get(f"{ia.base_url}/cdx/search/cdx", params=params, timeout=5)


def rows(http: requests.Session, ia: ArchiveDouble, **params: str | list[str]) -> list[list[str]]:
    answer = cdx(http, ia, output="json", **params)
    assert answer.status_code == 200
    table: list[list[str]] = answer.json()
    return table


# --- CDX ------------------------------------------------------------------------------


def test_cdx_json_has_the_real_shape(ia: ArchiveDouble, http: requests.Session) -> None:
    real = real_cdx_json()
    real_table = json.loads(real["response_text"])
    ia.add_capture("http://www.commoncrawl.org:80/", "20080328041443")
    answer = cdx(http, ia, url="commoncrawl.org/*", output="json", limit="10")
    assert answer.headers["Content-Type"] == real["response_headers"]["Content-Type"]
    table = answer.json()
    assert table[0] == real_table[0] == list(FIELDS)
    assert table[1][0] == real_table[1][0] == "org,commoncrawl)/"
    assert table[1][2] == real_table[1][2] == "http://www.commoncrawl.org:80/"
    assert all(isinstance(cell, str) for row in table for cell in row)
    assert [len(r) for r in table] == [7, 7]
    # the real text layout: one row per line, then a newline
    assert answer.text.startswith('[["urlkey","timestamp",') and answer.text.endswith("]]\n")
    assert real["response_text"].startswith('[["urlkey","timestamp",')


def test_cdx_text_output_has_the_real_shape(ia: ArchiveDouble, http: requests.Session) -> None:
    real = load("wayback-edgi-test_search_with_filter.yaml")[0]["response"]
    real_lines = [ln for ln in real["body"]["string"].splitlines() if ln.count(" ") == 6]
    fill(ia)
    answer = cdx(http, ia, url=U)
    assert answer.headers["Content-Type"] == real["headers"]["content-type"]
    lines = answer.text.splitlines()
    assert len(lines) == 6 and all(len(line.split(" ")) == 7 for line in lines)
    assert all(len(line.split(" ")) == 7 for line in real_lines)
    assert lines[3].split(" ")[3:5] == ["warc/revisit", "-"]


def test_cdx_closest_filter_limit(ia: ArchiveDouble, http: requests.Session) -> None:
    fill(ia)
    near = {"url": U, "fl": FL, "closest": "20170415000000", "sort": "closest"}
    table = rows(http, ia, **near, filter="statuscode:200", limit="10")
    assert table[0] == FL.split(",")
    assert [r[0] for r in table[1:]] == [
        "20170416080000",
        "20170413121500",
        "20170413121500",
        "20170501000000",
    ]
    assert table[1][1] == U80 and table[2] == table[3]
    everything = rows(http, ia, **near)
    assert [r[3] for r in everything[1:]] == ["200", "200", "200", "-", "200", "404"]
    assert everything[4][2] == "warc/revisit" and everything[4][4] == everything[1][4]
    assert len(rows(http, ia, **near, limit="2")) == 3
    # no sort=closest: closest alone does not reorder, as on the real service
    plain = rows(http, ia, url=U, fl="timestamp", closest="20170415000000")
    assert [r[0] for r in plain[1:]] == sorted(r[0] for r in plain[1:])
    assert rows(http, ia, url=U, fl="timestamp", limit="-1")[1:] == [["20180102000000"]]
    assert len(rows(http, ia, url=U, filter="!statuscode:200")) == 3
    assert len(rows(http, ia, url=U, filter="mimetype:text/.*")) == 6
    assert len(rows(http, ia, url=U, filter="~original:https")) == 3
    two = rows(http, ia, url=U, filter=["statuscode:200", "original:http://.*"])
    assert len(two) == 4
    assert len(rows(http, ia, url=U, **{"from": "201704", "to": "20170416"})) == 4
    assert len(rows(http, ia, url=U, collapse="digest")) == 4
    assert len(rows(http, ia, url=U, collapse="timestamp:6")) == 4
    assert cdx(http, ia, url=U, filter="nosuchfield:x").status_code == 400
    assert cdx(http, ia, output="json").status_code == 400


def test_cdx_url_matching(ia: ArchiveDouble, http: requests.Session) -> None:
    fill(ia)
    ia.add_capture("http://www.example.com/news/other.html", "20170101000000")
    for variant in (U, U80, UHTTPS, "example.com/news/2017/04/13/report.html/", U.upper()):
        assert len(rows(http, ia, url=variant)) == 7, variant
    assert surt("https://www2.Example.com:443/A/?b=1&a=2") == "com,example)/a?a=2&b=1"
    assert len(rows(http, ia, url="example.com/news/*")) == 8
    assert len(rows(http, ia, url="example.com/news/", matchType="prefix")) == 8
    assert rows(http, ia, url="example.org/") == []
    assert cdx(http, ia, url="example.org/", output="json").text == "[]\n"


# --- availability ---------------------------------------------------------------------


def test_availability(ia: ArchiveDouble, http: requests.Session) -> None:
    fill(ia)

    def ask(**params: str) -> dict[str, Any]:
        answer = http.get(f"{ia.base_url}/wayback/available", params=params, timeout=5)
        assert answer.status_code == 200 and answer.headers["Content-Type"] == "application/json"
        doc: dict[str, Any] = answer.json()
        return doc

    hit = ask(url=U, timestamp="20170415000000")
    assert set(hit) == {"url", "archived_snapshots", "timestamp"}
    closest = hit["archived_snapshots"]["closest"]
    assert closest == {
        "status": "200",
        "available": True,
        "url": f"{ia.base_url}/web/20170416080000/{U80}",
        "timestamp": "20170416080000",
    }
    # the 404 and the revisit are never offered; no timestamp: the newest 200
    assert ask(url=U, timestamp="2019")["archived_snapshots"]["closest"]["timestamp"] == (
        "20170501000000"
    )
    assert ask(url=U)["archived_snapshots"]["closest"]["timestamp"] == "20170501000000"
    assert ask(url=U, timestamp="20170421")["archived_snapshots"]["closest"]["timestamp"] == (
        "20170416080000"
    )
    assert ask(url="http://example.org/x") == {
        "url": "http://example.org/x",
        "archived_snapshots": {},
    }
    ia.block("example.com")
    assert ask(url=U)["archived_snapshots"] == {}


# --- playback -------------------------------------------------------------------------


def test_playback_exact_capture_like_real(ia: ArchiveDouble, http: requests.Session) -> None:
    real = load("wayback-edgi-test_get_memento.yaml")[0]["response"]["headers"]
    fill(ia)
    answer = http.get(f"{ia.base_url}/web/20170416080000id_/{U80}", timeout=5)
    assert answer.status_code == 200 and answer.text == BODY
    assert answer.headers["Content-Type"] == real["content-type"] == "text/html"
    for name in ("memento-datetime", "link", "x-archive-src"):
        assert name in real and name in answer.headers
    when = parsedate_to_datetime(answer.headers["Memento-Datetime"])
    assert when.strftime("%Y%m%d%H%M%S") == "20170416080000"
    assert answer.headers["Memento-Datetime"].endswith(" GMT")
    assert parsedate_to_datetime(real["memento-datetime"]).year == 2017

    def rels(link: str) -> set[str]:
        return {part.split('rel="')[1].split('"')[0] for part in link.split(", <")}

    assert rels(answer.headers["Link"]) == rels(real["link"])
    # a revisit replays the capture it repeats; an archived 404 replays as 404
    revisit = http.get(f"{ia.base_url}/web/20170420093000id_/{U}", timeout=5)
    assert revisit.status_code == 200 and revisit.text == BODY
    assert http.get(f"{ia.base_url}/web/20180102000000/{UHTTPS}", timeout=5).status_code == 404


def test_playback_redirects_to_nearest(ia: ArchiveDouble, http: requests.Session) -> None:
    fill(ia)
    first = http.get(f"{ia.base_url}/web/20170415000000id_/{U}", allow_redirects=False, timeout=5)
    assert first.status_code == 302
    assert first.headers["Location"] == f"{ia.base_url}/web/20170416080000id_/{U80}"
    assert first.headers["X-Archive-Redirect-Reason"] == "found capture at 20170416080000"
    followed = http.get(f"{ia.base_url}/web/2017id_/{U}", timeout=5)
    assert followed.status_code == 200
    assert followed.url == f"{ia.base_url}/web/20170413121500id_/{U}"
    assert http.get(f"{ia.base_url}/web/2019/{U}", timeout=5).url.endswith(
        f"/web/20180102000000/{UHTTPS}"
    )


def test_playback_not_archived_like_real(ia: ArchiveDouble, http: requests.Session) -> None:
    real = load("wayback-edgi-test_get_memento_raises_no_memento_error.yaml")[0]["response"]
    answer = http.get(f"{ia.base_url}/web/20170929002712id_/https://nothing.example/", timeout=5)
    assert answer.status_code == real["status"]["code"] == 404
    assert answer.headers["Content-Type"] == real["headers"]["content-type"]
    for phrase in ("<title>Wayback Machine</title>", "Hrm.", "has not archived that URL."):
        assert phrase in answer.text and phrase in real["body"]["string"]
    assert http.get(f"{ia.base_url}/nowhere", timeout=5).status_code == 404


# --- faults ---------------------------------------------------------------------------


def test_blocked_like_real(ia: ArchiveDouble, http: requests.Session) -> None:
    real = load("wayback-edgi-test_search_raises_for_blocked_urls.yaml")[0]["response"]
    fill(ia)
    ia.add_capture("http://other.example/", "20170101000000")
    ia.block("example.com")
    for answer in (
        cdx(http, ia, url=U, output="json"),
        cdx(http, ia, url="news.example.com/x"),  # subdomains too
        http.get(f"{ia.base_url}/web/20170416080000id_/{U80}", timeout=5),
    ):
        assert answer.status_code == real["status"]["code"] == 403
        assert answer.text == real["body"]["string"] == BLOCKED_ERROR + "\n"
        assert answer.headers["Content-Type"] == real["headers"]["content-type"]
        assert (
            answer.headers["X-Archive-Wayback-Runtime-Error"]
            == (real["headers"]["x-archive-wayback-runtime-error"])
        )
    assert len(rows(http, ia, url="other.example/")) == 2
    ia.reset()
    fill(ia)
    ia.block(UHTTPS)  # one URL only
    assert cdx(http, ia, url=U).status_code == 403
    assert cdx(http, ia, url="example.com/").status_code == 200


def test_rate_limit_then_recovery(ia: ArchiveDouble, http: requests.Session) -> None:
    fill(ia)
    ia.rate_limit(after=2, retry_after=7, times=3)
    codes = [cdx(http, ia, url=U).status_code for _ in range(2)]
    codes.append(http.get(f"{ia.base_url}/web/20170416080000id_/{U80}", timeout=5).status_code)
    limited = [cdx(http, ia, url=U) for _ in range(2)]
    limited.append(http.get(f"{ia.base_url}/wayback/available", params={"url": U}, timeout=5))
    assert codes == [200, 200, 200]  # playback is not counted by default
    assert [r.status_code for r in limited] == [429, 429, 429]
    assert {r.headers["Retry-After"] for r in limited} == {"7"}
    assert "429 Too Many Requests" in limited[0].text
    assert [cdx(http, ia, url=U).status_code for _ in range(2)] == [200, 200]
    ia.rate_limit(retry_after=1, times=1, playback=True)
    assert http.get(f"{ia.base_url}/web/2017/{U}", timeout=5).status_code == 429
    assert cdx(http, ia, url=U).status_code == 200
    ia.rate_limit()  # no end until reset
    assert [cdx(http, ia, url=U).status_code for _ in range(3)] == [429, 429, 429]
    ia.reset()
    assert cdx(http, ia, url=U).status_code == 200


def test_fail_next(ia: ArchiveDouble, http: requests.Session) -> None:
    fill(ia)
    ia.fail_next(503, count=2)
    assert [cdx(http, ia, url=U).status_code for _ in range(3)] == [503, 503, 200]
    ia.fail_next(502)
    assert http.get(f"{ia.base_url}/web/2017/{U}", timeout=5).status_code == 502
    with pytest.raises(ValueError):
        ia.fail_next(999)


def test_request_log(ia: ArchiveDouble, http: requests.Session) -> None:
    before = time.monotonic()
    cdx(http, ia, url=U, output="json")
    http.head(f"{ia.base_url}/wayback/available?url=x", timeout=5)
    http.get(f"{ia.base_url}/web/2017/{U}", timeout=5)
    log = ia.requests
    assert [(r.method, r.path) for r in log] == [
        ("GET", "/cdx/search/cdx"),
        ("HEAD", "/wayback/available"),
        ("GET", f"/web/2017/{U}"),
    ]
    assert dict(parse_qsl(log[0].query)) == {"url": U, "output": "json"}
    assert before <= log[0].time <= log[1].time <= log[2].time <= time.monotonic()
    _, method, path, query = log[1]  # plain tuples too
    assert (method, path, query) == ("HEAD", "/wayback/available", "url=x")
    ia.clear_log()
    assert ia.requests == []


def test_loopback_only_and_prompt_stop(http: requests.Session) -> None:
    for host in ("10.0.0.1", "192.168.1.1", "::1", "0.0.0.0"):
        with pytest.raises(ValueError):
            ArchiveDouble(host)
    double = ArchiveDouble("127.0.0.7")
    with pytest.raises(RuntimeError):
        _ = double.base_url
    with double:
        base = double.base_url
        assert urlsplit(base).hostname == "127.0.0.7"
        assert http.get(f"{base}/cdx/search/cdx?url=x&output=json", timeout=5).json() == []
        started = time.monotonic()
    assert time.monotonic() - started < 1.0
    with pytest.raises(requests.ConnectionError):
        http.get(f"{base}/cdx/search/cdx?url=x", timeout=2)


# --- cassettes ------------------------------------------------------------------------


@pytest.mark.parametrize("name", OWN)
def test_own_cassette_replays(name: str) -> None:
    recorded = load(name)
    with vcr.VCR(record_mode="none").use_cassette(str(CASSETTES / name)) as cassette:
        for item in recorded:
            answer = requests.get(item["request"]["uri"], allow_redirects=False, timeout=5)
            assert answer.status_code == item["response"]["status"]["code"]
            assert answer.text == item["response"]["body"]["string"]
            assert urlsplit(item["request"]["uri"]).hostname == "web.archive.org"
        assert cassette.all_played
    if name.startswith("cdx_") and name != "cdx_429.yaml":
        for item in recorded:
            table = json.loads(item["response"]["body"]["string"])
            assert all(isinstance(c, str) for row in table for c in row)
    if name == "cdx_429.yaml":
        assert recorded[0]["response"]["headers"]["retry-after"] == "60"


def test_own_cassettes_follow_redirects_and_hold_odd_rows() -> None:
    with vcr.VCR(record_mode="none").use_cassette(str(CASSETTES / "playback_redirect.yaml")):
        answer = requests.get(f"https://web.archive.org/web/20170415000000id_/{U}", timeout=5)
    assert answer.status_code == 200 and answer.history[0].status_code == 302
    assert answer.headers["memento-datetime"] == "Sun, 16 Apr 2017 08:00:00 GMT"
    filtered, unfiltered = (
        json.loads(i["response"]["body"]["string"]) for i in load("cdx_closest.yaml")
    )
    assert [r[3] for r in unfiltered if r[2] == "warc/revisit"] == ["-"]
    assert not any(r[2] == "warc/revisit" for r in filtered)
    assert any(":80/" in r[1] for r in filtered[1:])
    assert any(filtered[i] == filtered[i + 1] for i in range(1, len(filtered) - 1))


def test_double_answers_what_the_own_cassettes_hold(
    ia: ArchiveDouble, http: requests.Session
) -> None:
    """Same captures, same requests: the double and the cassettes agree."""
    fill(ia)
    for name in ("cdx_closest.yaml", "cdx_empty.yaml"):
        for item in load(name):
            query = urlsplit(item["request"]["uri"]).query
            answer = http.get(f"{ia.base_url}/cdx/search/cdx?{query}", timeout=5)
            assert answer.text == item["response"]["body"]["string"], name
    ia.reset()
    ia.add_capture(U, "20170413121500", body=BODY)
    ia.add_capture(U, "20170416080000", body=BODY, original=U80)
    ia.add_capture(U, "20170420093000", revisit=True)
    ia.add_capture(UHTTPS, "20170501000000", body=BODY)
    for name in ("availability_hit.yaml", "availability_miss.yaml", "playback_redirect.yaml"):
        for item in load(name):
            split = urlsplit(item["request"]["uri"])
            target = f"{ia.base_url}{split.path}" + (f"?{split.query}" if split.query else "")
            answer = http.get(target, allow_redirects=False, timeout=5)
            recorded = item["response"]
            assert answer.status_code == recorded["status"]["code"]
            text = answer.text.replace(ia.base_url, "http://web.archive.org")
            if name.startswith("avail"):
                assert json.loads(text) == json.loads(recorded["body"]["string"])
            else:
                assert answer.content.decode() == recorded["body"]["string"]
                for header in ("memento-datetime", "x-archive-redirect-reason", "link"):
                    mine = answer.headers.get(header, "").replace(
                        ia.base_url, "https://web.archive.org"
                    )
                    assert mine == recorded["headers"].get(header, ""), header
            if "location" in recorded["headers"]:
                assert (
                    answer.headers["Location"].replace(ia.base_url, "https://web.archive.org")
                    == recorded["headers"]["location"]
                )


@pytest.mark.parametrize("name", REAL)
def test_real_recordings_replay(name: str) -> None:
    recorded = load(name)
    replay = vcr.VCR(record_mode="none", decode_compressed_response=True)
    with replay.use_cassette(str(CASSETTES / name)):
        for item in recorded:
            answer = requests.get(item["request"]["uri"], allow_redirects=False, timeout=5)
            assert answer.status_code == item["response"]["status"]["code"]
            assert answer.content == item["response"]["body"]["string"].encode()
