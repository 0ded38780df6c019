"""The dashboard's benchmarks and downloads: the agency page's panel holds the numbers of the metric dictionary and
its trend charts; the profile and the region report download in every format, only for the regions one may see."""

from __future__ import annotations

import argparse
import io
import re
from collections.abc import Iterator

import docx
import numpy as np
import openpyxl
import pytest
from analytics_world import AS_OF, REGION, YEAR, Expected
from sqlalchemy import select
from starlette.testclient import TestClient

from config.settings import Settings
from store.db import Archive
from store.models import Agency
from web import accounts
from web.app import create_app

pytest_plugins = ["store_fixtures", "analytics_fixtures"]
PASSWORD = "correct-horse-1"
AS_OF_WEB = AS_OF.replace(year=YEAR + 1)  # the panel shows the year before as-of


@pytest.fixture
def client(world: tuple[str, Expected]) -> Iterator[TestClient]:
    url, _ = world
    with Archive.open(url) as archive:
        with archive.write() as session:
            for name, regions in (("hunan", [REGION]), ("elsewhere", ["44"])):
                if session.scalar(select(accounts.Account.id).where(accounts.Account.username == name)) is None:
                    accounts.add(session, name, PASSWORD, "viewer", regions)
        settings = Settings.load(argparse.Namespace(db=url, as_of=AS_OF_WEB.isoformat()))
        with TestClient(create_app(archive, settings, secret="test-secret")) as http:
            yield http


def login(http: TestClient, username: str) -> None:
    page = http.get("/login").text
    csrf = re.search(r'name="csrf" value="([^"]+)"', page)
    assert csrf is not None
    done = http.post("/login", data={"username": username, "password": PASSWORD, "csrf": csrf.group(1)},
                     follow_redirects=False)
    assert done.status_code == 303


def _agency_id(world: tuple[str, Expected], name: str) -> int:
    with Archive.open(world[0]) as archive, archive.read() as session:
        return int(session.scalars(select(Agency.id).where(Agency.name == name)).one())


def test_the_agency_page_shows_its_place_among_its_peers(client: TestClient, world: tuple[str, Expected]) -> None:
    expected = world[1]
    agency = next(a for a in expected.agencies(YEAR) if a.level == "township"
                  and expected.value("requests_new", a, YEAR)[0] == "value")
    login(client, "hunan")
    agency_id = _agency_id(world, agency.name)
    page = client.get(f"/agency/{agency_id}").text
    slot = re.search(r'hx-get="(/agency/\d+/panel/\d+)" hx-trigger="load"', page)
    assert slot is not None
    assert slot.group(1).startswith(f"/agency/{agency_id}/")
    panel = client.get(slot.group(1)).text
    assert panel.startswith("<section class='panel benchmark'>")
    _, value, _ = expected.value("requests_new", agency, YEAR)
    peers = sorted(v for a in expected.agencies(YEAR) if a.level == "township"
                   for s, v, _ in [expected.value("requests_new", a, YEAR)] if s == "value")
    q25, q50, q75 = (float(np.percentile(peers, q, method="linear")) for q in (25, 50, 75))
    row = re.search(r"<tr><td>本年新收申请数</td><td>件</td><td>([^<]*)</td><td>([^<]*)</td><td>([^<]*)</td>"
                    r"<td>([^<]*)</td><td>([^<]*)</td></tr>", panel)
    assert row is not None
    assert row.group(1) == f"{value:.0f}"
    assert row.group(2) == f"{1 + sum(v > value for v in peers)}/{len(peers)}"
    assert [float(g) for g in row.groups()[2:]] == pytest.approx([q25, q50, q75], abs=0.051)
    assert panel.count("<svg ") == 2
    assert "<script" not in panel


def test_downloads(client: TestClient, world: tuple[str, Expected]) -> None:
    agency = next(a for a in world[1].agencies(YEAR) if a.level == "county")
    agency_id = _agency_id(world, agency.name)
    login(client, "hunan")
    overview = client.get(f"/?region={REGION}&year={YEAR}").text
    assert f"/region/{REGION}/report.xlsx?year={YEAR}" in overview
    book = client.get(f"/region/{REGION}/report.xlsx?year={YEAR}")
    assert book.status_code == 200
    assert openpyxl.load_workbook(io.BytesIO(book.content)).sheetnames[0] == "概要"
    profile = client.get(f"/agency/{agency_id}/profile.docx?year={YEAR}")
    assert profile.status_code == 200
    assert "attachment" in profile.headers["content-disposition"]
    opened = docx.Document(io.BytesIO(profile.content))
    assert agency.name in opened.paragraphs[0].text
    assert client.get(f"/agency/{agency_id}/profile.exe").status_code == 404
    assert client.get("/region/44/report.docx").status_code == 404  # a region the archive does not hold


def test_nobody_downloads_what_they_may_not_see(client: TestClient, world: tuple[str, Expected]) -> None:
    agency = next(a for a in world[1].agencies(YEAR) if a.level == "county")
    login(client, "elsewhere")
    assert client.get(f"/region/{REGION}/report.docx").status_code == 404
    assert client.get(f"/agency/{_agency_id(world, agency.name)}/profile.docx").status_code == 404
    client.cookies.clear()
    assert client.get(f"/region/{REGION}/report.docx", follow_redirects=False).status_code in {303, 307, 401}
