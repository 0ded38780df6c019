"""Digests: a subject readable in a mail client's list, counts on top, a table with links, valid MIME."""

from __future__ import annotations

import datetime as dt
import email
from email.message import EmailMessage
from email.policy import default
from typing import Any

from alerts.digest import ALERT_HEADER, compose, detail
from config.settings import CHINA
from store.models import Alert

AS_OF = dt.date(2026, 4, 1)
NOW = dt.datetime(2026, 4, 1, 8, 30, tzinfo=CHINA)


def alert(n: int, kind: str, reminder: int = 0, **fact: Any) -> Alert:
    key = f"{kind}:{fact.get('agency') or fact.get('portal')}:{fact.get('year')}" + (f"#{reminder}" if reminder else "")
    return Alert(id=n, kind=kind, dedupe_key=key, recipients=["gkb@hunan.example.cn"],
                 payload={"fact": fact, "reminder": reminder, "cadence": {"gkb@hunan.example.cn": "daily"}})


def missing(n: int, agency: str, year: int = 2025, reminder: int = 0) -> Alert:
    return alert(n, "missing_report", reminder, agency=agency, year=year, deadline=f"{year + 1}-03-31", days=1,
                 url="http://www.xiangxiang.example.cn/zwgk/nb/")


CHANGED = alert(
    9, "changed_after_publication", agency="湘乡市民政局", year=2025, changed_on="2026-03-30",
    url="http://www.xiangxiang.example.cn/art/1.html",
    diff={"fields": [], "cells": [{"table": "requests", "row": "new", "col": "total",
                                   "cell": "表三『一、本年新收政府信息公开申请数量』行『总计』栏", "old": 6, "new": 8}],
          "text": [{"section": "总体情况", "removed": ["办结6件。"], "added": ["办结8件。"]}]},
)


def test_the_subject_says_how_many_agencies_missed_which_years_report_by_when() -> None:
    digest = compose("gkb@hunan.example.cn", "daily", [missing(1, "甲县人民政府"), missing(2, "乙县人民政府"),
                                                       missing(3, "丙县人民政府")], dt.date(2026, 3, 31))
    assert digest.subject == "【政务公开监测】3个单位未按期发布2025年度报告（截至3月31日）"


def test_the_subject_names_the_two_biggest_kinds_and_counts_a_fact_once() -> None:
    alerts = [missing(1, "甲县人民政府", 2024), missing(2, "甲县人民政府", 2024, reminder=1),
              missing(3, "乙县人民政府", 2025), CHANGED,
              alert(4, "late_report", agency="丙县民政局", year=2025, published="2026-02-10", days=10)]
    assert compose("x@y.cn", "daily", alerts, AS_OF).subject == (
        "【政务公开监测】2个单位未按期发布2024、2025年度报告，1个单位逾期发布2025年度报告等（截至4月1日）")


def test_a_digest_of_reminders_says_so() -> None:
    digest = compose("x@y.cn", "weekly", [missing(1, "甲县人民政府", reminder=2)], AS_OF)
    assert digest.subject.startswith("【政务公开监测】【提醒】1个单位")
    assert "第2次提醒" in digest.text


def test_each_kind_reads_as_a_sentence() -> None:
    assert detail("missing_report", {"deadline": "2026-01-31", "days": 15}) == \
        "截止日期2026年1月31日，已过15天，网站上仍未找到"
    assert detail("late_report", {"published": None, "days": None}).startswith("发布日期不详")
    assert detail("portal_unreachable", {"since": "2026-02-02", "n": 3, "kinds": ["timeout", "challenge_412"]}) == \
        "自2026年2月2日起连续3次抓取失败（超时、412验证页面）"
    assert detail("changed_after_publication", CHANGED.payload["fact"]) == "2026年3月30日发现新版本：1个单元格、1段文字"


def parsed(alerts: list[Alert]) -> EmailMessage:
    digest = compose("gkb@hunan.example.cn", "daily", alerts, AS_OF, name="湖南省政务公开办")
    raw = digest.message("xxgk@monitor.example.cn", NOW).as_bytes()
    message = email.message_from_bytes(raw, policy=default)
    assert isinstance(message, EmailMessage)
    return message


def test_the_email_is_multipart_alternative_text_then_html_with_alert_keys() -> None:
    alerts = [missing(1, "甲县人民政府"), CHANGED]
    msg = parsed(alerts)
    assert msg.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in msg.iter_parts()] == ["text/plain", "text/html"]
    assert str(msg["Subject"]).startswith("【政务公开监测】1个单位未按期发布2025年度报告")
    assert msg.get_all(ALERT_HEADER) == [a.dedupe_key for a in alerts]
    assert msg["X-XXGK-Cadence"] == "daily"
    assert msg["Message-ID"].endswith("@monitor.example.cn>")
    text = msg.get_body(("plain",)).get_content()
    assert "湖南省政务公开办：" in text
    assert "表三『一、本年新收政府信息公开申请数量』行『总计』栏：6 → 8" in text
    html = msg.get_body(("html",)).get_content()
    assert 'href="http://www.xiangxiang.example.cn/art/1.html"' in html
    assert "年报栏目" in html
    assert "办结8件。" in html


def test_counts_come_first() -> None:
    html = parsed([missing(1, "甲县人民政府"), missing(2, "乙县人民政府"), CHANGED]).get_body(("html",)).get_content()
    counts = html.index("未按期发布年度报告</div>")
    assert counts < html.index("甲县人民政府")
    assert '<div style="font-size:24px;font-weight:bold;color:#9a1b1b;">2</div>' in html


def test_html_is_escaped_and_text_is_not() -> None:
    odd = missing(1, "<b>某&某</b>县人民政府")
    msg = parsed([odd])
    assert "&lt;b&gt;某&amp;某&lt;/b&gt;县人民政府" in msg.get_body(("html",)).get_content()
    assert "<b>某&某</b>县人民政府" in msg.get_body(("plain",)).get_content()
