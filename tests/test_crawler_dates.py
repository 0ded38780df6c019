"""Publication dates: every candidate kept, the most trusted reported, 成文日期 never taken."""

from __future__ import annotations

import datetime as dt

import pytest

from crawler.dates import candidates, effective, from_page_text, from_url, parse_date

D = dt.date


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-01-17 09:30", D(2024, 1, 17)),
        ("2024年1月17日", D(2024, 1, 17)),
        ("2024.01.17", D(2024, 1, 17)),
        ("2024/1/7", D(2024, 1, 7)),
        ("二〇二四年十二月三十一日", D(2024, 12, 31)),
        ("二〇二四年一月十日", D(2024, 1, 10)),
        ("撰写时间 2024年01月12日 17:12:21", D(2024, 1, 12)),
        ("２０２４－０１－１７", D(2024, 1, 17)),
        ("2024-02-30", None),
        ("no date", None),
    ],
)
def test_parse_date(text: str, expected: dt.date | None) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("成文日期 2024-01-16 发布机构 下各镇 发布日期: 2024-01-17", [D(2024, 1, 17)]),
        ("发布时间:2024-01-19 11:04 来源:利辛县望疃镇人民政府 字体:[ ]", [D(2024, 1, 19)]),
        ("来源:昌图县人民政府办公室 时间:2024-01-31", [D(2024, 1, 31)]),
        ("成文日期: 2024-01-09", []),
    ],
)
def test_page_labels(text: str, expected: list[dt.date]) -> None:
    assert [c.date for c in from_page_text(text)] == expected


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("http://maojian.shiyan.gov.cn/xxgk/xxgknb/2023n_109815/202401/t20240117_4405804.shtml", D(2024, 1, 17)),
        ("http://www.zjxj.gov.cn/art/2024/1/16/art_1229325036_3913369.html", D(2024, 1, 16)),
        ("http://changtu.gov.cn/changtu/xzzfxxgkgzndbg/2024013110470592735/index.html", D(2024, 1, 31)),
        ("https://www.np.gov.cn/cms/html/npszf/2013-01-25/1779102018.html", D(2013, 1, 25)),
        ("https://www.lg.gov.cn/xxgk/xxgknb/qzfgzbm/content/post_11956962.html", None),
    ],
)
def test_url_dates(url: str, expected: dt.date | None) -> None:
    found = from_url(url)
    assert (found[0].date if found else None) == expected


def test_all_candidates_kept_and_page_trusted_first() -> None:
    found = candidates(
        page_text="发布日期：2024-01-10",
        meta={"PubDate": "2024-01-11 09:30"},
        list_date="2024-01-12",
        url="http://x/202401/t20240117_1.html",
        first_seen=D(2024, 2, 1),
    )
    assert [c.source for c in found] == ["page", "meta", "list", "url", "first_seen"]
    best = effective(found)
    assert best is not None
    assert (best.source, best.date) == ("page", D(2024, 1, 10))


def test_first_seen_when_nothing_else() -> None:
    best = effective(candidates(url="http://x/a.html", first_seen=D(2024, 2, 1)))
    assert best is not None
    assert best.source == "first_seen"
