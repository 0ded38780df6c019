"""The compliance matrix asked of the database: counted, filtered and paged in SQL.

`store.status.compliance` builds every agency × year row in Python, which is right for `xxgk status`
but takes about a second over 3,000 agencies and eleven years; the dashboard asks for counts per
status and one page of agencies at a time, many times a day. This module states the same rules as
one SQL query (its rows equal compliance()'s: tests/test_store_matrix.py holds the two together), so
that the counts are aggregates and a page reads only its agencies' reports.

Deadlines stay in Python (store.status.deadline_of): the few distinct (level, own deadline, year)
combinations become a small derived table the query joins, so no deadline rule is written twice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, NamedTuple

from sqlalchemy import (
    ColumnElement,
    CompoundSelect,
    Date,
    Integer,
    Select,
    String,
    case,
    cast,
    exists,
    false,
    func,
    literal,
    null,
    or_,
    select,
    true,
    union_all,
)
from sqlalchemy.orm import Session, aliased

from store.evidence import crawl_evidence, unconfirmed
from store.models import Agency, Report
from store.status import EVERYTHING, Filters, deadline_of, timeliness
from store.terms import FLAGS, LEVELS

GOVERNMENT_LEVELS: Final = ("province", "city", "county")


def _prefixed(column: Any, prefix: str) -> ColumnElement[bool]:
    """A region-code prefix as a range (an index can answer it; LIKE with ESCAPE it cannot in SQLite)."""
    if prefix.isdigit():
        within: ColumnElement[bool] = (column >= prefix) & (column < prefix[:-1] + chr(ord(prefix[-1]) + 1))
        return within
    clause: ColumnElement[bool] = column.startswith(prefix, autoescape=True)
    return clause


def region_clause(column: Any, prefixes: Collection[str]) -> ColumnElement[bool]:
    """Rows whose region code starts with one of `prefixes` (none: no row)."""
    return or_(*(_prefixed(column, p) for p in prefixes)) if prefixes else false()


@dataclass(frozen=True, slots=True)
class MatrixQuery:
    """What a matrix page asks: the CLI's filters, a status or flag, and the regions its reader may see."""

    as_of: dt.date
    filters: Filters = EVERYTHING
    status: str | None = None  # a status (store.terms.STATUSES) or a flag (inconsistent, changed)
    scope: tuple[str, ...] | None = None  # region-code prefixes the reader may see; None: all
    unreachable: frozenset[int] = field(default_factory=frozenset)
    first_year: int | None = None

    def agency_clauses(self) -> list[ColumnElement[bool]]:
        clauses = Filters(agency=self.filters.agency, level=self.filters.level).agency_clauses()
        if self.filters.region:
            clauses.append(_prefixed(Agency.region, self.filters.region))
        if self.scope is not None:
            clauses.append(region_clause(Agency.region, self.scope))
        return clauses


class Cell(NamedTuple):
    """One agency × year of the matrix."""

    agency_id: int
    agency: str
    level: str
    region: str | None
    year: int
    deadline: dt.date
    status: str
    report_id: int | None
    published: dt.date | None
    errors: int | None
    warnings: int | None
    inconsistent: int
    changed: int
    versions: int | None
    url: str | None
    title: str | None
    reading: str | None  # whether the report could be read (store.models.Report.reading); None: no report
    reading_note: str | None

    def days_late(self, as_of: dt.date, unreachable: Collection[int] = ()) -> int | None:
        return timeliness(self.published, self.deadline, as_of, present=self.report_id is not None,
                          unreachable=self.agency_id in unreachable)[1]

    def to_dict(self, as_of: dt.date) -> dict[str, Any]:
        """The keys of `xxgk status --json` (store.status.StatusRow) and the matrix's own."""
        return {
            "agency": self.agency, "level": self.level, "region": self.region, "year": self.year,
            "status": self.status, "deadline": self.deadline.isoformat(),
            "published": self.published.isoformat() if self.published else None,
            "days_late": self.days_late(as_of), "errors": self.errors or 0, "warnings": self.warnings or 0,
            "inconsistent": bool(self.inconsistent), "changed": bool(self.changed), "versions": self.versions or 0,
            "report_id": self.report_id, "url": self.url or None, "title": self.title, "reading": self.reading,
            "reading_note": self.reading_note,
        }


class AgencyRow(NamedTuple):
    """A row of a matrix page: the agency and its cells by year."""

    id: int
    name: str
    level: str
    region: str | None
    cells: dict[int, Cell]


@dataclass(frozen=True, slots=True)
class Page:
    years: list[int]
    counts: dict[str, int]  # per status and flag, over every row the filters (not the status) select
    total_agencies: int  # agencies with a row of the asked status
    rows: list[AgencyRow]
    region_names: dict[str, str]  # region code → its government's name


def years(session: Session, query: MatrixQuery) -> list[int]:
    """The matrix's columns, as compliance() chooses them."""
    if query.filters.year is not None:
        chosen = [query.filters.year]
    else:
        held = session.scalars(select(Report.year).join(Agency, Report.agency_id == Agency.id)
                               .where(*query.agency_clauses()).distinct())
        chosen = sorted({*held, query.as_of.year - 1})
    if query.first_year is not None:
        if query.filters.year is None:
            chosen = sorted(set(chosen) | set(range(query.first_year, query.as_of.year)))
        chosen = [y for y in chosen if y >= query.first_year]
    return chosen


def _deadline(session: Session, query: MatrixQuery, columns: Sequence[int], year: Any) -> Any:
    """The agency's deadline for `year` as an SQL expression: a CASE over the few distinct (own deadline,
    level) pairs the filtered agencies have, then over the years, each answered by
    store.status.deadline_of. Simple CASEs (`CASE x WHEN …`): the key is computed once per row."""
    combos = session.execute(select(Agency.deadline, Agency.level).distinct().where(*query.agency_clauses())).all()
    if not combos:  # no agency: any expression of the right type will do
        return literal(None, Date)
    key = func.coalesce(Agency.deadline, "") + "|" + Agency.level
    return case({
        f"{own or ''}|{level}": case({y: literal(deadline_of(level, own, y), Date) for y in columns}, value=year)
        for own, level in combos
    }, value=key, else_=null())


def cells(session: Session, query: MatrixQuery, columns: Sequence[int],
          agency_ids: Collection[int] | None = None) -> CompoundSelect[Any]:
    """Every agency × year row with its status, as a query (restricted to `agency_ids` when given).

    Two parts, each driven by an index: the years with a report (of several copies, the one published
    first, as store.status._primary chooses: no copy comes before it), and the expected years without.
    """
    agency_where = query.agency_clauses()
    if agency_ids is not None:
        agency_where.append(Agency.id.in_(agency_ids))
    other = aliased(Report, name="other")
    earlier = or_(
        other.published.is_not(None) & (Report.published.is_(None) | (other.published < Report.published)
                                         | ((other.published == Report.published) & (other.id < Report.id))),
        other.published.is_(None) & Report.published.is_(None) & (other.id < Report.id),
    )
    first_copy = ~exists().where(other.agency_id == Report.agency_id, other.year == Report.year, earlier)
    deadline = _deadline(session, query, columns, Report.year).label("deadline")
    on_time = Report.published.is_(None) | (Report.published <= deadline)
    present = (
        select(
            Agency.id.label("agency_id"), Agency.name.label("agency"), Agency.level, Agency.region, Report.year,
            deadline, case((on_time, "on_time"), else_="late").label("status"),
            Report.id.label("report_id"), Report.published, Report.errors, Report.warnings,
            case((Report.inconsistencies > 0, 1), else_=0).label("inconsistent"),
            case((Report.revised_at.is_not(None), 1), else_=0).label("changed"),
            Report.current_version.label("versions"), Report.url, Report.title, Report.reading, Report.reading_note,
        )
        .select_from(Report)
        .join(Agency, Agency.id == Report.agency_id)
        .where(Report.year.in_(columns), first_copy, *agency_where)
    )
    year = union_all(*(select(literal(y, Integer).label("year")) for y in columns)).subquery("year")
    due = _deadline(session, query, columns, year.c.year)
    status_cases: list[tuple[ColumnElement[bool], str]] = [(literal(query.as_of, Date) <= due, "not_due")]
    if query.unreachable:
        status_cases.append((Agency.id.in_(query.unreachable), "unreachable"))
    # the crawl's evidence, as compliance() reads it (store.evidence)
    status_cases += [((year.c.year == y) & Agency.id.in_(ids), "unconfirmed")
                     for y, ids in unconfirmed(crawl_evidence(session), columns).items() if ids]
    none = null()
    absent = (
        select(
            Agency.id, Agency.name, Agency.level, Agency.region, year.c.year, due,
            case(*status_cases, else_="missing"), none, none, none, none, literal(0), literal(0), none, none, none,
            none, none,
        )
        .select_from(Agency)
        .join(year, true())
        .where(~exists().where(Report.agency_id == Agency.id, Report.year == year.c.year), *agency_where)
    )
    if query.first_year is None:
        # an agency is expected from the first year the archive holds a report of it (store.status)
        first = select(func.min(Report.year)).where(Report.agency_id == Agency.id).scalar_subquery()
        absent = absent.where(year.c.year >= func.coalesce(first, columns[0]))
    return union_all(present, absent)


def _matches(table: Any, status: str | None) -> ColumnElement[bool]:
    if status is None:
        return true()
    column: ColumnElement[Any] = table.c[status] if status in FLAGS else table.c.status
    return column == (1 if status in FLAGS else status)


def _level_rank(column: Any) -> Any:
    return case({level: n for n, level in enumerate(LEVELS)}, value=column, else_=len(LEVELS))


def _grouped(agency_id: Any, region: Any, level: Any, name: Any) -> tuple[Any, ...]:
    """Agencies grouped by region, then level from the province down, then name."""
    return func.coalesce(region, ""), _level_rank(level), name, agency_id


def _summary(table: Any, status: str | None, number: int, size: int) -> CompoundSelect[Any]:
    """One statement over the matrix computed once (a materialised CTE): rows per status with the flags
    summed, the number of agencies with a row of `status`, and the page's agency ids in order."""
    wanted = _matches(table, status)
    number_ = cast(null(), Integer)  # PostgreSQL types a UNION's columns by their first non-null value
    tally = select(table.c.status, func.count(), func.sum(table.c.inconsistent), func.sum(table.c.changed),
                   number_, number_).group_by(table.c.status)
    total = select(cast(null(), String), func.count(func.distinct(table.c.agency_id)), number_, number_, number_,
                   number_).where(wanted)
    agency = (table.c.agency_id, table.c.region, table.c.level, table.c.agency)
    ids = (select(*agency).where(wanted).group_by(*agency).order_by(*_grouped(*agency))
           .limit(size).offset(max(number - 1, 0) * size).subquery("shown"))
    position = func.row_number().over(order_by=_grouped(*ids.c))
    shown = select(literal("#page"), number_, number_, number_, ids.c.agency_id, position)
    return union_all(tally, total, shown)


def page(session: Session, query: MatrixQuery, number: int, size: int) -> Page:
    """Counts over the filtered matrix and the `number`-th page (from 1) of `size` agencies, grouped by
    region and level, with their cells."""
    columns = years(session, query)
    if not columns:
        return Page([], {}, 0, [], {})
    table = cells(session, query, columns).cte("cells").prefix_with("MATERIALIZED")
    tally: dict[str, int] = {}
    flags = dict.fromkeys(FLAGS, 0)
    total = 0
    ids: list[tuple[int, int]] = []
    for status, n, inconsistent, changed, agency_id, position in session.execute(
            _summary(table, query.status, number, size)):
        if status == "#page":
            ids.append((position, agency_id))
        elif status is None:
            total = n
        else:
            tally[status] = n
            flags["inconsistent"] += inconsistent or 0
            flags["changed"] += changed or 0
    tally |= {k: v for k, v in flags.items() if v}
    order = [agency_id for _, agency_id in sorted(ids)]
    rows: dict[int, AgencyRow] = {}
    if order:
        for raw in session.execute(cells(session, query, columns, agency_ids=order)):
            cell = Cell._make(raw)
            row = rows.setdefault(cell.agency_id, AgencyRow(cell.agency_id, cell.agency, cell.level, cell.region, {}))
            row.cells[cell.year] = cell
    ordered = [rows[i] for i in order if i in rows]
    return Page(columns, tally, total, ordered, region_names(session, {r.region for r in ordered if r.region}))


def all_cells(session: Session, query: MatrixQuery) -> list[Cell]:
    """Every row the query selects (status included), by year, region and agency: what an export holds."""
    columns = years(session, query)
    if not columns:
        return []
    table = cells(session, query, columns).subquery("cells")
    stmt: Select[Any] = select(table).where(_matches(table, query.status)).order_by(
        table.c.year, func.coalesce(table.c.region, ""), table.c.agency)
    return [Cell._make(row) for row in session.execute(stmt)]


def region_names(session: Session, regions: Collection[str]) -> dict[str, str]:
    """Region code → the name of the people's government of exactly that code, where the archive has one."""
    if not regions:
        return {}
    rows = session.execute(select(Agency.region, Agency.name).where(
        Agency.region.in_(regions), Agency.level.in_(GOVERNMENT_LEVELS)).order_by(Agency.id))
    out: dict[str, str] = {}
    for region, name in rows:
        out.setdefault(str(region), name)
    return out
