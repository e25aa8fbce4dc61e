"""Does the source still say it?  Quote matching and content drift: the text measures on
their own, then the stage through the simulated web and the archive double."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from checker.archive.client import ArchiveConfig
from checker.links.fetch import FetchConfig
from checker.links.scheduler import Politeness
from checker.model import (
    ArchiveResult,
    ArchiveStatus,
    Finding,
    LinkResult,
    LinkStatus,
    Reference,
)
from checker.testing.archive_double import ArchiveDouble
from checker.testing.simweb import SimWeb
from checker.verify import VerifyConfig, verify
from checker.verify.text import (
    closest_passage,
    find_quote,
    main_text,
    page_text,
    similarity,
)

STORY = (
    "The committee met on Tuesday to review the harbour plan. After three hours of debate "
    "the chair said the city would not relent on the question of public access to the "
    "waterfront, whatever the developers offered. Residents who attended welcomed the "
    "decision, while the developers said they would study the ruling before deciding on "
    "an appeal. The plan now goes to the full council, which votes next month on the "
    "budget for the first phase of the works along the northern quay."
)
REWRITE = (
    "Council officials confirmed on Friday that the summer festival will move to the old "
    "railway yard. Organisers expect more visitors than last year and have asked for extra "
    "trains on the weekend. Local shops along the high street plan longer opening hours, "
    "and the police will close two roads near the station during the parade. Tickets go "
    "on sale in March, with discounts for students and pensioners across the region."
)


def html_page(text: str, nav: str = "Home · News · Sport · Contact", foot: str = "© 2019") -> str:
    return (
        "<!doctype html><html><head><title>Harbour plan — Example News</title></head><body>"
        f"<header><nav><a href='/'>{nav}</a></nav></header><main><article>"
        f"<h1>Harbour plan</h1><p>{text}</p></article></main>"
        f"<footer><p>{foot}</p><p>Cookie settings · Privacy · Terms</p></footer></body></html>"
    )


# --- the text measures ------------------------------------------------------------------


def test_quote_found_verbatim_and_normalised() -> None:
    page = page_text(
        "<p>The chair said the city &ldquo;would not re\u00adlent&rdquo; &mdash; "
        "whatever   the <b>developers</b>\u00a0offered.</p>"
    )
    assert find_quote("the city would not relent", page)
    assert find_quote('The City "Would Not Relent" - whatever the developers offered', page)
    assert find_quote("would not re\u00adlent \u2014 whatever", page)
    assert find_quote("would not relent &#8212; whatever the developers offered", page)
    assert not find_quote("would never relent", page)
    assert not find_quote("ity would", page)  # words, not fragments
    assert not find_quote("", page)


def test_an_ellipsis_matches_any_gap_in_order() -> None:
    text = page_text(html_page(STORY))
    assert find_quote("The committee met … the city would not relent", text)
    assert find_quote("the chair said ... public access [...] whatever the developers", text)
    assert not find_quote("the city would not relent … The committee met", text)
    assert not find_quote("the committee met … on the moon", text)


def test_closest_passage_of_a_changed_quote() -> None:
    text = page_text(html_page(STORY))
    passage = closest_passage("the city would never give in on public access", text)
    assert passage is not None
    assert "public access" in passage.text and 0.5 < passage.similarity < 1.0


def test_similarity_same_rewritten_and_boilerplate_only() -> None:
    assert similarity(STORY, STORY) == 1.0
    assert similarity(STORY, REWRITE) < 0.1
    before = html_page(STORY)
    after = html_page(
        STORY,
        nav="Start · Politics · Weather · Jobs · Shop · Newsletter · Podcasts",
        foot="© 2026 Example Media Group. All rights reserved. Sign up for our newsletter.",
    )
    assert similarity(main_text(before), main_text(after)) > 0.9
    assert "Cookie settings" not in main_text(after)


# --- the stage through SimWeb and the archive double -------------------------------------

SNAPSHOT_TS = "20190502120000"


@pytest.fixture(scope="module")
def ia() -> Iterator[ArchiveDouble]:
    with ArchiveDouble() as double:
        yield double


def run(
    simweb: SimWeb,
    ia: ArchiveDouble,
    refs: list[Reference],
    status: LinkStatus = LinkStatus.ALIVE,
    archives: dict[str, ArchiveResult] | None = None,
    budget: int = 10,
    quote_cap: int = 4 * 1024 * 1024,
) -> list[Finding]:
    links = {r.url: LinkResult(r.url, status, "http-200") for r in refs}
    settings = VerifyConfig(
        fetch=FetchConfig(allow_private=True, deadline=5, body_cap=64 * 1024),
        politeness=Politeness(8, 2, 0.0),
        archive=ArchiveConfig.for_endpoint(ia.base_url, rate_per_minute=6000),
        snapshot_budget=budget,
        quote_body_cap=quote_cap,
    )
    return list(
        verify(refs, links, archives or {}, {}, settings, resolver=simweb.resolver).findings
    )


def cited(simweb: SimWeb, ia: ArchiveDouble, path: str, live: str, archived: str | None,
          quote: str = "") -> Reference:  # fmt: skip
    url = simweb.url("news.example", path)
    simweb.set_page("news.example", path, live)
    archive_url = ""
    if archived is not None:
        ia.add_capture(url, SNAPSHOT_TS, body=archived)
        archive_url = f"https://web.archive.org/web/{SNAPSHOT_TS}/{url}"
    return Reference(
        id=path.strip("/"),
        url=url,
        title="Harbour plan",
        access_date="1 May 2019",
        archive_url=archive_url,
        quote=quote,
    )


def codes(findings: list[Finding]) -> dict[str | None, list[str]]:
    out: dict[str | None, list[str]] = {}
    for f in findings:
        out.setdefault(f.ref_id, []).append(f.code)
    return out


def test_quotes_through_the_live_page_and_the_snapshot(simweb: SimWeb, ia: ArchiveDouble) -> None:
    quote = "the city would not relent on the question of public access"
    changed = STORY.replace("would not relent", "might yet compromise")
    refs = [
        cited(simweb, ia, "/q-found", html_page(STORY), None, quote),
        cited(
            simweb,
            ia,
            "/q-normalised",
            html_page(STORY.replace("would not relent", "would\u00a0not re&shy;lent")),
            None,
            "The City “would NOT relent” on the question of public access",
        ),
        cited(
            simweb,
            ia,
            "/q-ellipsis",
            html_page(STORY),
            None,
            "The committee met … the city would not relent",
        ),
        cited(simweb, ia, "/q-changed", html_page(changed), html_page(STORY), quote),
        cited(simweb, ia, "/q-nowhere", html_page(changed), html_page(changed), quote),
        cited(simweb, ia, "/q-live-only", html_page(changed), None, quote),
    ]
    found = codes(run(simweb, ia, refs))
    assert "q-found" not in found
    assert "q-normalised" not in found
    assert "q-ellipsis" not in found
    assert found["q-changed"] == ["quote-found-in-snapshot-only"]
    assert found["q-nowhere"] == ["quote-missing-everywhere"]
    assert found["q-live-only"] == ["quote-missing-live"]
    message = next(f for f in run(simweb, ia, refs[5:]) if f.ref_id == "q-live-only").message
    assert "closest passage (similarity 0." in message and "might yet compromise" in message


def test_a_dead_link_quote_is_searched_in_its_snapshot(simweb: SimWeb, ia: ArchiveDouble) -> None:
    quote = "the city would not relent"
    ok = cited(simweb, ia, "/q-dead-ok", "", html_page(STORY), quote)
    bad = cited(simweb, ia, "/q-dead-bad", "", html_page(REWRITE), quote)
    found = codes(run(simweb, ia, [ok, bad], LinkStatus.DEAD))
    assert found == {"q-dead-bad": ["quote-missing-everywhere"]}


def test_drift_same_rewritten_and_boilerplate_only(simweb: SimWeb, ia: ArchiveDouble) -> None:
    refs = [
        cited(simweb, ia, "/d-same", html_page(STORY), html_page(STORY)),
        cited(simweb, ia, "/d-rewritten", html_page(REWRITE), html_page(STORY)),
        cited(
            simweb,
            ia,
            "/d-boilerplate",
            html_page(
                STORY,
                nav="Start · Politics · Weather · Jobs · Shop · Podcasts · Newsletter",
                foot="© 2026 Example Media Group. All rights reserved. Sign up today.",
            ),
            html_page(STORY),
        ),
    ]
    findings = run(simweb, ia, refs)
    assert codes(findings) == {"d-rewritten": ["content-drift"]}
    drift = findings[0]
    assert "similarity 0.0" in drift.message and "below 0.5" in drift.message
    assert SNAPSHOT_TS in drift.suggestion


def test_the_archive_stage_snapshot_is_used_too(simweb: SimWeb, ia: ArchiveDouble) -> None:
    ref = cited(simweb, ia, "/d-rescued", html_page(REWRITE), None)
    ia.add_capture(ref.url, "20190501000000", body=html_page(STORY))
    from checker.archive.rescue import _snapshot

    snap = _snapshot(
        f"{ia.base_url}/web/20190501000000/{ref.url}", ref.url, "20190501000000", None,
        "Harbour plan", "ok", "cdx",
    )  # fmt: skip
    archives = {ref.url: ArchiveResult(ref.url, ArchiveStatus.FOUND, snap)}
    assert codes(run(simweb, ia, [ref], archives=archives)) == {"d-rescued": ["content-drift"]}


def test_snapshots_over_the_budget_are_skipped_and_said(simweb: SimWeb, ia: ArchiveDouble) -> None:
    refs = [
        cited(simweb, ia, "/b-1", html_page(REWRITE), html_page(STORY)),
        cited(simweb, ia, "/b-2", html_page(REWRITE), html_page(STORY)),
    ]
    # Distinct captures so none is in the per-run memo.
    ia.add_capture(refs[1].url, "20190502120001", body=html_page(STORY))
    findings = run(simweb, ia, refs, budget=1)
    skipped = [f for f in findings if f.code == "verify-skipped"]
    assert len(skipped) == 1 and skipped[0].ref_id is None
    assert "1 snapshot(s) not fetched" in skipped[0].message and "budget of 1" in skipped[0].message
    assert codes(findings)["b-1"] == ["content-drift"]


def test_a_quote_deep_in_a_long_page_is_read_with_the_larger_cap(
    simweb: SimWeb, ia: ArchiveDouble
) -> None:
    filler = "Lorem ipsum dolor sit amet, consectetur adipiscing elit. " * 5000  # ~290 KB
    ref = cited(simweb, ia, "/q-deep", html_page(filler + STORY), None, "would not relent")
    assert run(simweb, ia, [ref]) == []  # 4 MiB for quoted pages; the link cap is 64 KiB
    capped = run(simweb, ia, [ref], quote_cap=64 * 1024)
    assert [f.code for f in capped] == ["quote-missing-live"]
