"""The floor of a Python link checker on the benchmark's web: what the interpreter can
do with no checking at all, as a reference row of ``bench/links_vs_others.py``.

    python bench/floor.py urls.txt

Two threads per host (the per-host bound), each with one keep-alive ``http.client``
connection and its half of the host's URLs known in advance; one GET per URL, the body
read and thrown away.  No list to parse, no redirect, title, soft-404 or parking check,
no verdict, no state, no report: it prints the URLs that answered 400 or more.  What a
real checker does beyond this has to fit in the difference between this row and the
bound.  Loopback only (the bench's web).
"""

from __future__ import annotations

import http.client
import sys
import threading
from collections import defaultdict
from urllib.parse import urlsplit


def main() -> None:
    with open(sys.argv[1], encoding="utf-8") as handle:
        urls = [line.strip() for line in handle if line.strip()]
    by_host: dict[str, list[str]] = defaultdict(list)
    for url in urls:
        by_host[urlsplit(url).netloc].append(url)
    failed: list[str] = []

    def worker(netloc: str, mine: list[str]) -> None:
        connection = http.client.HTTPConnection(netloc, timeout=30)
        for url in mine:
            connection.request("GET", urlsplit(url).path)
            answer = connection.getresponse()
            answer.read()
            if answer.status >= 400:
                failed.append(url)  # list.append is atomic
        connection.close()

    threads = [
        threading.Thread(target=worker, args=(netloc, mine[k::2]))
        for netloc, mine in by_host.items()
        for k in range(2)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print("\n".join(failed))


if __name__ == "__main__":
    main()
