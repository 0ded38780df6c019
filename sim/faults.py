"""How a faulty portal misbehaves (portals.md §3.4–3.5). One fault per portal, on every request.

| kind | behaviour |
|---|---|
| `latency` | every response waits `value` seconds before its first byte |
| `timeout` | no request is ever answered (the connection stays open until the client gives up) |
| `http_5xx` | each URL fails (503, 502, 500 …) on its first `value` requests, then works: retries recover |
| `challenge_412` | every request gets HTTP 412 and a 瑞数-style `$_ts` script: not checkable |
| `cookie_loop` | a 302 to the same URL setting a cookie, until a request carries it (a cookie jar gets through) |
| `soft_404` | what does not exist is HTTP 200 with “页面不存在” |
| `truncated` | the first request for each URL gets half the body, then the connection closes; retries work |
| `truncated_files` | every answer for a file (PDF, Word, image) stops halfway, closing the connection: never whole |
| `short_length` | every file is its first half, Content-Length to match: only the file's own end shows the cut |
| `cut_table` | the first answer for each article page ends inside its table, Content-Length to match |
| `oversized` | article pages are padded past 25 MiB (the report itself is in the first kilobytes) |
| `gbk_nocharset` | HTML is GBK with no charset in the header or the page (decided when the site encodes) |
| `gzip_no_header` | every body is gzip bytes without `Content-Encoding` |
"""

from __future__ import annotations

import gzip
import hashlib
from collections.abc import Callable
from typing import Final

from sim.http import Request, Response
from sim.world import Fault

OVERSIZE: Final = 25 * 1024 * 1024
COOKIE: Final = "CT6T"
SOFT_404: Final = (
    '<html><head><title>页面不存在</title></head><body><div class="error">'
    '<p>抱歉，您访问的页面不存在或已被删除！</p><a href="/">返回首页</a></div></body></html>'
).encode()
_RUISHU: Final = (
    b'<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8">'
    b"<script type=\"text/javascript\" r='m'>$_ts=window['$_ts'];if(!$_ts)$_ts={};$_ts.nsd=28841;"
    b'$_ts.cd="qAqrrGAlEmgaqGqqrGArcsAlEaqrrqGqqqqrqqAqqqqGrqqqcsAlqqqlqql";</script>'
    b'<script type="text/javascript" charset="utf-8" src="/7sRqzlxPhp5r/c.FxJzG50F.dfe1675.js" r=\'m\'></script>'
    b"</head><body></body></html>"
)
_ERRORS: Final = (503, 502, 500)


def _token(portal: str) -> str:
    return hashlib.sha1(portal.encode(), usedforsecurity=False).hexdigest()[:16]


def serve(
    fault: Fault | None, portal: str, request: Request, respond: Callable[[], Response], attempt: Callable[[], int]
) -> Response:
    """The portal's answer to `request` under `fault`. `respond` makes the healthy answer;
    `attempt` counts this URL's requests so far on this portal (0 for the first)."""
    if fault is None:
        return respond()
    refused = _refuse(fault, portal, request, attempt)
    return refused if refused is not None else _shape(fault, respond(), attempt)


def _refuse(fault: Fault, portal: str, request: Request, attempt: Callable[[], int]) -> Response | None:
    """Faults that answer instead of the site (None: let the site answer)."""
    kind = fault.kind
    if kind == "timeout":
        return Response(hang=True)
    if kind == "challenge_412":
        cookie = f"FSSBBIl1UgzbN7N80S={_token(portal)}; Path=/; HttpOnly"
        return Response(412, _RUISHU, "text/html; charset=utf-8", [("Set-Cookie", cookie)])
    token = f"{COOKIE}={_token(portal)}"
    if kind == "cookie_loop" and token not in request.headers.get("cookie", ""):
        return Response(302, b"", "text/html", [("Location", request.target), ("Set-Cookie", f"{token}; path=/")])
    if kind == "http_5xx":
        n = attempt()
        if n < fault.value:
            status = _ERRORS[n % len(_ERRORS)]
            return Response(status, f"<html><body><h1>{status}</h1></body></html>".encode(), "text/html")
    return None


def _cut(kind: str, response: Response, attempt: Callable[[], int]) -> bool:
    """Whether a `truncated` portal cuts this answer (every URL's first) or a `truncated_files` one (every file)."""
    if kind == "truncated_files":
        return response.page == "attachment"
    return len(response.body) > 256 and attempt() == 0


def _cut_table(response: Response, attempt: Callable[[], int]) -> Response:
    """The page up to the middle of its first table, on the first request for it."""
    start = response.body.find(b"<table")
    end = response.body.find(b"</table>", start)
    if start < 0 or end < 0 or attempt() > 0:
        return response
    response.body = response.body[: (start + end) // 2]
    return response


def _shape(fault: Fault, response: Response, attempt: Callable[[], int]) -> Response:
    """Faults that change a healthy answer on its way out."""
    kind = fault.kind
    if kind == "latency":
        response.delay = fault.value
    elif kind == "soft_404" and response.status == 404:
        response = Response(200, SOFT_404, "text/html; charset=utf-8", page="other")
    elif kind in ("truncated", "truncated_files") and response.status == 200 and _cut(kind, response, attempt):
        response.cut = len(response.body) // 2
    elif kind == "short_length" and response.status == 200 and response.page == "attachment":
        response.body = response.body[: len(response.body) // 2]
    elif kind == "cut_table" and response.status == 200 and response.page == "article":
        response = _cut_table(response, attempt)
    elif kind == "oversized" and response.page == "article":
        response.padding = OVERSIZE - len(response.body)
    elif kind == "gzip_no_header" and response.body:
        response.body = gzip.compress(response.body, compresslevel=1, mtime=0)
    return response
