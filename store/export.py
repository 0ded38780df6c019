"""Rows out as a terminal table, CSV, JSON or XLSX.

JSON keeps the stable English keys of docs/cli.md. The other three are for people, so they carry
Chinese headers and labels; CSV starts with a BOM because Excel on Chinese Windows reads BOM-less
UTF-8 as GBK and shows mojibake, and XLSX gets bold headers, a frozen header row, a filter and
column widths that count a Chinese character as two. No cell of either is ever a formula
(store.outbound): an agency's name or a URL comes from a portal.
"""

from __future__ import annotations

import csv
import io
import json
import unicodedata
from collections.abc import Mapping, Sequence
from typing import Any, Final

from catalogue.cli import say
from catalogue.terms import FIELDS, fault, name
from store.outbound import csv_cell, neutralise_workbook

FORMATS: Final = ("table", "csv", "json", "xlsx")

COLUMNS: Final = tuple(FIELDS.items())
_FLAGS: Final = ("inconsistent", "changed")
_MAX_WIDTH: Final = 60
_TABLE_KEYS: Final = frozenset({"agency", "year", "status", "deadline", "published", "days_late", "errors", "flags",
                                "report_id", "evidence"})
_SHOWN_FAULTS: Final = 2  # a row names this many faults of its crawl, and how many more there are
_NUMERIC: Final = frozenset({"year", "days_late", "errors", "warnings", "versions", "report_id"})
_STATUS_STYLES: Final = {"late": "red", "missing": "bold red", "unreachable": "yellow", "unconfirmed": "yellow",
                         "not_due": "dim"}


def flags_text(row: Mapping[str, Any]) -> str:
    """The flags a status row carries, in words (`数据有误、已修改`, `待读取`), or "" for none.

    A report found but not read says so here: its status counts it published, and a reader of the
    table must not take the missing 数据有误 for tables that were checked and add up.
    """
    words = [name("status", flag) for flag in _FLAGS if row.get(flag)]
    if row.get("reading") not in {None, "read"}:
        words.append(name("reading", str(row["reading"])))
    return "、".join(words)


def _human(row: Mapping[str, Any], key: str) -> Any:
    """A cell as a person reads it; None stays None (an empty cell, not the word "None")."""
    if key == "flags":
        return flags_text(row) or None
    value = row.get(key)
    if key == "evidence":
        return evidence_text(value) if row.get("report_id") is None else None
    if key in {"status", "level"} and value is not None:
        return name(key, str(value))
    return value


def evidence_text(evidence: Mapping[str, Any] | None) -> str | None:
    """What an absent report's status rests on: the crawl, complete or not, and the first faults that left it
    incomplete (the rest counted; `--format json` lists them all)."""
    if evidence is None:
        return None
    faults = evidence["faults"]
    if not faults:
        return say("evidence.complete", run=evidence["crawl_run"])
    shown = "；".join(say("evidence.fault", fault=fault(f["kind"], f["detail"]), url=f["url"])
                     for f in faults[:_SHOWN_FAULTS])
    more = say("evidence.more", n=len(faults)) if len(faults) > _SHOWN_FAULTS else ""
    return say("evidence.incomplete", run=evidence["crawl_run"], faults=shown + more)


def human_rows(rows: Sequence[Mapping[str, Any]]) -> list[list[Any]]:
    return [[_human(row, key) for key, _ in COLUMNS] for row in rows]


def headers() -> list[str]:
    return [label for _, label in COLUMNS]


def to_json(rows: Sequence[Mapping[str, Any]]) -> str:
    return json.dumps(list(rows), ensure_ascii=False, indent=1, default=str) + "\n"


def to_csv(rows: Sequence[Mapping[str, Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(headers())
    writer.writerows([["" if v is None else csv_cell(v) for v in row] for row in human_rows(rows)])
    return buffer.getvalue().encode("utf-8-sig")


def display_width(value: object) -> int:
    """Columns a value takes on screen: East Asian wide and full-width characters count two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in str(value))


def to_xlsx(rows: Sequence[Mapping[str, Any]], title: str = "年报") -> bytes:
    from openpyxl import Workbook  # noqa: PLC0415 - only this format needs it
    from openpyxl.styles import Font  # noqa: PLC0415
    from openpyxl.utils import get_column_letter  # noqa: PLC0415

    book = Workbook()
    sheet = book.active
    assert sheet is not None  # a new workbook always has its sheet
    sheet.title = title
    head = headers()
    body = human_rows(rows)
    sheet.append(head)
    for row in body:
        sheet.append(row)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = sheet.dimensions
    for i, label in enumerate(head, start=1):
        widest = max([display_width(label), *(display_width(r[i - 1]) for r in body if r[i - 1] is not None)])
        sheet.column_dimensions[get_column_letter(i)].width = min(widest + 2, _MAX_WIDTH)
    out = io.BytesIO()
    neutralise_workbook(book).save(out)
    return out.getvalue()


def to_table(rows: Sequence[Mapping[str, Any]], title: str) -> Any:
    """A rich Table for the terminal: the columns that fit a screen; CSV and XLSX have them all."""
    from rich.table import Table  # noqa: PLC0415

    table = Table(title=title, title_justify="left")
    keep = [i for i, (key, _) in enumerate(COLUMNS) if key in _TABLE_KEYS]
    for i in keep:
        key, label = COLUMNS[i]
        table.add_column(label, justify="right" if key in _NUMERIC else "left", no_wrap=key != "flags")
    for row, cells in zip(rows, human_rows(rows), strict=True):
        table.add_row(*("" if cells[i] is None else str(cells[i]) for i in keep),
                      style=_STATUS_STYLES.get(str(row.get("status")), ""))
    return table
