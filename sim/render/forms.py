"""Degraders: a record's report in the worse shapes real reports reach the parser in.

The clean renderers (`html`, `text`) write what a CMS or a text pipeline would; the forms here
write what archives, PDF converters and OCR make of it (../shared/spec/real-world-forms.md):

* ``page_text``: the page's text on one line, from an archiving tool (with its header block or
  without); headings mid-line, sometimes with a typo (「行政法复议」); the digits of neighbouring
  cells run together (`40200042`), a 2019 amount printed with its unit (`5394432.52元`).
* ``page_text_spaced``: the same with stray spaces, at some cell borders and inside some numbers.
* ``markdown_pdf``: markdown from a PDF converter: a row's label lost (its numbers on a row of
  their own), a header split over two rows, a separator line inside a table, a label cell shifted
  one column right, 表二's columns collapsed into one cell.
* ``ocr_text``: OCR text, one line per table row, with a block of 表三's rows printed under 表四's
  header.
* ``annotated``: pipe text whose non-zero cells carry notes (`22（其中修订16件）`).

Every form is deterministic for a given record, like the layouts in `sim.render`.
"""

from __future__ import annotations

import copy
import random
from typing import Any, Final

from extract.schema import TABLES, Record
from sim.render.document import build_document
from sim.render.model import Cell, Document, Para, Table
from sim.render.values import NumberStyle, derived_rng, format_number

_PLAIN: Final = NumberStyle(blanks=("/", "—", "-", "/"), thousands=0.0, fixed_money=0.2)
_TYPOS: Final = (("行政复议", "行政法复议"), ("主动公开", "主动公开 "), ("存在的主要问题", "存在的主要问 题"))
ARCHIVE_RULE: Final = "=" * 20 + " 正文 " + "=" * 20


def _text(cell: Cell | None, rng: random.Random, *, yuan: bool = False) -> str:
    """A cell's text; with `yuan`, an amount may be printed in 元 with its unit (the 2019 format's
    政府集中采购, `5394432.52元`)."""
    if cell is None:
        return ""
    if cell.number is not None:
        number = cell.number
        if yuan and number.kind == "money" and number.value and rng.random() < 0.3:
            amount = round(number.value * 10000, 2)
            return (str(int(amount)) if float(amount).is_integer() else f"{amount:.2f}".rstrip("0")) + "元"
        return format_number(number, _PLAIN, rng)
    return "".join(cell.parts)


# ---------------------------------------------------------------------------- page text on one line

def _archive_header(record: Record, doc: Document, rng: random.Random) -> list[str]:
    year = int(record.get("year") or 2020)
    return [
        f"标题: {(doc.title or '').replace(chr(10), '')}",
        f"发布时间: {year + 1}-{rng.randint(1, 3):02d}-{rng.randint(1, 28):02d} {rng.randint(8, 17):02d}:30",
        "文号: ",
        "发布机构: ",
        "栏目: 政府信息公开年报",
        f"原文链接: https://www.example.gov.cn/zwgk/zfxxgknb/{year + 1}01/t{year + 1}0120_{rng.randint(1, 99999)}.htm",
        "页面链接与图片详见 links.tsv(同目录)",
        ARCHIVE_RULE,
    ]


def _typo(text: str, rng: random.Random) -> str:
    for right, wrong in _TYPOS:
        if right in text and rng.random() < 0.3:
            return text.replace(right, wrong, 1)
    return text


def _run_table(table: Table, rng: random.Random, spaces: float, *, yuan: bool) -> str:
    """A table's cells in source order, as a page's text holds them: no separators; between two
    numbers a space only now and then (`spaces`), and as often a stray one inside a number."""
    out: list[str] = []
    prev_number = False
    for row in table.rows:
        for cell in row:
            text = _text(cell, rng, yuan=yuan)
            number = cell.number is not None
            if number and len(text) > 1 and text.isdigit() and rng.random() < spaces / 2:
                cut = rng.randrange(1, len(text))
                text = f"{text[:cut]} {text[cut:]}"
            if number and prev_number and rng.random() < spaces:
                out.append(" ")
            if text == "—" and out and out[-1].endswith("—"):
                text = "/"  # `——` reads as one blank mark
            out.append(text)
            prev_number = number
    return "".join(out)


def page_text(record: Record, *, spaces: float = 0.0, header: bool | None = None, salt: str = "page_text") -> str:
    rng = derived_rng(record, salt)
    doc = build_document(record, rng)
    lines = _archive_header(record, doc, rng) if (rng.random() < 0.5 if header is None else header) else []
    body: list[str] = []
    if rng.random() < 0.5:
        body.append(f"当前位置： 首页政务公开政府信息公开年报 来源：{record.get('agency') or ''} 微信 微博 文字版 ")
    glue = rng.choice(("", " "))
    for block in doc.blocks:
        if isinstance(block, Table):
            body.append(_run_table(block, rng, spaces, yuan=record.get("format") == "2019"))
        elif block.role == "heading":
            body.append(_typo(block.text, rng))
        else:
            body.append(block.text.replace("\n", ""))
    lines.append(glue.join(body) + rng.choice(("", " 附件下载", " 【打印本页】【关闭窗口】")))
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------- markdown from a PDF converter

def _md(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def markdown_pdf(record: Record) -> str:
    rng = derived_rng(record, "markdown_pdf")
    doc = build_document(record, rng)
    lines: list[str] = []
    for block in doc.blocks:
        if isinstance(block, Para):
            lines += [*block.text.split("\n"), ""]
            continue
        lines += [*_broken_table(block, rng), ""]
    return "\n".join(lines) + "\n"


def _broken_table(table: Table, rng: random.Random) -> list[str]:
    grid = [[_text(c, rng) for c in row] for row in table.expanded()]
    width = len(grid[0])
    labelled = [r for r, row in enumerate(table.expanded()) if any(c is not None and c.number for c in row)]
    rows = [_md(row) for row in grid]
    if table.kind == "active" and rng.random() < 0.5:  # a row's values collapsed into its first value cell
        for r in labelled:
            values = [t for t in grid[r][1:] if t]
            if len(values) > 1:
                joined = " ".join(values)  # the converter keeps a space between the values it joins
                rows[r] = _md([grid[r][0], joined, *[""] * (width - 2)])
    if table.kind == "requests" and len(labelled) > 3:
        kind = rng.choice(("lost", "split", "shift", "none"))
        if kind == "lost":  # the label of one row lost: its numbers on a row of their own
            r = rng.choice(labelled[1:])
            values = [t for t, c in zip(grid[r], table.expanded()[r], strict=True) if c is not None and c.number]
            rows[r] = _md(values)
        elif kind == "split":  # the third header row split over two rows
            r = 2
            head = list(grid[r])
            first = [t[: max(1, len(t) // 2)] if t else "" for t in head]
            second = [t[max(1, len(t) // 2):] if t else "" for t in head]
            rows[r:r + 1] = [_md(first), _md(second)]
        elif kind == "shift":  # one row's label cell shifted one column right
            r = rng.choice(labelled[2:])
            cells = list(grid[r])
            rows[r] = _md(["", *cells[:-1]]) if not cells[-1] else rows[r]
    rows.insert(1, "|" + "---|" * width)
    if len(rows) > 6 and rng.random() < 0.5:  # a separator line inside the table (a page break)
        rows.insert(rng.randrange(4, len(rows)), "|" + "---|" * width)
    return rows


# ---------------------------------------------------------------------------- OCR text

def ocr_text(record: Record) -> str:
    """A scan read back as text: a line per row, cells separated by spaces; 表三's (六) rows (or the
    2019 format's single (六) row) printed right after 表四's header."""
    rng = derived_rng(record, "ocr_text")
    doc = build_document(record, rng)
    out: list[str] = []
    displaced: list[str] = []
    for block in doc.blocks:
        if isinstance(block, Para):
            out += block.text.split("\n")
            continue
        for row in block.rows:
            line = " ".join(t for t in (_text(c, rng) for c in row) if t)
            if block.kind == "requests" and any(
                    "其他处理" in c.text or (c.text.startswith(("1.申请人", "2.申请人", "3.其他"))) for c in row):
                displaced.append(line)
                continue
            out.append(line)
            if block.kind == "review_litigation" and row is block.rows[2] and displaced:
                out += displaced
                displaced = []
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------------------- annotated cells

_NOTES: Final = ("其中修订{k}件", "含上年度结转{k}件", "其中依申请{k}件")


def annotated(record: Record) -> Record:
    """The record with notes written into some of its non-zero cells (`22（其中修订16件）`)."""
    rng = derived_rng(record, "annotated")
    out = copy.deepcopy(record)
    notes: dict[str, str] = out.setdefault("parse", {}).setdefault("notes", {})
    for table in ("active", "requests"):
        for row, cells in (out.get(table) or {}).items():
            for col, value in cells.items():
                if isinstance(value, int) and value > 0 and rng.random() < 0.15:
                    notes[f"{table}.{row}.{col}"] = rng.choice(_NOTES).format(k=rng.randint(0, value))
    if not notes:
        del out["parse"]["notes"]
    return out


def annotated_text(record: Record) -> str:
    from sim.render.text import render_text  # noqa: PLC0415 - the clean text writers, once

    return render_text(annotated(record), style=derived_rng(record, "annotated-style").choice(("markdown", "tabs")))


def page_text_spaced(record: Record) -> str:
    return page_text(record, spaces=0.5, salt="page_text_spaced")


# ---------------------------------------------------------------------------- judging a reading

def silent_errors(record: dict[str, Any], got: dict[str, Any]) -> list[str]:
    """What a reading of a form of `record` got wrong without saying so: empty when it is exact,
    or honestly uncertain (each cell it could not settle in `parse.uncertain_cells`, the true value
    among the candidates, or the candidates marked as more than listed)."""
    uncertain = got["parse"].get("uncertain_cells") or {}
    out = [f"{k}: {got.get(k)!r} != {record[k]!r}" for k in ("agency", "year", "format", "sections")
           if k in record and got.get(k) != record[k]]
    for table in TABLES:
        for row, cols in (record.get(table) or {}).items():
            for col, want in cols.items():
                key = f"{table}.{row}.{col}"
                value = ((got.get(table) or {}).get(row) or {}).get(col, "<absent>")
                if key in uncertain:  # `more`: too many cuts to list them all (a blank total, say)
                    if want not in uncertain[key]["candidates"] and not uncertain[key].get("more"):
                        out.append(f"{key}: {want!r} not among {uncertain[key]['candidates']}")
                elif value != want:
                    out.append(f"{key}: {value!r} != {want!r}")
    want_stats, got_stats = record.get("legacy_stats") or [], got.get("legacy_stats") or []
    if len(want_stats) != len(got_stats):
        out.append(f"legacy_stats: {len(got_stats)} entries, not {len(want_stats)}")
    for want, have in zip(want_stats, got_stats, strict=False):
        key = f"legacy_stats.{want['label']}.value"
        if (have["label"], have["unit"]) != (want["label"], want["unit"]):
            out.append(f"legacy_stats: {have['label']} {have['unit']} != {want['label']} {want['unit']}")
        elif have != want and not (key in uncertain and want["value"] in uncertain[key]["candidates"]):
            out.append(f"{key}: {have} != {want}")
    out += [f"{k}: uncertain with one candidate" for k, u in uncertain.items() if len(u["candidates"]) < 2
            and u["reason"] == "ambiguous" and not u.get("more")]
    return out
