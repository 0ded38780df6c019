"""Bodies of the pages a careless crawler takes for reports (portals.md §5, the issue's decoy list).

Each reads like the real thing and carries report words (年度报告, 年报, 政府信息公开) in its title;
only the old report has the template's tables, and it is for a year outside the monitored span.
"""

from __future__ import annotations

import random
from html import escape

from sim.media import html_fragment
from sim.render import random_record
from sim.world import Decoy


def _paras(lines: list[str]) -> str:
    return "\n".join(f"<p>\u3000\u3000{escape(line, quote=False)}</p>" for line in lines)


def body(decoy: Decoy) -> str:
    """The decoy's article body (HTML fragment)."""
    rng = random.Random(decoy.seed)  # noqa: S311 - reproducible simulated data
    who, year = decoy.agency.printed, decoy.year
    if decoy.kind == "old_report":
        record = random_record(rng, fmt="legacy", year=year, agency=who)
        record["title"] = decoy.title
        return html_fragment(record, "clean")
    if decoy.kind == "interpretation":
        return _paras(
            [
                f"近日，{who}发布了《{who}{year}年政府信息公开工作年度报告》。为便于公众理解，现将有关内容解读如下。",
                f"一、报告的主要内容。报告共分六个部分，全面反映了{year}年度政府信息公开工作情况。",
                f"二、主要亮点。{year}年主动公开各类政府信息{rng.randint(50, 900)}条，依申请公开办理及时规范。",
                "三、下一步工作。将进一步加大公开力度，提升公开质量。",
            ]
        )
    if decoy.kind == "work_points":
        return _paras(
            [
                f"为深入贯彻落实《中华人民共和国政府信息公开条例》，做好{year + 1}年政务公开工作，制定本要点。",
                "一、加强重点领域信息公开。二、强化政策解读回应。三、提升政务公开平台建设水平。",
                f"各单位要按时编制并公开{year + 1}年度政府信息公开工作年度报告。",
            ]
        )
    if decoy.kind == "budget":
        return _paras(
            [
                f"根据预决算公开有关规定，现将{who}{year}年度部门预（决）算公开如下。",
                f"一般公共预算财政拨款收入{rng.randint(100, 9000)}万元，支出{rng.randint(100, 9000)}万元。",
            ]
        )
    return _paras(
        [
            "各乡镇人民政府、街道办事处，县直各单位：",
            f"根据《中华人民共和国政府信息公开条例》规定，现就做好{year}年度政府信息公开工作年度报告编制和发布工作通知如下。",
            f"一、各单位须于{year + 1}年1月31日前向社会公布本单位{year}年度政府信息公开工作年度报告。",
            "二、年度报告须严格按照国务院办公厅公布的统一格式编制。",
        ]
    )
