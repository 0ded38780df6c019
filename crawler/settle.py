"""When a request has settled: its callback ran to its end, every request it yielded reached the
scheduler, and every item it yielded came out of the pipelines (a document: stored in the archive).

The end of a callback is not the end of its work: Scrapy hands what a callback yields on a few at a
time (CONCURRENT_ITEMS), and a document it yielded may still be parsing long after. So each request
carries a key in its meta (a retry or a redirect of it keeps the key) and is open from the moment it
is yielded until its callback has ended and each of its outputs is through: a request when the
scheduler is given it, an item when a pipeline signal names its response. What a callback counts
while it runs (`note`, or on behalf of a request, as a downloader middleware counts a retry) stays
with its request and is handed on when it settles, with the failures it reported: one finished
piece of work, which the crawl journal (crawler.journal) records, or repeats after a crash.
"""

from __future__ import annotations

import functools
import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, Final, Protocol, TypeVar

from scrapy import Request, signals

from crawler.items import FetchFailure

KEY: Final = "xxgk_key"  # meta: the request's name until it settles, kept by its retries and redirects
PARENT: Final = "xxgk_parent"  # meta: the key of the request whose callback yielded it, until it is scheduled


def _per_portal() -> defaultdict[str, Counter[str]]:
    return defaultdict(Counter)


@dataclass(slots=True)
class Settlement:
    """What a settled request leaves: the counts made on its behalf (per portal) and the failures it reported."""

    counts: defaultdict[str, Counter[str]] = field(default_factory=_per_portal)
    failures: list[FetchFailure] = field(default_factory=list)
    dropped: bool = False  # the scheduler filtered it as a duplicate: it did nothing


@dataclass(slots=True)
class _Open:
    request: Any  # its latest form: a retry or redirect replaces it
    left: Settlement = field(default_factory=Settlement)
    outputs: int = 0  # yielded by its callback, not yet scheduled or through the pipelines
    ended: bool = False  # its callback or errback has run to its end


class Settling:
    """The open requests; `opened`, `scheduled` and `settled` are told of each one's course."""

    def __init__(self, *, opened: Callable[[Any], None], scheduled: Callable[[Any], None],
                 settled: Callable[[Any, Settlement], None]) -> None:
        self.opened, self.scheduled, self.settled = opened, scheduled, settled
        self.open: dict[str, _Open] = {}
        self._running: _Open | None = None  # the request whose callback is running this very moment

    def connect(self, crawler_signals: Any) -> None:
        crawler_signals.connect(self.on_scheduled, signal=signals.request_scheduled)
        crawler_signals.connect(self.on_dropped, signal=signals.request_dropped)
        for signal in (signals.item_scraped, signals.item_dropped, signals.item_error):
            crawler_signals.connect(self.on_item, signal=signal)

    def expect(self, request: Any) -> None:
        """A request about to be yielded: open from now until it settles."""
        key = request.meta.setdefault(KEY, uuid.uuid4().hex)
        if key not in self.open:
            self.open[key] = _Open(request)
            self.opened(request)

    def drive(self, outputs: Iterable[Any], request: Any) -> Iterator[Any]:
        """Run a callback's outputs: what it counts while it runs is its request's, what it yields is awaited."""
        self.expect(request)
        key = request.meta[KEY]
        entry = self.open[key]
        it = iter(outputs)
        try:
            while True:
                self._running = entry
                try:
                    output = next(it)
                except StopIteration:
                    return
                finally:
                    self._running = None
                if output is None:
                    continue
                if isinstance(output, Request):
                    output.meta.pop(KEY, None)  # a request of its own, even when built from its parent's meta
                    self.expect(output)
                    output.meta[PARENT] = key
                entry.outputs += 1
                yield output
        finally:
            entry.ended = True
            self._check(key)

    def note(self, portal: str, stat: str, n: int = 1, request: Any = None) -> None:
        """Count `stat` for the request whose callback is running (or for `request`, from elsewhere)."""
        entry = self._running if request is None else self.open.get(request.meta.get(KEY, ""))
        if entry is not None:
            entry.left.counts[portal][stat] += n

    def on_scheduled(self, request: Any, **_: Any) -> None:
        parent = request.meta.pop(PARENT, None)
        self.expect(request)  # a retry or a redirect is open already, under its original's key
        self.open[request.meta[KEY]].request = request
        self.scheduled(request)
        if parent is not None and (entry := self.open.get(parent)) is not None:
            entry.outputs -= 1
            self._check(parent)

    def on_dropped(self, request: Any, **_: Any) -> None:
        """A duplicate the scheduler filtered: settled, having done nothing."""
        entry = self.open.pop(request.meta.get(KEY, ""), None)
        if entry is not None:
            entry.left.dropped = True
            self.settled(request, entry.left)

    def on_item(self, item: Any, response: Any, **_: Any) -> None:
        """An item through the pipelines (stored, dropped or failed: either way nothing more comes of it)."""
        request = getattr(response, "request", None)
        key = request.meta.get(KEY, "") if request is not None else ""
        entry = self.open.get(key)
        if entry is None:
            return
        if isinstance(item, FetchFailure):
            entry.left.failures.append(item)
        entry.outputs -= 1
        self._check(key)

    def _check(self, key: str) -> None:
        entry = self.open.get(key)
        if entry is not None and entry.ended and entry.outputs <= 0:
            del self.open[key]
            self.settled(entry.request, entry.left)


class _Settles(Protocol):
    settling: Settling


S = TypeVar("S", bound=_Settles)


def settles(callback: Callable[[S, Any], Iterable[Any]]) -> Callable[[S, Any], Iterator[Any]]:
    """A spider callback or errback driven by the spider's `settling`: its request (`outcome.request`, of a
    response or a failure) settles when the callback and everything it yielded are through."""

    @functools.wraps(callback)
    def run(spider: S, outcome: Any) -> Iterator[Any]:
        return spider.settling.drive(callback(spider, outcome), outcome.request)

    return run
