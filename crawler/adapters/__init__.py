"""The CMS adapters, one per platform family, in one registry; `detect` fingerprints a page."""

from __future__ import annotations

from crawler.adapters.base import Adapter, Fetch, Link, ListPage
from crawler.adapters.beijing import BeijingAdapter
from crawler.adapters.gkmlpt import GkmlptAdapter
from crawler.adapters.hanweb import HanwebAdapter
from crawler.adapters.jpaas import JpaasAdapter
from crawler.adapters.trs import TrsAdapter

ADAPTERS: dict[str, Adapter] = {
    a.name: a for a in (GkmlptAdapter(), JpaasAdapter(), HanwebAdapter(), BeijingAdapter(), TrsAdapter(), Adapter())
}


def detect(text: str) -> Adapter:
    """The adapter whose fingerprint the page shows (most specific first), else the generic one."""
    for adapter in ADAPTERS.values():
        if adapter.fingerprint.search(text):
            return adapter
    return ADAPTERS["generic"]


__all__ = ["ADAPTERS", "Adapter", "Fetch", "Link", "ListPage", "detect"]
