"""The shortcuts the million-reference offline run takes give exactly what the plain
code gives: URL parts without urlsplit, Wayback timestamps without strptime, CSV lines
read lazily, suggestions settled in the check workers, no cyclic GC over the bulk."""

from __future__ import annotations

import datetime as dt
import gc
import itertools
import os
import random
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from checker import api, archiveurl, bulk, checks
from checker.archiveurl import normalise_url, parse_archive_url, plain_parts, split_key
from checker.checks import CheckConfig, run_checks
from checker.importers import csv_format
from checker.model import Finding, ImportResult, Reference, Severity

URLS = [
    "https://example.org/2017/04/13/story",
    "http://WWW.Example.ORG/a/b/?q=1#frag",
    "https://example.org",
    "https://example.org/",
    "https://example.org?x=1",
    "https://example.org/?",
    "https://example.org/a?b?c#d?e",
    "https://example.org/a#b/c?d",
    "ftp://files.example.org/pub/x.tar.gz",
    "https://example.org:8080/a",
    "https://example.org:80/a",
    "https://example.org:99999/a",
    "https://user:pw@example.org/a",
    "https://[::1]/a",
    "https://exa mple.org/a",
    "https://example.org/a b",
    "HTTPS://example.org/a",
    "mailto:someone@example.org",
    "example.org/a",
    "https:///a",
    "https://-.example/a",
    "https://a..b/c",
    "https://example.org./a",
    "https://bücher.example/a",
    "https://example.org/ä/ö?ü=1",
    "https://example.org/a\x01b",
    "  https://example.org/padded  ",
    "https://web.archive.org/web/20170413123456/http://example.org/x?y=1",
    "https://web.archive.org/web/20170413123456id_/https://example.org/",
    "http://archive.ph/2017.04.13-123456/http://example.org/x",
    "https://web.archive.org/web/2017/http://example.org/",
    "https://web.archive.org/web/*/http://example.org/",
    "ftp://web.archive.org/web/20170413123456/http://example.org/",
    "https://web.archive.org",
    "",
]


def _random_urls(n: int) -> list[str]:
    rng = random.Random(3)
    pieces = ["https://", "http://", "ftp://", "www.", "Ex", "a", "-", ".", "/", "?", "#"]
    pieces += [":", "8", "@", " ", "%20", "ä", "//", "web", "org", "[", "]", "\\", "\t"]
    return ["".join(rng.choice(pieces) for _ in range(rng.randrange(1, 12))) for _ in range(n)]


@pytest.mark.parametrize("url", URLS + _random_urls(3000))
def test_plain_parts_are_urlsplits(url: str) -> None:
    try:
        slow = split_key(url)
    except ValueError:  # urlsplit refuses it (a bad IPv6 literal): no shortcut either
        assert plain_parts(url.strip()) is None
        return
    assert normalise_url(url) == slow
    plain = plain_parts(url.strip())
    if plain is not None:
        parts = urlsplit(url.strip())
        assert (plain[0].lower(), plain[1], plain[2]) == (
            parts.hostname,
            parts.path,
            parts.query,
        )
        assert parts.scheme in ("http", "https", "ftp") and parts.port is None


def test_plain_parts_cover_the_usual_url() -> None:
    assert plain_parts("https://www.Example.org/2017/04/13/story?id=3#top") == (
        "www.Example.org",
        "/2017/04/13/story",
        "id=3",
    )
    assert plain_parts("https://example.org:8080/a") is None  # ports: urlsplit decides


@pytest.mark.parametrize("url", URLS)
def test_archive_urls_read_the_same_without_urlsplit(
    url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    fast = parse_archive_url(url)
    monkeypatch.setattr(archiveurl, "plain_parts", lambda _: None)
    assert parse_archive_url(url) == fast


def test_url_checks_the_same_without_the_shortcut(monkeypatch: pytest.MonkeyPatch) -> None:
    from checker.checks import urls

    config = CheckConfig(today=dt.date(2026, 11, 24))
    refs = [
        Reference(id=str(i), url=url, date="13 April 2019")
        for i, url in enumerate(URLS + _random_urls(500))
        if "[" not in url and "]" not in url  # urlsplit refuses some (an issue of its own)
    ]
    fast = [f for ref in refs for f in urls.check(ref, config)]
    assert any(f.code == "url-date-mismatch" for f in fast)
    assert any(f.code == "invalid-url" for f in fast)
    monkeypatch.setattr(urls, "plain_parts", lambda _: None)
    assert [f for ref in refs for f in urls.check(ref, config)] == fast


def test_wayback_stamp_is_strptime() -> None:
    rng = random.Random(5)
    stamps = ["20170413123456", "20170229000000", "20161301120000", "20171232000000"]
    stamps += ["20170101246000", "20170101235960", "00000101000000", "19991231235959"]
    stamps += ["".join(rng.choice("0123456789") for _ in range(14)) for _ in range(3000)]
    stamps += [f"{y:04}{m:02}{d:02}{h:02}0000" for y, m, d, h in itertools.product(
        (1996, 2000, 2024), range(0, 14), (0, 1, 29, 30, 31, 32), (0, 23, 24))]  # fmt: skip
    for stamp in stamps:
        try:
            expected: object = dt.datetime.strptime(stamp, "%Y%m%d%H%M%S")
        except ValueError:
            expected = ValueError
        try:
            got: object = archiveurl._stamp(stamp)
        except ValueError:
            got = ValueError
        assert got == expected, stamp


@pytest.mark.parametrize(
    "text",
    ["", "a", "a\n", "a\r\nb", "a\rb\r", "\n\n", "x,y\r\n\r\n1,2", '"a\nb",c\nd', "\r"],
)
def test_lazy_lines_are_physical_lines(text: str) -> None:
    assert list(csv_format._lazy_lines(text)) == csv_format.physical_lines(text)


def test_csv_import_recovers_from_a_stray_quote_after_lazy_lines(tmp_path: object) -> None:
    data = b'id,title\n1,"open\n2,fine\n3,"closed"x\n4,last\n'
    result = csv_format.read("refs.csv", data)
    assert [r.id for r in result.references][-1] == "4"
    assert any("quote" in p.message or "malformed" in p.message for p in result.problems)


def _with_suggestions(n: int) -> list[Reference]:
    refs = []
    for i in range(n):
        day = dt.date(2012, 1, 1) + dt.timedelta(days=i * 13 % 3000)
        slip = day + dt.timedelta(days=6) - dt.timedelta(days=365)  # the New-Year slip
        refs.append(
            Reference(
                id=str(i % (n - 3)),  # three ids used twice: judged as one group
                url=f"https://site{i % 5}.example/{day:%Y/%m/%d}/s-{i}",
                title=f"A long enough title number {i % 17}",
                date=f"{day.day} {day:%B} {day.year}",
                access_date=f"{slip.day} {slip:%B} {slip.year}" if i % 2 else "",
            )
        )
    return refs


def _late_date(ref: Reference, config: CheckConfig) -> list[Finding]:
    """A per-reference check whose suggestion may contradict the access-year fix."""
    if int(ref.id) % 3:
        return []
    later = "31 December 2020"
    return [Finding("publication-date-mismatch", Severity.WARNING, "m", ref.id,
                    suggested={"date": later})]  # fmt: skip


def _late_list(refs: Sequence[Reference], config: CheckConfig) -> list[Finding]:
    """A list-level check suggesting a date too (judged after the run)."""
    late = {"date": "1 January 2021"}
    code, warn = "archive-date-mismatch", Severity.WARNING
    return [Finding(code, warn, "m", r.id, suggested=late) for r in refs if int(r.id) % 4 == 0]


@pytest.mark.parametrize("parallel", [False, True])
def test_settled_suggestions_are_what_the_run_judged_after(
    parallel: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """check_import settles each reference's suggestions in the check workers; the
    findings are exactly those of judging every reference after the run."""
    refs = _with_suggestions(400)
    plain_ref_checks, plain_list_checks = checks._ref_checks, checks._list_checks
    monkeypatch.setattr(checks, "_ref_checks", lambda: (*plain_ref_checks(), _late_date))
    monkeypatch.setattr(checks, "_list_checks", lambda: (*plain_list_checks(), _late_list))
    config = CheckConfig(today=dt.date(2026, 11, 24))
    imported = ImportResult(tuple(refs), source="x.csv", format="csv")
    expected = api._coherent(imported, list(run_checks(refs, config)))
    dropped = {f.code for f in expected if f.suggestion.startswith("no fix suggested")}
    assert dropped == {"publication-date-mismatch", "archive-date-mismatch"}
    assert sum(1 for f in expected if f.suggested) > 100
    if parallel:
        monkeypatch.setattr(checks, "PARALLEL_MIN", 10)
        monkeypatch.setattr(checks, "cores", lambda: 2)
    got = api.check_import(imported, config).findings
    assert list(got) == expected
    ignored = CheckConfig(today=config.today, ignore=frozenset({"access-before-publication"}))
    expected = api._coherent(imported, list(run_checks(refs, ignored)))
    assert not any(f.code == "access-before-publication" for f in expected)
    assert list(api.check_import(imported, ignored).findings) == expected


def test_gc_is_paused_and_restored() -> None:
    assert gc.isenabled()
    with bulk.paused_gc():
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with bulk.paused_gc():
            pass
        assert not gc.isenabled()  # a caller's own setting is kept
    finally:
        gc.enable()
    assert not bulk.freeze_large(10)  # small lists leave the collector alone
    api.check_import(ImportResult((Reference(id="1", title="A title"),)), CheckConfig())
    assert gc.isenabled()


def test_only_the_bulk_stages_run_without_the_collector(monkeypatch: pytest.MonkeyPatch) -> None:
    """The checks skip cyclic collection; the network stages (exceptions, sockets and
    tracebacks make cycles, over hours on a large list) keep it."""
    from checker import api
    from checker.links.outage import NetworkVerdict
    from checker.links.runner import LinkConfig, LinkRun
    from checker.model import ImportResult, Reference

    seen: dict[str, bool] = {}
    real_checks = api.run_checks

    def checks(*args: object, **kwargs: object) -> object:
        seen["checks"] = gc.isenabled()
        return real_checks(*args, **kwargs)  # type: ignore[arg-type]

    def links(*args: object, **kwargs: object) -> LinkRun:
        seen["links"] = gc.isenabled()
        return LinkRun({}, NetworkVerdict(True, "", 0, 0), "run")

    monkeypatch.setattr(api, "run_checks", checks)
    monkeypatch.setattr(api, "check_links", links)
    refs = (Reference(id="1", url="https://example.org/a", title="A title"),)
    api.check_import(ImportResult(refs, (), "refs.csv", "csv"), links=LinkConfig(state_path=None))
    assert seen == {"checks": False, "links": True} and gc.isenabled()


# --- every shortcut at once: the reports are the plain path's, byte for byte -------------

_STAMP = re.compile(rb'\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\+00:00)?|time="[0-9.]+"')


def _report_bytes(
    source: Path, out: Path, fast: bool, monkeypatch: pytest.MonkeyPatch
) -> dict[str, bytes]:
    """Every report of ``citewatch check --offline`` on ``source``: with every shortcut
    for long lists forced on (parallel CSV parse, forked checks, forked report writer),
    or every one off; the run's clock times masked."""
    import checker.reports as reports
    from checker.importers import csv_parallel, load
    from checker.reports import write_reports

    with monkeypatch.context() as patch:
        big = 10**12
        patch.setattr(csv_parallel, "PARALLEL_MIN", 1 if fast else big)
        patch.setattr(csv_parallel, "SPANS_PER_WORKER", 3)
        patch.setattr(checks, "PARALLEL_MIN", 10 if fast else big)
        patch.setattr(reports, "FORK_MIN", 1 if fast else big)
        for module in (csv_parallel, checks):
            patch.setattr(module, "cores", lambda: 2)
        # threads other tests left idle (loopback servers) take no part in the forks
        patch.setattr(csv_parallel.threading, "active_count", lambda: 1)
        patch.setattr(reports.threading, "active_count", lambda: 1)
        patch.setattr(reports, "cores", lambda: 2)
        forked: list[str] = []
        for module, name in ((csv_parallel, "references"), (reports, "_write_forked")):
            real = getattr(module, name)

            def spy(*args: Any, _real: Any = real, _name: str = name) -> Any:
                forked.append(_name)
                return _real(*args)

            patch.setattr(module, name, spy)
        config = CheckConfig(today=dt.date(2026, 11, 24))
        result = api.check_import(load(source), config)
        write_reports(result, out, exit_code=int(api.exit_code(result)))
    if fast:
        assert "_write_forked" in forked  # the shortcuts really ran
        assert source.suffix != ".csv" or "references" in forked
    return {p.name: _STAMP.sub(b"T", p.read_bytes()) for p in sorted(out.iterdir())}


def _synthetic_csv(path: Path, n: int, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.syspath_prepend(str(ROOT))
    from bench.offline_checks import write_csv

    write_csv(path, n)
    return path


ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
@pytest.mark.parametrize(
    "source",
    ["references.csv", "data/seed/anti-gay-purges-in-chechnya.txt", "synthetic"],
)
def test_every_report_is_the_plain_paths(
    source: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The seed list, the seed article and a synthetic list: index.html, report.json,
    report.csv, summary.md and junit.xml are the same bytes with every shortcut for long
    lists as without (``bench/offline_checks.py --compare N`` does this for 20,000 and
    200,000 references)."""
    path = (
        _synthetic_csv(tmp_path / "refs.csv", 3000, monkeypatch)
        if source == "synthetic"
        else ROOT / source
    )
    # the same folder name for both runs: the reports name it (the patch command)
    plain = _report_bytes(path, tmp_path / "out", False, monkeypatch)
    fast = _report_bytes(path, tmp_path / "out", True, monkeypatch)
    assert sorted(fast) == ["index.html", "junit.xml", "report.csv", "report.json", "summary.md"]
    for name in plain:
        assert fast[name] == plain[name], name


def test_worst_first_order_is_the_sorted_order() -> None:
    """Records.ordered() (buckets by worst severity) gives ordered_references() (a sort)."""
    from checker.model import RunInfo
    from checker.reports import records

    rng = random.Random(9)
    refs = [Reference(id=str(i % 950), title="t") for i in range(1000)]  # some ids twice
    severities = list(Severity)
    findings = [
        Finding(rng.choice(["a", "b", "c"]), rng.choice(severities), "m", str(rng.randrange(950)))
        for _ in range(700)
    ]
    moment = dt.datetime(2026, 11, 24, tzinfo=dt.UTC)
    run = RunInfo("0", moment, moment, moment.date(), "x.csv", "csv", True, "error")
    result = api.CheckResult(tuple(refs), tuple(findings), (), run)
    expected = [(ref.id, len(found)) for ref, found in records.ordered_references(result)]
    got = [(ref.id, len(found)) for ref, found in records.Records(result).ordered()]
    assert got == expected
    assert [ref for ref, _ in records.Records(result).ordered()] == [
        ref for ref, _ in records.ordered_references(result)
    ]


def test_script_json_is_the_standard_encoders() -> None:
    """The HTML report's data, encoded by orjson, is what json.dumps writes."""
    import json

    from checker.reports.html_report import script_json

    rng = random.Random(6)
    chars = [chr(i) for i in range(0x250)] + ["\u2028", "\ufeff", "😀", "\ud800", "<", "&"]
    for _ in range(3000):
        text = "".join(rng.choice(chars) for _ in range(rng.randrange(12)))
        value = [text, rng.randrange(-(10**6), 10**6), None, [text, 0], {"k": text}]
        plain = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
        plain = plain.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
        assert script_json(value) == plain


def test_findings_not_to_judge_are_what_coherent_returns() -> None:
    """The check workers skip coherent() for a reference none of whose suggestions
    touches a date it compares (nor offers the page's date): coherent() would return
    those findings unchanged."""
    from checker.patch.coherence import coherent

    rng = random.Random(12)
    names = ["date", "access_date", "archive_date", "author", "title", "url"]
    values = ["13 April 2017", "2016", "1 May 2019", "", "x", "June 3, 2010"]
    codes = ["publication-date-mismatch", "content-drift", "generic-author", "invalid-date"]
    skipped = 0
    for _ in range(4000):
        fields = {name: rng.choice(values) for name in names}
        found = []
        for _ in range(rng.randrange(1, 4)):
            suggested = {rng.choice(names): rng.choice(values) for _ in range(rng.randrange(3))}
            found.append(
                Finding(rng.choice(codes), Severity.WARNING, "m", "1", suggested=suggested)
            )
        if not checks._to_judge(found):
            skipped += 1
            assert coherent(fields, found) == found
    assert skipped > 500


def _titles() -> list[str]:
    from checker.checks.content import GENERIC_TITLE_PHRASES

    rng = random.Random(5)
    pieces = ["Page", " not", " found", "|", " ", "404", "error", "•", "Login", "é", "Ω"]
    pieces += ["instagram", "for sale", "domain", "just a moment", "...", "Sorry,", "x"]
    titles = ["".join(rng.choice(pieces) for _ in range(rng.randrange(1, 9))) for _ in range(3000)]
    titles += [f"{a}{p}{b}" for p in GENERIC_TITLE_PHRASES for a, b in [("", ""), ("x", "y")]]
    titles += [p[:-1] for p in GENERIC_TITLE_PHRASES] + [p.upper() for p in GENERIC_TITLE_PHRASES]
    return titles


def test_generic_phrases_found_by_the_automaton_are_the_expressions() -> None:
    """One Aho-Corasick scan finds a phrase exactly where the alternation does."""
    from checker.checks import content

    checked = found = 0
    for title in _titles():
        norm = content._norm(title)
        expected = content._ANY_PHRASE.search(norm) is not None
        assert content.any_phrase(norm) is expected, title
        checked, found = checked + 1, found + expected
    assert found > 50 and checked - found > 1000  # both answers are tested


DATE_TEXTS = [
    "13 April 2017",
    "April 13, 2017",
    "2017-04-13",
    " 13 April 2017 ",
    "April 2017",
    "2016–2017",
    "2016-2017",
    "Spring 2017",
    "c. 1900",
    "n.d.",
    "13th April 2017",
    "31 February 2017",
    "2017-4-13",
    "Apr 13 2017",
    "",
    "   ",
    "garbage",
    "13. April 2017",
    "1 May – 3 June 2017",
]


def test_cs1_reading_once_per_text_is_analyse() -> None:
    """read_cs1 and cs1_date (a date text read once per process) give what analyse and
    parse_date give, the second time as the first."""
    from checker.checks.dates import cs1_date, read_cs1
    from checker.dates import DateError, analyse, parse_date

    for text in DATE_TEXTS * 2:
        try:
            expected: object = analyse(text)
        except DateError as err:
            got = read_cs1(text)
            assert isinstance(got, DateError)
            assert (got.message, got.suggestion) == (err.message, err.suggestion)
            assert cs1_date(text) is None
            continue
        assert read_cs1(text) == expected
        assert cs1_date(text) == parse_date(text)


def _formats_oracle(refs: Sequence[Reference], config: CheckConfig) -> list[Finding]:
    """check_formats as it was: every date of every reference read again (the finding
    made from the styles by the same :func:`mixed_formats`)."""
    from collections import defaultdict

    from checker.checks.dates import _FULL, mixed_formats
    from checker.dates import DateError
    from checker.i18n.dates import parse_in

    out = []
    groups = {"publication": ("date",), "access and archive": ("access_date", "archive_date")}
    for label, names in groups.items():
        seen: dict[str, list[str]] = defaultdict(list)
        for ref in refs:
            for name in names:
                raw = ref.get(name)
                if not raw:
                    continue
                try:
                    value = parse_in(raw, config.lang)
                except DateError:
                    continue
                if value is not None and value.format in _FULL:
                    seen[value.style or value.format.value].append(ref.id)
        finding = mixed_formats(label, names, seen)
        if finding is not None:
            out.append(finding)
    return out


@pytest.mark.parametrize("lang", ["", "de"])
def test_date_styles_read_once_per_text_are_every_date_read(lang: str) -> None:
    """check_formats reads each distinct date text once: the same findings, the ids in
    the same order, as reading every date of every reference."""
    from checker.checks.dates import check_formats

    rng = random.Random(11)
    texts = [*DATE_TEXTS, "13. April 2017", "2. Mai 2018", "02.05.2018", "4 July 2019"]
    refs = [
        Reference(
            id=str(i),
            date=rng.choice(texts),
            access_date=rng.choice(texts),
            archive_date=rng.choice(texts),
        )
        for i in range(400)
    ]
    config = CheckConfig(today=dt.date(2026, 11, 24), lang=lang)
    found = list(check_formats(refs, config))
    assert len(found) == 2 and all(len(f.related) > 10 for f in found)
    assert found == _formats_oracle(refs, config)


def test_url_dates_skip_only_paths_no_pattern_matches() -> None:
    """url_date answers None at once for a path without "19" or "20": no pattern it
    tries can match such a path (each needs a year 19xx or 20xx); the others are read
    as before (tests/test_checks.py)."""
    from checker.checks import urls
    from checker.checks.urls import url_date

    rng = random.Random(13)
    pieces = ["/2017/04/13", "/1999/12", "/04/2017", "20170413", "2017-04-13", "/2017/02/31"]
    pieces += ["/2030/01/01", "/", "x", "-", "_", ".", "19", "20", "13", "story", "/2017", "1", "9"]
    paths = ["".join(rng.choice(pieces) for _ in range(rng.randrange(1, 6))) for _ in range(5000)]
    patterns = (urls._YMD_PATH, urls._COMPACT, urls._YM_PATH, urls._MY_PATH)
    today = dt.date(2026, 11, 24)
    skipped = dated = 0
    for path in paths:
        if "19" not in path and "20" not in path:
            skipped += 1
            assert not any(p.search(path) for p in patterns), path
            assert url_date(path, today) is None
        else:
            dated += url_date(path, today) is not None
    assert skipped > 500 and dated > 500
    for path in ("/1999/12/", "/a/19991231", "/2017/04/13/x", "/04/2017"):  # one year each
        assert url_date(path, today) is not None, path


def test_junit_escaping_in_one_scan_is_clean_then_escape() -> None:
    """The one-scan pass-through of junit.xml's attributes and texts gives what cleaning
    (XML-illegal characters removed) and then escaping gives."""
    from checker.reports import junit_report as junit

    rng = random.Random(19)
    pieces = ["a", "&", "<", ">", '"', "\n", "\r", "\t", "\x00", "\x1f", "\ud800", "\ufffe"]
    pieces += ["é", " ", "x y", "'", "\x0b"]
    texts = ["".join(rng.choice(pieces) for _ in range(rng.randrange(0, 5))) for _ in range(3000)]
    touched = 0
    for text in texts:
        cleaned = junit.clean(text)
        assert junit._attr(text) == cleaned.translate(junit._ATTR)
        assert junit._text(text) == cleaned.translate(junit._TEXT)
        touched += cleaned.translate(junit._ATTR) != text
    assert junit._attr(None) == "" and junit._attr(3) == "3"
    assert 500 < touched < 2900
