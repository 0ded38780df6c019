"""Human output on a terminal: a report's three tables, findings and a summary, in Chinese."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from rich.console import Console
from rich.table import Table

from catalogue.terms import name
from extract.schema import (
    ACTIVE_COLUMN_LABELS,
    ACTIVE_ROW_LABELS,
    REQUEST_COLUMNS,
    REQUEST_ROW_LABELS,
    REVIEW_COLUMNS,
    REVIEW_GROUPS,
    SECTIONS,
    ordered,
)

_SEVERITY_STYLES = {"error": "[red]", "warning": "[yellow]", "info": ""}


def severity_label(severity: str) -> str:
    """错误 in red, 警告 in yellow, 提示 plain."""
    return _SEVERITY_STYLES.get(severity, "") + name("severity", severity)


def _labelled(col: str, value: Any) -> str:
    return f"{ACTIVE_COLUMN_LABELS.get(col, col)} {_cell(value)}"


def _cell(value: Any) -> str:
    """Blank cells print as 空, never as 0."""
    return "空" if value is None else str(value)


def _grid(title: str, head: Sequence[str], rows: Iterable[Sequence[str]]) -> Table:
    """A rich table with the row label left and the numbers right-aligned."""
    table = Table(title=title, title_justify="left", show_lines=False, pad_edge=False)
    for i, h in enumerate(head):
        table.add_column(h, justify="left" if i == 0 else "right", no_wrap=i == 0)
    for row in rows:
        table.add_row(*row)
    return table


def report_tables(record: dict[str, Any]) -> list[Table]:
    record = ordered(record)  # rows and columns as the template lays them out, whatever gave us the record
    out: list[Table] = []
    if record.get("format") == "legacy":
        rows = [(s["label"], s["unit"], _cell(s["value"])) for s in record.get("legacy_stats", [])]
        return [_grid("政府信息公开情况统计表", ("指标", "单位", "数值"), rows)]
    active = record.get("active") or {}
    if active:
        pairs = [
            (ACTIVE_ROW_LABELS.get(r, r), "  ".join(_labelled(c, v) for c, v in cols.items()))
            for r, cols in active.items()
        ]
        out.append(_grid("表二 主动公开政府信息情况", ("信息内容", "数值"), pairs))
    requests = record.get("requests") or {}
    if requests:
        head = ("项目", *REQUEST_COLUMNS.values())
        cells = [
            (REQUEST_ROW_LABELS.get(r, r), *(_cell(cols.get(c)) for c in REQUEST_COLUMNS))
            for r, cols in requests.items()
        ]
        out.append(_grid("表三 收到和处理政府信息公开申请情况", head, cells))
    review = record.get("review_litigation") or {}
    if review:
        head = ("类别", *REVIEW_COLUMNS.values())
        groups = [
            (REVIEW_GROUPS[g], *(_cell(review[g].get(c)) for c in REVIEW_COLUMNS)) for g in REVIEW_GROUPS if g in review
        ]
        out.append(_grid("表四 政府信息公开行政复议、行政诉讼情况", head, groups))
    return out


def print_report(console: Console, path: str, record: dict[str, Any]) -> None:
    console.rule(f"[bold]{path}")
    console.print(
        f"机关：{record.get('agency') or '（未写明全称）'}　年度：{record.get('year') or '（未识别）'}　"
        f"模板：{name('format', record.get('format'))}"
    )
    sections = record.get("sections")
    if sections:
        present = "、".join(SECTIONS[k].split("、", 1)[0] for k, v in sections.items() if v) or "无"
        missing = [SECTIONS[k] for k, v in sections.items() if not v]
        console.print(f"章节：{present}" + (f"　缺少：{'；'.join(missing)}" if missing else ""))
    for table in report_tables(record):
        console.print(table)


def print_findings(console: Console, findings: Sequence[dict[str, Any]]) -> None:
    if not findings:
        console.print("[green]未发现问题。")
        return
    table = Table(title="检查结果", title_justify="left")
    for h in ("级别", "说明"):
        table.add_column(h)
    for f in findings:
        table.add_row(severity_label(f["severity"]), f["message"])
    console.print(table)


def brief_line(path: str, record: dict[str, Any], findings: Sequence[dict[str, Any]]) -> str:
    """One line per report: `000.txt  益阳市民政局 2025年  2021年格式  错误 0  警告 1`."""
    errors = sum(f["severity"] == "error" for f in findings)
    warnings = sum(f["severity"] == "warning" for f in findings)
    return (f"{path}  {record.get('agency') or '（未写明全称）'} {record.get('year') or '？'}年  "
            f"{name('format', record.get('format'))}  错误 {errors}  警告 {warnings}")


def print_summary(console: Console, rows: Sequence[tuple[str, dict[str, Any], Sequence[dict[str, Any]]]]) -> None:
    table = Table(title="汇总", title_justify="left")
    for h in ("文件", "机关", "年度", "模板", "错误", "警告"):
        table.add_column(h)
    for path, record, findings in rows:
        errors = sum(f["severity"] == "error" for f in findings)
        warnings = sum(f["severity"] == "warning" for f in findings)
        table.add_row(
            path, record.get("agency") or "—", str(record.get("year") or "—"),
            name("format", record.get("format")),
            f"[red]{errors}" if errors else "0", str(warnings),
        )
    console.print(table)
