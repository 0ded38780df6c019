"""The annual monitoring report of a region: publication, data quality, key figures benchmarked, five-year
trends, anomalies to check, and annex tables of every agency.

`region_facts` reads the archive (a few SQL queries per metric); `region_document` turns the facts
into a Document without touching the database, so a web page can build it from the same facts.
Every figure in it is a metric of the dictionary or a count of the compliance matrix, and annex 3
names the report and version each agency's figures come from.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

from sqlalchemy.orm import Session

from analytics.benchmark import Jump, by_year, distribution, group_total, jumps, peers_of
from analytics.charts import Line, trend_chart
from analytics.document import Cell, Chart, Document, Heading, Num, Paragraph, Table
from analytics.evidence import Evidence, cell_kinds, findings_of
from analytics.metrics import BY_KEY, METRICS, Metric
from analytics.numbers import show
from analytics.stats import definition_table
from analytics.values import Monitoring, NotFoundError, Scope, Value, matrix, metric_values, region_name
from catalogue.analytics import (
    HEADS,
    LEVEL_ORDINALS,
    METRIC_NAMES,
    RULE_FAMILIES,
    STATES,
    SUMMARY_ROWS,
    UNITS,
    YES,
    words,
)
from catalogue.terms import name
from store.findings import TIMELINESS_RULES
from store.status import StatusRow
from store.terms import LEVELS

YEARS: Final = 5  # the trend's span
TREND_METRICS: Final = ("requests_new", "granted_rate", "on_time_rate", "data_errors")
WORST: Final = 10  # agencies listed with the most errors
JUMPS_SHOWN: Final = 40  # jumps a document lists (the workbook: all)


@dataclass(frozen=True, slots=True)
class RegionFacts:
    """What the region report says, read from the archive."""

    code: str
    name: str
    year: int
    as_of: dt.date
    rows: list[StatusRow]  # the compliance matrix over the trend's years
    values: dict[str, list[Value]]  # every metric's values over the trend's years
    evidence: list[Evidence]  # findings of the year's reports
    kinds: Counter[str]  # what the year's reports' template cells hold

    @property
    def years(self) -> list[int]:
        return list(range(self.year - YEARS + 1, self.year + 1))

    def rows_of(self, year: int) -> list[StatusRow]:
        return [r for r in self.rows if r.year == year]

    def values_of(self, key: str, year: int) -> list[Value]:
        return [v for v in self.values[key] if v.year == year]


def region_facts(session: Session, code: str, year: int, monitoring: Monitoring) -> RegionFacts:
    scope = Scope(region=code)
    years = list(range(year - YEARS + 1, year + 1))
    rows = matrix(session, scope, years, monitoring)
    if not any(r.year == year for r in rows):
        raise NotFoundError(words("report.unknown_region", code=code))
    values = {m.key: metric_values(session, m, scope, years, monitoring, rows) for m in METRICS}
    reports = [r.report_id for r in rows if r.year == year and r.report_id is not None]
    return RegionFacts(code, region_name(session, code), year, monitoring.as_of, rows, values,
                       findings_of(session, reports), cell_kinds(session, reports))


# ---- the document ------------------------------------------------------------------------


def _levels(rows: Sequence[StatusRow]) -> list[str]:
    present = {r.level for r in rows}
    return [level for level in LEVELS if level in present]


def _summary(facts: RegionFacts, doc: Document) -> None:
    rows = facts.rows_of(facts.year)
    status = Counter(r.status for r in rows)
    due = status["on_time"] + status["late"] + status["missing"]
    rate = group_total(BY_KEY["on_time_rate"], facts.values_of("on_time_rate", facts.year))
    levels = "、".join(f"{name('level', lv)} {sum(r.level == lv for r in rows)} 个" for lv in _levels(rows))
    doc.add(Heading(words("region.h.summary")), Paragraph(words(
        "region.summary", agencies=len(rows), levels=levels, year=facts.year, due=due, on_time=status["on_time"],
        late=status["late"], missing=status["missing"], rate=show(BY_KEY["on_time_rate"], rate))))
    changed = sum(r.changed for r in rows)
    extra = [words(key, n=n) for key, n in (("region.summary.not_due", status["not_due"]),
                                            ("region.summary.unreachable", status["unreachable"]),
                                            ("region.summary.unconfirmed", status["unconfirmed"]),
                                            ("region.summary.changed", changed)) if n]
    if extra:
        doc.add(Paragraph("".join(extra)))
    table = Table("summary", words("region.t.summary"), HEADS["summary"], [
        (SUMMARY_ROWS["agencies"], len(rows)), (SUMMARY_ROWS["due"], due),
        *((SUMMARY_ROWS[s], status[s]) for s in ("on_time", "late", "missing", "not_due", "unreachable",
                                                  "unconfirmed")),
        (SUMMARY_ROWS["changed"], changed), (METRIC_NAMES["on_time_rate"], Num(rate, "ratio")),
    ])
    doc.add(table)


def _quality(facts: RegionFacts, doc: Document) -> None:
    doc.add(Heading(words("region.h.quality")))
    errors = [v for v in facts.values_of("data_errors", facts.year) if v.state == "value"]
    if not errors:
        doc.add(Paragraph(words("region.quality.none")))
        return
    doc.add(Paragraph(words(
        "region.quality", reports=len(errors), with_errors=sum((v.value or 0) > 0 for v in errors),
        errors=round(sum(v.value or 0 for v in errors)), blank=facts.kinds["blank"],
        na=facts.kinds["not_applicable"], text=facts.kinds["text"])))
    content = [e for e in facts.evidence if e.severity == "error" and e.rule not in TIMELINESS_RULES]
    by_family = Counter(e.family for e in content)
    reports = {f: len({e.report_id for e in content if e.family == f}) for f in by_family}
    doc.add(Table("families", words("region.h.families"), HEADS["families"], [
        (RULE_FAMILIES[f], n, reports[f]) for f, n in sorted(by_family.items(), key=lambda kv: (-kv[1], kv[0]))]))
    warnings = {r.agency: r.warnings for r in facts.rows_of(facts.year)}
    worst = sorted((v for v in errors if (v.value or 0) > 0), key=lambda v: (-(v.value or 0), v.agency))[:WORST]
    doc.add(Table("worst", words("region.h.worst"), HEADS["worst"], [
        (v.agency, name("level", v.level), int(v.value or 0), warnings.get(v.agency, 0)) for v in worst]))


def _figure_metrics() -> list[Metric]:
    return [m for m in METRICS if m.key_figure]


def _change(now: float | None, before: float | None) -> Num:
    return Num(now / before - 1 if now is not None and before else None, "ratio")


def _figures(facts: RegionFacts, doc: Document) -> None:
    doc.add(Heading(words("region.h.figures")), Paragraph(words("region.figures")))
    rows: list[Sequence[Cell]] = []
    for m in _figure_metrics():
        now = group_total(m, facts.values_of(m.key, facts.year))
        before = group_total(m, facts.values_of(m.key, facts.year - 1))
        n = sum(v.state == "value" for v in facts.values_of(m.key, facts.year))
        rows.append((METRIC_NAMES[m.key], UNITS[m.unit], Num(now, m.unit), Num(before, m.unit),
                     _change(now, before), n))
    doc.add(Table("figures", words("region.t.figures"), HEADS["figures"], rows))
    for k, level in enumerate(_levels(facts.rows_of(facts.year))):
        heading = words("region.h.levels", ordinal=LEVEL_ORDINALS[k], level=name("level", level))
        table = Table(f"levels.{level}", heading, HEADS["levels"])
        for m in _figure_metrics():
            d = distribution(m, peers_of(facts.values_of(m.key, facts.year), level))
            table.rows.append((METRIC_NAMES[m.key], UNITS[m.unit], d.n, Num(d.p25, m.unit, exact=True),
                               Num(d.p50, m.unit, exact=True), Num(d.p75, m.unit, exact=True)))
        doc.add(Heading(heading, 2), table)


def _trends(facts: RegionFacts, doc: Document, *, charts: bool) -> None:
    doc.add(Heading(words("region.h.trends")))
    years = facts.years
    totals = {m.key: {y: group_total(m, vs) for y, vs in by_year(facts.values[m.key]).items()}
              for m in _figure_metrics()}
    doc.add(Table("trend", words("region.h.trends"), (*HEADS["trend"], *(str(y) for y in years)), [
        (METRIC_NAMES[m.key], UNITS[m.unit], *(Num(totals[m.key].get(y), m.unit) for y in years))
        for m in _figure_metrics()
    ]))
    if not charts:
        return
    for key in TREND_METRICS:
        m = BY_KEY[key]
        series = [totals[key].get(y) for y in years]
        title = words("chart.region", metric=METRIC_NAMES[key], first=years[0], last=years[-1])
        png = trend_chart(title, years, [Line(facts.name, series)], percent=m.unit == "ratio", unit=UNITS[m.unit])
        data = Table(f"chart.{key}", title, (words("chart.year"), METRIC_NAMES[key]),
                     [(y, Num(v, m.unit)) for y, v in zip(years, series, strict=True)])
        doc.add(Chart(f"chart.{key}", title, png, data))


def region_jumps(facts: RegionFacts) -> list[tuple[Metric, Jump]]:
    found = [(m, j) for m in METRICS
             for j in jumps(m, facts.values_of(m.key, facts.year - 1), facts.values_of(m.key, facts.year))]
    found.sort(key=lambda mj: (-mj[1].factor, -abs(mj[1].value - mj[1].previous), mj[1].agency, mj[0].key))
    return found


def jump_rows(found: Sequence[tuple[Metric, Jump]]) -> list[Sequence[Cell]]:
    return [(j.agency, name("level", j.level), METRIC_NAMES[m.key], UNITS[m.unit], Num(j.previous, m.unit),
             Num(j.value, m.unit), Num(j.factor, "factor"), Num(j.peers.p25, m.unit, exact=True),
             Num(j.peers.p50, m.unit, exact=True), Num(j.peers.p75, m.unit, exact=True)) for m, j in found]


def _jumps(facts: RegionFacts, doc: Document) -> None:
    doc.add(Heading(words("region.h.jumps")))
    found = region_jumps(facts)
    if not found:
        doc.add(Paragraph(words("region.jumps.none")))
        return
    doc.add(Paragraph(words("region.jumps", n=len(found))),
            Table("jumps", words("region.h.jumps"), HEADS["jumps"], jump_rows(found), wide=True, limit=JUMPS_SHOWN))


def status_row(r: StatusRow) -> tuple[Any, ...]:
    return (r.agency, name("level", r.level), r.region, name("status", r.status), r.published, r.deadline,
            r.days_late if r.status == "late" else None, r.errors, r.warnings, YES if r.changed else "")


def _annex(facts: RegionFacts, doc: Document) -> None:
    rows = facts.rows_of(facts.year)
    doc.add(Heading(words("region.h.annex")))
    doc.add(Table("status", words("region.h.annex.status"), HEADS["status"], [status_row(r) for r in rows], wide=True))
    by_report = {r.report_id: r for r in rows if r.report_id is not None}
    doc.add(Table("findings", words("region.h.annex.findings"), HEADS["findings"], [
        (by_report[e.report_id].agency, name("level", by_report[e.report_id].level), e.rule, e.place, e.printed,
         e.message) for e in facts.evidence if e.report_id in by_report], wide=True))
    metrics = _figure_metrics()
    values = {m.key: {v.agency: v for v in facts.values_of(m.key, facts.year)} for m in metrics}
    table = Table("values", words("region.h.annex.values"), (*HEADS["values"], *(METRIC_NAMES[m.key] for m in metrics)),
                  wide=True)
    for r in rows:
        cells: list[Any] = [r.agency, name("level", r.level), r.report_id, r.versions or None]
        for m in metrics:
            v = values[m.key][r.agency]
            cells.append(Num(v.value, m.unit) if v.state == "value" else STATES[v.state])
        table.rows.append(cells)
    doc.add(table)
    definitions = definition_table(METRICS)
    definitions.title = words("region.h.annex.metrics")
    doc.add(definitions, Paragraph(words("region.method")))


def region_document(facts: RegionFacts, *, charts: bool = True) -> Document:
    doc = Document(
        words("region.title", region=facts.name, year=facts.year),
        words("region.subtitle", code=facts.code, agencies=len(facts.rows_of(facts.year)),
              as_of=facts.as_of.isoformat()),
    )
    _summary(facts, doc)
    _quality(facts, doc)
    _figures(facts, doc)
    _trends(facts, doc, charts=charts)
    _jumps(facts, doc)
    _annex(facts, doc)
    return doc
