"""Confirmation across nights and the schedule of the next check: pure functions of
(the stored row, one raw check, the run's time), shared by every backend.

A link is rotten only after ``confirm_checks`` failed checks whose calendar dates (in
the run's time zone) span at least ``confirm_days`` days, so three nightly runs at about
the same hour confirm on the 3rd night even when one of them runs late.  Every rot
verdict (``failing``/``dead``, ``soft-404``, ``usurped``) passes through the same
confirmation; until then it is reported as ``failing`` with its kind and count.
``blocked`` and ``transient`` verdicts are unknowns: they neither count nor reset.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import zlib
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from checker.model import LinkResult, LinkStatus

#: Raw verdicts that count toward confirmation.
COUNTS_AS_FAILURE = frozenset(
    {LinkStatus.FAILING, LinkStatus.DEAD, LinkStatus.SOFT_404, LinkStatus.USURPED}
)
#: Verdicts that prove the link works and reset the count.
COUNTS_AS_SUCCESS = frozenset({LinkStatus.ALIVE, LinkStatus.REDIRECTED})
#: Unknowns: re-checked with a growing backoff.
UNKNOWN = frozenset({LinkStatus.BLOCKED, LinkStatus.TRANSIENT})

_KIND = {LinkStatus.SOFT_404: "soft 404", LinkStatus.USURPED: "usurped"}


@dataclass(frozen=True, slots=True)
class Policy:
    """Confirmation, reuse and re-check schedule (the first four are CLI flags)."""

    confirm_checks: int = 3
    confirm_days: float = 3.0
    alive_ttl: dt.timedelta = dt.timedelta(days=7)
    confirm_now: bool = False
    timezone: str = ""  #: IANA zone whose calendar dates count; "" = this machine's
    dead_recheck: dt.timedelta = dt.timedelta(days=30)  #: to catch resurrections
    backoff_max_days: float = 14.0  #: blocked/transient: 1, 2, 4 … days up to this
    jitter: float = 0.15  #: alive TTL × U(1 − jitter, 1 + jitter), spreads the nights
    #: A host's remembered answer to the soft-404 probe (see :mod:`checker.links.probe`).
    probe_ttl: dt.timedelta = dt.timedelta(days=30)

    def local(self, when: dt.datetime) -> dt.datetime:
        return when.astimezone(ZoneInfo(self.timezone)) if self.timezone else when.astimezone()

    def days_spanned(self, since: dt.datetime, now: dt.datetime) -> int:
        """Calendar dates from ``since`` to ``now`` inclusive, in the run's time zone."""
        return (self.local(now).date() - self.local(since).date()).days + 1


# The fields in the order :func:`checked` passes them.
assert tuple(LinkResult.__dataclass_fields__) == (
    "url", "status", "rule", "detail", "hops", "final_url", "http_status", "title",
    "page_date", "elapsed_ms", "checked_at", "failures", "failing_since", "suggested_url",
)  # fmt: skip


def checked(
    raw: LinkResult, failures: int, since: dt.datetime | None, now: dt.datetime
) -> LinkResult:
    """``dataclasses.replace(raw, failures=failures, failing_since=since,
    checked_at=now)``, made by position: a third of the time, for every link of a run."""
    return LinkResult(
        raw.url, raw.status, raw.rule, raw.detail, raw.hops, raw.final_url, raw.http_status,
        raw.title, raw.page_date, raw.elapsed_ms, now, failures, since, raw.suggested_url,
    )  # fmt: skip


def confirm(
    raw: LinkResult, failures: int, since: dt.datetime | None, now: dt.datetime, policy: Policy
) -> LinkResult:
    """The verdict of one check given the count and first date of consecutive failures
    (already including this check)."""
    status, detail = raw.status, raw.detail
    if status in COUNTS_AS_FAILURE and since is not None:
        confirmed = policy.confirm_now or (
            failures >= policy.confirm_checks
            and policy.days_spanned(since, now) >= policy.confirm_days
        )
        if confirmed:
            status = LinkStatus.DEAD if status is LinkStatus.FAILING else status
        else:
            kind = _KIND.get(status)
            count = (
                f"{failures}/{policy.confirm_checks} failed checks since "
                f"{policy.local(since).date().isoformat()}"
            )
            span = f"confirmed over {policy.confirm_days:g} calendar days"
            if kind:
                detail = f"{kind}, {count}: {detail} ({kind} once {span})".replace(":  (", " (")
            else:
                detail = f"{detail} ({count}; dead once {span})".strip()
            status = LinkStatus.FAILING
    return dataclasses.replace(
        raw, status=status, detail=detail, failures=failures, failing_since=since, checked_at=now
    )


def count(
    raw: LinkStatus, failures: int, since: dt.datetime | None, now: dt.datetime
) -> tuple[int, dt.datetime | None]:
    """The confirmation counter after one more check."""
    if raw in COUNTS_AS_FAILURE:
        return failures + 1, since or now
    if raw in COUNTS_AS_SUCCESS:
        return 0, None
    return failures, since


def _unit(url: str, now: dt.datetime) -> float:
    """A stable pseudo-random number in [0, 1) for this URL and check."""
    return zlib.crc32(f"{url}\n{now.timestamp()}".encode()) / 2**32


def schedule(
    verdict: LinkResult, raw: LinkStatus, now: dt.datetime, backoff: float, policy: Policy
) -> tuple[dt.datetime | None, float]:
    """(when the link is next due, the backoff in days) after this check.

    Alive: after the TTL with jitter.  Failing: the next calendar day, so the next
    nightly run confirms it.  Confirmed rotten: rarely, to catch resurrection.
    Blocked/transient: 1, 2, 4 … days.  Anything else (invalid, unsafe): never.
    """
    if raw in COUNTS_AS_SUCCESS:
        spread = 1 + policy.jitter * (2 * _unit(verdict.url, now) - 1)
        return now + policy.alive_ttl * spread, 0.0
    if raw in COUNTS_AS_FAILURE:
        if verdict.status is LinkStatus.FAILING:
            local = policy.local(now)
            midnight = dt.datetime.combine(
                local.date() + dt.timedelta(days=1), dt.time(), tzinfo=local.tzinfo
            )
            return midnight.astimezone(dt.UTC), 0.0
        return now + policy.dead_recheck, 0.0
    if raw in UNKNOWN:
        days = min(policy.backoff_max_days, max(1.0, backoff * 2))
        return now + dt.timedelta(days=days), days
    return None, 0.0


class Night:
    """:func:`count`, :func:`confirm` and :func:`schedule` for many checks made at one
    ``now``: the values that depend only on ``now`` (its calendar date in the run's zone,
    the next local midnight, the timestamp the jitter hashes) are computed once per
    batch, not once per result.  The verdicts are exactly those of the functions."""

    def __init__(self, now: dt.datetime, policy: Policy) -> None:
        self.now, self.policy = now, policy
        local = policy.local(now)
        self._today = local.date()
        self._stamp = now.timestamp()
        midnight = dt.datetime.combine(
            self._today + dt.timedelta(days=1), dt.time(), tzinfo=local.tzinfo
        )
        self._midnight = midnight.astimezone(dt.UTC)
        self._dead_due = now + policy.dead_recheck

    def judge(
        self, raw: LinkResult, failures: int, since: dt.datetime | None, backoff: float
    ) -> tuple[LinkResult, int, dt.datetime | None, dt.datetime | None, float]:
        """(verdict, failures, failing since, next due, backoff) after this check."""
        now, policy, status = self.now, self.policy, raw.status
        failures, since = count(status, failures, since, now)
        if status in COUNTS_AS_SUCCESS:
            verdict = checked(raw, failures, since, now)
            unit = zlib.crc32(f"{raw.url}\n{self._stamp}".encode()) / 2**32
            spread = 1 + policy.jitter * (2 * unit - 1)
            return verdict, failures, since, now + policy.alive_ttl * spread, 0.0
        verdict = confirm(raw, failures, since, now, policy)
        if status in COUNTS_AS_FAILURE:
            rotten = verdict.status is not LinkStatus.FAILING
            return verdict, failures, since, self._dead_due if rotten else self._midnight, 0.0
        due, backoff = schedule(verdict, status, now, backoff, policy)
        return verdict, failures, since, due, backoff
