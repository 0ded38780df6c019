"""What the browser may load: pages and scripts, not images, fonts or media (memory stays bounded)."""

from __future__ import annotations

from typing import Any

_SKIPPED = frozenset({"image", "media", "font"})


def abort_request(request: Any) -> bool:
    return bool(request.resource_type in _SKIPPED)
