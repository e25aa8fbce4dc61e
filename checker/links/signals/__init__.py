"""Signals read from a fetched page: bot walls, parked domains and soft 404s.

Each signal is a function returning why it fired ("" when it did not); the verdict rules
in :mod:`checker.links.classify` decide what it means.  Markers are data
(``data/*.json``, each with its sources), not code.
"""

from checker.links.signals.botwall import bot_wall
from checker.links.signals.parking import (
    NameServerCache,
    NameServerLookup,
    dns_nameserver_lookup,
    nameservers_of,
    on_marketplace,
    parked,
)
from checker.links.signals.soft404 import is_error_title, soft_404
from checker.links.signals.text import normalise, visible_text

__all__ = [
    "NameServerCache",
    "NameServerLookup",
    "bot_wall",
    "dns_nameserver_lookup",
    "is_error_title",
    "nameservers_of",
    "normalise",
    "on_marketplace",
    "parked",
    "soft_404",
    "visible_text",
]
