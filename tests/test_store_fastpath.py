"""The write path's fast forms give exactly what the plain functions give: the orjson
encoding of a verdict and the per-batch :class:`Night` (confirmation and schedule)."""

from __future__ import annotations

import datetime as dt
import json
import random
from zoneinfo import ZoneInfo

import pytest

from checker.model import Hop, LinkResult, LinkStatus
from checker.store.codec import _result_to_json_slow, result_from_json, result_to_json
from checker.store.policy import Night, Policy, confirm, count, schedule

NOW = dt.datetime(2026, 11, 1, 3, 4, 5, 123, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    "result",
    [
        LinkResult("http://a.example/", LinkStatus.ALIVE, "ok"),
        LinkResult(
            'http://ex.example/é?q="x"\\',
            LinkStatus.FAILING,
            "http-404",
            "gone \u2028 — ünïcode",
            hops=(
                Hop("HEAD", "http://ex.example/", 404, "", "", 12),
                Hop("GET", "http://ex.example/", None, "timeout"),
            ),
            http_status=404,
            checked_at=NOW,
            failures=2,
            failing_since=NOW.astimezone(ZoneInfo("America/St_Johns")),
        ),
        LinkResult(
            "http://b.example/", LinkStatus.DEAD, "dns", checked_at=NOW.replace(tzinfo=None)
        ),
    ],
)
def test_orjson_encoding_equals_the_standard_library(result: LinkResult) -> None:
    fast = result_to_json(result)
    assert json.loads(fast) == json.loads(_result_to_json_slow(result))
    assert result_from_json(fast) == result


def test_a_value_orjson_refuses_takes_the_slow_path() -> None:
    result = LinkResult("http://a.example/\udcff", LinkStatus.ALIVE, "ok", elapsed_ms=2**70)
    assert result_to_json(result) == _result_to_json_slow(result)
    assert result_from_json(result_to_json(result)) == result


@pytest.mark.parametrize("zone", ["", "UTC", "Europe/Paris", "Pacific/Kiritimati"])
def test_night_judges_as_the_functions_do(zone: str) -> None:
    rng = random.Random(zone)
    policies = [
        Policy(timezone=zone),
        Policy(timezone=zone, confirm_now=True),
        Policy(timezone=zone, confirm_checks=1, confirm_days=1),
    ]
    for policy in policies:
        for _ in range(60):
            now = NOW + dt.timedelta(
                seconds=rng.randrange(10**8), microseconds=rng.randrange(10**6)
            )
            night = Night(now, policy)
            for status in LinkStatus:
                raw = LinkResult(f"http://x{rng.random()}.example/", status, "r", "d")
                failures = rng.choice([0, 1, 2, 5])
                since = now - dt.timedelta(days=rng.uniform(0, 5)) if failures else None
                backoff = rng.choice([0.0, 1.0, 8.0])
                new_failures, new_since = count(status, failures, since, now)
                verdict = confirm(raw, new_failures, new_since, now, policy)
                due, new_backoff = schedule(verdict, status, now, backoff, policy)
                expected = (verdict, new_failures, new_since, due, new_backoff)
                assert night.judge(raw, failures, since, backoff) == expected


def test_checked_is_dataclasses_replace() -> None:
    """The verdict made by position equals ``dataclasses.replace`` field for field, on
    results with every field set to a value of its own."""
    import dataclasses

    from checker.store.policy import checked

    rng = random.Random(5)
    since = NOW - dt.timedelta(days=3)
    for n in range(200):
        raw = LinkResult(
            f"http://h{n}.example/{rng.random()}",
            rng.choice(list(LinkStatus)),
            f"rule-{n}",
            f"detail {n}",
            hops=(Hop("GET", f"http://h{n}.example/", 200, "", "", n),),
            final_url=f"http://final{n}.example/",
            http_status=rng.choice([None, 200, 404]),
            title=f"title {n}",
            page_date="2020-01-02",
            elapsed_ms=n,
            checked_at=NOW - dt.timedelta(days=1),
            failures=rng.randrange(5),
            failing_since=rng.choice([None, NOW]),
            suggested_url=f"http://new{n}.example/",
        )
        failures, when = rng.randrange(5), rng.choice([None, since])
        made = checked(raw, failures, when, NOW)
        assert made == dataclasses.replace(
            raw, failures=failures, failing_since=when, checked_at=NOW
        )
        assert [getattr(made, f) for f in LinkResult.__dataclass_fields__] == [
            getattr(dataclasses.replace(raw, failures=failures, failing_since=when,
                                        checked_at=NOW), f)
            for f in LinkResult.__dataclass_fields__
        ]  # fmt: skip
