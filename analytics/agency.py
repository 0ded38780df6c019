"""One agency's profile: its publication history, its figures beside its peers' quartiles, its trends,
its findings with the cells they concern, and the jumps worth checking.

Its peers are the agencies of the same level in the same province (the first two digits of the
region code), or of the same level everywhere when its region is unknown. As for the region
report, `agency_facts` reads and `agency_document` builds, without the database.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from analytics.benchmark import by_year, jumps
from analytics.charts import Band, Line, trend_chart, trend_svg
from analytics.document import Chart, Document, Heading, Num, Paragraph, Table
from analytics.evidence import Evidence, findings_of
from analytics.metrics import BY_KEY, METRICS, Metric
from analytics.numbers import jump_message
from analytics.stats import Point, series_of
from analytics.values import Monitoring, NotFoundError, Scope, Value, matrix, metric_values
from catalogue.analytics import HEADS, METRIC_NAMES, PROVINCES, STATES, UNITS, YES, words
from catalogue.terms import name
from store.models import Agency
from store.status import Filters, StatusRow, compliance

YEARS: Final = 5
TREND_METRICS: Final = ("requests_new", "granted_rate", "licensing_decisions", "data_errors")
_PROVINCE: Final = 2  # digits of the region code that name the province


@dataclass(frozen=True, slots=True)
class AgencyFacts:
    name: str
    level: str
    region: str | None
    year: int
    as_of: dt.date
    peers: Scope
    history: list[StatusRow]  # every year of the agency in the compliance matrix
    values: dict[str, list[Value]]  # every metric over the peers and the trend's years
    evidence: list[Evidence]  # the findings of its report on the year, all severities

    @property
    def years(self) -> list[int]:
        return list(range(self.year - YEARS + 1, self.year + 1))

    @property
    def metrics(self) -> list[Metric]:
        return [m for m in METRICS if m.key in self.values]

    def series(self, key: str) -> tuple[Point, ...]:
        return series_of(self.name, self.level, BY_KEY[key], self.values[key])

    def row(self) -> StatusRow | None:
        return next((r for r in self.history if r.year == self.year), None)


def find_agency(session: Session, wanted: str) -> tuple[str, str, str | None]:
    """(name, level, region) of the agency called `wanted`, else of the one agency whose name contains it."""
    rows = session.execute(select(Agency.name, Agency.level, Agency.region).where(Agency.name == wanted)).all()
    if not rows:
        rows = session.execute(select(Agency.name, Agency.level, Agency.region).where(
            Agency.name.contains(wanted, autoescape=True)).order_by(Agency.name)).all()
    if not rows:
        raise NotFoundError(words("report.unknown_agency", agency=wanted))
    if len(rows) > 1:
        raise NotFoundError(words("stats.many_agencies", agency=wanted, n=len(rows),
                                        names="、".join(r[0] for r in rows[:5])))
    found, level, region = rows[0]
    return found, level, region


def peer_scope(level: str, region: str | None) -> Scope:
    return Scope(region=region[:_PROVINCE] if region else None, level=level)


def agency_facts(session: Session, wanted: str, year: int, monitoring: Monitoring,
                 metrics: Sequence[Metric] = METRICS) -> AgencyFacts:
    """The profile's facts: every metric of the dictionary, or only `metrics` (a dashboard panel)."""
    agency, level, region = find_agency(session, wanted)
    peers = peer_scope(level, region)
    years = list(range(year - YEARS + 1, year + 1))
    history = [r for r in compliance(session, monitoring.as_of, Filters(agency=agency), monitoring.unreachable,
                                     monitoring.first_year) if r.agency == agency and r.year <= year]
    rows = matrix(session, peers, years, monitoring)
    values = {m.key: metric_values(session, m, peers, years, monitoring, rows) for m in metrics}
    report = next((r.report_id for r in history if r.year == year), None)
    evidence = findings_of(session, [report], severities=("error", "warning", "info")) if report else []
    return AgencyFacts(agency, level, region, year, monitoring.as_of, peers, history, values, evidence)


# ---- the document ------------------------------------------------------------------------


def peers_words(facts: AgencyFacts) -> str:
    level = name("level", facts.level)
    if facts.peers.region is None:
        return words("agency.peers.all", level=level)
    return words("agency.peers", region=PROVINCES.get(facts.peers.region, facts.peers.region), level=level)


def _history(facts: AgencyFacts, doc: Document) -> None:
    doc.add(Heading(words("agency.h.history")), Table("history", words("agency.h.history"), HEADS["history"], [
        (r.year, name("status", r.status), r.published, r.deadline, r.days_late if r.status == "late" else None,
         r.versions, r.errors, YES if r.changed else "") for r in sorted(facts.history, key=lambda r: r.year)]))


def _profile(facts: AgencyFacts, doc: Document) -> None:
    points = {m.key: facts.series(m.key) for m in facts.metrics}
    count = max((p[-1].peers.n + sum(p[-1].peers.states.values()) for p in points.values() if p), default=0)
    doc.add(Heading(words("agency.h.figures")), Paragraph(words("agency.figures", peers=peers_words(facts), n=count)))
    table = Table("profile", words("agency.t.profile"), HEADS["profile"])
    for m in facts.metrics:
        point = next((p for p in points[m.key] if p.year == facts.year), None)
        if point is None:
            continue
        own = point.value
        state = own.state if own else "no_report"
        table.rows.append((
            METRIC_NAMES[m.key], UNITS[m.unit], Num(own.value if own and state == "value" else None, m.unit),
            f"{point.rank}/{point.peers.n}" if point.rank else None,
            Num(point.percentile, "ratio"), Num(point.peers.p25, m.unit, exact=True),
            Num(point.peers.p50, m.unit, exact=True), Num(point.peers.p75, m.unit, exact=True), STATES[state]))
    doc.add(table)


def _trends(facts: AgencyFacts, doc: Document, *, charts: bool) -> None:
    doc.add(Heading(words("agency.h.trends")))
    years = facts.years
    table = Table("trend", words("agency.h.trends"), (*HEADS["trend"], *(str(y) for y in years)))
    for m in facts.metrics:
        by = {p.year: p for p in facts.series(m.key)}
        table.rows.append((METRIC_NAMES[m.key], UNITS[m.unit], *(
            Num(p.value.value, m.unit) if (p := by.get(y)) and p.value and p.value.state == "value" else None
            for y in years)))
    doc.add(table)
    if not charts:
        return
    for key in TREND_METRICS:
        if key in facts.values:
            doc.add(agency_chart(facts, key))


@dataclass(frozen=True, slots=True)
class _Trend:
    """What a trend chart of one metric draws: the agency's line, its peers' median and P25–P75 band."""

    title: str
    years: list[int]
    lines: list[Line]
    band: Band
    percent: bool
    unit: str


def _trend(facts: AgencyFacts, key: str) -> _Trend:
    m = BY_KEY[key]
    years = facts.years
    by = {p.year: p for p in facts.series(key)}
    own = [p.value.value if (p := by.get(y)) and p.value and p.value.state == "value" else None for y in years]
    median = [by[y].peers.p50 if y in by else None for y in years]
    band = Band(words("chart.band"), [by[y].peers.p25 if y in by else None for y in years],
                [by[y].peers.p75 if y in by else None for y in years])
    title = words("chart.region", metric=METRIC_NAMES[key], first=years[0], last=years[-1])
    return _Trend(title, years, [Line(facts.name, own), Line(words("chart.median"), median, dashed=True)], band,
                  m.unit == "ratio", UNITS[m.unit])


def agency_chart(facts: AgencyFacts, key: str) -> Chart:
    """The agency's series of `key` against its peers (PNG), with the numbers it draws."""
    m, trend = BY_KEY[key], _trend(facts, key)
    png = trend_chart(trend.title, trend.years, trend.lines, band=trend.band, percent=trend.percent, unit=trend.unit)
    own, median = trend.lines[0].values, trend.lines[1].values
    data = Table(f"chart.{key}", trend.title, (words("chart.year"), facts.name, words("chart.median"), "P25", "P75"), [
        (y, Num(a, m.unit), Num(b, m.unit, exact=True), Num(c, m.unit, exact=True), Num(d, m.unit, exact=True))
        for y, a, b, c, d in zip(trend.years, own, median, trend.band.low, trend.band.high, strict=True)])
    return Chart(f"chart.{key}", trend.title, png, data)


def agency_svg(facts: AgencyFacts, key: str) -> str:
    """The same chart as SVG text, for a web page."""
    trend = _trend(facts, key)
    return trend_svg(trend.title, trend.years, trend.lines, band=trend.band, percent=trend.percent, unit=trend.unit)


def _findings(facts: AgencyFacts, doc: Document) -> None:
    doc.add(Heading(words("agency.h.findings")))
    row = facts.row()
    if row is None or row.report_id is None:
        doc.add(Paragraph(words("agency.findings.no_report")))
        return
    if not facts.evidence:
        doc.add(Paragraph(words("agency.findings.none")))
        return
    doc.add(Table("findings", words("agency.h.findings"), HEADS["findings"], [
        (facts.name, name("severity", e.severity), e.rule, e.place, e.printed, e.message) for e in facts.evidence],
        wide=True))


def agency_jumps(facts: AgencyFacts) -> list[tuple[Any, Any]]:
    out = []
    for m in facts.metrics:
        grouped = by_year(facts.values[m.key])
        found = jumps(m, grouped.get(facts.year - 1, []), grouped.get(facts.year, []))
        out += [(m, j) for j in found if j.agency == facts.name]
    return out


def _jumps(facts: AgencyFacts, doc: Document) -> None:
    doc.add(Heading(words("agency.h.jumps")))
    found = agency_jumps(facts)
    if not found:
        doc.add(Paragraph(words("agency.jumps.none")))
    for m, j in found:
        doc.add(Paragraph(jump_message(m, j)))


def agency_document(facts: AgencyFacts, *, charts: bool = True) -> Document:
    doc = Document(
        words("agency.title", agency=facts.name, year=facts.year),
        words("agency.subtitle", level=name("level", facts.level), region=facts.region or "—",
              as_of=facts.as_of.isoformat()),
    )
    _history(facts, doc)
    _profile(facts, doc)
    _trends(facts, doc, charts=charts)
    _findings(facts, doc)
    _jumps(facts, doc)
    return doc

