"""Every archetype over real HTTP: its lists look like the real CMS, lead to exactly the truth's
articles, and its report pages parse to the truth's records."""

from __future__ import annotations

import html
import io
import json
import re
import shutil
import subprocess
from collections import defaultdict
from typing import Any
from urllib.parse import urlencode

import pytest
import yaml
from lxml import etree
from PIL import Image
from sim_walk import WALKERS, anchors, fetch, pager_count, walk_hanweb

from extract.parse import parse_bytes
from extract.schema import SPEC_KEYS
from sim.archetypes.trs import SIGNATURES, pager_script
from sim.testing import SimHandle, running_sim
from sim.world import ARCHETYPES

MAGIC = {"pdf": b"%PDF-", "docx": b"PK\x03\x04", "image": b"\x89PNG\r\n\x1a\n"}
TYPES = {"pdf": "application/pdf", "docx": "wordprocessingml", "image": "image/png"}


@pytest.fixture(scope="module")
def sim():
    with running_sim(portals=14, seed=7) as handle:
        yield handle


def registry_portal(sim: SimHandle, archetype: str, n: int = 0) -> dict[str, Any]:
    portal = [p for p in sim.world.portals if p.archetype == archetype][n]
    reg = yaml.safe_load(sim.registry_path.read_text(encoding="utf-8"))
    return next(p for p in reg["portals"] if p["id"] == portal.id)


def truth_urls(sim: SimHandle, origin: str) -> set[str]:
    truth = sim.truth
    return {r["url"] for r in truth["reports"] if r["url"].startswith(origin + "/")} | {
        d["url"] for d in truth["decoys"] if d["url"].startswith(origin + "/")
    }


@pytest.mark.parametrize("n", [0, 1])
@pytest.mark.parametrize("archetype", ARCHETYPES)
def test_walker_reaches_exactly_the_truth(sim, archetype, n):
    entry = registry_portal(sim, archetype, n)
    assert entry["cms"] in ("trs", "hanweb", "gkmlpt", "jpaas", "beijing", "generic")
    assert entry["fetcher"] == ("browser" if archetype == "js_only" else "http")
    walk = WALKERS[archetype](entry["columns"][0])
    assert walk.articles == truth_urls(sim, entry["base_url"].rstrip("/"))


def test_reports_parse_to_their_truth_records(sim):
    by_medium: dict[str, int] = defaultdict(int)
    for report in sim.truth["reports"]:
        if report["medium"] not in ("html", "text"):
            continue
        got = fetch(report["url"])
        assert got.status == 200
        record = parse_bytes(got.body, name="page.html", charset=None)
        want = {k: v for k, v in report["record"].items() if k in SPEC_KEYS}
        if "year_mismatch" in report["defects"]:  # a body copied from last year's report
            assert record["parse"]["title_year"] == want["year"]  # the title states the year
            assert want["year"] - 1 in record["parse"]["body_years"]  # while the body speaks of the one before
        assert {k: record.get(k) for k in want} == want, report["url"]
        by_medium[report["medium"]] += 1
    assert by_medium["html"] > 50
    assert by_medium["text"] > 5


def test_attachments_have_their_type(sim):
    seen: dict[str, int] = defaultdict(int)
    for report in sim.truth["reports"]:
        medium = report["medium"]
        if medium in MAGIC and seen[medium] < 3:
            page = fetch(report["url"])
            assert report["attachment"].encode() in page.body
            got = fetch(report["attachment"])
            assert got.status == 200
            assert got.body.startswith(MAGIC[medium])
            assert TYPES[medium] in got.headers["content-type"]
            seen[medium] += 1
    assert set(seen) == set(MAGIC)


def test_image_reports_are_pictures_on_their_page_most_not_titled_so(sim):
    images = [r for r in sim.truth["reports"] if r["medium"] == "image"]
    titled = [r for r in images if r["record"]["title"].endswith("（图片版）")]
    assert 0 < len(titled) < len(images) / 2  # most portals never write 图片版
    for report in (titled[0], next(r for r in images if r not in titled)):
        page = fetch(report["url"]).text
        assert f'<img src="{report["attachment"]}"' in page
        assert "第二十条" not in page
        assert not report["pictures"]


def test_some_pdf_reports_show_their_pages_as_pictures_beside_the_link(sim):
    pdfs = [r for r in sim.truth["reports"] if r["medium"] == "pdf"]
    pictured = [r for r in pdfs if r["pictures"]]
    assert 0 < len(pictured) < len(pdfs) / 4
    assert any(r["record"]["title"].endswith("（图片版）") for r in pictured)
    for report in pictured[:3]:
        page = fetch(report["url"]).text
        assert not report["pages"]  # the PDF is the report, its pictures are none
        assert f'href="{html.escape(report["attachment"])}"' in page
        assert [page.index(f'<img src="{u}"') for u in report["pictures"]] == sorted(
            page.index(f'<img src="{u}"') for u in report["pictures"])
        assert len(report["pictures"]) > 1
        assert fetch(report["pictures"][-1]).body.startswith(MAGIC["image"])
        assert fetch(report["attachment"]).body.startswith(MAGIC["pdf"])


def test_some_image_reports_show_one_image_per_printed_page(sim):
    images = [r for r in sim.truth["reports"] if r["medium"] == "image"]
    paged = [r for r in images if r["pages"]]
    assert paged
    assert len(paged) < len(images)  # the others are one tall image
    for report in paged[:3]:
        page = fetch(report["url"]).text
        assert report["attachment"] == report["pages"][0]
        assert [page.index(f'<img src="{u}"') for u in report["pages"]] == sorted(
            page.index(f'<img src="{u}"') for u in report["pages"])  # in page order
        for url in report["pages"]:
            got = fetch(url)
            assert got.body.startswith(MAGIC["image"])
            width, height = Image.open(io.BytesIO(got.body)).size
            assert (width, height >= 1414) == (1000, True)  # an A4 page each (longer where a table runs on)
        past = report["pages"][-1].removesuffix(f"_{len(report['pages'])}.png") + f"_{len(report['pages']) + 1}.png"
        assert fetch(past).status == 404


def test_decoys_are_served_and_look_like_reports(sim):
    decoys = sim.truth["decoys"]
    kinds = {d["kind"] for d in decoys}
    assert kinds == {"interpretation", "work_points", "budget", "compile_notice", "old_report"}
    for decoy in decoys[:: max(1, len(decoys) // 20)]:
        got = fetch(decoy["url"])
        assert got.status == 200
        assert re.search("年报|报告|工作要点|预算|决算", decoy["title"])


# ---- the CMS shapes ------------------------------------------------------------------------------


def test_trs_pages_are_gb2312_with_a_pager(sim):
    column = registry_portal(sim, "trs")["columns"][0]
    got = fetch(column)
    assert "charset=gb2312" in got.headers["content-type"].lower()
    assert b"charset=gb2312" in got.body
    assert b"createPageHTML" in got.body or b"countPage" in got.body or b"sub-columns" in got.body


@pytest.mark.parametrize("signature", SIGNATURES)
def test_trs_pager_signatures_give_the_page_count(signature):
    assert pager_count(pager_script(signature, 7, 2, "shtml", 131)) == 7


def test_trs_past_the_end_refreshes(sim):
    column = registry_portal(sim, "trs", 1)["columns"][0]
    got = fetch(column.replace("index.", "index_99."))
    assert got.status == 200
    assert re.search(rb'http-equiv="refresh" content="0;URL=\./"', got.body)
    assert fetch(column.replace("index.", "index_0.")).status == 404


def test_trs_articles_follow_the_t_date_pattern(sim):
    origin = registry_portal(sim, "trs")["base_url"].rstrip("/")
    urls = [r["url"] for r in sim.truth["reports"] if r["url"].startswith(origin)]
    assert urls
    assert all(re.search(r"/\d{6}/t\d{8}_\d+\.s?html?$", u) for u in urls)
    files = [r["attachment"] for r in sim.truth["reports"] if r["url"].startswith(origin) and r["attachment"]]
    assert all(re.search(r"/[PW]0\d{8}\d+\.(pdf|docx|png)$", f) for f in files)
    page = fetch(urls[0])
    assert re.search(rb'<meta name="PubDate" content="\d{4}[-.]\d{2}[-.]\d{2}', page.body)
    assert b"TRS_Editor" in page.body or b"trs_editor_view" in page.body


def test_hanweb_dataproxy_get_and_post_agree(sim):
    hub = registry_portal(sim, "hanweb")["columns"][0]
    assert walk_hanweb(hub, post=True).articles == walk_hanweb(hub, post=False).articles


def test_hanweb_dataproxy_xml_shape(sim):
    entry = registry_portal(sim, "hanweb")
    column = entry["agencies"][0]["columns"][0]
    text = fetch(column).text
    colid = re.search(r"columnid:(\d+)", text).group(1)
    got = fetch(
        f"{entry['base_url']}module/web/jpage/dataproxy.jsp?startrecord=1&endrecord=4&perpage=2",
        data=f"col=1&appid=1&columnid={colid}".encode(),
        headers={"Accept": "application/xml, text/xml, */*"},
    )
    assert got.headers["content-type"].startswith("text/xml")
    store = etree.fromstring(got.body)
    assert store.tag == "datastore"
    total = int(store.findtext("totalrecord"))
    assert len(store.findall("recordset/record")) == min(4, total)
    assert int(store.findtext("totalpage")) >= 1
    assert all(re.search(r'href="/art/\d{4}/\d{1,2}/\d{1,2}/art_\d+_\d+\.html"', r.text) for r in store.iter("record"))


def test_hanweb_article_markers(sim):
    origin = registry_portal(sim, "hanweb")["base_url"].rstrip("/")
    url = next(r["url"] for r in sim.truth["reports"] if r["url"].startswith(origin) and r["medium"] == "html")
    body = fetch(url).body
    assert b"<!--ZJEG_RSS.content.begin-->" in body
    assert b"<!--ZJEG_RSS.content.end-->" in body
    assert b'name="i_columnid"' in body
    assert "公开方式".encode() in body


def test_gkmlpt_api_shape(sim):
    entry = registry_portal(sim, "gkmlpt")
    shell = fetch(entry["columns"][0]).text
    assert "window._CONFIG" in shell
    assert "<li" not in shell
    sid = re.search(r"SID:'(\d+)'", shell).group(1)
    root = json.loads(re.search(r"TREE:(\[.*\])\};", shell).group(1))[0]["id"]
    page0 = json.loads(fetch(f"{entry['base_url']}gkmlpt/api/all/{root}?page=0&sid={sid}").body)
    page1 = json.loads(fetch(f"{entry['base_url']}gkmlpt/api/all/{root}?page=1&sid={sid}").body)
    assert page0 == page1
    assert page1["classify"]["post_count"] == page1["total"] > 0
    article = page1["articles"][0]
    for key in ("id", "title", "publisher", "date", "created_at", "identifier", "url", "post_url", "attachment"):
        assert key in article
    assert re.search(r"/gkmlpt/content/\d+/\d+/post_\d+\.html$", article["url"])
    assert fetch(f"{entry['base_url']}gkmlpt/api/all/{root}?page=1&sid=1").status == 404


def test_jpaas_api_shape(sim):
    entry = registry_portal(sim, "jpaas")
    text = fetch(entry["columns"][0]).text
    assert 'queryData="' in text
    assert "/api-gateway/jpaas-publish-server/front/page/build/unit" in text
    query = json.loads(html.unescape(re.search(r'queryData="([^"]*)"', text).group(1)))
    got = fetch(
        f"{entry['base_url']}api-gateway/jpaas-publish-server/front/page/build/unit?"
        + urlencode({**query, "paramJson": '{"pageNo":1,"pageSize":5}'})
    )
    payload = json.loads(got.body)
    assert payload["success"] is True
    assert '<li class="clearfix">' in payload["data"]["html"]
    assert re.search(r'<div class="pagination" rows="5" count="\d+">', payload["data"]["html"])


def test_beijing_rows_all_on_page_zero(sim):
    entry = registry_portal(sim, "beijing")
    text = fetch(entry["columns"][0]).text
    assert "var $list = $('.default_news li')" in text
    towns = [a for a in entry["agencies"] if a["level"] == "township"]
    shell = fetch(towns[0]["columns"][0])
    assert len(shell.body) < 200
    assert b"location.replace('./jbxx/')" in shell.body


def test_js_only_source_has_no_links(sim):
    entry = registry_portal(sim, "js_only")
    text = fetch(entry["columns"][0]).text
    assert "<a " not in text.split("<body>", 1)[1].split('<div class="main">', 1)[1]
    assert ".html" not in text.split("var _rows", 1)[1].split("</script>", 1)[0]


@pytest.mark.skipif(shutil.which("chromium") is None, reason="no chromium")
def test_js_only_list_renders_in_a_browser(sim):
    entry = registry_portal(sim, "js_only")
    column = entry["columns"][0]
    dom = subprocess.run(
        ["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom", column],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    ).stdout
    assert WALKERS["js_only"](column).articles == set(anchors(column, dom, "//ul[@class='list']//a"))


def test_county_has_department_and_township_subcolumns(sim):
    entry = registry_portal(sim, "county")
    levels = {a["level"] for a in entry["agencies"]}
    assert {"county", "department", "township"} <= levels
    for agency in entry["agencies"]:
        assert agency["columns"]
        assert fetch(agency["columns"][0]).status == 200


def test_subprocess_mode_serves_the_same_world():
    with running_sim(portals=3, seed=7, subprocess_mode=True) as handle:
        truth = handle.truth
        assert fetch(truth["reports"][0]["url"]).status == 200
    with running_sim(portals=3, seed=7) as handle:
        other = handle.truth
    strip = re.compile(r"127\.0\.1\.\d+:\d+")
    assert strip.sub("", json.dumps(truth)) == strip.sub("", json.dumps(other))
