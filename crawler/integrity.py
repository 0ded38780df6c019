"""Is a downloaded body whole? A transfer cut short is never read as a complete document.

HTTP tells when the connection closed before the bytes its Content-Length promised (Scrapy flags the
response `dataloss`: DOWNLOAD_FAIL_ON_DATALOSS is off so that such a response comes here rather than
failing somewhere else). When the length itself was cut, only the bytes tell: a PDF ends with its
cross-reference offset and `%%EOF`, a ZIP-based file (DOCX, XLSX, OFD) with its central directory, a
PNG with its IEND chunk, a JPEG with its end marker, and an HTML page that opens a `<table>` closes it
before `</html>`. Each check is one row of `CHECKS`, so that a new one is one more row.

A cut body is asked for again (RETRY_TIMES, each after a backoff on top of the portal's own delay,
through the same download slot); when every answer was cut, the request fails with `TruncatedError`
naming the check, and the spider reports it as a `truncated` failure of that portal.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

from scrapy.downloadermiddlewares.retry import get_retry_request

from crawler.failures import TruncatedError

SHORT_BODY: Final = "short_body"  # fewer bytes than the Content-Length promised
_PDF_TAIL: Final = 8192  # %%EOF belongs in the last 1024 bytes; some writers pad after it
_ZIP_TAIL: Final = 22 + 65535  # the end-of-central-directory record and its longest comment
_HTML_HEAD: Final = re.compile(rb"<(?:!doctype\s+html|html|head|body|table)\b", re.IGNORECASE)
_TABLE_OPEN: Final = re.compile(rb"<table\b", re.IGNORECASE)
_TABLE_CLOSE: Final = re.compile(rb"</table\s*>", re.IGNORECASE)
_HTML_END: Final = re.compile(rb"</html\s*>", re.IGNORECASE)


def _pdf_whole(body: bytes) -> bool:
    tail = body[-_PDF_TAIL:]
    return b"%%EOF" in tail and b"startxref" in tail


def _tables_closed(body: bytes) -> bool:
    """A page cut inside its table has more `<table>` than `</table>` and no `</html>` after them."""
    return len(_TABLE_CLOSE.findall(body)) >= len(_TABLE_OPEN.findall(body)) or bool(_HTML_END.search(body))


@dataclass(frozen=True, slots=True)
class Check:
    reason: str  # the id a failure carries (catalogue.terms names it)
    applies: Callable[[bytes], bool]  # is the body of this kind (by its own first bytes, not by its headers)
    whole: Callable[[bytes], bool]


CHECKS: Final = (
    Check("pdf_trailer", lambda b: b"%PDF-" in b[:1024], _pdf_whole),
    Check("zip_directory", lambda b: b.startswith(b"PK\x03\x04"), lambda b: b"PK\x05\x06" in b[-_ZIP_TAIL:]),
    Check("png_end", lambda b: b.startswith(b"\x89PNG\r\n\x1a\n"), lambda b: b"IEND" in b[-32:]),
    Check("jpeg_end", lambda b: b.startswith(b"\xff\xd8\xff"), lambda b: b"\xff\xd9" in b[-64:]),
    Check("html_table", lambda b: bool(_HTML_HEAD.search(b[:4096])), _tables_closed),
)
REASONS: Final = (SHORT_BODY, *(c.reason for c in CHECKS))


def cut_reason(body: bytes, flags: list[str] | tuple[str, ...] = ()) -> str | None:
    """None for a body that looks whole; else why it does not (one of REASONS)."""
    if "dataloss" in flags:
        return SHORT_BODY
    check = next((c for c in CHECKS if c.applies(body)), None)
    return check.reason if check is not None and not check.whole(body) else None


class IntegrityMiddleware:
    """Downloader middleware, after decompression: a cut 200 answer is retried, then fails as truncated."""

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        self.backoff = crawler.settings.getfloat("XXGK_RETRY_BACKOFF", 1.0)

    @classmethod
    def from_crawler(cls, crawler: Any) -> IntegrityMiddleware:
        return cls(crawler)

    async def process_response(self, request: Any, response: Any) -> Any:
        if response.status != 200 or request.method == "HEAD":  # only a 200 carries a document
            return response
        reason = cut_reason(response.body, response.flags)
        if reason is None:
            return response
        spider = self.crawler.spider
        retry = get_retry_request(request, spider=spider, reason=f"truncated_{reason}")
        if retry is None:
            raise TruncatedError(reason)
        count = getattr(spider, "count", None)  # the portal's statistics, on the request's behalf
        if count is not None and request.meta.get("portal"):
            count(request.meta["portal"], f"retried:{reason}", request=request)
        await asyncio.sleep(self.backoff * 2 ** request.meta.get("retry_times", 0))
        return retry
