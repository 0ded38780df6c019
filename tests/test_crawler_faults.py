"""The crawler against simulated portals with every fault: each classified, the crawl always ends, and no
agency-year is called `missing` on a crawl that could not read where its report would be."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from test_crawler_sim import AS_OF, FAST, Crawled, run

from crawler.run import crawl
from sim.running import running_sim
from sim.world import FAULT_KINDS
from xxgk.commands.crawl import _faults, _print_faults


@pytest.fixture(scope="module")
def faulty(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Crawled]:
    plan = dict(enumerate(FAULT_KINDS))
    yield from run(tmp_path_factory.mktemp("faults"), portals=len(plan), fault_plan=plan)


EXPECTED_FAILURE = {
    "timeout": "timeout",
    "challenge_412": "challenge_412",
    "oversized": "oversized",
    "truncated_files": "truncated",
    "short_length": "truncated",
}
RECOVERED = ("latency", "http_5xx", "cookie_loop", "truncated", "gbk_nocharset", "gzip_no_header", "soft_404",
             "cut_table")


@pytest.mark.parametrize("kind", sorted(EXPECTED_FAILURE))
def test_fault_is_classified(faulty: Crawled, kind: str) -> None:
    portal = next(f["portal"] for f in faulty.truth["faults"] if f["kind"] == kind)
    kinds = {f["kind"] for f in faulty.failures if f["portal"] == portal}
    assert kinds == {EXPECTED_FAILURE[kind]}


@pytest.mark.parametrize("kind", RECOVERED)
def test_fault_that_a_polite_client_gets_past(faulty: Crawled, kind: str) -> None:
    portal = next(f["portal"] for f in faulty.truth["faults"] if f["kind"] == kind)
    assert faulty.stats[portal].get("report_pages", 0) > 0
    assert not [f for f in faulty.failures if f["portal"] == portal and f["list_page"]]


def test_challenge_pages_are_never_stored(faulty: Crawled) -> None:
    portal = next(f["portal"] for f in faulty.truth["faults"] if f["kind"] == "challenge_412")
    assert not [d for d in faulty.documents.values() if d["portal"] == portal]


# ---- missing needs evidence of absence --------------------------------------------------------------

# what the crawl summary calls each fault that loses or cuts something (the others cost only time)
NAMED = {
    "timeout": "failed:timeout",
    "challenge_412": "failed:challenge_412",
    "oversized": "failed:oversized",
    "truncated": "retried:short_body",
    "truncated_files": "failed:truncated",
    "short_length": "failed:truncated",
    "cut_table": "retried:html_table",
}
ABSENT = ("missing", "unconfirmed", "unreachable")


def status_of(registry: Path, db: Path) -> list[dict[str, Any]]:
    """`xxgk status --json` over a crawled archive, as an operator runs it."""
    out = subprocess.run(
        [sys.executable, "-m", "xxgk.cli", "status", "--json", "--registry", str(registry),
         "--db", f"sqlite:///{db}", "--as-of", AS_OF.isoformat()],
        capture_output=True, text=True, check=True,
    )
    rows: list[dict[str, Any]] = json.loads(out.stdout)
    return rows


@pytest.fixture(scope="module")
def status(faulty: Crawled) -> list[dict[str, Any]]:
    return status_of(faulty.registry, faulty.db)


def portal_of(faulty: Crawled, kind: str) -> str:
    return next(f["portal"] for f in faulty.truth["faults"] if f["kind"] == kind)


def test_no_agency_year_is_missing_that_the_truth_says_was_published(faulty: Crawled, status: list) -> None:
    published = {(r["agency"], r["year"]): r for r in faulty.truth["reports"]}
    wrong = {(r["agency"], r["year"]) for r in status if r["status"] == "missing"} & set(published)
    # page images are kept without OCR here (XXGK_OCR false): found, not read, which is not a crawl fault
    unread = {key for key in wrong if published[key]["medium"] == "image"
              and published[key]["attachment"] in faulty.documents}
    assert wrong - unread == set()
    assert {r["status"] for r in status} >= {"missing", "unconfirmed", "unreachable"}


@pytest.mark.parametrize("kind", sorted(NAMED))
def test_every_fault_is_named_in_the_crawl_summary(faulty: Crawled, kind: str) -> None:
    assert faulty.stats[portal_of(faulty, kind)].get(NAMED[kind], 0) > 0


def _may_hide(failure: dict[str, Any], row: dict[str, Any], agencies: set[str]) -> bool:
    named = failure["agency"] if failure["agency"] in agencies else None
    return (named in (None, row["agency"])) and (failure["year"] is None or abs(failure["year"] - row["year"]) <= 1)


def test_every_fault_is_named_in_the_rows_it_affects(faulty: Crawled, status: list) -> None:
    owner = {a["name"]: a["portal"] for a in faulty.truth["agencies"]}
    hurt = [f for f in faulty.failures if not f["copy"]]
    assert {f["portal"] for f in hurt} >= {portal_of(faulty, k) for k in NAMED if NAMED[k].startswith("failed:")}
    for failure in hurt:
        agencies = {a for a, p in owner.items() if p == failure["portal"]}
        rows = [r for r in status if r["agency"] in agencies and r["status"] in ABSENT]
        affected = [r for r in rows if _may_hide(failure, r, agencies)]
        assert all(r["status"] != "missing" for r in affected), failure["url"]
        assert all(failure["url"] in {f["url"] for f in r["evidence"]["faults"]} for r in affected), failure["url"]


def test_an_unconfirmed_row_rests_on_faults_of_its_own_portal(faulty: Crawled, status: list) -> None:
    owner = {a["name"]: a["portal"] for a in faulty.truth["agencies"]}
    failed = {(f["portal"], f["url"]) for f in faulty.failures}
    unconfirmed = [r for r in status if r["status"] == "unconfirmed"]
    assert unconfirmed
    for row in unconfirmed:
        assert row["evidence"]["faults"]
        assert {(owner[row["agency"]], f["url"]) for f in row["evidence"]["faults"]} <= failed


@pytest.mark.parametrize("kind", ["truncated_files", "short_length"])
def test_a_file_cut_short_is_retried_then_never_stored(faulty: Crawled, kind: str) -> None:
    portal = portal_of(faulty, kind)
    cut = {f["url"] for f in faulty.failures if f["portal"] == portal and f["kind"] == "truncated"}
    assert cut
    retried = sum(n for k, n in faulty.stats[portal].items() if k.startswith("retried:"))
    assert retried == FAST["RETRY_TIMES"] * len(cut)
    with sqlite3.connect(faulty.db) as conn:
        kept = {url for (url,) in conn.execute("SELECT url FROM document")}
        reported = {url for (url,) in conn.execute("SELECT url FROM report")}
    assert cut & (kept | reported | set(faulty.documents)) == set()


def test_a_page_cut_inside_its_table_is_read_whole_on_the_retry(faulty: Crawled) -> None:
    portal = portal_of(faulty, "cut_table")
    agencies = {a["name"] for a in faulty.truth["agencies"] if a["portal"] == portal}
    pages = [r["url"] for r in faulty.truth["reports"] if r["agency"] in agencies and r["medium"] == "html"]
    assert pages
    assert not [f for f in faulty.failures if f["portal"] == portal]
    stored = faulty.reports()
    assert [url for url in pages if url not in stored] == []


def test_xxgk_crawl_names_each_fault_with_its_url(faulty: Crawled, capsys: pytest.CaptureFixture[str]) -> None:
    faults = _faults(faulty.db.parent / "ledger.jsonl")
    assert [(f["portal"], f["url"], f["kind"]) for f in faults] == [
        (f["portal"], f["url"], f["kind"]) for f in faulty.failures]
    _print_faults(faults, limit=len(faults))
    lines = capsys.readouterr().out.splitlines()
    short = portal_of(faulty, "short_length")
    cut_pdf = next(f["url"] for f in faults if f["portal"] == short and f["detail"] == "pdf_trailer")
    assert f"  {short}　内容不完整：PDF 缺少结尾（%%EOF/xref）　{cut_pdf}" in lines
    timed_out = next(f["url"] for f in faults if f["kind"] == "timeout")
    assert f"  {portal_of(faulty, 'timeout')}　超时无响应　{timed_out}" in lines


def test_a_browser_portal_sending_gzip_bytes_is_no_empty_column(tmp_path: Path) -> None:
    """Chromium shows gzip bytes sent without `Content-Encoding` as text: a garbled page, not a list without
    reports (the static fetch unpacks them, the browser cannot)."""
    with running_sim(portals=6, seed=23, fault_plan={5: "gzip_no_header"}, as_of=AS_OF, rate_limit=50) as sim:
        portal = sim.world.portals[5]
        assert portal.archetype == "js_only"
        db = tmp_path / "xxgk.sqlite3"
        result = crawl(str(sim.registry_path), portals=[portal.id], as_of=AS_OF.isoformat(), db=f"sqlite:///{db}",
                       settings=FAST, timeout=600, log=(tmp_path / "crawl.log").open("w"))
        rows = [r for r in status_of(sim.registry_path, db) if r["agency"] in {a.name for a in portal.agencies}]
    assert result.portal_stats[portal.id].get("failed:garbled", 0) > 0
    assert rows
    assert [r for r in rows if r["status"] == "missing"] == []
