"""Requests and responses as the simulated portals see them: small, typed, protocol-free.

A response may carry *delivery* instructions (delay, hang, cut short, pad) that the server
carries out; that is how faults shape traffic without the sites knowing about sockets.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final
from urllib.parse import parse_qsl

REASONS: Final = {
    200: "OK",
    302: "Found",
    304: "Not Modified",
    400: "Bad Request",
    404: "Not Found",
    405: "Method Not Allowed",
    412: "Precondition Failed",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
}


@dataclass(slots=True)
class Request:
    method: str
    target: str  # path and query as sent
    headers: dict[str, str]  # lower-case names
    body: bytes = b""

    @property
    def path(self) -> str:
        return self.target.split("?", 1)[0]

    @property
    def query(self) -> dict[str, str]:
        return dict(parse_qsl(self.target.partition("?")[2], keep_blank_values=True))

    def form(self) -> dict[str, str]:
        """Query parameters overlaid with an urlencoded body (jpage POSTs put ranges in both)."""
        params = self.query
        if self.body:
            params.update(parse_qsl(self.body.decode("utf-8", "replace"), keep_blank_values=True))
        return params


@dataclass(slots=True)
class Response:
    status: int = 200
    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    headers: list[tuple[str, str]] = field(default_factory=list)
    page: str = "other"  # what the site served: list, article, attachment, api, other (faults look at it)
    delay: float = 0.0  # seconds before anything is sent
    hang: bool = False  # never answer (the client's timeout decides)
    cut: int | None = None  # send only this many body bytes, then close: a truncated transfer
    padding: int = 0  # this many filler bytes after the body (Content-Length counts them)


def text_response(status: int, text: str, *, page: str = "other") -> Response:
    return Response(status, text.encode("utf-8"), "text/html; charset=utf-8", page=page)


def not_found() -> Response:
    return text_response(
        404, "<html><head><title>404 Not Found</title></head><body><h1>404 Not Found</h1></body></html>"
    )
