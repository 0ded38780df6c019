"""Write docs/rules.md from the registry: `python -m validate.docs [--check]`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Final

from validate.api import validate
from validate.registry import RULES
from validate.rule import Rule

_MARKS: Final = "¹²³⁴"
DOC: Final = Path(__file__).resolve().parents[1] / "docs" / "rules.md"

FAMILIES: Final[dict[str, str]] = {
    "cells": "Cells — blank, missing, run together, negative, fractional",
    "arithmetic": "Arithmetic — the sums of 表三 and 表四, the 2019 表二",
    "structure": "Structure — sections, tables, template, year, publication date",
    "text_table": "Text ↔ table — what the narrative states against the cells",
    "cross_year": "Cross-year — against the same agency's report for the year before",
    "legacy": "Legacy 统计表 (reports on 2018 and earlier)",
    "plausibility": "Plausibility — possible, but unlikely for the publisher's level",
}

HEADER: Final = """# Validation rules

Generated from the registry (`validate/registry.py`) by `python -m validate.docs`; a test fails when
this file is stale. Do not edit it by hand.

`validate(record, previous=None, meta=None)` runs every rule below and returns findings sorted by
severity, then by this order. Each finding carries `rule`, `severity`, a Chinese `message`, its
location (`table`, `row`, `col`, `group`, `section` where they apply), `expected`/`actual` for
arithmetic, and a `fingerprint(report_key)` that depends only on report, rule and location, so a
reviewer's confirm/dismiss survives re-validation.

Severities mean one thing each: **error** (错误) — numbers contradict each other (a sum, the text
against a table, this year against last year); **warning** (警告) — the template is not followed
(cells left blank, rows, sections or tables missing, another template, a year that disagrees, late
publication); **info** (提示) — worth a look (an unusual value, a figure of another scope, a cell OCR
was not sure of). Only errors make a report "inconsistent" in the compliance matrix and the alerts.

One problem, one finding. Blank is not zero: blank template cells are one `blank_cell` warning per
block (the rows of a table whose blanks lie in the same columns), which says that the sums through
them cannot be checked; a sum with a blank part is reported only when the filled parts already
exceed the total. In a report read from a scan by OCR a digit may be misread: what it seems to
contradict is a warning that says so (never an error), and a sum through a cell OCR doubted is left
to `ocr_uncertain`, which names the reading that makes it hold. A report found but not read (an
image awaiting OCR, a file that cannot be read) is held only to `late_publication`. A report on 2018
or before is held to the pre-2019 structure whatever its shape (no six sections, no national tables).

Applies to: **template** = the 2019 and 2021 formats, **legacy** = the pre-2019 统计表;
cross-year rules run only when last year's record is given. Every rule has two worked examples
(`validate/examples.py`), both run by the tests as a family: "fires on" is the message it gives on its
failing example; "lets pass" is the near miss it must not report (by default the consistent worked
report of its template).
"""


def _applies(rule: Rule) -> str:
    kinds = ", ".join(k for k in ("template", "legacy", "unread") if k in rule.kinds)
    return f"{kinds}; needs last year" if rule.needs_previous else kinds


def example_message(rule: Rule) -> str:
    case = rule.failing.build()
    return next(f.message for f in validate(case.record, case.previous, case.meta) if f.rule == rule.id)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def render() -> str:
    lines = [HEADER]
    for family, title in FAMILIES.items():
        lines += [f"## {title}", "", "| id | severity | applies to | basis | fires on | lets pass |",
                  "|---|---|---|---|---|---|"]
        notes = list(dict.fromkeys(r.lower_when for r in RULES if r.family == family and r.lower_when))
        for rule in (r for r in RULES if r.family == family):
            mark = _MARKS[notes.index(rule.lower_when)] if rule.lower_when else ""
            severity = f"{rule.severity}{mark}"
            passing = rule.passing.note or f"一致的 {rule.passing.base} 示例报告"
            row = (f"`{rule.id}`", severity, _applies(rule), rule.basis, example_message(rule), passing)
            lines.append("| " + " | ".join(_cell(c) for c in row) + " |")
        lines += ["", *(f"{_MARKS[i]} Lower: {note}." for i, note in enumerate(notes)), ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="exit 1 when docs/rules.md is stale")
    args = parser.parse_args(argv)
    text = render()
    if args.check:
        fresh = DOC.exists() and DOC.read_text(encoding="utf-8") == text
        if not fresh:
            print(f"{DOC} is stale: run python -m validate.docs", file=sys.stderr)
        return 0 if fresh else 1
    DOC.parent.mkdir(parents=True, exist_ok=True)
    DOC.write_text(text, encoding="utf-8")
    print(f"wrote {DOC} ({len(RULES)} rules)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
