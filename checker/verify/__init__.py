"""Does the source still say it?  Quotes searched in the live page and its snapshot,
and the live page's main text compared with a snapshot near the access-date.

``verify(refs, links, archives, existing, VerifyConfig) -> VerifyRun`` (findings and
counts); :mod:`checker.verify.text` holds the normalisation and similarity measures."""

from checker.verify.runner import VerifyConfig, VerifyRun, verify

__all__ = ["VerifyConfig", "VerifyRun", "verify"]
