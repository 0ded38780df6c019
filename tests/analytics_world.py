"""A region of the simulated world stored in an archive, with its truth kept for independent checks.

Each report visible on the as-of date is stored as the crawler would store it (its record, the
registry's agency, level and region, the date its page printed), and again as a second version
when the agency revised it. The truth returned is what the archive was given: the tests compute
every figure from it on their own and compare.
"""

from __future__ import annotations

import datetime as dt
import json
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from analytics.metrics import BY_KEY
from sim.content import build_record, truth_record
from sim.world import Agency, Report, World, current_version, generate, visible
from store.db import Archive
from store.ingest import Source, ingest
from validate import validate
from validate.deadlines import deadline_for

UTC = dt.UTC
AS_OF = dt.date(2026, 6, 1)  # every report on 2025 is due
YEAR = 2025
REGION = "43"  # 湖南: the county archetype's portals


@dataclass(frozen=True, slots=True)
class Stored:
    """One agency-year's report as the archive holds it: its current record and its first date."""

    agency: Agency
    year: int
    published: dt.date
    record: dict[str, Any]
    revised: bool


@dataclass(frozen=True, slots=True)
class Truth:
    agencies: tuple[Agency, ...]
    reports: dict[tuple[str, int], Stored]  # (agency name, year) → its report

    def deadline(self, agency: Agency, year: int) -> dt.date:
        return deadline_for(agency.level, year)


def region_world(seed: int, portals: int, region: str) -> World:
    world = generate(seed=seed, portals=portals)
    return World(world.seed, tuple(p for p in world.portals if p.place.code.startswith(region)), world.years)


def _versions(report: Report, as_of: dt.date) -> list[tuple[int, dt.datetime]]:
    """(version, when it appeared) of a report as served up to `as_of`."""
    versions = [(0, report.published)]
    if current_version(report, as_of) and report.revised is not None:
        versions.append((1, report.revised))
    return versions


def world_truth(world: World, as_of: dt.date) -> Truth:
    """What the archive holds once every report visible at `as_of` is stored: each one's current record."""
    reports = {}
    for portal in world.portals:
        for report in portal.reports:
            if visible(report, as_of):
                versions = _versions(report, as_of)
                record = truth_record(build_record(world.seed, report, versions[-1][0]))
                reports[report.agency.name, report.year] = Stored(
                    report.agency, report.year, report.published.date(), record, len(versions) > 1)
    return Truth(tuple(a for p in world.portals for a in p.agencies), reports)


def store_world(archive: Archive, world: World, as_of: dt.date) -> Truth:
    """Store every report of `world` visible at `as_of`, as the crawler would (and its revision, once due)."""
    for portal in world.portals:
        for report in sorted(portal.reports, key=lambda r: r.published):
            if not visible(report, as_of):
                continue
            agency = report.agency
            for version, seen in _versions(report, as_of):
                record = truth_record(build_record(world.seed, report, version))
                ingest(archive, Source(
                    data=json.dumps(record, ensure_ascii=False, sort_keys=True).encode("utf-8"), name="report.json",
                    url=f"http://{portal.address}/{report.key}.html", agency=agency.name, level=agency.level,
                    region=agency.region, dates={"page": report.published.date()}, seen_at=seen.replace(tzinfo=UTC),
                ), record)
    return world_truth(world, as_of)


# ---- the figures, computed from the records -----------------------------------------------------

ABSENT = object()  # the record's format has no such cell
WITHHELD = ("withheld_state_secret", "withheld_prohibited", "withheld_security", "withheld_third_party",
            "withheld_internal", "withheld_process", "withheld_enforcement_file", "withheld_inquiry")
LITIGATION = ("litigation_direct", "litigation_after_review")


def _cells(record: dict[str, Any], table: str, places: Sequence[tuple[str, str]]) -> Any:
    """The sum of the cells; None when one is blank; ABSENT when the record has no such cell."""
    total = 0.0
    for row, col in places:
        value = ((record.get(table) or {}).get(row) or {}).get(col, ABSENT)
        if value is ABSENT or value is None:
            return value
        total += value
    return total


def _ratio(numerator: Any, denominator: Any) -> Any:
    if numerator is ABSENT or denominator is ABSENT:
        return ABSENT
    if numerator is None or denominator is None:
        return None
    return "zero" if denominator == 0 else (numerator, denominator)


def _req(*rows: str) -> Callable[[dict[str, Any]], Any]:
    return lambda r: _cells(r, "requests", [(row, "total") for row in rows])


def _rl(groups: Sequence[str], cols: Sequence[str]) -> Callable[[dict[str, Any]], Any]:
    return lambda r: _cells(r, "review_litigation", [(g, c) for g in groups for c in cols])


def _act(row: str, col: str) -> Callable[[dict[str, Any]], Any]:
    return lambda r: _cells(r, "active", [(row, col)])


def _rate(num: Callable[[dict[str, Any]], Any], den: Callable[[dict[str, Any]], Any]) -> Callable[..., Any]:
    return lambda r: _ratio(num(r), den(r))


CELL_METRICS: dict[str, Callable[[dict[str, Any]], Any]] = {
    "requests_new": _req("new"),
    "requests_handled": _req("total"),
    "granted_rate": _rate(_req("granted"), _req("total")),
    "disclosed_rate": _rate(_req("granted", "partly_granted"), _req("total")),
    "withheld_rate": _rate(_req(*WITHHELD), _req("total")),
    "review_cases": _rl(("review",), ("total",)),
    "review_correction_rate": _rate(_rl(("review",), ("corrected",)), _rl(("review",), ("upheld", "corrected", "other"))),
    "litigation_cases": _rl(LITIGATION, ("total",)),
    "litigation_correction_rate": _rate(_rl(LITIGATION, ("corrected",)), _rl(LITIGATION, ("upheld", "corrected", "other"))),
    "normative_in_force": _act("normative_documents", "in_force"),
    "licensing_decisions": _act("licensing", "decisions"),
    "penalty_decisions": _act("penalty", "decisions"),
    "coercion_decisions": _act("coercion", "decisions"),
    "fee_amount": _act("fees", "amount"),
}


class Expected:
    """Statuses, findings and metric values of every agency-year, from the truth alone."""

    def __init__(self, truth: Truth) -> None:
        self.truth = truth
        first = {}
        for (agency, year) in truth.reports:
            first[agency] = min(year, first.get(agency, year))
        self.first = first
        self.findings = {key: self._findings(stored) for key, stored in truth.reports.items()}

    def _findings(self, stored: Stored) -> list[Any]:
        previous = self.truth.reports.get((stored.agency.name, stored.year - 1))
        meta = {"agency": stored.agency.name, "level": stored.agency.level, "region": stored.agency.region,
                "published": stored.published.isoformat(),
                "deadline": self.truth.deadline(stored.agency, stored.year).isoformat()}
        return validate(stored.record, previous.record if previous else None, meta)

    def agencies(self, year: int) -> list[Any]:
        return [a for a in self.truth.agencies if a.name in self.first and self.first[a.name] <= year]

    def status(self, agency: Agency, year: int) -> str:
        stored = self.truth.reports.get((agency.name, year))
        deadline = self.truth.deadline(agency, year)
        if stored is not None:
            return "on_time" if stored.published <= deadline else "late"
        return "missing" if deadline < AS_OF else "not_due"

    def content_errors(self, stored: Stored) -> int:
        return sum(f.severity == "error" and f.rule != "late_publication"
                   for f in self.findings[stored.agency.name, stored.year])

    def value(self, key: str, agency: Agency, year: int) -> tuple[str, float | None, Any]:
        """(state, value, (numerator, denominator) of a ratio)."""
        stored = self.truth.reports.get((agency.name, year))
        status = self.status(agency, year)
        if key == "on_time_rate":
            if status == "not_due":
                return "not_due", None, None
            on_time = float(status == "on_time")
            return "value", on_time, (on_time, 1.0)
        if stored is None:
            return ("not_due" if status == "not_due" else "no_report"), None, None
        if key in {"days_late", "data_errors", "blank_cells"}:
            return self._fact(key, stored)
        return _from_cells(CELL_METRICS[key](stored.record))

    def _fact(self, key: str, stored: Stored) -> tuple[str, float | None, Any]:
        if key == "days_late":
            return "value", float(max(0, (stored.published - self.truth.deadline(stored.agency, stored.year)).days)), None
        if key == "data_errors":
            return "value", float(self.content_errors(stored)), None
        if stored.record.get("format") == "legacy":
            return "other_format", None, None
        nulls = sum(v is None for t in ("active", "requests", "review_litigation")
                    for row in (stored.record.get(t) or {}).values() for v in row.values())
        return "value", float(nulls), None

    def values(self, key: str, year: int, level: str | None = None) -> list[tuple[Any, str, float | None, Any]]:
        return [(a, *self.value(key, a, year)) for a in self.agencies(year) if level is None or a.level == level]

    def total(self, key: str, year: int, level: str | None = None) -> float | None:
        metric = BY_KEY[key]
        have = [(v, parts) for _, state, v, parts in self.values(key, year, level) if state == "value"]
        if not have:
            return None
        if metric.total == "mean":
            return statistics.fmean(v for v, _ in have)
        if metric.total == "pooled":
            den = sum(p[1] for _, p in have)
            return sum(p[0] for _, p in have) / den if den else None
        return sum(v for v, _ in have)

    def quartiles(self, key: str, year: int, level: str) -> tuple[int, list[float | None]]:
        have = [v for _, state, v, _ in self.values(key, year, level) if state == "value"]
        if not have:
            return 0, [None, None, None]
        return len(have), [float(np.percentile(have, q, method="linear")) for q in (25, 50, 75)]


def _from_cells(got: Any) -> tuple[str, float | None, Any]:
    if got is ABSENT:
        return "other_format", None, None
    if got is None:
        return "blank", None, None
    if got == "zero":
        return "zero_denominator", None, None
    if isinstance(got, tuple):
        return "value", got[0] / got[1], got
    return "value", float(got), None
