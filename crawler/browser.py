"""What the browser may load: pages and scripts of the page's portal, not images, fonts or media
(memory stays bounded), and nothing the offsite policy refuses (crawler.offsite).

A rendered page's own requests (scripts, frames, XHR, a `location` change and its redirects) never pass
Scrapy's middlewares: the offsite middleware arms each browser request with `watch_page`, which tags its
page with the portal and a list in the request's meta; `abort_request` judges every request of the page
against that portal's hosts and notes each refusal there. The spider turns a refused navigation into a
crawl fault of the portal and counts refused resources (a third-party statistics script is common).

A page the browser renders is another request than the same URL fetched plainly (a static page that shows
no list is asked of the browser once more): its fingerprint says so (`Fingerprinter`), so that the
scheduler's duplicate filter, and the crawl journal a resumed crawl reads it from, keep the rendering to
one per URL like any other request.
"""

from __future__ import annotations

import hashlib
from typing import Any

from scrapy.utils.request import RequestFingerprinter
from twisted.internet.error import DNSLookupError

from crawler.failures import AddressError, OffsiteError, classify_exception
from crawler.offsite import CRAWL_POLICY, resolve

_SKIPPED = frozenset({"image", "media", "font"})
_LOCAL = ("data:", "blob:", "about:")  # what a page makes of itself: nothing is fetched
REFUSED = "xxgk_browser_refused"  # request meta: [(kind, url, detail, navigation)] the page was refused
_TAG = "_xxgk_watch"


async def watch_page(page: Any, request: Any) -> None:
    """Tag the page with its request's portal and refusal list (scrapy-playwright's page init callback)."""
    setattr(page, _TAG, (request.meta.get("portal"), request.meta.setdefault(REFUSED, [])))


def _watch_of(request: Any) -> tuple[str | None, list[tuple[str, str, str, bool]] | None]:
    try:
        page = request.frame.page
    except Exception:  # noqa: BLE001 - a service worker's request has no frame: judged against every portal
        return None, None
    return getattr(page, _TAG, (None, None))


async def abort_request(request: Any) -> bool:
    """Whether the browser must not make this request."""
    if request.resource_type in _SKIPPED or not CRAWL_POLICY:
        return True
    if request.url.startswith(_LOCAL):
        return False
    policy = CRAWL_POLICY[0]
    portal, refused = _watch_of(request)
    try:
        host, _ = policy.place(request.url, portal)
        policy.judge(host, await resolve(host))
    except (OffsiteError, AddressError, DNSLookupError) as exc:
        if refused is not None:
            navigation = request.is_navigation_request() and request.frame.parent_frame is None
            refused.append((classify_exception(exc), request.url, str(exc)[:300], navigation))
        return True
    return False


class Fingerprinter(RequestFingerprinter):
    """Scrapy's fingerprint, marked for a request the browser renders."""

    def fingerprint(self, request: Any) -> bytes:
        plain = super().fingerprint(request)
        if not request.meta.get("playwright"):
            return plain
        return hashlib.sha1(plain + b"browser", usedforsecurity=False).digest()
