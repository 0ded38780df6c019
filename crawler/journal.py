"""The job directory's journal: a crawl killed at any moment (kill -9, the OOM killer, a crash) resumes
without losing a document, and without doing again what it had finished.

Scrapy's own JOBDIR cannot do this: it marks a request seen when it is scheduled, and writes its queue's
index and the spider's state only when the crawl closes. A killed crawl left requests marked seen that
were never fetched, and documents fetched but never stored; the resumed crawl found an empty queue,
filtered everything else as seen, fetched nothing and finished. So the crawl keeps its own journal
instead, one file of JSON lines in the order things happened:

* `req` — a request handed to the scheduler: its key (crawler.settle), portal, fingerprint, and the
  request itself (pickled, as Scrapy's disk queue would);
* `done` — the request settled: its callback ran, every request it yielded has its `req` line, every
  document it yielded is stored; with the counts made on its behalf and the failures it reported (or
  `dropped`: the scheduler filtered it as a duplicate);
* `portal` — a portal all of whose requests are done.

A request is done only once everything that came of it is safe, so on resume the journal says exactly
what is left. Every request with a `req` line and no `done` line is fetched again, once per fingerprint
(its documents, if some were stored after all, are stored again as the same bytes: the archive keeps
one copy), and the fingerprints of every journaled request keep the rest from being asked again. The
counts and failures come back from the `done` lines, so the resumed run records the whole crawl, not
its last part.

Whatever is uncertain is done again, never taken as done: the journal is read up to its first line that
is torn or unreadable (a write cut short); a pending request that cannot be rebuilt (the code changed
under a stopped crawl) makes its portal's journal worthless, and that portal is crawled again from its
start. On open the journal is rewritten with what it established, so that each run starts from a clean
file. The `done` and `portal` lines wait in memory and are written together, after an fsync of the
file, at most COMMIT_EVERY seconds apart: even a power cut cannot keep a `done` line and lose the `req`
lines it relies on. (The documents a `done` line vouches for are as durable as the archive's commits:
after a power cut SQLite's NORMAL sync, or PostgreSQL's asynchronous commit, may have lost the last
ones, which the next crawl fetches again.)
"""
from __future__ import annotations

import base64
import dataclasses
import inspect
import json
import logging
import os
import pickle
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final, Self

from scrapy.dupefilters import RFPDupeFilter
from scrapy.utils.request import request_from_dict

from crawler.items import FetchFailure
from crawler.jobdir import JOURNAL
from crawler.settle import KEY, Settlement

log = logging.getLogger(__name__)

COMMIT_EVERY: Final = 0.5  # seconds a `done` line may wait (a crash then costs that much work again)


def _per_portal() -> defaultdict[str, Counter[str]]:
    return defaultdict(Counter)


@dataclass(slots=True)
class Past:
    """What earlier runs of this crawl did, as the journal has it."""

    pending: list[Any] = field(default_factory=list)  # requests to fetch again, oldest first
    seen: set[bytes] = field(default_factory=set)  # fingerprints of every journaled request
    counts: defaultdict[str, Counter[str]] = field(default_factory=_per_portal)
    failures: list[FetchFailure] = field(default_factory=list)
    done: set[str] = field(default_factory=set)  # portals


class Journal:
    """Open on a job directory: `past` holds what it says; then it records this run as it goes."""

    def __init__(self, jobdir: Path, spider: Any, fingerprint: Callable[[Any], bytes]) -> None:
        jobdir.mkdir(parents=True, exist_ok=True)
        self.path = jobdir / JOURNAL
        self.spider = spider
        # Scrapy names a request's callback by walking every member of the spider on each call (nine tenths
        # of the journal's time): the names of the spider's methods are looked up once
        self.methods = {method.__func__: name for name, method in inspect.getmembers(spider, inspect.ismethod)}
        self.fingerprint = fingerprint
        lines = list(_lines(self.path))
        self.past, kept = _establish(lines, spider)
        self._rewrite(kept)
        self.fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        self._waiting: list[bytes] = []
        self._since = 0.0

    def requested(self, request: Any) -> None:
        """A request given to the scheduler (before its parent can be done)."""
        line = {"req": request.meta[KEY], "portal": request.meta.get("portal"), "fp": self.fingerprint(request).hex()}
        try:
            blob = pickle.dumps(self._to_dict(request), protocol=pickle.HIGHEST_PROTOCOL)
        except (ValueError, TypeError, AttributeError, pickle.PicklingError) as exc:
            # journaled without itself: were the crawl to die before it settles, its portal is crawled again
            log.warning("request %s cannot be journaled: %s", request, exc)
        else:
            line["r"] = base64.b64encode(blob).decode()
        self._append(_encode(line))
        self._commit_if_due()

    def _to_dict(self, request: Any) -> dict[str, Any]:
        """Scrapy's `Request.to_dict(spider=…)`, with the callbacks named from `methods` (set aside while
        Scrapy writes the rest: nothing else runs meanwhile)."""
        callbacks = request.callback, request.errback
        names = [self._method_name(callback) for callback in callbacks]
        request.callback = request.errback = None
        try:
            data: dict[str, Any] = request.to_dict()
        finally:
            request.callback, request.errback = callbacks
        data["callback"], data["errback"] = names
        return data

    def _method_name(self, callback: Any) -> str | None:
        if callback is None or isinstance(callback, str):
            return callback
        name = self.methods.get(getattr(callback, "__func__", callback))
        if name is None or getattr(callback, "__self__", None) is not self.spider:
            raise ValueError(f"{callback} is not a method of the spider")
        return name

    def settled(self, request: Any, left: Settlement) -> None:
        line: dict[str, Any] = {"done": request.meta[KEY]}
        if any(left.counts.values()):
            line["counts"] = {portal: dict(c) for portal, c in left.counts.items() if c}
        if left.failures:
            line["failures"] = [dataclasses.asdict(f) for f in left.failures]
        if left.dropped:
            line["dropped"] = True
        self._wait(_encode(line))

    def portal_done(self, portal: str) -> None:
        self._wait(_encode({"portal": portal}))

    def close(self) -> None:
        self.commit()
        os.close(self.fd)

    def commit(self) -> None:
        """Write the waiting lines, after everything before them is on disk."""
        if self._waiting:
            os.fsync(self.fd)
            self._append(b"".join(self._waiting))
            self._waiting.clear()

    def _wait(self, line: bytes) -> None:
        if not self._waiting:
            self._since = time.monotonic()
        self._waiting.append(line)
        self._commit_if_due()

    def _commit_if_due(self) -> None:
        if self._waiting and time.monotonic() - self._since >= COMMIT_EVERY:
            self.commit()

    def _append(self, data: bytes) -> None:
        view = memoryview(data)
        while view:
            view = view[os.write(self.fd, view):]

    def _rewrite(self, kept: list[dict[str, Any]]) -> None:
        """Replace the file by what it established (a torn or unreadable tail is gone)."""
        if not kept and not self.path.exists():
            return
        fresh = self.path.with_name(JOURNAL + ".new")
        with fresh.open("wb") as out:
            out.writelines(_encode(line) for line in kept)
            out.flush()
            os.fsync(out.fileno())
        fresh.replace(self.path)
        directory = os.open(self.path.parent, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)


class SeenFilter(RFPDupeFilter):
    """Scrapy's duplicate filter, knowing from the spider's journal what earlier runs of the crawl asked for."""

    past: frozenset[bytes] = frozenset()

    @classmethod
    def from_crawler(cls, crawler: Any) -> Self:
        seen = super().from_crawler(crawler)
        journal = getattr(crawler.spider, "journal", None)
        if journal is not None:
            seen.past = frozenset(journal.past.seen)
        return seen

    def request_seen(self, request: Any) -> bool:
        return self.fingerprinter.fingerprint(request) in self.past or super().request_seen(request)


def _encode(line: dict[str, Any]) -> bytes:
    return json.dumps(line, ensure_ascii=False, default=str).encode() + b"\n"


def _lines(path: Path) -> Iterator[dict[str, Any]]:
    """The journal's lines up to the first one that is torn (no newline) or unreadable."""
    if not path.exists():
        return
    with path.open("rb") as f:
        for raw in f:
            try:
                line = json.loads(raw) if raw.endswith(b"\n") else None
            except ValueError:
                line = None
            if not isinstance(line, dict):
                log.warning("journal %s: read up to an unreadable line; what came after is crawled again", path)
                return
            yield line


def _establish(lines: list[dict[str, Any]], spider: Any) -> tuple[Past, list[dict[str, Any]]]:
    """What the lines establish, and the lines that say it (the portals found broken left out).

    Requests are told apart by fingerprint, as the duplicate filter tells them: a fingerprint is covered
    when a request with it is done (a duplicate the scheduler dropped covers nothing: it did nothing), and
    each fingerprint not covered is due once, by the first request journaled with it — the one the
    scheduler took, so that a dropped duplicate whose line the crash cut off is not fetched twice."""
    last: dict[str, dict[str, Any]] = {}  # key → its latest `req` line (a redirect's, a retry's)
    fingerprints: dict[str, list[str]] = {}  # key → every fingerprint it was journaled with
    done: dict[str, dict[str, Any]] = {}
    portals: list[str] = []
    for line in lines:
        if "req" in line:
            last[line["req"]] = line
            seen = fingerprints.setdefault(line["req"], [])
            if line["fp"] not in seen:
                seen.append(line["fp"])
        elif "done" in line:
            done[line["done"]] = line
        elif "portal" in line:
            portals.append(line["portal"])
    covered = {fp for key, line in done.items() if not line.get("dropped") for fp in fingerprints.get(key, ())}
    due: dict[str, str] = {}  # fingerprint → the key due for it
    for key, line in last.items():
        if key not in done and line["fp"] not in covered:
            due.setdefault(line["fp"], key)
    past, broken, rebuilt = Past(), set(), []
    for key in due.values():
        request = _rebuild(last[key], spider)
        if request is None:
            broken.add(last[key].get("portal"))
        else:
            rebuilt.append(request)
    if broken:
        log.warning("journal: requests of %s cannot be rebuilt; those portals are crawled again",
                    ", ".join(sorted(map(str, broken))))
    past.pending = [r for r in rebuilt if r.meta.get("portal") not in broken]
    wanted = set(due.values())
    kept: list[dict[str, Any]] = []
    for key, line in last.items():
        if line.get("portal") in broken:
            continue
        past.seen.update(bytes.fromhex(fp) for fp in fingerprints[key])
        kept += [{"req": key, "portal": line.get("portal"), "fp": fp} for fp in fingerprints[key][:-1]]
        kept.append(line if key in wanted else {k: v for k, v in line.items() if k != "r"})
        if key in done:
            kept.append(done[key])
            _add(past, done[key])
    past.done = {p for p in portals if p not in broken}
    kept += [{"portal": p} for p in sorted(past.done)]
    return past, kept


def _rebuild(line: dict[str, Any], spider: Any) -> Any:
    """The request of a `req` line, due again on resume; None when it cannot be rebuilt."""
    try:
        request = request_from_dict(pickle.loads(base64.b64decode(line["r"])), spider=spider)  # noqa: S301 - our own file
    except (KeyError, ValueError, TypeError, AttributeError, ImportError, pickle.UnpicklingError) as exc:
        log.warning("journal: request %s cannot be rebuilt: %s", line.get("req"), exc)
        return None
    request.dont_filter = True  # its fingerprint is among the seen: it is due all the same
    # its retries start again: the ones made before the crash were counted only in memory, so the resumed
    # crawl retries and counts them as an uninterrupted one would
    request.meta.pop("retry_times", None)
    return request


def _add(past: Past, line: dict[str, Any]) -> None:
    for portal, counts in line.get("counts", {}).items():
        past.counts[portal].update(counts)
    past.failures += [FetchFailure(**f) for f in line.get("failures", ())]
