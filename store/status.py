"""The compliance matrix: for every agency and report year, was the report published, and on time?

Status is the timeliness of publication (E1, E16): `on_time`, `late`, `missing` (deadline passed, no
report), `not_due` (deadline still ahead, no report yet), `unreachable` (no report, but the
crawler could not reach the agency's portal, so we cannot tell: the caller passes those agencies), and
`unconfirmed` (no report, but the portal's last crawl could not read everything where it may be:
store.evidence). Each row carries that evidence: the crawl it rests on and what the crawl could not read.
Two flags ride along: `inconsistent` (the current version has error findings about its content that
nobody dismissed) and `changed` (the agency replaced the report with different content after
publishing it, E2). A report is published once it is found (its link, title and dates), whether or
not it could be read: `reading` says `read`, `unread` (an image awaiting OCR) or `unreadable`.

An agency is expected to publish from the first year the archive holds a report of it; an agency
known only from the registry is expected every year shown. Without that start, importing one 2017
report would declare every agency's 2017 report missing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass
from functools import cache
from typing import Any, Final, NamedTuple

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from store.evidence import Evidence, crawl_evidence
from store.models import Agency, Report
from validate.deadlines import deadline_for


@cache
def deadline_of(level: str, override: str | None, year: int) -> dt.date:
    """The agency's deadline for `year`: its own MM-DD rule if it has one, else the legal one for its level."""
    if override:
        month, day = (int(part) for part in override.split("-"))
        return deadline_for(level, year, {level: (month, day)})
    return deadline_for(level, year)


def timeliness(published: dt.date | None, deadline: dt.date, as_of: dt.date, *, present: bool,
               unreachable: bool = False, unconfirmed: bool = False) -> tuple[str, int | None]:
    """(status, days late). A report without any known date is not accused of lateness, nor is an
    agency whose portal we could not read whole accused of not publishing."""
    if present:
        if published is None or published <= deadline:
            return "on_time", 0 if published is not None else None
        return "late", (published - deadline).days
    if as_of <= deadline:
        return "not_due", None
    status = "unreachable" if unreachable else "unconfirmed" if unconfirmed else "missing"
    return status, (as_of - deadline).days


@dataclass(frozen=True, slots=True)
class Filters:
    agency: str | None = None  # part of the agency's name
    region: str | None = None  # region-code prefix ("43" = all of 湖南)
    level: str | None = None
    year: int | None = None

    def agency_clauses(self) -> list[ColumnElement[bool]]:
        clauses: list[ColumnElement[bool]] = []
        if self.agency:
            clauses.append(Agency.name.contains(self.agency, autoescape=True))
        if self.region:
            clauses.append(Agency.region.startswith(self.region, autoescape=True))
        if self.level:
            clauses.append(Agency.level == self.level)
        return clauses


EVERYTHING: Final = Filters()


class StatusRow(NamedTuple):
    """One agency × year (with its report, if any): the shape of `status --json` and `query --format json`."""

    agency: str
    level: str
    region: str | None
    year: int
    status: str
    deadline: dt.date
    published: dt.date | None
    published_source: str | None
    days_late: int | None
    errors: int
    warnings: int
    inconsistent: bool
    changed: bool
    versions: int
    report_id: int | None
    url: str | None
    title: str | None
    reading: str | None = None  # of the report shown: read, unread, unreadable (None: no report)
    reading_note: str | None = None
    evidence: Evidence | None = None  # the portal's last crawl; its faults only on rows without a report

    def to_dict(self) -> dict[str, Any]:
        out = self._asdict()
        out["deadline"] = self.deadline.isoformat()
        out["published"] = self.published.isoformat() if self.published else None
        out["evidence"] = self.evidence.to_dict() if self.evidence else None
        return out


class AgencyFacts(NamedTuple):
    """What a status row needs of an agency (a plain tuple: fast over thousands of agencies)."""

    id: int
    name: str
    level: str
    region: str | None
    deadline: str | None


class ReportFacts(NamedTuple):
    """What a status row needs of a report (a plain tuple: fast over tens of thousands of reports)."""

    id: int
    agency_id: int
    year: int
    url: str
    title: str | None
    published: dt.date | None
    published_source: str | None
    errors: int
    inconsistencies: int
    warnings: int
    revised_at: dt.datetime | None
    current_version: int
    reading: str
    reading_note: str | None


def agency_facts(session: Session, *where: ColumnElement[bool]) -> list[AgencyFacts]:
    stmt = select(*(getattr(Agency, f) for f in AgencyFacts._fields)).where(*where)
    return [AgencyFacts._make(row) for row in session.connection().execute(stmt).all()]


def report_facts(session: Session, *where: ColumnElement[bool]) -> list[ReportFacts]:
    stmt = select(*(getattr(Report, f) for f in ReportFacts._fields)).join(Agency, Report.agency_id == Agency.id)
    return [ReportFacts._make(row) for row in session.connection().execute(stmt.where(*where)).all()]


def make_row(agency: AgencyFacts, year: int, report: ReportFacts | None, as_of: dt.date, *,
             unreachable: bool = False, evidence: Evidence | None = None) -> StatusRow:
    deadline = deadline_of(agency.level, agency.deadline, year)
    if report is None:
        status, days_late = timeliness(None, deadline, as_of, present=False, unreachable=unreachable,
                                       unconfirmed=evidence is not None and not evidence.complete)
        return StatusRow(agency.name, agency.level, agency.region, year, status, deadline, None, None, days_late,
                         errors=0, warnings=0, inconsistent=False, changed=False, versions=0, report_id=None,
                         url=None, title=None, evidence=evidence)
    status, days_late = timeliness(report.published, deadline, as_of, present=True)
    return StatusRow(
        agency.name, agency.level, agency.region, year, status, deadline, report.published, report.published_source,
        days_late, report.errors, report.warnings, report.inconsistencies > 0, report.revised_at is not None,
        report.current_version, report.id, report.url or None, report.title, report.reading, report.reading_note,
        evidence=Evidence(evidence.run) if evidence else None,
    )


def _primary(reports: list[ReportFacts]) -> ReportFacts:
    """Of several copies of one year's report, the one published first decides timeliness."""
    if len(reports) == 1:
        return reports[0]
    return min(reports, key=lambda r: (r.published is None, r.published or dt.date.min, r.id))


def compliance(session: Session, as_of: dt.date, filters: Filters = EVERYTHING,
               unreachable: Collection[int] = (), first_year: int | None = None) -> list[StatusRow]:
    """The matrix rows for the agencies matching `filters`: `filters.year`, else every year the archive holds
    plus the last finished one. `unreachable` holds ids of agencies whose portal the last crawl could not reach;
    the evidence of every agency's last crawl is read here (store.evidence).
    `first_year` is the registry's oldest monitored year: every agency is then expected every year from it to
    the last finished one, and earlier years are left out (the crawler does not fetch them).
    """
    clauses = filters.agency_clauses()
    agencies = agency_facts(session, *clauses)
    if filters.year is not None:
        clauses.append(Report.year == filters.year)
    by_key: dict[tuple[int, int], list[ReportFacts]] = {}
    for report in report_facts(session, *clauses):
        by_key.setdefault((report.agency_id, report.year), []).append(report)
    first_year_of = dict(session.connection().execute(
        select(Report.agency_id, func.min(Report.year)).group_by(Report.agency_id)).all())
    years = [filters.year] if filters.year is not None else sorted({y for _, y in by_key} | {as_of.year - 1})
    if first_year is not None:
        if filters.year is None:
            years = sorted(set(years) | set(range(first_year, as_of.year)))
        years = [y for y in years if y >= first_year]
        first_year_of = dict.fromkeys((a.id for a in agencies), first_year)
    blocked = frozenset(unreachable)
    evidence = crawl_evidence(session)
    agencies.sort(key=lambda a: (a.region or "", a.name))  # so that rows come out ordered by year, region, name
    rows = []
    for year in years:
        for agency in agencies:
            reports = by_key.get((agency.id, year))
            if reports or year >= first_year_of.get(agency.id, years[0]):
                primary = _primary(reports) if reports else None
                found = evidence.get(agency.id)
                rows.append(make_row(agency, year, primary, as_of, unreachable=agency.id in blocked,
                                     evidence=found.of_year(year) if found else None))
    return rows
