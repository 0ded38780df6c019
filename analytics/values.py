"""Each agency's value of a metric, year by year: SQL over the `cell` table and the compliance matrix.

The agencies and years are the compliance matrix's (store.status): every agency expected to report,
with the report that decides its status (the one published first). A cell metric's sums are one
grouped SQL query over the current versions' cells: per report, the sum of each term's cells and
how many of them are present, blank, marked not applicable, or words. Python then only applies
the dictionary's rules (blank is not zero unless the metric says so; a zero denominator has no
value) to a handful of numbers per agency.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, Final

from sqlalchemy import ColumnElement, Select, and_, case, func, or_, select
from sqlalchemy.orm import Session

from analytics.metrics import Cells, FactName, Metric
from catalogue.analytics import PROVINCES, REGION_CODE
from store.models import Agency, Cell, Report, ReportVersion
from store.status import Filters, StatusRow, compliance

TEMPLATE_TABLES: Final = ("active", "requests", "review_litigation")
_DUE: Final = frozenset({"on_time", "late", "missing"})
_ABSENT: Final = {"missing": "no_report", "not_due": "not_due", "unreachable": "unreachable",
                   "unconfirmed": "unconfirmed"}
_GOVERNMENT: Final = "人民政府"


class NotFoundError(LookupError):
    """No agency (or several) answer to the name asked for, or none lies in the region: the message says."""


@dataclass(frozen=True, slots=True)
class Scope:
    """Whose values: agencies whose region code starts with `region`, of `level` (None: any)."""

    region: str | None = None
    level: str | None = None

    def filters(self, year: int | None = None) -> Filters:
        return Filters(region=self.region, level=self.level, year=year)


@dataclass(frozen=True, slots=True)
class Monitoring:
    """How the compliance matrix is asked (as `xxgk status` asks it)."""

    as_of: dt.date
    unreachable: frozenset[int] = frozenset()
    first_year: int | None = None


@dataclass(frozen=True, slots=True)
class Value:
    """One agency's value of one metric in one year, or the reason it has none (`state`)."""

    agency: str
    level: str
    region: str | None
    year: int
    state: str  # catalogue.analytics.STATES: value, blank, not_applicable, zero_denominator, …
    value: float | None = None
    numerator: float | None = None
    denominator: float | None = None
    report_id: int | None = None
    version: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in self.__slots__}


@dataclass(frozen=True, slots=True)
class _Term:
    """A term's cells in one report: their sum and how many are present / blank / marked / words."""

    total: float
    present: int
    blank: int
    marked: int
    words: int


def matrix(session: Session, scope: Scope, years: Sequence[int], monitoring: Monitoring) -> list[StatusRow]:
    """The compliance rows of the scope's agencies in `years`, a year at a time (the matrix of every year
    the archive holds costs as much as all those years together)."""
    rows: list[StatusRow] = []
    for year in sorted(set(years)):
        rows += compliance(session, monitoring.as_of, scope.filters(year), unreachable=monitoring.unreachable,
                           first_year=monitoring.first_year)
    return rows


def metric_values(session: Session, metric: Metric, scope: Scope, years: Sequence[int],
                  monitoring: Monitoring, rows: Sequence[StatusRow] | None = None) -> list[Value]:
    """Every agency's value of `metric` in `years` (the compliance `rows`, when the caller has them)."""
    if rows is None:
        rows = matrix(session, scope, years, monitoring)
    sums = _cell_sums(session, metric, scope, years) if metric.cell_terms() else {}
    facts = _report_facts(session, metric.facts(), scope, years)
    return [_value(metric, row, sums.get(row.report_id or -1), facts.get(row.report_id or -1)) for row in rows]


def region_name(session: Session, code: str) -> str:
    """A province by its code; else the government whose region the code is (湘乡市人民政府 → 湘乡市)."""
    if code in PROVINCES:
        return PROVINCES[code]
    governments = session.scalars(select(Agency.name).where(
        Agency.region == code, Agency.level.in_(("province", "city", "county")))).all()
    government = next((g for g in sorted(governments) if g.endswith(_GOVERNMENT)), None)
    return government.removesuffix(_GOVERNMENT) if government else REGION_CODE.format(code=code)


# ---- SQL ------------------------------------------------------------------------------------


def _current_cells(scope: Scope, years: Collection[int]) -> tuple[Select[Any], list[ColumnElement[bool]]]:
    """The join from reports in scope to their current version's cells, and its WHERE clauses."""
    stmt = (
        select(Report.id)
        .join(Agency, Report.agency_id == Agency.id)
        .join(ReportVersion, and_(ReportVersion.report_id == Report.id, ReportVersion.number == Report.current_version))
        .join(Cell, Cell.version_id == ReportVersion.id)
    )
    return stmt, [*scope.filters().agency_clauses(), Report.year.in_(sorted(years))]


@cache
def _term_columns(metric: Metric) -> tuple[tuple[ColumnElement[Any], ...], tuple[str, ...], tuple[str, ...]]:
    """Per term: SUM of its cells' values, COUNT of them present, blank, marked and words (built once)."""
    columns: list[ColumnElement[Any]] = []
    for term in metric.cell_terms():
        match = and_(Cell.table_key == term.table,
                     or_(*(and_(Cell.row_key == r, Cell.col_key == c) for r, c in term.cells)))
        columns += [
            func.sum(case((match, Cell.value))),
            func.count(case((match, 1))),
            *(func.count(case((and_(match, Cell.kind == kind), 1))) for kind in ("blank", "not_applicable", "text")),
        ]
    cells = [(t.table, r, c) for t in metric.cell_terms() for r, c in t.cells]
    return tuple(columns), tuple(sorted({r for _, r, _ in cells})), tuple(sorted({c for _, _, c in cells}))


def _cell_sums(session: Session, metric: Metric, scope: Scope, years: Collection[int]) -> dict[int, list[_Term]]:
    columns, rows, cols = _term_columns(metric)
    tables = sorted({t.table for t in metric.cell_terms()})
    stmt, where = _current_cells(scope, years)
    stmt = stmt.add_columns(*columns).where(
        *where, Cell.table_key.in_(tables), Cell.row_key.in_(rows), Cell.col_key.in_(cols)).group_by(Report.id)
    out: dict[int, list[_Term]] = {}
    for report_id, *numbers in session.execute(stmt):
        out[report_id] = [
            _Term(float(numbers[k] or 0), *(int(n) for n in numbers[k + 1:k + 5])) for k in range(0, len(numbers), 5)
        ]
    return out


def _report_facts(session: Session, facts: Collection[FactName], scope: Scope,
                  years: Collection[int]) -> dict[int, dict[str, float]]:
    """Per report: its content errors and the blank cells of its current version, when the metric asks."""
    out: dict[int, dict[str, float]] = {}
    if "content_errors" in facts:
        stmt = select(Report.id, Report.inconsistencies).join(Agency, Report.agency_id == Agency.id).where(
            *scope.filters().agency_clauses(), Report.year.in_(sorted(years)))
        for report_id, errors in session.execute(stmt):
            out.setdefault(report_id, {})["content_errors"] = errors
    if "blank_cells" in facts:
        stmt, where = _current_cells(scope, years)
        stmt = stmt.add_columns(func.count(case((Cell.kind == "blank", 1)))).where(
            *where, Cell.table_key.in_(TEMPLATE_TABLES)).group_by(Report.id)
        for report_id, blank in session.execute(stmt):
            out.setdefault(report_id, {})["blank_cells"] = blank
    return out


# ---- the dictionary's rules ----------------------------------------------------------------


def _cells_term(metric: Metric, term: Cells, found: _Term | None) -> tuple[str, float | None]:
    if found is None or found.present < len(term.cells):
        return "other_format", None
    if found.blank and metric.blank == "unknown":
        return "blank", None
    if found.words:
        return "text", None
    if found.marked and metric.not_applicable == "unknown":
        return "not_applicable", None
    return "value", found.total


def _fact_term(name: FactName, row: StatusRow, facts: Mapping[str, float] | None) -> tuple[str, float | None]:
    if name in {"on_time", "due"}:
        if row.status not in _DUE:
            return _ABSENT.get(row.status, "not_applicable"), None
        return "value", float(row.status == "on_time") if name == "on_time" else 1.0
    if row.report_id is None:
        return _ABSENT.get(row.status, "no_report"), None
    if name == "days_late":
        return "value", float(row.days_late or 0)
    found = (facts or {}).get(name)
    return ("other_format", None) if found is None else ("value", float(found))


def _value(metric: Metric, row: StatusRow, sums: list[_Term] | None, facts: Mapping[str, float] | None) -> Value:
    state, value, numerator, denominator = _outcome(metric, row, sums, facts)
    return Value(row.agency, row.level, row.region, row.year, state, value, numerator, denominator, row.report_id,
                 row.versions or None)


def _outcome(metric: Metric, row: StatusRow, sums: list[_Term] | None, facts: Mapping[str, float] | None
             ) -> tuple[str, float | None, float | None, float | None]:
    """(state, value, numerator, denominator) by the dictionary's rules."""
    if metric.cell_terms() and row.report_id is None:
        return _ABSENT.get(row.status, "no_report"), None, None, None
    parts: list[tuple[str, float | None]] = []
    cell_index = 0
    for term in metric.terms():
        if isinstance(term, Cells):
            parts.append(_cells_term(metric, term, sums[cell_index] if sums else None))
            cell_index += 1
        else:
            parts.append(_fact_term(term.name, row, facts))
    unknown = next((state for state, _ in parts if state != "value"), None)
    if unknown is not None:
        return unknown, None, None, None
    numerator = parts[0][1]
    if not metric.is_ratio:
        return "value", numerator, numerator, None
    denominator = parts[1][1]
    if not denominator or numerator is None:
        return "zero_denominator", None, numerator, denominator
    return "value", numerator / denominator, numerator, denominator
