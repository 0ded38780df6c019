"""Titles and running text of a report, consistent with its tables.

The figures quoted in the narrative are the record's own numbers (a report whose
text contradicts its tables is an error case the validator looks for, so the
generator never makes one by accident). Cells that are blank are not quoted.
"""

from __future__ import annotations

import random
from typing import Any, Final

from extract.schema import Record
from sim.render.names import portal_site, short_name

_REPORT: Final = "政府信息公开工作年度报告"


def title(agency: str | None, year: int, rng: random.Random) -> str:
    """One of the title shapes of format-spec §6; a `\\n` marks a title split over two lines."""
    if agency is None:
        return f"{year}年{_REPORT}"
    shapes = (
        f"{agency}{year}年{_REPORT}",
        f"{agency}{year}年{_REPORT}",
        f"{year}年{agency}{_REPORT}",
        f"{agency}{year}年度{_REPORT}",
        f"{agency}{year}年政府信息公开工作\n年度报告",
        f"{agency}{year}年政府信息公开工作报告",
    )
    return rng.choice(shapes)


def body_year(record: Record) -> int:
    """The year the body speaks of: the record's, unless the text was copied from last year's report
    (`parse.body_year`, set by the simulator's trap; the title still names the record's year)."""
    year = (record.get("parse") or {}).get("body_year")
    return year if isinstance(year, int) else int(record["year"])


def write(record: Record, rng: random.Random) -> dict[str, str]:
    """Narrative sections keyed like `record["sections"]` (legacy: its own seven parts)."""
    if record.get("format") == "legacy":
        return _legacy(record, rng)
    agency, year = record.get("agency"), body_year(record)
    me = short_name(agency)
    name = agency or me
    overview = (
        (
            f"{year}年，{name}坚持以习近平新时代中国特色社会主义思想为指导，认真贯彻落实"
            "《中华人民共和国政府信息公开条例》和上级关于政务公开工作的部署要求，围绕中心工作，扎实推进政府信息公开工作。"
        ),
        (
            f"（一）主动公开。{me}依托{portal_site(agency)}门户网站、政务新媒体和公开栏等渠道，"
            f"全年主动公开各类政府信息{rng.randint(20, 900)}条。{_active_sentence(record)}"
        ),
        f"（二）依申请公开。{_requests_sentence(record)}{_review_sentence(record)}",
        "（三）政府信息管理。严格落实信息发布“三审三校”制度，定期梳理已公开信息，及时更新失效内容。",
        "（四）平台建设。持续优化政府信息公开专栏，规范栏目设置，提升信息检索和获取的便利度。",
        "（五）监督保障。将政府信息公开工作纳入年度绩效考核，全年未发生因政府信息公开工作引发的责任追究情况。",
    )
    problems = (
        (
            f"{year}年，{me}政府信息公开工作取得了一定成效，但仍存在一些不足：一是公开内容的深度和广度有待拓展；"
            "二是政策解读形式较为单一；三是工作人员业务能力有待提升。"
        ),
        (
            f"下一步，{me}将从以下方面加以改进：一是加大主动公开力度，丰富公开内容；"
            "二是创新政策解读方式，运用图片、视频等形式提升解读效果；三是加强业务培训，提高工作人员能力水平。"
        ),
    )
    other = (
        "无。",
        "无其他需要报告的事项。",
        f"依据《政府信息公开信息处理费管理办法》规定，{me}{year}年度未收取信息处理费。",
    )
    return {"overview": "\n".join(overview), "problems": "\n".join(problems), "other": rng.choice(other)}


def _cell(record: Record, table: str, row: str, col: str) -> Any:
    return ((record.get(table) or {}).get(row) or {}).get(col)


def _active_sentence(record: Record) -> str:
    issued = _cell(record, "active", "normative_documents", "issued")
    if issued is None:
        issued = _cell(record, "active", "normative_documents", "new_made")
    return f"本年制发行政规范性文件{issued}件。" if issued is not None else ""


def _requests_sentence(record: Record) -> str:
    figures = {
        "本年新收政府信息公开申请": _cell(record, "requests", "new", "total"),
        "上年结转": _cell(record, "requests", "carried_over", "total"),
        "办结": _cell(record, "requests", "total", "total"),
        "结转下年度": _cell(record, "requests", "carry_forward", "total"),
    }
    parts = [f"{what}{n}件" for what, n in figures.items() if n is not None]
    sub_unit = (record.get("parse") or {}).get("sub_unit")  # a part of the agency: another scope
    own = f"{sub_unit['name']}受理政府信息公开申请{sub_unit['received']}件。" if sub_unit else ""
    return ("，".join(parts) + "。" if parts else "") + own


def _review_sentence(record: Record) -> str:
    review = _cell(record, "review_litigation", "review", "total")
    direct = _cell(record, "review_litigation", "litigation_direct", "total")
    after = _cell(record, "review_litigation", "litigation_after_review", "total")
    if review is None or direct is None or after is None:
        return ""
    return f"全年因政府信息公开工作被申请行政复议{review}件，行政诉讼{direct + after}件。"


def _stat(record: Record, label: str) -> Any:
    return next((s["value"] for s in record.get("legacy_stats", ()) if s["label"] == label), None)


def _legacy(record: Record, rng: random.Random) -> dict[str, str]:
    agency, year = record.get("agency"), body_year(record)
    name = agency or short_name(agency)
    published = _stat(record, "主动公开政府信息数")
    received = _stat(record, "收到申请数")
    fee = _stat(record, "依申请公开信息收取的费用")
    review, litigation = _stat(record, "行政复议数量"), _stat(record, "行政诉讼数量")
    return {
        "overview": (
            f"{year}年，{name}认真贯彻落实《中华人民共和国政府信息公开条例》，成立了政府信息公开工作领导小组，"
            "明确具体工作由办公室负责实施，形成了主要领导亲自抓、分管领导具体抓、职能股室抓落实的工作机制。"
        ),
        "active": f"全年主动公开政府信息{published}条，网站内容更新及时。"
        if published is not None
        else "网站内容更新及时。",
        "requests": (
            f"{year}年度共收到政府信息公开申请{received}件，均已按时答复。"
            if received
            else f"{name}{year}年度无依申请公开政府信息办理情况。"
        ),
        "fees": f"全年依申请公开信息收取费用{fee}万元。" if fee else f"目前{name}无涉及公开收费项目。",
        "review_litigation": (
            f"全年发生政府信息公开行政复议{review}件，行政诉讼{litigation}件。"
            if review or litigation
            else f"{name}无申请行政复议和提起行政诉讼的情况。"
        ),
        "problems": (
            "（一）存在的主要问题：1、缺乏专职人员，网站建设存在短板；2、政策解读等信息公开量还有提高的空间。\n"
            "（二）改进的措施：1、进一步做好规范性文件和政策解读稿件的公开工作；"
            "2、积极开展相关的教育和培训工作，提高工作人员业务水平。"
        ),
        "other": rng.choice(("", f"如对本年度报告有任何疑问，请联系{name}办公室。")),
    }
