"""Outage safety, judged from the run's own evidence."""

from __future__ import annotations

from checker.links.outage import judge
from checker.model import Hop, LinkResult, LinkStatus


def failed(url: str, error: str = "dns") -> tuple[str, LinkResult]:
    return url, LinkResult(
        url,
        LinkStatus.FAILING,
        f"conn-{error}",
        hops=(Hop("HEAD", url, error=error), Hop("GET", url, error=error)),
    )


def answered(url: str, status: int = 200) -> tuple[str, LinkResult]:
    state = LinkStatus.ALIVE if status == 200 else LinkStatus.FAILING
    return url, LinkResult(url, state, "x", hops=(Hop("GET", url, status),))


def test_every_host_failing_dns_is_an_unusable_network() -> None:
    verdict = judge(
        dict(
            [
                failed("http://a.example/1"),
                failed("http://b.example/2"),
                failed("http://c.example/3", "refused"),
            ]
        )
    )
    assert not verdict.usable
    assert "unusable" in verdict.reason and verdict.hosts_checked == 3


def test_one_answering_host_means_the_network_works() -> None:
    verdict = judge(
        dict(
            [
                failed("http://a.example/1"),
                failed("http://b.example/2"),
                answered("http://c.example/3", 404),
            ]
        )
    )
    assert verdict.usable


def test_a_single_failing_host_is_not_a_network_outage() -> None:
    assert judge(dict([failed("http://a.example/1")])).usable


def test_host_outage_grouped() -> None:
    verdict = judge(
        dict(
            [
                failed("http://down.example/1", "refused"),
                failed("http://down.example/2", "refused"),
                failed("http://gone.example/1"),
                answered("http://up.example/1"),
                answered("http://up.example/2", 404),
            ]
        )
    )
    assert verdict.usable
    assert [(o.host, o.urls, o.errors) for o in verdict.outages] == [
        ("down.example", 2, ("refused",))
    ]


def test_http_errors_are_not_connection_failures() -> None:
    verdict = judge(
        dict([answered("http://a.example/1", 404), answered("http://b.example/1", 410)])
    )
    assert verdict.usable and verdict.outages == ()
