"""Checking one URL: safe fetching (:mod:`.safety`, :mod:`.fetch`), verdicts (:mod:`.classify`).

The fetcher never lets a cited URL reach a private or loopback address (SSRF), follows
redirects itself so every hop is vetted, and caps time and memory per URL; the classifier
turns what was fetched into a :class:`checker.model.LinkStatus` following the rules of
InternetArchiveBot and WaybackMedic (docs: field notes §1).
"""
