"""Figures the report's text states, tied to the cells they describe.

`本年新收政府信息公开申请26件，上年结转0件` says what 表三's 总计 column holds; `2015年主动公开政府信息
2949条` what the 统计表's 主动公开 line holds. Where digits ran together and the arithmetic leaves more
than one cut, a cut that agrees with the text is the one the report meant. The text may be wrong
(a real conflict is the validator's to report): it only decides between cuts that add up anyway.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from extract.splits import Relation

_CLAUSE_END: Final = re.compile(r"[,，。;；:：!！?？\n]")
_FIGURE: Final = re.compile(r"(\d+(?:\.\d+)?)\s*(万元|元|人次|件|条|次|个|篇|项)")

# clause keywords → the cells whose sum the figure is (表三's 总计 column, 表四's totals, 表二)
_TEMPLATE: Final = (
    (re.compile(r"结转下年度|下年度继续|转入下一年|顺延"), ("requests.carry_forward.total",)),
    (re.compile(r"上年结转|上年度结转"), ("requests.carried_over.total",)),
    (re.compile(r"新收|收到[^件]{0,12}申请|受理[^件]{0,12}申请"), ("requests.new.total",)),
    (re.compile(r"办结|答复"), ("requests.total.total",)),
    (re.compile(r"行政复议"), ("review_litigation.review.total",)),
    (re.compile(r"诉讼"), ("review_litigation.litigation_direct.total",
                          "review_litigation.litigation_after_review.total")),
    (re.compile(r"制发[^件]{0,8}规范性文件"), ("active.normative_documents.issued",)),
)


@dataclass(frozen=True, slots=True)
class Figure:
    clause: str  # the words of its clause before the figure
    value: float
    unit: str


def figures(prose: Sequence[str]) -> list[Figure]:
    """Every `N件` / `N条` … the text states, with the words that lead to it."""
    out: list[Figure] = []
    for line in prose:
        start = 0
        for m in _FIGURE.finditer(line):
            clause_start = max((e.end() for e in _CLAUSE_END.finditer(line, start, m.start())), default=start)
            out.append(Figure(line[clause_start:m.start()], float(m.group(1)), m.group(2)))
            start = m.end()
    return out


def template_evidence(found: Sequence[Figure]) -> list[Relation]:
    """Σ cells = the stated figure, for the figures a clause ties to 表三, 表四 or 表二."""
    out: list[Relation] = []
    for fig in found:
        if fig.unit != "件":
            continue
        for pattern, cells in _TEMPLATE:
            if pattern.search(fig.clause):
                out.append(Relation(cells, (), const=-_number(fig.value)))
                break
    return out


def legacy_evidence(found: Sequence[Figure], rows: Sequence[tuple[str, str, str]]) -> list[Relation]:
    """For 统计表 rows (cell key, label, unit): a figure in the row's unit, in a clause that shares
    the label's first words (`主动公开文件数` ↔ `主动公开政府信息2949条`), is the row's value."""
    out: list[Relation] = []
    for key, label, unit in rows:
        words = label[:4]
        if len(words) < 4:
            continue
        out.extend(
            Relation((key,), (), const=-_number(fig.value))
            for fig in found if fig.unit == unit and words in fig.clause
        )
    return out


def _number(value: float) -> int | float:
    return int(value) if value.is_integer() else value
