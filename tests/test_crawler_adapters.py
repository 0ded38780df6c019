"""CMS adapters as a family, and each one on a frozen list page (saved page → expected links)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crawler.adapters import ADAPTERS, Adapter, detect
from crawler.adapters.trs import page_plan
from crawler.titles import classify_title
from extract.decode import decode

LISTS = Path(__file__).parent / "fixtures" / "lists"

# fixture → (page URL, adapter, report links, further list requests (first one), sub-columns)
FROZEN = {
    "trs.html": ("http://a.gov.cn/xxgk/xxgknb/index.shtml", "trs", 16, "http://a.gov.cn/xxgk/xxgknb/index_1.shtml", 0),
    "hanweb.html": ("http://b.gov.cn/col/col1229121514/index.html", "hanweb", 0, None, 0),
    "hanweb_datastore.html": (
        "http://b.gov.cn/col/col61490/index.html", "hanweb", 1,
        "http://b.gov.cn/module/web/jpage/dataproxy.jsp?startrecord=3&endrecord=47&perpage=15", 0,
    ),
    "gkmlpt.html": ("http://c.gov.cn/gkmlpt/index", "gkmlpt", 0, "http://c.gov.cn/gkmlpt/api/all/5631?page=1&sid=756476", 0),
    "gkmlpt_api.json": (
        "http://c.gov.cn/gkmlpt/api/all/5631?page=1&sid=756476", "gkmlpt", 1,
        "http://c.gov.cn/gkmlpt/api/all/5631?page=2&sid=756476", 0,
    ),
    "jpaas.html": ("http://d.gov.cn/col/col73694/index.html", "jpaas", 0, "http://d.gov.cn/api-gateway/", 0),
    "jpaas_api.json": (
        "http://d.gov.cn/api-gateway/jpaas-publish-server/front/page/build/unit?webId=144&paramJson=%7B%22pageNo%22%3A+1%7D",
        "jpaas", 1, "http://d.gov.cn/api-gateway/jpaas-publish-server/front/page/build/unit?", 0,
    ),
    "beijing.html": ("http://e.gov.cn/110101/zfxxgknb/list.shtml", "beijing", 17, None, 0),
    "county.html": ("http://f.gov.cn/xxgk/xxgknb/index.html", "generic", 0, None, 3),
    # articles in folders of their own (`…/2026012310444700064/index.html`): dated links, not sub-columns
    "county_department.html": ("http://f.gov.cn/xxgk/xxgknb/zfbm/sfj/", "generic", 9, "http://f.gov.cn/xxgk/xxgknb/zfbm/sfj/?page=1", 0),
}


def read(fixture: str) -> tuple[Adapter, object]:
    url, name, *_ = FROZEN[fixture]
    text, _ = decode((LISTS / fixture).read_bytes())
    adapter = ADAPTERS[name]
    return adapter, adapter.read(url, text)


@pytest.mark.parametrize("name", sorted(ADAPTERS))
def test_every_adapter_is_registered_under_its_name(name: str) -> None:
    assert ADAPTERS[name].name == name


@pytest.mark.parametrize("name", sorted(n for n in ADAPTERS if n != "generic"))
def test_every_adapter_has_a_frozen_page_it_fingerprints(name: str) -> None:
    fixtures = [f for f, spec in FROZEN.items() if spec[1] == name and f.endswith(".html")]  # not API answers
    assert fixtures, f"no frozen list page for {name}"
    for fixture in fixtures:
        text, _ = decode((LISTS / fixture).read_bytes())
        assert detect(text).name == name


@pytest.mark.parametrize("fixture", sorted(FROZEN))
def test_report_links(fixture: str) -> None:
    _, page = read(fixture)
    reports = [link for link in page.links if classify_title(link.title).is_report]  # type: ignore[attr-defined]
    assert len(reports) == FROZEN[fixture][2]


@pytest.mark.parametrize("fixture", sorted(FROZEN))
def test_further_list_requests(fixture: str) -> None:
    _, page = read(fixture)
    first = FROZEN[fixture][3]
    more = page.more  # type: ignore[attr-defined]
    if first is None:
        assert more == []
    else:
        assert more[0].url.startswith(first)


@pytest.mark.parametrize("fixture", sorted(FROZEN))
def test_sub_columns(fixture: str) -> None:
    _, page = read(fixture)
    assert len(page.columns) == FROZEN[fixture][4]  # type: ignore[attr-defined]


def test_hanweb_asks_dataproxy_by_record_range_with_post() -> None:
    _, page = read("hanweb_datastore.html")
    [fetch] = page.more  # type: ignore[attr-defined]
    assert fetch.method == "POST"
    assert "columnid=61490" in (fetch.body or "")
    assert "unitid=247686" in (fetch.body or "")


def test_list_dates_survive_line_breaks() -> None:
    _, page = read("hanweb_datastore.html")
    assert [link.date for link in page.links] == ["2024-01-16", "2024-01-10"]  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("call", "plan"),
    [
        ('2,0, "index","html"', (2, "index", "html")),
        ('1,0, "index","shtml","3"', (1, "index", "shtml")),
        ("'page_div',5, 0,'index','html',73", (5, "index", "html")),
        ('73,5,0,"index","htm"', (5, "index", "htm")),
    ],
    ids=["count-current", "with-extra", "div-name", "records-first"],
)
def test_trs_create_page_html_signatures(call: str, plan: tuple[int, str, str]) -> None:
    assert page_plan(call) == plan


REAL_PORTALS = Path(__file__).resolve().parents[1].parent / "shared" / "real" / "portals"
REAL_LISTS = sorted(REAL_PORTALS.glob("*.html")) if REAL_PORTALS.is_dir() else []


@pytest.mark.parametrize("page", REAL_LISTS, ids=[p.name for p in REAL_LISTS])
def test_real_list_page_links_and_the_dates_beside_them(page: Path) -> None:
    """A real column page (../shared/real/portals, skipped when absent): its report links, each with
    the date printed in the cell after the link's (`<dd>` or `<td>`)."""
    expected_path = page.with_name(page.name.removesuffix(".html") + ".expected.json")
    if not expected_path.exists():
        pytest.skip(f"no expected links for {page.name}")
    expected = json.loads(expected_path.read_text(encoding="utf-8"))
    text, _ = decode(page.read_bytes())
    listing = detect(text).read(expected["page_url"], text)
    reports = [
        {"url": link.url, "title": link.title, "date": link.date}
        for link in listing.links if classify_title(link.title).is_report
    ]
    assert reports == expected["reports"]


def test_a_date_in_the_next_cell_belongs_to_the_link() -> None:
    html = (
        "<table><tr><td><a href='/a/t20240117_1.html'>某县2023年政府信息公开工作年度报告</a></td>"
        "<td>2024-01-17</td></tr><tr><td><a href='/a/t20230120_2.html'>某县2022年政府信息公开工作年度报告</a></td>"
        "<td>2023-01-20</td><td>2099-01-01</td></tr></table>"
    )
    page = ADAPTERS["generic"].read("http://g.gov.cn/a/index.html", html)
    assert [link.date for link in page.links] == ["2024-01-17", "2023-01-20"]
