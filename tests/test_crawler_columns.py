"""Which links on a list page are an agency's own column (followed as a sub-column) and which are
articles that merely name the agency (a decoy followed as a column costs a request, and a browser
render on a JavaScript portal)."""

from __future__ import annotations

import pytest

from config.registry import Portal
from crawler.adapters.base import Link
from crawler.spiders.portal import is_agency_column

PORTAL = Portal.model_validate({
    "id": "lixin", "name": "利辛县人民政府", "base_url": "http://lixin.example.cn/",
    "agencies": [
        {"name": "利辛县人民政府", "level": "county", "region": "341623"},
        {"name": "利辛县教育局", "level": "department", "region": "341623"},
    ],
})


@pytest.mark.parametrize(("title", "url", "date"), [
    ("利辛县教育局", "http://lixin.example.cn/xxgk/jyj/index.html", None),
    ("利辛县人民政府", "http://lixin.example.cn/xxgk/xzf/", None),
])
def test_anis_agency_column_is_followed(title: str, url: str, date: str | None) -> None:
    assert is_agency_column(Link(url, title, date), PORTAL)


@pytest.mark.parametrize(("title", "url", "date"), [
    ("利辛县人民政府2017年政务公开工作要点", "http://lixin.example.cn/xxgk/201706/t20170602_1.html", None),
    ("《利辛县人民政府2024年政府信息公开工作年度报告》解读", "http://lixin.example.cn/a/t2.html", None),
    ("利辛县人民政府2024年政府信息公开工作年度报告", "http://lixin.example.cn/a/t3.html", None),
    ("利辛县教育局工作动态", "http://lixin.example.cn/a/t4.html", "2024-03-01"),
    ("利辛县教育局", "http://elsewhere.example.cn/jyj/", None),
    ("利辛县财政局", "http://lixin.example.cn/xxgk/czj/", None),
])
def test_an_article_or_another_site_is_nois_agency_column(title: str, url: str, date: str | None) -> None:
    assert not is_agency_column(Link(url, title, date), PORTAL)
