"""Does the source still say it?  Quotes searched in the live page and its snapshot,
and the live page's main text compared with a snapshot near the access-date.

``verify(refs, links, archives, existing, VerifyConfig) -> VerifyRun`` (findings and
counts); :mod:`checker.verify.text` holds the normalisation and similarity measures."""

from typing import TYPE_CHECKING, Any

from checker.verify.config import VerifyConfig

if TYPE_CHECKING:
    from checker.verify.runner import VerifyRun, verify

__all__ = ["VerifyConfig", "VerifyRun", "verify"]


def __getattr__(name: str) -> Any:
    """The runner, imported on first use: the settings alone (what the CLI builds for
    every link check) need neither requests nor the page parsers."""
    if name in ("VerifyRun", "verify"):
        from checker.verify import runner

        return getattr(runner, name)
    raise AttributeError(f"module 'checker.verify' has no attribute {name!r}")
