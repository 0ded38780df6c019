"""A rule: a small named unit with an id, a severity, a one-line basis, a check and two examples."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Final, Literal, TypedDict

from catalogue.findings import render
from validate.context import Context, Kind
from validate.examples import Example
from validate.finding import Finding, Severity

Check = Callable[["Rule", Context], Iterable[Finding]]

TEMPLATE: Final[frozenset[Kind]] = frozenset({"template"})
LEGACY: Final[frozenset[Kind]] = frozenset({"legacy"})
ANY: Final[frozenset[Kind]] = TEMPLATE | LEGACY
# rules about when and where a report appeared, which hold whether or not it could be read
FOUND: Final[frozenset[Kind]] = ANY | {"unread"}

Family = Literal["arithmetic", "cells", "structure", "text_table", "cross_year", "legacy", "plausibility"]


class Where(TypedDict, total=False):
    table: str
    row: str
    col: str
    group: str


def at(table: str, row: str, col: str | None = None) -> Where:
    """The location of a cell; in 表四 the `row` of a template cell is its group."""
    where: Where = {"table": table, "group": row} if table == "review_litigation" else {"table": table, "row": row}
    if col is not None:
        where["col"] = col
    return where


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    # error: numbers contradict each other; warning: the template is not followed (blanks, late, missing
    # parts); info: worth a look (an unusual value, a figure of another scope)
    severity: Severity
    basis: str  # the template line or 条例 article the rule enforces, in one line
    family: Family
    check: Check
    passing: Example
    failing: Example
    kinds: frozenset[Kind] = TEMPLATE  # which records the rule reads: 2019/2021 templates, legacy 统计表
    needs_previous: bool = False  # cross-year: runs only with last year's record
    lower_when: str = ""  # when a finding is reported at a lower severity (for docs/rules.md)

    def finding(
        self,
        message_key: str = "",
        /,
        *,
        severity: Severity | None = None,
        table: str | None = None,
        row: str | None = None,
        col: str | None = None,
        group: str | None = None,
        section: str | None = None,
        expected: float | None = None,
        actual: float | None = None,
        extra: dict[str, Any] | None = None,
        **words: object,
    ) -> Finding:
        """A finding of this rule; its message comes from the catalogue (`messages.MESSAGES`).

        The message key is the rule id, or `<id>.<message_key>` for a variant. `words` fill the
        template, together with `expected` and `actual`.
        """
        key = f"{self.id}.{message_key}" if message_key else self.id
        return Finding(
            rule=self.id,
            severity=severity or self.severity,
            message=render(key, expected=expected, actual=actual, **words),
            table=table,
            row=row,
            col=col,
            group=group,
            section=section,
            expected=expected,
            actual=actual,
            extra=extra or {},
        )
