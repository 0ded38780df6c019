"""Crawl progress: when a portal is done, said in the ledger, and the counts a progress display shows.

A portal is done when all its start requests were sent and every request of it has settled
(crawler.settle: its callback ran to its end and what it yielded is scheduled or stored), or the
scheduler dropped it as a duplicate. A request is counted from the moment it is yielded, so a
parent's children are counted before the parent settles and a portal is never done too early.
`PortalTracker` writes `crawl`, `portal_start` and `portal_done` lines into the crawl ledger beside the
pipeline's `document` and `failure` lines; `CrawlProgress` reads the ledger back for `xxgk crawl`.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)


class PortalTracker:
    """Requests in flight per portal; the portals done (a resumed crawl starts with those its journal has)."""

    def __init__(self, ledger: str | None = None, *, done: Iterable[str] = (),
                 on_done: Callable[[str], None] | None = None) -> None:
        self.ledger = ledger
        self.pending: Counter[str] = Counter()
        self.done: set[str] = set(done)
        self.on_done = on_done
        self.started: set[str] = set()  # this run's start() has sent all of the portal's start requests

    def begin(self, portals: Iterable[str]) -> None:
        """The crawl's portals, and those a stopped run of it had finished already."""
        self._write({"type": "crawl", "portals": list(portals), "done": sorted(self.done)})

    def sent(self, request: Any) -> None:
        portal = request.meta.get("portal")
        if portal:
            self.pending[portal] += 1

    def settled(self, request: Any) -> None:
        portal = request.meta.get("portal")
        if portal:
            self.pending[portal] -= 1
            self._check(portal)

    def start_sent(self, portal: str) -> None:
        self.started.add(portal)
        self._write({"type": "portal_start", "portal": portal})
        self._check(portal)

    def close(self, reason: str) -> None:
        """A finished crawl has no portal left: any not marked done (a request dropped by a middleware
        without a trace) is done now, and says so."""
        if reason != "finished":
            return
        for portal in sorted(self.started - self.done):
            log.warning("portal %s: %d request(s) never settled", portal, self.pending[portal])
            self.done.add(portal)
            self._write({"type": "portal_done", "portal": portal, "at_close": True})

    def _check(self, portal: str) -> None:
        if portal in self.started and self.pending[portal] <= 0 and portal not in self.done:
            self.done.add(portal)
            log.info("portal %s: done", portal)
            self._write({"type": "portal_done", "portal": portal})
            if self.on_done is not None:
                self.on_done(portal)

    def _write(self, line: dict[str, Any]) -> None:
        # one write of one whole line in append mode, like the ledger pipeline's, so lines never interleave
        if self.ledger:
            with Path(self.ledger).open("a", encoding="utf-8") as out:
                out.write(json.dumps(line, ensure_ascii=False) + "\n")


class CrawlProgress:
    """What the ledger says so far: portals in all and done, documents and failures, active portals."""

    def __init__(self, ledger: Path) -> None:
        self.ledger = ledger
        self.portals: list[str] = []
        self.done: set[str] = set()
        self.counts: Counter[str] = Counter()
        self.per_portal: dict[str, Counter[str]] = {}  # active portals, least recently heard of first
        self._offset = 0

    def poll(self) -> None:
        """Read the lines written since the last poll (a half-written last line waits for the next)."""
        if not self.ledger.exists():
            return
        with self.ledger.open("rb") as f:
            f.seek(self._offset)
            for raw in f:
                if not raw.endswith(b"\n"):
                    break
                self._offset += len(raw)
                self.feed(json.loads(raw))

    def feed(self, line: dict[str, Any]) -> None:
        kind, portal = line["type"], line.get("portal", "")
        if kind == "crawl":
            self.portals = line["portals"]
            self.done.update(line["done"])
        elif kind == "portal_done":
            self.done.add(portal)
            self.per_portal.pop(portal, None)
        else:
            name = None if kind == "portal_start" else _count_name(line)
            if name:
                self.counts[name] += 1
            if portal not in self.done:  # a done portal's last documents can come after its done line
                counts = self.per_portal.pop(portal, Counter())
                self.per_portal[portal] = counts  # most recently heard of last
                if name:
                    counts[name] += 1

    def active(self, limit: int = 5) -> list[tuple[str, Counter[str]]]:
        """The portals being crawled that were heard of last (a 3,000-portal crawl shows a few)."""
        return list(self.per_portal.items())[-limit:][::-1]

    def line(self) -> str:
        c = self.counts
        total = len(self.portals) or "?"
        # every portal crawled: what is left is storing the last documents
        closing = " · 收尾中" if self.portals and self.done.issuperset(self.portals) else ""
        return (f"网站 {len(self.done)}/{total} 完成 · 年报页面 {c['pages']} · 附件 {c['attachments']} · "
                f"失败 {c['failures']}{closing}")


def _count_name(line: dict[str, Any]) -> str:
    return "failures" if line["type"] == "failure" else f"{line['kind']}s"
