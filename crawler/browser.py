"""The browser's part of a crawl: what it may load, and what a page it renders is called.

A browser loads pages and scripts, not images, fonts or media (memory stays bounded). A page it renders
is another request than the same URL fetched plainly (a static page that shows no list is asked of the
browser once more): its fingerprint says so, so that the scheduler's duplicate filter, and the crawl
journal a resumed crawl reads it from, keep the rendering to one per URL like any other request.
"""

from __future__ import annotations

import hashlib
from typing import Any

from scrapy.utils.request import RequestFingerprinter

_SKIPPED = frozenset({"image", "media", "font"})


def abort_request(request: Any) -> bool:
    return bool(request.resource_type in _SKIPPED)


class Fingerprinter(RequestFingerprinter):
    """Scrapy's fingerprint, marked for a request the browser renders."""

    def fingerprint(self, request: Any) -> bytes:
        plain = super().fingerprint(request)
        if not request.meta.get("playwright"):
            return plain
        return hashlib.sha1(plain + b"browser", usedforsecurity=False).digest()
