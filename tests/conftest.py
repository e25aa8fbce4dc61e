"""Shared fixtures: the simulated web on loopback (one per test module)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from checker.testing.simweb import SimWeb


@pytest.fixture(scope="module")
def simweb() -> Iterator[SimWeb]:
    with SimWeb() as web:
        yield web
