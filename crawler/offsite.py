"""The crawler never leaves its portals: one downloader middleware decides where every request may go.

A request — first page, link, attachment, a redirect (HTTP 3xx, meta-refresh, a script's
`location`), robots.txt — goes out only over http(s), to a host and port of its portal's registry
entry (config.hosts.origins: its URLs' hosts and the `hosts:` it lists), and only when the name
resolves to a public address. The name is resolved through the reactor's resolver, whose cache the
connection then uses, so a name that answers a public address here cannot answer another one there.
Loopback addresses are allowed when the setting XXGK_ALLOW_LOOPBACK is (the simulator and the tests
serve their portals there). A refused request fails with OffsiteError or AddressError, which its
errback turns into a crawl fault of its portal (`offsite`, `private_address`): never a silent drop.

It sits first among the downloader middlewares (before robots.txt, which would otherwise fetch the
refused host's robots.txt): a redirect returned by Scrapy's RedirectMiddleware is a new request that
comes back through here before anything is sent.
"""

from __future__ import annotations

from typing import Any, cast
from urllib.parse import urlsplit

from scrapy import signals
from scrapy.utils.defer import maybe_deferred_to_future

from config.hosts import IPAddress, Origin, literal_address, origin, refused_address
from config.registry import Portal
from crawler.failures import AddressError, OffsiteError

# the policy of this process's crawl (crawler.run runs one per process), for the browser's own requests
# (crawler.browser: scripts, frames and their redirects never pass the downloader middlewares)
CRAWL_POLICY: list[OffsitePolicy] = []


class OffsitePolicy:
    """The portals' origins and whether loopback is allowed; `check` refuses a URL or returns None."""

    def __init__(self, portals: dict[str, Portal], *, allow_loopback: bool) -> None:
        self.origins = {pid: p.origins for pid, p in portals.items()}
        self.every = frozenset().union(*self.origins.values())
        self.allow_loopback = allow_loopback

    def place(self, url: str, portal: str | None) -> Origin:
        """The URL's origin when it is one of the portal's (any crawled portal's for a request of none,
        such as robots.txt); else OffsiteError."""
        where = origin(url)
        if where is None:
            raise OffsiteError(f"{urlsplit(url).scheme or '?'}: {url[:200]}")
        allowed = self.origins.get(portal, frozenset()) if portal else self.every
        if where not in allowed:
            host = f"[{where[0]}]" if ":" in where[0] else where[0]
            raise OffsiteError(f"{host}{'' if where[1] is None else f':{where[1]}'}: {url[:200]}")
        return where

    def judge(self, host: str, ip: IPAddress) -> None:
        """AddressError when the host's address is one the crawler does not fetch."""
        kind = refused_address(ip, allow_loopback=self.allow_loopback)
        if kind is not None:
            raise AddressError(f"{host} → {ip} ({kind})")


async def resolve(host: str) -> IPAddress:
    """The address the connection to `host` will use: a literal one as written, a name through the
    reactor's (caching) resolver."""
    literal = literal_address(host)
    if literal is not None:
        return literal
    from twisted.internet import reactor  # noqa: PLC0415 - the installed reactor, not one imported early

    answer = await maybe_deferred_to_future(cast("Any", reactor).resolve(host))
    address = literal_address(answer)
    if address is None:
        raise AddressError(f"{host} → {answer!r}")
    return address


class OffsiteMiddleware:
    """Refuses every request its portal may not make (see the module's docstring)."""

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        self.policy: OffsitePolicy | None = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> OffsiteMiddleware:
        middleware = cls(crawler)
        crawler.signals.connect(middleware.opened, signal=signals.spider_opened)
        return middleware

    def opened(self, spider: Any) -> None:
        allow = self.crawler.settings.getbool("XXGK_ALLOW_LOOPBACK")
        self.policy = OffsitePolicy(getattr(spider, "portals", {}), allow_loopback=allow)
        CRAWL_POLICY[:] = [self.policy]

    async def process_request(self, request: Any) -> None:
        if self.policy is None:
            raise OffsiteError(request.url[:200])  # no request before the portals are known
        host, _ = self.policy.place(request.url, request.meta.get("portal"))
        self.policy.judge(host, await resolve(host))
        if request.meta.get("playwright"):  # the page's own requests are judged in the browser (crawler.browser)
            request.meta["playwright_page_init_callback"] = "crawler.browser.watch_page"
