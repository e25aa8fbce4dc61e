"""``make demo``: the whole pipeline against the simulated web, on loopback only.

Starts :class:`~checker.testing.simweb.SimWeb`, writes a demo reference list whose URLs
point at its sites (alive pages, dead ones, soft 404s, a parked domain, a bot wall, a
flaky server, a moved page, a drifted title, date faults), and runs ``citewatch check``
on it with ``--allow-private`` (the simulated web *is* on loopback), ``--resolve`` for
its host names and ``--confirm-now`` (a one-off run has no earlier nights to confirm
against).  A local archive double (:mod:`checker.testing.archive_double`) stands in
for the Wayback Machine, holding captures for the rotten links.  Reports go to
``reports/demo/``.  Nothing leaves 127.0.0.0/8.
"""

from __future__ import annotations

import csv
import datetime as dt
import sys
import tempfile
from pathlib import Path

from click.testing import CliRunner

from checker.cli import main as cli
from checker.testing.archive_double import ArchiveDouble
from checker.testing.simweb import SimWeb
from checker.testing.spn_double import SpnDouble

#: (site, path, title, work, date, access_date)
DEMO: list[tuple[str, str, str, str, str, str]] = [
    (
        "news.example",
        "/article/real-story",
        "Real Story — Example News",
        "Example News",
        "14 March 2019",
        "20 March 2019",
    ),
    (
        "news.example",
        "/article/purge-report",
        "Purge Report — Example News",
        "Example News",
        "14 March 2019",
        "2 April 2019",
    ),
    (
        "news.example",
        "/status/404",
        "Chechnya detains 100 gay men",
        "Example News",
        "10 April 2017",
        "16 April 2017",
    ),
    (
        "news.example",
        "/status/410",
        "Rights group report withdrawn",
        "Example News",
        "26 May 2017",
        "27 May 2017",
    ),
    (
        "news.example",
        "/to-root",
        "Russia investigates 'gay purge'",
        "Example News",
        "26 May 2017",
        "27 May 2017",
    ),
    (
        "spa.example",
        "/2017/05/25/camp-destroyed",
        "Camp has been destroyed",
        "Pink Paper",
        "25 May 2017",
        "31 May 2017",
    ),
    (
        "parked.example",
        "/2019/01/11/new-purge",
        "Chechnya launches new purge",
        "Parked Times",
        "11 January 2019",
        "14 January 2019",
    ),
    (
        "botwall.example",
        "/a/29960776.html",
        "Complaint filed with European court",
        "Radio",
        "24 May 2019",
        "28 June 2019",
    ),
    (
        "flaky.example",
        "/story?fail=5",
        "Flaky server story",
        "Flaky Post",
        "1 May 2019",
        "2 May 2019",
    ),
    (
        "news.example",
        "/chain/301/2",
        "Chain End — Example News",
        "Example News",
        "14 March 2019",
        "20 March 2019",
    ),
    (
        "news.example",
        "/drifted",
        "Activists helping gays escape face threats",
        "Example News",
        "29 May 2019",
        "28 June 2019",
    ),
    (
        "news.example",
        "/article/osce-report",
        "Osce Report — Example News",
        "Example News",
        "December 21, 2018",
        "13 January 2018",
    ),
    (
        "down.example",
        "/news/1",
        "A story on a host that is down",
        "Down Daily",
        "1 May 2019",
        "2 May 2019",
    ),
    (
        "down.example",
        "/news/2",
        "Another story on the host that is down",
        "Down Daily",
        "2 May 2019",
        "3 May 2019",
    ),
    (
        "news.example",
        "/status/503",
        "Server error story",
        "Example News",
        "1 May 2019",
        "2 May 2019",
    ),
]


def write_demo_list(web: SimWeb, path: Path, archive: ArchiveDouble | None = None) -> None:
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(
            ["id", "url", "title", "work", "date", "access_date", "archive_url", "archive_date",
             "quote"]
        )  # fmt: skip
        for index, (site, route, title, work, date, access) in enumerate(DEMO, 1):
            writer.writerow([index, web.url(site, route), title, work, date, access, "", "", ""])
        if archive is not None:
            for row in protect_rows(web, archive, len(DEMO) + 1):
                writer.writerow(row)


# --- protect and verify: a quote only the snapshot still has, and a rewritten page ------
HARBOUR = (
    "The committee met on Tuesday to review the harbour plan. After three hours of debate "
    "the chair said the city would not relent on the question of public access to the "
    "waterfront, whatever the developers offered. Residents who attended welcomed the "
    "decision, while the developers said they would study the ruling before deciding on "
    "an appeal. The plan now goes to the full council, which votes next month on the "
    "budget for the first phase of the works along the northern quay."
)
FESTIVAL = (
    "Council officials confirmed on Friday that the summer festival will move to the old "
    "railway yard. Organisers expect more visitors than last year and have asked for extra "
    "trains on the weekend. Local shops along the high street plan longer opening hours, "
    "and the police will close two roads near the station during the parade. Tickets go "
    "on sale in March, with discounts for students and pensioners across the region."
)
#: Keys for the local SPN2 double only (it accepts nothing else); real keys come from
#: the environment of a real run.
DEMO_KEYS = {"CITEWATCH_IA_ACCESS": "demo-access", "CITEWATCH_IA_SECRET": "demo-secret"}


def _html(title: str, text: str) -> str:
    return (
        f"<html><head><title>{title}</title></head><body><nav>Home · City · Sport</nav>"
        f"<main><article><h1>{title}</h1><p>{text}</p></article></main>"
        "<footer>© Example News</footer></body></html>"
    )


def protect_rows(web: SimWeb, archive: ArchiveDouble, first: int) -> list[list[str]]:
    """A page that dropped the cited quote (its snapshot still has it) and a page
    rewritten since it was cited (content drift against the snapshot)."""
    quoted = web.url("news.example", "/demo/harbour-plan")
    drifted = web.url("blog.example", "/demo/harbour-works")
    title = "Harbour plan — Example News"
    web.set_page("news.example", "/demo/harbour-plan", _html(title, HARBOUR.replace(
        "would not relent on", "was open to compromise on")))  # fmt: skip
    web.set_page("blog.example", "/demo/harbour-works", _html(title, FESTIVAL))
    stamp = "20190501120000"
    for url in (quoted, drifted):
        archive.add_capture(url, stamp, body=_html(title, HARBOUR))
    return [
        [str(first), quoted, title, "Example News", "1 May 2019", "2 May 2019",
         f"https://web.archive.org/web/{stamp}/{quoted}", "1 May 2019",
         "the city would not relent on the question of public access"],
        [str(first + 1), drifted, title, "Example Blog", "1 May 2019", "2 May 2019",
         f"https://web.archive.org/web/{stamp}/{drifted}", "1 May 2019", ""],
    ]  # fmt: skip


def stock_archive(web: SimWeb, archive: ArchiveDouble) -> None:
    """Captures for the demo's rotten links: good ones, a soft-404 capture that must be
    passed over for an earlier good one, a parked capture, and one link never archived."""
    for site, route, title, _, _, access in DEMO:
        url = web.url(site, route)
        day = dt.datetime.strptime(access, "%d %B %Y") if access[0].isdigit() else None
        if day is None or (site == "down.example" and route.endswith("/2")):
            continue  # never archived
        good = day - dt.timedelta(hours=12)  # the evening before the retrieval
        archive.add_capture(url, good.strftime("%Y%m%d%H%M%S"), title=title)
        if site == "spa.example":  # closer to the retrieval, but already an error page
            archive.add_capture(url, f"{day:%Y%m%d}060000", title="Page not found — SPA")
        if site == "parked.example":
            archive.add_capture(url, "20240101000000", title="This domain is for sale!")


def run(out_dir: Path) -> int:
    access, secret = DEMO_KEYS.values()
    with (
        SimWeb() as web,
        ArchiveDouble() as archive,
        SpnDouble(access=access, secret=secret, archive=archive) as spn,
        tempfile.TemporaryDirectory() as tmp,
    ):
        stock_archive(web, archive)
        out_dir.mkdir(parents=True, exist_ok=True)
        refs = out_dir / "demo-references.csv"
        write_demo_list(web, refs, archive)
        args = [
            "check",
            str(refs),
            "--out",
            str(out_dir),
            "--confirm-now",
            "--state",
            str(Path(tmp) / "state.sqlite"),
            "--timeout",
            "5",
            "--fail-on",
            "never",
            *web.cli_args(),
            *archive.cli_args(),
            *("--save", "--save-url", spn.base_url, "--save-poll", "0.05"),
        ]
        result = CliRunner(env=dict(DEMO_KEYS)).invoke(cli, args)
        print(result.output, end="")
        print(f"demo report: {out_dir / 'index.html'}")
        return result.exit_code


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("reports/demo")
    sys.exit(run(out))


if __name__ == "__main__":
    main()
