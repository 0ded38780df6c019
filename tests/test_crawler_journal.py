"""The crawl journal and the settling of requests, without a crawl.

Settling is driven by hand as Scrapy drives it (a callback's outputs, the scheduler's and the pipelines'
signals); the journal is written as the spider writes it and read back as a resumed crawl reads it,
whole, cut short, damaged, or holding a request that can no longer be rebuilt.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import scrapy
from scrapy.http import HtmlResponse

from crawler.items import FetchedDocument, FetchFailure
from crawler.journal import Journal
from crawler.settle import KEY, Settlement, Settling


class Tiny(scrapy.Spider):
    name = "tiny"

    def parse(self, response: Any) -> Iterator[Any]:
        yield from ()


class Recorder:
    """Settling's listeners: what was opened, scheduled and settled, in order."""

    def __init__(self) -> None:
        self.opened: list[str] = []
        self.scheduled: list[str] = []
        self.settled: list[tuple[str, Settlement]] = []
        self.settling = Settling(opened=lambda r: self.opened.append(r.url),
                                 scheduled=lambda r: self.scheduled.append(r.url),
                                 settled=lambda r, left: self.settled.append((r.url, left)))


def page(url: str, portal: str = "a") -> scrapy.Request:
    return scrapy.Request(url, meta={"portal": portal})


def response_to(request: scrapy.Request) -> HtmlResponse:
    return HtmlResponse(request.url, body=b"<html></html>", request=request)


def document(url: str) -> FetchedDocument:
    return FetchedDocument(portal="a", url=url, body=b"", status=200, content_type=None, encoding=None, title="",
                           agency=None, level=None, region=None, year=None)


# ---- settling ---------------------------------------------------------------------------------------

def test_a_request_settles_when_its_children_are_scheduled_and_its_documents_stored() -> None:
    r = Recorder()
    parent = page("http://a/list")
    r.settling.expect(parent)
    r.settling.on_scheduled(parent)
    stored = document("http://a/report.html")

    def callback() -> Iterator[Any]:
        r.settling.note("a", "list_pages")
        yield page("http://a/next")
        yield stored

    outputs = list(r.settling.drive(callback(), parent))  # the callback has run to its end…
    child = outputs[0]
    assert r.settled == []
    r.settling.on_scheduled(child)  # …its request is with the scheduler…
    assert r.settled == []
    r.settling.on_item(stored, response_to(parent))  # …and its document is through the pipelines
    [(url, left)] = r.settled
    assert url == "http://a/list"
    assert left.counts == {"a": {"list_pages": 1}}
    assert (r.opened, r.scheduled) == (["http://a/list", "http://a/next"], ["http://a/list", "http://a/next"])


def test_a_failure_it_reported_and_a_count_made_on_its_behalf_go_with_it() -> None:
    r = Recorder()
    request = page("http://a/report.pdf")
    r.settling.expect(request)
    r.settling.on_scheduled(request)
    retry = request.replace(dont_filter=True)  # a retry keeps the original's key
    r.settling.note("a", "retried:pdf_trailer", request=retry)
    r.settling.on_scheduled(retry)
    assert r.opened == ["http://a/report.pdf"]
    failure = FetchFailure("a", request.url, "truncated")
    list(r.settling.drive(iter([failure]), retry))
    r.settling.on_item(failure, response_to(retry))
    [(_, left)] = r.settled
    assert (left.counts, left.failures) == ({"a": {"retried:pdf_trailer": 1}}, [failure])


def test_a_dropped_duplicate_settles_at_once_and_its_parent_goes_on() -> None:
    r = Recorder()
    parent = page("http://a/list")
    r.settling.expect(parent)
    [child] = list(r.settling.drive(iter([page("http://a/seen")]), parent))
    r.settling.on_scheduled(child)  # handed over (and journaled): its parent is done with it
    r.settling.on_dropped(child)
    assert [url for url, _ in r.settled] == ["http://a/list", "http://a/seen"]
    assert r.settling.open == {}


def test_a_child_built_from_its_parents_meta_is_a_request_of_its_own() -> None:
    r = Recorder()
    parent = page("http://a/list")
    r.settling.expect(parent)
    [child] = list(r.settling.drive(iter([parent.replace(url="http://a/list?page=2")]), parent))
    assert child.meta[KEY] != parent.meta[KEY]


# ---- the journal ------------------------------------------------------------------------------------

def fingerprint(request: scrapy.Request) -> bytes:
    return request.url.encode()


def journaled(job: Path, spider: Tiny, *requests: scrapy.Request) -> Journal:
    journal = Journal(job, spider, fingerprint)
    for n, request in enumerate(requests):
        request.meta.setdefault(KEY, f"k{n}")
        request.callback = spider.parse
        journal.requested(request)
    return journal


def lines(job: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (job / "journal.jsonl").read_text(encoding="utf-8").splitlines()]


def two_portals(job: Path) -> tuple[Tiny, list[scrapy.Request], Journal]:
    """A journal of three requests: two of portal a, one of portal b."""
    spider = Tiny()
    requests = [page("http://a/1"), page("http://a/2"), page("http://b/1", "b")]
    return spider, requests, journaled(job, spider, *requests)


def list_pages(n: int) -> Settlement:
    left = Settlement()
    left.counts["a"]["list_pages"] += n
    return left


def test_what_settled_comes_back_done_and_the_rest_due_again(tmp_path: Path) -> None:
    spider, (a1, _, b1), journal = two_portals(tmp_path)
    left = list_pages(2)
    left.failures.append(FetchFailure("a", "http://a/x.pdf", "truncated", agency="某局", year=2024))
    journal.settled(a1, left)
    journal.settled(b1, Settlement())
    journal.portal_done("b")
    journal.close()
    past = Journal(tmp_path, spider, fingerprint).past
    assert [r.url for r in past.pending] == ["http://a/2"]
    assert past.pending[0].dont_filter  # its fingerprint is among the seen
    assert past.seen == {b"http://a/1", b"http://a/2", b"http://b/1"}
    assert (past.counts, past.failures, past.done) == ({"a": {"list_pages": 2}}, left.failures, {"b"})


def test_a_retry_cut_off_by_the_crash_starts_its_retries_again(tmp_path: Path) -> None:
    """The retries made before the crash were counted only in memory: the resumed crawl makes and counts
    them again, as an uninterrupted crawl would, instead of giving up at once on a request marked retried."""
    spider = Tiny()
    request = page("http://a/report.pdf")
    request.meta.update({KEY: "k0", "retry_times": 2})  # journaled as its second retry
    journaled(tmp_path, spider, request).close()
    [due] = Journal(tmp_path, spider, fingerprint).past.pending
    assert (due.url, due.meta[KEY], "retry_times" in due.meta) == ("http://a/report.pdf", "k0", False)


def test_done_lines_reach_the_file_only_after_what_they_rely_on_is_synced(tmp_path: Path) -> None:
    spider = Tiny()
    request = page("http://a/1")
    journal = journaled(tmp_path, spider, request)
    journal.settled(request, Settlement())
    assert [line.get("done") for line in lines(tmp_path)] == [None]  # waiting, at most COMMIT_EVERY
    journal.commit()
    assert [line.get("done") for line in lines(tmp_path)] == [None, "k0"]
    journal.close()


@pytest.mark.parametrize("damage", [b'{"done": "k0"', b"\x00\x00\x00\n", b"[]\n"],
                         ids=["torn-last-line", "garbage", "not-a-record"])
def test_a_damaged_journal_is_read_up_to_the_damage_and_what_follows_is_done_again(tmp_path: Path,
                                                                                    damage: bytes) -> None:
    spider = Tiny()
    first, second = page("http://a/1"), page("http://a/2")
    journal = journaled(tmp_path, spider, first)
    journal.close()
    with (tmp_path / "journal.jsonl").open("ab") as out:
        out.write(damage)
        out.write(b'{"done": "k0"}\n')  # after the damage: not trusted
    journal = Journal(tmp_path, spider, fingerprint)
    assert [r.url for r in journal.past.pending] == ["http://a/1"]
    second.meta[KEY] = "k1"
    second.callback = spider.parse
    journal.requested(second)  # the rewritten file takes new lines cleanly
    journal.close()
    assert [r.url for r in Journal(tmp_path, spider, fingerprint).past.pending] == ["http://a/1", "http://a/2"]


def test_a_request_that_cannot_be_rebuilt_sends_its_portal_back_to_its_start(tmp_path: Path) -> None:
    spider, (a1, _, _), journal = two_portals(tmp_path)
    journal.settled(a1, list_pages(1))
    journal.portal_done("a")
    journal.close()
    rows = lines(tmp_path)
    for row in rows:
        if row.get("req") == "k1":
            row["r"] = "bm90IGEgcGlja2xl"  # the code changed under a stopped crawl
    (tmp_path / "journal.jsonl").write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
    past = Journal(tmp_path, spider, fingerprint).past
    assert [r.url for r in past.pending] == ["http://b/1"]
    assert (past.seen, past.counts, past.done) == ({b"http://b/1"}, {}, set())  # portal a: from its start


def test_a_request_that_cannot_be_pickled_is_journaled_without_itself(tmp_path: Path) -> None:
    spider = Tiny()
    request = page("http://a/1")
    request.meta["lock"] = threading.Lock()  # cannot be pickled
    journaled(tmp_path, spider, request).close()
    assert "r" not in lines(tmp_path)[0]
    past = Journal(tmp_path, spider, fingerprint).past
    assert (past.pending, past.seen) == ([], set())  # after a crash its portal is crawled again


def test_a_duplicate_is_due_only_where_its_twin_is(tmp_path: Path) -> None:
    """Requests are told apart by fingerprint: a duplicate whose `dropped` line the crash cut off is not
    fetched beside (or after) the request the scheduler took; a dropped one stands for nothing."""
    spider = Tiny()
    taken, again = page("http://a/1"), page("http://a/1")  # the second: a resumed run's start request
    other, its_twin = page("http://a/2"), page("http://a/2")
    journal = journaled(tmp_path, spider, taken, again, other, its_twin)
    journal.settled(taken, Settlement())
    dropped = Settlement()
    dropped.dropped = True
    journal.settled(its_twin, dropped)  # the twin was dropped: `other`, taken, is still to be done
    journal.close()
    past = Journal(tmp_path, spider, fingerprint).past
    assert [(r.url, r.meta[KEY]) for r in past.pending] == [("http://a/2", "k2")]
