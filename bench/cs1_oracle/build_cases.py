"""Build tests/data/cs1_dates/cases.tsv: the date strings scored against Module:Citation/CS1.

Sources (the ``source`` column):

* ``seed``: every date, access date and archive date of the seed list (references.csv,
  tests/data/article.wiki, data/seed/*.txt);
* ``help-cs1-errors``: the examples of unacceptable and acceptable dates of Wikipedia's
  Help:CS1 errors (table "Examples of unacceptable dates and how to fix them");
* ``issue-11``: the shapes named in citewatch issue 11;
* ``cs1-shapes``: each shape of the module's pattern list (Help:Citation Style 1, "Dates")
  written right and with the usual slips.

Run: .venv/bin/python bench/cs1_oracle/build_cases.py  (then regenerate.py for verdicts)
"""

from __future__ import annotations

import csv
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "tests" / "data" / "cs1_dates" / "cases.tsv"
FIELD_PARAM = {"date": "date", "access_date": "access-date", "archive_date": "archive-date"}
WIKI_PARAM = re.compile(
    r"\|\s*(date|access-date|accessdate|archive-date|archivedate)\s*=\s*([^|}\n]*)"
)

HELP_CS1_ERRORS = [
    ("date", "2002-2003"),
    ("date", "2002–2003"),
    ("date", "2002/2003"),
    ("date", "July/August 2003"),
    ("date", "July–August 2003"),
    ("date", "April-May 2004"),
    ("date", "April–May 2004"),
    ("date", "April 2003–May 2004"),
    ("date", "April 2003 – May 2004"),
    ("date", "28 february 1900"),
    ("date", "28 FEBRUARY 1900"),
    ("date", "28 February 1900"),
    ("date", "spring 2011"),
    ("date", "Spring 2011"),
    ("date", "2102"),
    ("date", "2012"),
    ("access-date", "1 January 2000"),
    ("access-date", "1 January 2001"),
    ("access-date", "1 January 2010"),
    ("access-date", "January 2015"),
    ("access-date", "12 January 2015"),
    ("date", "2002-03"),
    ("date", "March 2002"),
    ("date", "Febr. 28, 1900"),
    ("date", "Feb 28, 1900"),
    ("date", "February 28, 1900"),
    ("date", "February 29, 1900"),
    ("date", "Undated"),
    ("date", "n.d."),
    ("date", "February, 1900"),
    ("date", "February 1900"),
    ("date", "Winter, 1900–1901"),
    ("date", "Winter 1900–1901"),
    ("date", "February 28 1990"),
    ("date", "February 28, 1990"),
    ("date", "28 February 1990"),
    ("date", "2008, originally 2000"),
    ("date", "2008"),
    ("date", "January 04, 1987"),
    ("date", "January 4, 1987"),
    ("date", "12/6/87"),
    ("date", "December 6, 1987"),
    ("date", "12 June 1987"),
    ("date", "87-12-06"),
    ("date", "1987-12-06"),
    ("date", "2007-3-6"),
    ("date", "2007-03-06"),
    ("date", "[[April 1]], [[1999]]"),
    ("date", "April 1, 1999"),
    ("date", "07-12-2009"),
    ("date", "7 December 2009"),
    ("date", "12 July 2009"),
    ("date", "July 12, 2009"),
    ("date", "December 7, 2009"),
    ("date", "29 February 2011"),
    ("date", "Monday, June 6, 2011"),
    ("date", "June 06, 2011"),
    ("date", "1 May 2014 (online only)"),
    ("date", "c. 1900"),
    ("date", "circa 1900"),
    ("date", "1900?"),
]

ISSUE_11 = [
    ("date", "13 April 2017a"),
    ("date", "2017–2018a"),
    ("date", "c. 1900a"),
    ("date", "n.d.a"),
    ("date", "999"),
    ("date", "1 January 999"),
    ("date", "c. 950"),
    ("date", "29 February 1500"),
    ("date", "Spring 2017 – Summer 2018"),
    ("date", "Easter 2017"),
    ("date", "Christmas 2017"),
    ("date", "January 04, 1987"),
    ("date", "1500-02-03"),
    ("date", "1 May – 3 May 2017"),
    ("date", "May 2017 – June 2017"),
    ("date", "May–May 2017"),
    ("date", "Jan–March 2017"),
    ("date", "Spring 2017–18"),
    ("date", "Winter 2017–18"),
    ("date", "Summer 2017–2018"),
    ("date", "Quarter 1 2017"),
    ("date", "Q1 2017"),
    ("date", "First Quarter 2017"),
    ("date", "2003–05"),
    ("date", "2003–13"),
    ("date", "2025–2028"),
    ("date", "2025–2027"),
    ("date", "c.1900"),
    ("access-date", "n.d."),
    ("archive-date", "n.d."),
    ("date", "2002-2003"),
    ("date", "1-3 May 2017"),
]

MONTHS = ["January", "Jan", "February", "Feb", "March", "May", "June", "Sep", "September"]


def cs1_shapes() -> list[tuple[str, str]]:
    """Each shape of the module's list, right and with slips (hand-picked, not random)."""
    cases: list[tuple[str, str]] = []
    add = cases.append
    for m in MONTHS:
        add(("date", f"3 {m} 2015"))
        add(("date", f"{m} 3, 2015"))
        add(("date", f"{m} 2015"))
        add(("date", f"03 {m} 2015"))
        add(("date", f"{m} 3 2015"))
    for text in [
        # ymd
        "2015-06-30",
        "2015-06-31",
        "2015-13-01",
        "2015-00-10",
        "2015-06-00",
        "2016-02-29",
        "2015-02-29",
        "1900-02-29",
        "2000-02-29",
        "1582-10-15",
        "1581-12-31",
        "2015-6-30",
        "2015/06/30",
        "20150630",
        "2015-06",
        # dmy / mdy
        "31 June 2015",
        "30 June 2015",
        "29 February 2016",
        "29 February 1900",
        "29 February 1600",
        "29 February 1300",
        "29 February 1301",
        "29 February 1700",
        "0 June 2015",
        "32 May 2015",
        "1 Sept 2015",
        "1 Sept. 2015",
        "1 Jun. 2015",
        "1st June 2015",
        "June 1st, 2015",
        "June 1,2015",
        "June  1, 2015",
        "1 June, 2015",
        "1 june 2015",
        "1 JUNE 2015",
        "June 1, 2015a",
        "1 June 2015b",
        "2015-06-01a",
        "1 June 0999",
        "1 June 099",
        "June 1, 999",
        "1 June 2027",
        "1 June 2028",
        # years
        "2015",
        "2015a",
        "2015ab",
        "2015A",
        "0999",
        "099",
        "99",
        "100",
        "1000",
        "2027",
        "2028",
        "9999",
        "'15",
        "2015s",
        "2010s",
        # year ranges
        "2014–2015",
        "2014–15",
        "2014-15",
        "2014–2014",
        "2015–2014",
        "2014 – 2015",
        "2014—2015",
        "1999–2000",
        "1999–00",
        "1998–99",
        "2009–10",
        "2010–12",
        "2010–13",
        "999–1000",
        "999–1001",
        "1000–999",
        "2026–27",
        "2026–28",
        "2026–2028",
        "2014–2015b",
        "2014/15",
        # day ranges
        "1–3 June 2015",
        "3–1 June 2015",
        "3–3 June 2015",
        "1 – 3 June 2015",
        "1—3 June 2015",
        "June 1–3, 2015",
        "June 3–1, 2015",
        "June 1 – 3, 2015",
        "June 1-3, 2015",
        "30–31 June 2015",
        "28–29 February 2015",
        "28–29 February 2016",
        "1–3 June 2015a",
        "June 1–3, 2015a",
        "01–03 June 2015",
        # day-month ranges
        "30 May – 1 June 2015",
        "30 May–1 June 2015",
        "30 May - 1 June 2015",
        "1 June – 30 May 2015",
        "30 May – 1 Jun 2015",
        "30 May – 1 June 2015a",
        "May 30 – June 1, 2015",
        "May 30–June 1, 2015",
        "June 1 – May 30, 2015",
        "May 30 - June 1, 2015",
        "May 30 – Jun 1, 2015",
        "Jan 30 – Feb 1, 2015",
        "30 Jan – 1 Feb 2015",
        "30 Jan – 1 February 2015",
        # full ranges
        "30 December 2014 – 1 January 2015",
        "30 December 2014–1 January 2015",
        "30 December 2014 - 1 January 2015",
        "30 December 2015 – 1 January 2014",
        "1 January 2015 – 3 January 2015",
        "30 Dec 2014 – 1 Jan 2015",
        "30 Dec 2014 – 1 January 2015",
        "December 30, 2014 – January 1, 2015",
        "December 30, 2014 - January 1, 2015",
        "Dec 30, 2014 – Jan 1, 2015",
        "December 30, 2014 – Jan 1, 2015",
        "30 December 2026 – 1 January 2028",
        "December 30, 2026 – January 1, 2028",
        "30 December 2014 – 1 January 2015a",
        # month ranges
        "June–July 2015",
        "July–June 2015",
        "June–June 2015",
        "June-July 2015",
        "June – July 2015",
        "Jun–Jul 2015",
        "June–Jul 2015",
        "Jun–July 2015",
        "May–Jun 2015",
        "May–June 2015",
        "Apr–May 2015",
        "April–May 2015",
        "June–July 2015a",
        "December 2014 – January 2015",
        "Dec 2014 – Jan 2015",
        "December 2014 – Jan 2015",
        "December 2014–January 2015",
        "December 2014 - January 2015",
        "January 2015 – December 2014",
        "June 2015 – July 2015",
        "December 2026 – January 2028",
        "December 2014 – January 2015a",
        # seasons, quarters, named dates
        "Winter 2015",
        "Spring 2015",
        "Summer 2015",
        "Fall 2015",
        "Autumn 2015",
        "winter 2015",
        "Spring 2015a",
        "Summer 2028",
        "Summer 2027",
        "Spring–Summer 2015",
        "Summer–Spring 2015",
        "Summer–Summer 2015",
        "Fall–Winter 2015",
        "Autumn–Winter 2015",
        "Spring-Summer 2015",
        "Winter 2014–15",
        "Winter 2014–2015",
        "Winter 2014-15",
        "Summer 2014–15",
        "Fall 2014–15",
        "Winter 2014–16",
        "Winter 2015–14",
        "Winter 2014 – Spring 2015",
        "Fall 2014 – Spring 2015",
        "Spring 2015 – Fall 2014",
        "Spring 2014 – Spring 2015",
        "Spring 2014 – June 2015",
        "June 2014 – Spring 2015",
        "Second Quarter 2015",
        "Fourth Quarter 2015",
        "Fifth Quarter 2015",
        "second quarter 2015",
        "Quarter 2 2015",
        "2nd Quarter 2015",
        "Q2 2015",
        "First Quarter 2015 – Second Quarter 2015",
        "First Quarter–Second Quarter 2015",
        "Easter 2015",
        "Christmas 2015",
        "Christmas 2015a",
        "Thanksgiving 2015",
        "Halloween 2015",
        "easter 2015",
        "Christmas–Easter 2015",
        # circa and no date
        "c. 1500",
        "c. 2015a",
        "c. 2028",
        "c. 99",
        "c 1900",
        "ca. 1900",
        "c. 1900s",
        "n.d.",
        "nd",
        "n.d",
        "N.d.",
        "n. d.",
        "ndb",
        "n.d.b",
        # other shapes
        "2015-06-XX",
        "1 June 2015 12:00",
        "Jun 1 2015",
        "June 1, 2015 (updated)",
        "June 1, 15",
        "1 6 2015",
        "2015 June 1",
        "2015 June",
        "June, 2015",
    ]:
        add(("date", text))
    for text in [
        "1 June 2015",
        "June 1, 2015",
        "2015-06-01",
        "June 2015",
        "2015",
        "1–3 June 2015",
        "Spring 2015",
        "c. 2015",
        "2015a",
        "1 June 2015a",
        "27 November 2026",
        "28 November 2026",
        "29 November 2026",
        "1 December 2026",
        "15 January 2001",
        "14 January 2001",
        "2001-01-15",
        "2000-12-31",
        "1 Jun 2015",
        "1 Sept 2015",
        "01 June 2015",
    ]:
        add(("access-date", text))
    for text in [
        "1 June 2015",
        "June 1, 2015",
        "2015-06-01",
        "June 2015",
        "2015",
        "Spring 2015",
        "c. 2015",
        "1 June 2015a",
        "Christmas 2015",
        "First Quarter 2015",
        "1–3 June 2015",
        "1 June 2028",
        "1 June 2027",
        "1 December 2026",
        "2015-06-XX",
        "2026–81",
    ]:
        add(("archive-date", text))
    add(("date", "Winter 29 – Summer 3, 1582"))  # found by fuzz.py: a quirk of the module
    return cases


def seed_cases() -> list[tuple[str, str]]:
    cases: list[tuple[str, str]] = []
    with (ROOT / "references.csv").open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            for field, param in FIELD_PARAM.items():
                if row.get(field, "").strip():
                    cases.append((param, row[field].strip()))
    for path in [ROOT / "tests" / "data" / "article.wiki", *sorted(ROOT.glob("data/seed/*.txt"))]:
        for m in WIKI_PARAM.finditer(path.read_text(encoding="utf-8")):
            param = {"accessdate": "access-date", "archivedate": "archive-date"}.get(m[1], m[1])
            if m[2].strip():
                cases.append((param, m[2].strip()))
    return cases


def main() -> None:
    seen: set[tuple[str, str]] = set()
    rows = []
    for source, cases in [
        ("seed", seed_cases()),
        ("help-cs1-errors", HELP_CS1_ERRORS),
        ("issue-11", ISSUE_11),
        ("cs1-shapes", cs1_shapes()),
    ]:
        for param, value in cases:
            if (param, value) not in seen and "\t" not in value:
                seen.add((param, value))
                rows.append((source, param, value))
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with OUT.open("w", encoding="utf-8", newline="") as handle:
        handle.write("source\tparam\tvalue\n")
        for row in rows:
            handle.write("\t".join(row) + "\n")
    print(f"{len(rows)} cases written to {OUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
