"""Write docs/metrics.md from the metric dictionary: `python -m analytics.docs [--check]`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Final

from analytics.describe import metric_formula
from analytics.metrics import METRICS, Metric
from catalogue.analytics import (
    BETTER,
    FORMAT_SHORT,
    JUMP_RULE,
    METHOD,
    METRIC_CAVEATS,
    METRIC_NAMES,
    POLICIES,
    TOTALS,
    UNITS,
)

DOC: Final = Path(__file__).resolve().parents[1] / "docs" / "metrics.md"

HEADER: Final = """# 指标词典 (metric dictionary)

Generated from `analytics/metrics.py` and `catalogue/analytics.py` by `python -m analytics.docs`; a
test fails when this file is stale. Do not edit it by hand.

Every metric is computed from the `cell` table (one row per table cell of every archived version:
value, kind — number, 0, blank, not applicable `/` `—`, words —, printed text, certainty) and from
the compliance matrix (`xxgk status`), for the version of each report that is current and, when an
agency published several copies of one year's report, the copy published first. The same
definitions feed `xxgk stats`, `xxgk report`, the exports and the dashboard.

- A ratio whose denominator is 0 has no value: 不适用 (never 0 or 100 %).
- Blank is not zero: unless a metric says otherwise, an agency with a blank cell in a formula has no
  value and is counted apart (空白), as are cells marked not applicable (不适用) and cells holding
  words (文字说明). A report whose format has no such cells is 格式不适用.
- Group figure (合计/总体): a sum, a pooled ratio (Σ numerators ÷ Σ denominators: each request
  weighs the same, not each agency), or a mean, as each metric says.

"""


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _jumps(metric: Metric) -> str:
    if metric.jump_factor is None:
        return "—"
    return JUMP_RULE.format(factor=f"{metric.jump_factor:g}", floor=f"{metric.jump_floor:g}", unit=UNITS[metric.unit])


def render() -> str:
    lines = [HEADER, "## 计算方法", "", METHOD, "", "## 指标", ""]
    for metric in METRICS:
        lines += [
            f"### {METRIC_NAMES[metric.key]} (`{metric.key}`)",
            "",
            "| | |",
            "|---|---|",
            f"| 单位 | {UNITS[metric.unit]} |",
            f"| 公式 | {_cell(metric_formula(metric))} |",
            f"| 适用格式 | {'、'.join(FORMAT_SHORT[f] for f in metric.formats)} |",
            f"| 空白单元格 | {POLICIES[metric.blank]} |",
            f"| 不适用（/、—） | {POLICIES[metric.not_applicable]} |",
            f"| 合计/总体 | {TOTALS[metric.total]} |",
            f"| 方向 | {BETTER.get(metric.better or '', '—')} |",
            f"| 异常波动 | {_jumps(metric)} |",
            f"| 说明 | {_cell(METRIC_CAVEATS[metric.key])} |",
            "",
        ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="exit 1 when docs/metrics.md is stale")
    args = parser.parse_args(argv)
    text = render()
    if args.check:
        fresh = DOC.exists() and DOC.read_text(encoding="utf-8") == text
        if not fresh:
            print(f"{DOC} is stale: run python -m analytics.docs", file=sys.stderr)
        return 0 if fresh else 1
    DOC.parent.mkdir(parents=True, exist_ok=True)
    DOC.write_text(text, encoding="utf-8")
    print(f"wrote {DOC} ({len(METRICS)} metrics)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
