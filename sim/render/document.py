"""Record → `Document`: the title, the six sections (or the legacy parts) and their tables.

Built once per rendering and then serialized by `html` or `text`; the generator
only chooses among variants real reports show (heading wording, a preamble, the
"该部分以表格形式报告" intro, the legacy table's title inside or above it).
"""

from __future__ import annotations

import random

from extract.schema import SECTIONS, Record
from sim.render import labels, narrative, tables
from sim.render.model import Block, Document, Para

_TABLE_SECTIONS = {
    "active": tables.active_table,
    "requests": tables.requests_table,
    "review_litigation": tables.review_table,
}


def build_document(record: Record, rng: random.Random) -> Document:
    """The report as blocks. A record naming no agency gets no title (the body never names it)."""
    text = record.get("narrative") or narrative.write(record, rng)
    title = None
    if record.get("agency") is not None:
        title = record.get("title") or narrative.title(record["agency"], record["year"], rng)
    if record.get("format") == "legacy":
        blocks = _legacy_blocks(record, text, rng)
    else:
        blocks = _template_blocks(record, text, rng)
    head = (Para(title, "title"),) if title else ()
    return Document(title, (*head, *blocks))


def _paras(text: str) -> list[Block]:
    return [Para(line) for line in text.split("\n") if line.strip()]


def _template_blocks(record: Record, text: dict[str, str], rng: random.Random) -> list[Block]:
    year = narrative.body_year(record)
    blocks: list[Block] = []
    if rng.random() < 0.4:
        blocks.append(
            Para(
                "本报告根据《中华人民共和国政府信息公开条例》（以下简称《条例》）第五十条规定编制，"
                f"统计期限为{year}年1月1日至12月31日。"
            )
        )
    sections = record.get("sections") or dict.fromkeys(SECTIONS, True)
    for key in SECTIONS:
        if not sections.get(key):
            continue
        variants = labels.SECTION_HEADINGS[key]
        blocks.append(Para(variants[-1] if rng.random() < 0.2 else variants[0], "heading"))
        if key in _TABLE_SECTIONS:
            if rng.random() < 0.25:
                blocks.append(Para(labels.TABLE_INTRO))
            blocks.append(_TABLE_SECTIONS[key](record, rng))
        else:
            blocks.extend(_paras(text.get(key, "")))
    return blocks


def _legacy_blocks(record: Record, text: dict[str, str], rng: random.Random) -> list[Block]:
    blocks: list[Block] = []
    if rng.random() < 0.6:
        blocks.append(
            Para(
                "本年度报告根据《中华人民共和国政府信息公开条例》（以下简称《条例》）的有关规定编制。"
                "全文包括概述、主动公开政府信息情况、依申请公开政府信息办理情况、政府信息公开收费及减免情况、"
                "因政府信息公开申请行政复议和提起行政诉讼的情况、存在的主要问题和改进措施，并附相关指标统计表。"
            )
        )
    for key, heading in labels.LEGACY_HEADINGS.items():
        blocks.append(Para(heading, "heading"))
        if key == "annex":
            title_row = rng.random() < 0.7
            if not title_row:
                blocks.append(Para(labels.LEGACY_TITLE, "caption"))
            blocks.append(tables.legacy_table(record, rng, title_row=title_row))
        else:
            blocks.extend(_paras(text.get(key, "")))
            if key == "problems":
                blocks.extend(_paras(text.get("other", "")))
    return blocks
