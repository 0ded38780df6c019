"""Why a fetch failed, in the words the operator's reports use; challenge pages are never content.

Kinds: timeout, dns, tls, connection, http_3xx, http_4xx, http_5xx, challenge_412, challenge_js,
soft_404, redirect_loop, oversized, truncated, garbled, robots, offsite, private_address, other. Each
is a row of a table below, checked in order, so that a new kind is one more row.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, Final

from scrapy.exceptions import IgnoreRequest
from twisted.internet import error as net

_CHALLENGE_JS = re.compile(r"\$_ts|__jsluid|Just a moment|请稍候|安全验证|访问异常|WTKkN|EO_Bot_Ssid|acw_sc__v2")
_SOFT_404 = re.compile(
    r"页面不存在|找不到(?:该|您)?(?:页面|文件|信息)|访问的页面不存在|错误页面|页面已删除|404 Not Found"
)
SHORT_PAGE = 3000  # challenge and soft-404 pages are small; a report page is not
# characters no page shows: U+FFFD (bytes the decoder could not read) and C0 controls but tab and line breaks
_UNREADABLE = re.compile("[\ufffd\x00-\x08\x0b\x0e-\x1f]")
_GARBLED_SHARE = 0.1
_GARBLED_LEAST = 20

# (status test, body test on the start of a short body, kind) — the first row that matches wins
_RESPONSES: Final[tuple[tuple[Callable[[int], bool], re.Pattern[str] | None, str], ...]] = (
    (lambda s: s == 412, None, "challenge_412"),
    (lambda s: s in (401, 403), _CHALLENGE_JS, "challenge_js"),
    (lambda s: 400 <= s < 500, None, "http_4xx"),
    (lambda s: s >= 500, None, "http_5xx"),
    (lambda s: 300 <= s < 400 and s != 304, None, "http_3xx"),
    (lambda s: s == 200, _CHALLENGE_JS, "challenge_js"),
    (lambda s: s == 200, _SOFT_404, "soft_404"),
)


class TruncatedError(Exception):
    """Every answer to a request was cut short (crawler.integrity); the message is the check that failed."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class OffsiteError(IgnoreRequest):
    """A request its portal may not make (crawler.offsite): not http(s), or to a host the registry does not
    list for it. The message is the host (or scheme) and the URL."""


class AddressError(IgnoreRequest):
    """A request whose host resolves to an address the crawler never fetches (private, loopback, link-local,
    cloud metadata). The message is the host, its address and the address's kind."""


# (exception classes, or message fragments, kind) — the first row that matches wins
_EXCEPTIONS: Final = (
    ((OffsiteError,), (), "offsite"),  # first: a refused URL's text may hold any of the fragments below
    ((AddressError,), (), "private_address"),
    ((net.TimeoutError, net.TCPTimedOutError), ("Timeout", "timed out"), "timeout"),
    ((net.DNSLookupError,), ("DNSLookup", "ERR_NAME_NOT_RESOLVED"), "dns"),
    ((), ("SSL", "TLS", "ERR_CERT", "certificate"), "tls"),
    ((), ("max redirections", "ERR_TOO_MANY_REDIRECTS"), "redirect_loop"),
    ((), ("max size", "maxsize"), "oversized"),
    ((TruncatedError,), ("DataLoss",), "truncated"),
    ((), ("robots.txt",), "robots"),
    ((net.ConnectionRefusedError, net.ConnectError, net.ConnectionLost), ("Connection", "ResponseNeverReceived",
                                                                          "ResponseFailed"), "connection"),
)


def classify_response(status: int, body: bytes) -> str | None:
    """None for a usable page; else the failure kind."""
    head = body[: SHORT_PAGE * 2].decode("utf-8", "ignore") if len(body) < SHORT_PAGE * 2 else ""
    for status_test, pattern, kind in _RESPONSES:
        if status_test(status) and (pattern is None or (head and pattern.search(head))):
            return kind
    return None


def garbled(text: str) -> bool:
    """Whether a page's text is bytes that are no text: gzip bytes sent without `Content-Encoding` as a
    browser shows them, a binary file served as a page. Such a page is a failure (`garbled`), never an
    empty list."""
    unreadable = len(_UNREADABLE.findall(text))
    return unreadable >= _GARBLED_LEAST and unreadable > _GARBLED_SHARE * len(text)


def classify_exception(exc: BaseException) -> str:
    """The kind of a download exception (Twisted, Scrapy or Playwright)."""
    text = f"{type(exc).__name__} {exc}"
    for classes, fragments, kind in _EXCEPTIONS:
        if (classes and isinstance(exc, classes)) or any(f in text for f in fragments):
            return kind
    return "other"


def failure_kind(failure: Any) -> str:
    """The kind of a Twisted Failure handed to an errback."""
    return classify_exception(failure.value)
