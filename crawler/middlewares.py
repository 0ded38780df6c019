"""Downloader middleware: gzip bytes sent without `Content-Encoding` (some portals do) are unpacked."""

from __future__ import annotations

from typing import Any

from extract.decode import ungzip
from extract.errors import UnreadableInputError


class UngzipMiddleware:
    """Scrapy's HttpCompressionMiddleware trusts the header; this one looks at the bytes."""

    def process_response(self, request: Any, response: Any) -> Any:  # noqa: ARG002 - Scrapy's signature
        if response.body[:2] != b"\x1f\x8b" or response.headers.get(b"Content-Encoding"):
            return response
        try:
            body = ungzip(response.body)
        except UnreadableInputError:
            return response
        return response.replace(body=body)
