"""What to do with each SPN2 error code: the "Error codes" table of the "Save Page Now 2
Public API Docs Draft", sorted by who can fix it.  Nothing is retried within a run.

``RUN``  the account or the service is at a limit: stop saving for the rest of the run.
``WAIT`` the account's concurrent sessions are full: wait for a running job, then try
         this URL once more; with no job of ours running, stop (someone else uses them).
``HOST`` the target host turns SPN2 away (its own 429): no more captures of that host
         this run (the draft: captures of that host are delayed 10-20 s for 60 s).
``URL``  this URL cannot be captured (blocked, 4xx, bad syntax, over 2 GB): not asked
         again for ``NEVER_AGAIN`` days.
``LATER`` a passing fault of SPN2 or the target (timeouts, 5xx, overload): asked again
         on a run after ``LATER_AFTER``; never in this run.
"""

from __future__ import annotations

import datetime as dt
import enum


class Action(enum.Enum):
    RUN = "stop saving for this run"
    WAIT = "wait for a running job, then try once more"
    HOST = "no more captures of this host in this run"
    URL = "not asked again for 30 days"
    LATER = "asked again on a later run"


NEVER_AGAIN = dt.timedelta(days=30)
LATER_AFTER = dt.timedelta(days=1)

ACTIONS: dict[str, Action] = {
    # account or service limits
    "error:max-daily-bandwidth": Action.RUN,
    "error:max-daily-bandwidth-from-ip": Action.RUN,
    "error:blocked-client-ip": Action.RUN,
    "error:user-session-limit": Action.WAIT,
    # the target host pushes back
    "error:too-many-requests": Action.HOST,
    "error:max-daily-bandwidth-host": Action.HOST,
    "error:bandwidth-limit-exceeded": Action.HOST,
    # this URL cannot be captured
    "error:blocked": Action.URL,
    "error:blocked-url": Action.URL,
    "error:filesize-limit": Action.URL,
    "error:ftp-access-denied": Action.URL,
    "error:invalid-url-syntax": Action.URL,
    "error:method-not-allowed": Action.URL,
    "error:not-implemented": Action.URL,
    "error:network-authentication-required": Action.URL,
    "error:no-access": Action.URL,
    "error:not-found": Action.URL,
    "error:unauthorized": Action.URL,
    "error:bad-request": Action.URL,
    "error:http-version-not-supported": Action.URL,
    "error:too-many-redirects": Action.URL,
    # this URL, today: it was captured 10 times already
    "error:too-many-daily-captures": Action.LATER,
    # passing faults
    "error:bad-gateway": Action.LATER,
    "error:browsing-timeout": Action.LATER,
    "error:capture-location-error": Action.LATER,
    "error:cannot-fetch": Action.LATER,
    "error:celery": Action.LATER,
    "error:gateway-timeout": Action.LATER,
    "error:internal-server-error": Action.LATER,
    "error:invalid-server-response": Action.LATER,
    "error:invalid-host-resolution": Action.LATER,
    "error:job-failed": Action.LATER,
    "error:no-browsers-available": Action.LATER,
    "error:proxy-error": Action.LATER,
    "error:protocol-error": Action.LATER,
    "error:read-timeout": Action.LATER,
    "error:soft-time-limit-exceeded": Action.LATER,
    "error:service-unavailable": Action.LATER,
}


def action_for(status_ext: str) -> Action:
    """The action for an error code; an undocumented one is a passing fault."""
    return ACTIONS.get(status_ext.strip().lower(), Action.LATER)


def retry_after(action: Action) -> dt.timedelta:
    """How long a failed URL waits before it is asked again (on a later run)."""
    return NEVER_AGAIN if action is Action.URL else LATER_AFTER
