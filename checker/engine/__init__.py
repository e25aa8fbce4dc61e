"""Checking a store's due links partition by partition, in process or on Dask.

>>> from checker.engine import EngineConfig, LocalEngine, crawl
>>> crawl("postgresql://citewatch@db/citewatch", EngineConfig(), LocalEngine())  # doctest: +SKIP
"""

from __future__ import annotations

from checker.engine.driver import CrawlSummary, Engine, crawl, due_partitions
from checker.engine.local import LocalEngine
from checker.engine.partition import EngineConfig, PartitionSummary, check_partition

__all__ = [
    "CrawlSummary",
    "Engine",
    "EngineConfig",
    "LocalEngine",
    "PartitionSummary",
    "check_partition",
    "crawl",
    "due_partitions",
]
