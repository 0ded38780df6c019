"""Digests: a subject that counts agencies, the current year first; counts on top; earlier years one line per
agency; greeting by the office's name; actions as links or a reply, never a command; valid MIME."""

from __future__ import annotations

import datetime as dt
import email
from email.message import EmailMessage
from email.policy import default
from typing import Any

from alerts.digest import ALERT_HEADER, compose, detail
from alerts.routing import Letterhead
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
    assert digest.subject == "【政务公开监测】2025年度：3个单位未发布（截至3月31日）"


def test_the_subject_counts_agencies_and_leads_with_the_current_year() -> None:
    alerts = [missing(1, "甲县人民政府", 2024), missing(2, "甲县人民政府", 2024, reminder=1),
              missing(5, "甲县人民政府", 2019), missing(3, "乙县人民政府", 2025), CHANGED,
              alert(4, "late_report", agency="丙县民政局", year=2025, published="2026-02-10", days=10)]
    assert compose("x@y.cn", "daily", alerts, AS_OF).subject == (
        "【政务公开监测】2025年度：1个单位未发布，1个单位逾期发布，1个单位发布后修改；往年：1个单位未发布（截至4月1日）")


def test_earlier_years_are_one_line_per_agency() -> None:
    alerts = [missing(n, "甲县人民政府", year) for n, year in enumerate((2016, 2017, 2019, 2025), 1)]
    alerts += [alert(7, "late_report", agency="甲县人民政府", year=2018, published="2019-04-10", days=10),
               missing(8, "乙县人民政府", 2020)]
    digest = compose("x@y.cn", "daily", alerts, AS_OF)
    assert "甲县人民政府：2016、2017、2019年度未发布；2018年度逾期发布" in digest.text
    assert "乙县人民政府：2020年度未发布" in digest.text
    history = digest.text.split("== 往年情况")[1]
    assert digest.text.index("== 2025年度报告未按期发布") < digest.text.index("== 往年情况")
    assert "已过" not in history  # no 3,672 days overdue in the history


def test_a_digest_of_reminders_says_so() -> None:
    digest = compose("x@y.cn", "weekly", [missing(1, "甲县人民政府", reminder=2)], AS_OF)
    assert digest.subject.startswith("【政务公开监测】【提醒】2025年度：1个单位未发布")
    assert "第2次提醒" in digest.text


def test_each_kind_reads_as_a_sentence() -> None:
    assert detail("missing_report", {"deadline": "2026-01-31", "days": 15}) == \
        "截止日期2026年1月31日，已过15天，网站上仍未找到"
    assert detail("late_report", {"published": None, "days": None}).startswith("发布日期不详")
    assert detail("portal_unreachable", {"since": "2026-02-02", "n": 3, "kinds": ["timeout", "challenge_412"]}) == \
        "自2026年2月2日起连续3次抓取失败（超时、412验证页面）"
    assert detail("changed_after_publication", CHANGED.payload["fact"]) == "2026年3月30日发现新版本：1个单元格、1段文字"


OFFICE = Letterhead(names={"gkb@hunan.example.cn": "湖南省政务公开办"})


def parsed(alerts: list[Alert], letterhead: Letterhead = OFFICE) -> EmailMessage:
    digest = compose("gkb@hunan.example.cn", "daily", alerts, AS_OF, letterhead)
    raw = digest.message("xxgk@monitor.example.cn", NOW).as_bytes()
    message = email.message_from_bytes(raw, policy=default)
    assert isinstance(message, EmailMessage)
    return message


def test_the_email_is_multipart_alternative_text_then_html_with_alert_keys() -> None:
    alerts = [missing(1, "甲县人民政府"), CHANGED]
    msg = parsed(alerts)
    assert msg.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in msg.iter_parts()] == ["text/plain", "text/html"]
    assert str(msg["Subject"]).startswith("【政务公开监测】2025年度：1个单位未发布，1个单位发布后修改")
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
    counts = html.index("2025年度报告未按期发布</div>")
    assert counts < html.index("甲县人民政府")
    assert '<div style="font-size:24px;font-weight:bold;color:#9a1b1b;">2</div>' in html


def test_html_is_escaped_and_text_is_not() -> None:
    odd = missing(1, "<b>某&某</b>县人民政府")
    msg = parsed([odd])
    assert "&lt;b&gt;某&amp;某&lt;/b&gt;县人民政府" in msg.get_body(("html",)).get_content()
    assert "<b>某&某</b>县人民政府" in msg.get_body(("plain",)).get_content()


def test_actions_are_links_or_a_reply_never_a_command() -> None:
    alerts = [missing(1, "甲县人民政府"), CHANGED]
    plain = parsed(alerts, Letterhead()).get_body(("plain",)).get_content()
    assert "xxgk" not in plain
    assert "alerts ack" not in plain
    assert "您好：" in plain  # no office name known: no e-mail address as a greeting either
    linked = parsed(alerts, Letterhead(OFFICE.names, dashboard_url="https://gk.example.cn/"))
    html = linked.get_body(("html",)).get_content()
    assert 'href="https://gk.example.cn/alerts"' in html  # where alerts are closed
    assert 'href="https://gk.example.cn/agency/' not in html  # these alerts name no agency row
    assert "xxgk" not in html
    reply = parsed(alerts, Letterhead(OFFICE.names, reply_to="gk-ops@example.cn"))
    assert reply["Reply-To"] == "gk-ops@example.cn"
    assert "请直接回复本邮件（gk-ops@example.cn）" in reply.get_body(("plain",)).get_content()


def test_each_finding_names_its_cells() -> None:
    failing = [{"rule": "requests.row_total", "message": "表三『三(一)予以公开』行：六类申请人之和为 11，总计栏为 10",
                "cell": None, "expected": 11, "actual": 10}]
    wrong = alert(3, "inconsistent_report", agency="甲县民政局", year=2025, failing=failing,
                  url="http://www.xiangxiang.example.cn/art/2.html")
    plain = parsed([wrong]).get_body(("plain",)).get_content()
    assert "    - 表三『三(一)予以公开』行：六类申请人之和为 11，总计栏为 10" in plain
    assert "2025年度报告数据有误" in plain


def test_staff_kinds_read_as_sentences() -> None:
    assert detail("unreadable_report", {"reason": "image"}) == "报告已发布，但为图片版，尚未完成文字识别，系统读不出其内容，请人工查看原文"
    assert detail("unregistered_agency", {"name": "盐城市政府办", "reports": 3}).startswith(
        "网站上有3份年度报告署名“盐城市政府办”，登记表中该网站没有叫这个名字的单位")
