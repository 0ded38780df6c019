"""Crawl progress and stopping, without a crawl: when a portal is done, what the ledger says, how
`xxgk crawl` shows it, what a job directory can hold, how a crawl child is stopped.

The tracker is driven by hand as the spider drives it; the display model reads ledger lines; the
plain (not a terminal) mode prints its line; every kind of request the spider makes survives the
crawl journal; a child that ignores SIGTERM is killed after the grace.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from crawler.adapters import Fetch
from crawler.browser import Fingerprinter
from crawler.jobdir import claim_job
from crawler.journal import Journal
from crawler.progress import CrawlProgress, PortalTracker
from crawler.run import _halt
from crawler.settle import KEY
from crawler.spiders.portal import Hint, PortalSpider
from sim.archetypes import build_site
from sim.truth import write_registry
from sim.world import generate
from xxgk.cli import main
from xxgk.commands.crawl import _stopping_on_signals, watch_progress


def request(portal: str) -> Any:
    return SimpleNamespace(meta={"portal": portal})


def ledger_lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


@pytest.fixture
def tracker(tmp_path: Path) -> PortalTracker:
    return PortalTracker(str(tmp_path / "ledger.jsonl"))


def test_portal_is_done_when_its_last_request_settles(tracker: PortalTracker, tmp_path: Path) -> None:
    tracker.begin(["a", "b"])
    for _ in range(2):
        tracker.sent(request("a"))
    tracker.start_sent("a")
    tracker.settled(request("a"))  # the list page; it yielded a report page before settling:
    tracker.sent(request("a"))
    tracker.settled(request("a"))
    assert "a" not in tracker.done
    tracker.settled(request("a"))
    assert tracker.done == {"a"}
    kinds = [(line["type"], line.get("portal")) for line in ledger_lines(tmp_path / "ledger.jsonl")]
    assert kinds == [("crawl", None), ("portal_start", "a"), ("portal_done", "a")]


def test_portal_is_not_done_before_all_its_start_requests_are_sent(tracker: PortalTracker) -> None:
    tracker.sent(request("a"))
    tracker.settled(request("a"))  # its first column came back before start() sent the second
    assert tracker.done == set()
    tracker.sent(request("a"))
    tracker.start_sent("a")
    tracker.settled(request("a"))
    assert tracker.done == {"a"}


def test_a_dropped_duplicate_settles_and_a_done_portal_is_announced_once(tracker: PortalTracker,
                                                                       tmp_path: Path) -> None:
    tracker.sent(request("a"))
    tracker.start_sent("a")
    tracker.settled(request("a"))
    tracker.sent(request("a"))  # a resumed crawl sends its start requests again: the scheduler drops them
    tracker.settled(request("a"))
    assert [line["type"] for line in ledger_lines(tmp_path / "ledger.jsonl")].count("portal_done") == 1


def test_a_finished_crawl_closes_every_started_portal_a_stopped_one_none(tracker: PortalTracker,
                                                                         tmp_path: Path) -> None:
    tracker.sent(request("a"))
    tracker.start_sent("a")
    tracker.close("shutdown")
    assert tracker.done == set()
    tracker.close("finished")
    assert ledger_lines(tmp_path / "ledger.jsonl")[-1] == {"type": "portal_done", "portal": "a", "at_close": True}


def test_a_resumed_crawl_starts_with_the_portals_done_before(tmp_path: Path) -> None:
    announced: list[str] = []
    first = PortalTracker(on_done=announced.append)
    first.sent(request("a"))
    first.sent(request("b"))
    first.start_sent("a")
    first.start_sent("b")
    first.settled(request("b"))
    assert announced == ["b"]  # into the journal
    again = PortalTracker(str(tmp_path / "ledger.jsonl"), done=announced)  # as the journal gives them back
    again.begin(["a", "b"])
    assert ledger_lines(tmp_path / "ledger.jsonl")[0] == {"type": "crawl", "portals": ["a", "b"], "done": ["b"]}
    again.sent(request("a"))  # the request of `a` the journal had pending
    again.start_sent("a")
    assert again.done == {"b"}
    again.settled(request("a"))
    assert again.done == {"a", "b"}


def write(path: Path, *lines: dict[str, Any]) -> None:
    with path.open("a", encoding="utf-8") as out:
        out.writelines(json.dumps(line, ensure_ascii=False) + "\n" for line in lines)


def document(portal: str, kind: str = "page") -> dict[str, Any]:
    return {"type": "document", "portal": portal, "kind": kind, "url": f"http://{portal}/{kind}"}


def test_progress_counts_documents_failures_and_done_portals(tmp_path: Path) -> None:
    ledger = tmp_path / "ledger.jsonl"
    progress = CrawlProgress(ledger)
    progress.poll()  # no ledger yet
    write(ledger, {"type": "crawl", "portals": ["a", "b", "c"], "done": ["c"]},
          {"type": "portal_start", "portal": "a"}, document("a"), document("a", "attachment"),
          {"type": "failure", "portal": "a", "kind": "timeout"}, {"type": "portal_done", "portal": "a"},
          document("a"))  # an item of a done portal can be written after its done line
    with ledger.open("a", encoding="utf-8") as out:
        out.write('{"type": "document", "por')  # a line being written
    progress.poll()
    assert (len(progress.portals), progress.done) == (3, {"a", "c"})
    assert progress.counts == Counter(pages=2, attachments=1, failures=1)
    assert progress.active() == []
    assert progress.line() == "网站 2/3 完成 · 年报页面 2 · 附件 1 · 失败 1"
    with ledger.open("a", encoding="utf-8") as out:
        out.write('tal": "b", "kind": "page", "url": "u"}\n')
    progress.poll()
    assert progress.active() == [("b", Counter(pages=1))]


def test_progress_shows_the_portals_heard_of_last(tmp_path: Path) -> None:
    ledger = tmp_path / "ledger.jsonl"
    write(ledger, *({"type": "portal_start", "portal": f"p{i}"} for i in range(10)), document("p3"))
    progress = CrawlProgress(ledger)
    progress.poll()
    assert [portal for portal, _ in progress.active(limit=3)] == ["p3", "p9", "p8"]
    assert progress.line().startswith("网站 0/? 完成")


def test_plain_progress_lines_when_not_on_a_terminal(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    ledger = tmp_path / "ledger.jsonl"
    write(ledger, {"type": "crawl", "portals": ["a", "b"], "done": []}, document("a", "attachment"),
          {"type": "portal_done", "portal": "a"})
    progress, done = CrawlProgress(ledger), threading.Event()
    watcher = threading.Thread(target=watch_progress, args=(progress, done, 0.0))  # a line at every poll, not every 30 s
    watcher.start()
    lines: list[str] = []
    while not lines:
        done.wait(0.01)
        lines = capsys.readouterr().err.splitlines()
    done.set()
    watcher.join()
    assert lines[0] == "抓取进度：网站 1/2 完成 · 年报页面 0 · 附件 1 · 失败 0"


def test_crawl_help_documents_resume(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["crawl", "--help"])
    out = capsys.readouterr().out
    assert "--resume DIR" in out
    assert all(option in out for option in ("--portal", "--region", "--all", "--timeout", "--log", "--json"))


def a_registry(folder: Path) -> Path:
    """The registry of a small simulated world (no server: nothing is fetched)."""
    world = generate(seed=1, portals=2)
    registry = folder / "registry.yaml"
    write_registry(registry, world, lambda portal: build_site(world.seed, portal, f"http://{portal.address}"))
    return registry


def test_every_kind_of_request_survives_the_journal(tmp_path: Path) -> None:
    spider = PortalSpider(registry=str(a_registry(tmp_path)))
    portal = next(iter(spider.portals.values()))
    doc = {"title": "2024年政府信息公开工作年度报告", "list_date": dt.date(2025, 1, 20), "year": 2024,
           "agency": None, "level": None, "region": None, "dates": {"meta": dt.date(2025, 1, 21)}}
    requests = [
        spider._list_request(portal, Fetch(portal.base_url), Hint(agency="某局", year=2024, depth=2)),
        spider._list_request(portal, Fetch(portal.base_url), Hint(discovery=True), browser=True),  # playwright meta
        spider._document_request(portal, portal.base_url + "a.html", doc, spider.parse_page),
        spider._document_request(portal, portal.base_url + "a.pdf", doc, spider.parse_attachment),
    ]
    fingerprint = Fingerprinter().fingerprint  # the browser's page has a fingerprint of its own
    journal = Journal(tmp_path / "job", spider, fingerprint)
    for n, request in enumerate(requests):
        request.meta[KEY] = f"k{n}"
        journal.requested(request)
    journal.close()
    back = Journal(tmp_path / "job", spider, fingerprint).past.pending
    assert [(r.url, r.meta, r.callback, r.errback, r.dont_filter) for r in back] == [
        (r.url, r.meta, r.callback, r.errback, True) for r in requests]  # due again though seen


def test_resume_dir_of_another_crawl_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    registry = a_registry(tmp_path)
    job = tmp_path / "job"
    job.mkdir()
    (job / "xxgk-crawl.json").write_text(json.dumps({"registry": "/elsewhere.yaml", "portals": [], "region": None}))
    code = main(["crawl", "--registry", str(registry), "--all", "--resume", str(job),
                 "--db", f"sqlite:///{tmp_path / 'db.sqlite3'}"])
    err = capsys.readouterr().err
    assert code == 2
    assert len(err.strip().splitlines()) == 1
    assert "是另一次" in err


def test_sigterm_stops_xxgk_crawl_as_ctrl_c_does(capsys: pytest.CaptureFixture[str]) -> None:
    before = signal.getsignal(signal.SIGTERM)
    with pytest.raises(KeyboardInterrupt), _stopping_on_signals():  # noqa: PT012 - the signal, then its handler
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(5)  # the handler interrupts it
    assert signal.getsignal(signal.SIGTERM) == before
    assert capsys.readouterr().err.startswith("xxgk: 正在停止")


def test_a_child_that_ignores_sigterm_is_killed_after_the_grace(tmp_path: Path) -> None:
    stubborn = ("import signal, sys, time; signal.signal(signal.SIGTERM, signal.SIG_IGN); "
                "print('ready', flush=True); time.sleep(60)")
    child = subprocess.Popen([sys.executable, "-c", stubborn], stdout=subprocess.PIPE, text=True,
                             start_new_session=True)
    assert child.stdout is not None
    assert child.stdout.readline() == "ready\n"
    claim_job(str(tmp_path), "registry.yaml")
    (tmp_path / "journal.jsonl").write_text('{"req": "k1", "portal": "a", "fp": "00"}\n')
    _halt(child, grace=0.5)
    assert child.returncode == -9
    # its journal loses nothing: the next crawl with the directory goes on from it
    assert sorted(p.name for p in tmp_path.iterdir()) == ["journal.jsonl", "xxgk-crawl.json"]


def test_a_child_that_stops_on_sigterm_keeps_its_output() -> None:
    graceful = ("import signal, sys, time\n"
                "signal.signal(signal.SIGTERM, lambda *_: (print('saved'), sys.exit(0)))\n"
                "print('ready', flush=True)\ntime.sleep(60)")
    child = subprocess.Popen([sys.executable, "-c", graceful], stdout=subprocess.PIPE, text=True,
                             start_new_session=True)
    assert child.stdout is not None
    assert child.stdout.readline() == "ready\n"
    assert _halt(child, grace=30).strip() == "saved"
    assert child.returncode == 0
