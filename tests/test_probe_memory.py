"""The soft-404 probe's answer: kept small (what the comparison needs), shared by a
host's pages, and remembered by the state file for ``Policy.probe_ttl`` so that a
nightly run asks a host for a random path about once a month, not every night one of
its links is due.  Real sockets on loopback (the simulated web)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from checker.engine import LocalEngine, crawl
from checker.engine.sim import farm_config, farm_urls
from checker.links.classify import classify
from checker.links.fetch import FetchConfig, FetchOutcome, fetch
from checker.links.history import Policy
from checker.links.page import probe_url
from checker.links.probe import ProbeAnswer, Prober, probe_key
from checker.links.runner import LinkConfig, check_links
from checker.links.scheduler import Politeness
from checker.model import LinkStatus, Reference
from checker.store import open_store
from checker.testing.simweb import SimWeb

PROBE_PATH = re.compile(r"/[0-9a-f]{24}(\.[a-z0-9]{1,5})?")
NIGHT = dt.datetime(2026, 11, 1, 3, tzinfo=dt.UTC)


def probes_to(web: SimWeb, site: str) -> int:
    return sum(1 for r in web.requests_to(site) if PROBE_PATH.fullmatch(r.path))


def config(tmp_path: Path, **changes: Any) -> LinkConfig:
    base = LinkConfig(
        fetch=FetchConfig(deadline=5, allow_private=True),
        politeness=Politeness(host_interval=0),
        policy=Policy(timezone="UTC"),
        state_path=tmp_path / "state.sqlite",
        processes=1,
    )
    return dataclasses.replace(base, **changes)


def refs_of(web: SimWeb) -> list[Reference]:
    urls = [
        web.url("news.example", "/article/real-story"),
        web.url("news.example", "/article/other-story"),
        web.url("news.example", "/status/404"),
        web.url("generic.example", "/article/real-story"),
        web.url("generic.example", "/2019/05/gone-story"),  # the home page: a soft 404
    ]
    return [Reference(str(i), url=url, title="Story") for i, url in enumerate(urls, 1)]


def night(web: SimWeb, refs: list[Reference], cfg: LinkConfig, when: dt.datetime) -> Any:
    web.clear_log()
    return check_links(refs, cfg, resolver=web.resolver, now=lambda: when)


def rules(run: Any) -> dict[str, str]:
    return {url: result.rule for url, result in run.results.items()}


def test_a_hosts_probe_is_remembered_for_a_month(simweb: SimWeb, tmp_path: Path) -> None:
    refs, cfg = refs_of(simweb), config(tmp_path)
    first = night(simweb, refs, cfg, NIGHT)
    assert probes_to(simweb, "news.example") == 1 and probes_to(simweb, "generic.example") == 1
    gone = refs[-1].url
    assert first.results[gone].rule == "soft404-probe"

    # Nine days on every link is due again (alive ones after 7 days ± 15 %): the pages
    # are fetched, the hosts are not asked for a random path, the verdicts are the same.
    second = night(simweb, refs, cfg, NIGHT + dt.timedelta(days=9))
    assert second.checked == len(refs)
    assert probes_to(simweb, "news.example") == 0 and probes_to(simweb, "generic.example") == 0
    assert len(simweb.requests_to("generic.example")) == 2  # one request per link
    assert rules(second) == rules(first)

    # Past the 30 days the answers are old: each host is asked again, once.
    third = night(simweb, refs, cfg, NIGHT + dt.timedelta(days=40))
    assert third.checked == len(refs)
    assert probes_to(simweb, "news.example") == 1 and probes_to(simweb, "generic.example") == 1
    assert rules(third) == rules(first)


def test_a_recheck_of_all_and_a_run_without_state_ask_again(simweb: SimWeb, tmp_path: Path) -> None:
    refs = refs_of(simweb)
    night(simweb, refs, config(tmp_path), NIGHT)
    again = night(simweb, refs, config(tmp_path, recheck_all=True), NIGHT + dt.timedelta(hours=1))
    assert again.checked == len(refs) and probes_to(simweb, "news.example") == 1
    for _ in range(2):
        night(simweb, refs, config(tmp_path, state_path=None), NIGHT)
        assert probes_to(simweb, "news.example") == 1


@pytest.mark.parametrize("status", [403, 429, 503])
def test_an_answer_that_may_be_a_wall_or_a_bad_minute_is_asked_again(
    simweb: SimWeb, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, status: int
) -> None:
    """A host that answers the random path with a wall or a server error said nothing
    about its 404s: the next night asks again."""
    import checker.links.runner as runner

    real, asked = runner.fetch, []

    def walled(url: str, *args: Any, **kwargs: Any) -> FetchOutcome:
        if PROBE_PATH.fullmatch(urlsplit(url).path):
            asked.append(url)
            return FetchOutcome(url, status=status, method="GET")
        return real(url, *args, **kwargs)

    monkeypatch.setattr(runner, "fetch", walled)
    refs = refs_of(simweb)[:2]
    cfg = config(tmp_path)
    for days in (0, 9):
        simweb.clear_log()
        run = check_links(
            refs, cfg, resolver=simweb.resolver, now=lambda d=days: NIGHT + dt.timedelta(days=d)
        )
        assert run.checked == 2 and all(r.status is LinkStatus.ALIVE for r in run.results.values())
        assert len(asked) == 1 + days // 9  # asked on each night
    with open_store(cfg.state_path) as store:
        assert store.probe_get_many(["news.example"], NIGHT, dt.timedelta(days=30)) == {}


def test_a_fetch_process_uses_the_remembered_answers(simweb: SimWeb, tmp_path: Path) -> None:
    refs = refs_of(simweb)
    cfg = config(tmp_path, processes=2)
    night(simweb, refs, cfg, NIGHT)
    assert probes_to(simweb, "news.example") == 1
    second = night(simweb, refs, cfg, NIGHT + dt.timedelta(days=9))
    assert second.checked == len(refs) and probes_to(simweb, "news.example") == 0


def test_a_remembered_answer_judges_as_the_fetched_probe(simweb: SimWeb) -> None:
    """What is stored is enough: every page judged against the probe's own outcome and
    against its answer read back from the store gets the same verdict."""
    cfg = FetchConfig(deadline=5, allow_private=True)
    pages = [
        ("generic.example", "/2019/05/gone-story"),
        ("generic.example", "/article/real-story"),
        ("generic.example", "/"),
        ("spa.example", "/article/gone-story"),
        ("spa.example", "/about"),
        ("news.example", "/article/real-story"),
        ("news.example", "/to-root"),
        ("parked.example", "/2017/04/13/story"),
    ]
    compared = 0
    for site, path in pages:
        url = simweb.url(site, path)
        outcome = fetch(url, cfg, resolver=simweb.resolver)
        probe = fetch(probe_url(url), cfg, resolver=simweb.resolver)
        answer = ProbeAnswer.of(probe_key(url), probe)
        back = ProbeAnswer.from_json(answer.key, answer.to_json())
        assert back is not None and not back.fresh
        assert dataclasses.replace(back, fresh=True) == answer
        assert classify(url, outcome, back) == classify(url, outcome, probe)
        compared += answer.comparable
    assert compared >= 3  # the soft-404 hosts answered the probe with a page


@pytest.mark.parametrize(
    ("status", "error", "kept"),
    [
        (200, "", True),
        (404, "", True),
        (410, "", True),
        (403, "", False),
        (429, "", False),
        (503, "", False),
        (None, "timeout", False),
    ],
)
def test_only_definitive_answers_are_remembered(status: int | None, error: str, kept: bool) -> None:
    outcome = FetchOutcome("http://a.example/x", status=status, error=error, method="GET")
    answer = ProbeAnswer.of("a.example", outcome)
    assert answer.definitive is kept
    prober = Prober(lambda url: outcome)
    assert prober("http://a.example/page") == answer
    assert set(prober.fresh()) == ({"a.example"} if kept else set())
    back = ProbeAnswer.from_json("a.example", answer.to_json())
    assert (back is not None) is kept


@pytest.mark.parametrize(
    "payload",
    [
        "",
        "not json",
        "[]",
        '{"status": 404}',
        '{"status": "404", "final_url": "", '
        '"redirected": false, "html": false, "title": "", "text_length": 0}',
        '{"status": 503, "final_url": "", "redirected": false, "html": false, "title": "", '
        '"text_length": 0}',
    ],
)
def test_a_payload_that_is_not_an_answer_is_asked_again(payload: str) -> None:
    assert ProbeAnswer.from_json("a.example", payload) is None


def test_a_remembered_answer_is_never_fetched_again() -> None:
    fetched: list[str] = []

    def fetch_one(url: str) -> FetchOutcome:
        fetched.append(url)
        return FetchOutcome(url, status=404, method="GET")

    known = ProbeAnswer("a.example", True, 404, fresh=False)
    prober = Prober(fetch_one, {"a.example": known})
    assert prober("http://a.example/one") is known and prober.waited("http://a.example/") is known
    assert prober("http://a.example/doc.pdf") is not None  # another extension: another probe
    assert len(fetched) == 1 and fetched[0].endswith(".pdf")
    assert set(prober.fresh()) == {"a.example.pdf"}  # the remembered one is not put again


def test_the_store_reads_and_writes_many_probes(state_location: str) -> None:
    now = NIGHT
    with open_store(state_location) as store:
        keys = [f"h{i}.example" for i in range(store.MAX_KEY + 7)]  # more than one chunk
        store.probe_put_many([(k, f'"{k}"') for k in keys], now - dt.timedelta(days=31))
        store.probe_put_many([(k, f'"{k}" again') for k in keys[::2]], now)
        store.probe_put_many([], now)
        got = store.probe_get_many([*keys, "other.example"], now, dt.timedelta(days=30))
        assert got == {k: f'"{k}" again' for k in keys[::2]}
        old = store.probe_get_many(keys, now, dt.timedelta(days=40))
        assert len(old) == len(keys)


def test_the_engine_remembers_probes_between_nights(state_location: str) -> None:
    with SimWeb(farm_latency=0.02) as web:
        urls = farm_urls(web, sites=3, per_site=4)
        with open_store(state_location) as store:
            store.add_links(urls, store.now())
        base = farm_config(web, interval=0.0)
        cfg = dataclasses.replace(base, links=dataclasses.replace(base.links, probe=True))
        hosts = {u.split("/")[2] for u in urls}

        def probes() -> set[str]:
            return {s.host for s in web.spans if PROBE_PATH.fullmatch(s.path)}

        first = crawl(state_location, cfg, LocalEngine(2))
        assert first.checked == len(urls) and probes() == hosts
        with open_store(state_location) as store, store._tx() as cur:
            cur.execute("UPDATE links SET next_due = ?", (store._ts(store.now()),))
        web.clear_log()
        second = crawl(state_location, cfg, LocalEngine(2))
        assert second.checked == len(urls) and second.counts == first.counts
        assert probes() == set() and len(web.spans) == len(urls)
