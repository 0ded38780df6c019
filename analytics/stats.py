"""`xxgk stats`: one metric over a group of agencies in one year, and one agency's series among its peers.

`stats()` reads the archive; everything after it (tables, JSON) is pure, so that the dashboard can
show the same numbers the command prints.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from analytics.benchmark import Distribution, Jump, Ranked, by_year, distribution, jumps, peers_of, ranked
from analytics.describe import definition, metric_formula
from analytics.document import Num, Table
from analytics.metrics import Metric
from analytics.numbers import jump_message, show
from analytics.quantiles import percent_rank, rank
from analytics.values import Monitoring, NotFoundError, Scope, Value, metric_values, region_name
from catalogue.analytics import (
    DISTRIBUTION_ROWS,
    FORMAT_SHORT,
    HEADS,
    METHOD,
    METRIC_CAVEATS,
    METRIC_NAMES,
    POLICIES,
    SHEETS,
    STATES,
    TOTALS,
    UNITS,
    words,
)
from catalogue.terms import name
from store.models import Agency


@dataclass(frozen=True, slots=True)
class Point:
    """One year of an agency's series, with its peers' quartiles that year."""

    year: int
    value: Value | None
    rank: int | None
    percentile: float | None
    peers: Distribution

    def to_dict(self) -> dict[str, Any]:
        return {"year": self.year, "value": self.value.value if self.value else None,
                "state": self.value.state if self.value else "no_report", "rank": self.rank,
                "percentile": self.percentile, "peers": self.peers.to_dict()}


@dataclass(frozen=True, slots=True)
class Stats:
    metric: Metric
    scope: Scope
    year: int
    distribution: Distribution
    agencies: list[Ranked]
    jumps: list[Jump]
    region: str = ""  # the scope's region, named
    agency: str | None = None  # the agency whose series was asked for
    series: tuple[Point, ...] = ()


def series_of(agency: str, level: str, metric: Metric, values: Sequence[Value]) -> tuple[Point, ...]:
    """The agency's value each year, ranked among the same level's values that year."""
    points = []
    for year, group in by_year(values).items():
        peers = peers_of(group, level)
        own = next((v for v in group if v.agency == agency), None)
        numbers = sorted(v.value for v in peers if v.state == "value" and v.value is not None)
        have = own is not None and own.state == "value" and own.value is not None
        place = rank(numbers, own.value) if have and own and own.value is not None else None
        share = percent_rank(numbers, own.value) if have and own and own.value is not None else None
        points.append(Point(year, own, place, share, distribution(metric, peers)))
    return tuple(points)


def find_agency(session: Session, scope: Scope, wanted: str) -> tuple[str, str]:
    """(name, level) of the scope's agency named `wanted`, else of the one whose name contains it."""
    named = select(Agency.name, Agency.level).where(*scope.filters().agency_clauses()).order_by(Agency.name)
    exact = session.execute(named.where(Agency.name == wanted)).first()
    if exact is not None:
        return exact[0], exact[1]
    found = session.execute(named.where(Agency.name.contains(wanted, autoescape=True))).all()
    if not found:
        raise NotFoundError(words("stats.no_agency", agency=wanted))
    if len(found) > 1:
        raise NotFoundError(words("stats.many_agencies", agency=wanted, n=len(found),
                                  names="、".join(row[0] for row in found[:5])))
    return found[0][0], found[0][1]


def stats(session: Session, metric: Metric, scope: Scope, year: int, monitoring: Monitoring, *,
          agency: str | None = None, years: int = 5) -> Stats:
    """The metric in `year` over `scope` (ranks, quartiles, jumps from the year before); with `agency`,
    also its series over `years` years among the same level's agencies of the scope."""
    points: tuple[Point, ...] = ()
    if agency is not None:
        agency, level = find_agency(session, scope, agency)
        span = list(range(year - years + 1, year + 1))
        peers = metric_values(session, metric, Scope(scope.region, level), span, monitoring)
        points = series_of(agency, level, metric, peers)
    values = by_year(metric_values(session, metric, scope, [year - 1, year], monitoring))
    current, previous = values.get(year, []), values.get(year - 1, [])
    return Stats(metric, scope, year, distribution(metric, current), ranked(current),
                 jumps(metric, previous, current), region_name(session, scope.region) if scope.region else "",
                 agency, points)


# ---- output -------------------------------------------------------------------------------------


def scope_words(result: Stats) -> str:
    level = result.scope.level
    if not result.region and not level:
        return words("stats.scope_all")
    return words("stats.scope", region=result.region, level=name("level", level) if level else "")


def title(result: Stats) -> str:
    return words("stats.title", metric=METRIC_NAMES[result.metric.key], year=result.year, scope=scope_words(result))


def to_json(result: Stats) -> dict[str, Any]:
    out: dict[str, Any] = {
        "metric": definition(result.metric), "year": result.year,
        "scope": {"region": result.scope.region, "level": result.scope.level}, "method": METHOD,
        "distribution": result.distribution.to_dict(),
        "agencies": [r.to_dict() for r in result.agencies],
        "jumps": [{**j.to_dict(), "message": jump_message(result.metric, j)} for j in result.jumps],
    }
    if result.agency is not None:
        out["agency"] = result.agency
        out["series"] = [p.to_dict() for p in result.series]
    return out


def _num(metric: Metric, value: float | None, *, exact: bool = False) -> Num:
    return Num(value, metric.unit, exact=exact)


def agencies_table(result: Stats) -> Table:
    m = result.metric
    rows = [
        (r.value.agency, name("level", r.value.level), r.value.region,
         _num(m, r.value.value) if r.value.state == "value" else None, STATES[r.value.state],
         r.rank, Num(r.percentile, "ratio") if r.percentile is not None else None, r.value.report_id,
         r.value.version)
        for r in result.agencies
    ]
    return Table("stats", title(result), HEADS["stats"], list(rows))


def distribution_table(result: Stats) -> Table:
    m, d = result.metric, result.distribution
    rows: list[Sequence[Any]] = [(DISTRIBUTION_ROWS["n"], d.n)]
    rows += [(DISTRIBUTION_ROWS[k], _num(m, getattr(d, k), exact=k in {"p25", "p50", "p75", "mean"}))
             for k in ("total", "min", "p25", "p50", "p75", "max", "mean")]
    rows += [(STATES[state], n) for state, n in d.states.items()]
    return Table("distribution", f"{title(result)}：{SHEETS['distribution']}", HEADS["distribution"], rows)


def series_table(result: Stats) -> Table:
    m = result.metric
    rows = [
        (p.year, _num(m, p.value.value) if p.value and p.value.state == "value" else None,
         STATES[p.value.state if p.value else "no_report"], p.peers.n, p.rank,
         _num(m, p.peers.p25, exact=True), _num(m, p.peers.p50, exact=True), _num(m, p.peers.p75, exact=True))
        for p in result.series
    ]
    first, last = (result.series[0].year, result.series[-1].year) if result.series else (result.year, result.year)
    heading = words("stats.series_title", agency=result.agency or "", metric=METRIC_NAMES[m.key], first=first,
                    last=last)
    return Table("series", heading, HEADS["series"], list(rows))


def definition_table(metrics: Sequence[Metric]) -> Table:
    rows = [
        (METRIC_NAMES[m.key], UNITS[m.unit], metric_formula(m), "、".join(FORMAT_SHORT[f] for f in m.formats),
         POLICIES[m.blank], POLICIES[m.not_applicable], TOTALS[m.total], METRIC_CAVEATS[m.key])
        for m in metrics
    ]
    return Table("metrics", SHEETS["definition"], HEADS["metrics"], list(rows), wide=True)


def summary_lines(result: Stats) -> list[str]:
    m, d = result.metric, result.distribution
    lines = [words("stats.summary", n=d.n, total=show(m, d.total, unit=True), min=show(m, d.min),
                   p25=show(m, d.p25, exact=True), p50=show(m, d.p50, exact=True), p75=show(m, d.p75, exact=True),
                   max=show(m, d.max))]
    if d.states:
        lines.append(words("stats.states", states="，".join(f"{STATES[s]} {n}" for s, n in d.states.items())))
    lines += [jump_message(m, j) for j in result.jumps]
    lines.append(METHOD)
    return lines
