"""A region of the simulated world stored in an archive, with its truth kept for independent checks.

Each report visible on the as-of date is stored as the crawler would store it (its record, the
registry's agency, level and region, the date its page printed), and again as a second version
when the agency revised it. The truth returned is what the archive was given: the tests compute
every figure from it on their own and compare.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from sim.content import build_record, truth_record
from sim.world import Agency, World, current_version, generate, visible
from store.db import Archive
from store.ingest import Source, ingest
from validate.deadlines import deadline_for

UTC = dt.UTC


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


def store_world(archive: Archive, world: World, as_of: dt.date) -> Truth:
    """Store every report of `world` visible at `as_of` (and its revision, once due)."""
    reports: dict[tuple[str, int], Stored] = {}
    agencies = tuple(a for p in world.portals for a in p.agencies)
    for portal in world.portals:
        for report in sorted(portal.reports, key=lambda r: r.published):
            if not visible(report, as_of):
                continue
            url = f"http://{portal.address}/{report.key}.html"
            versions = [(0, report.published)]
            if current_version(report, as_of) and report.revised is not None:
                versions.append((1, report.revised))
            record: dict[str, Any] = {}
            for version, seen in versions:
                record = truth_record(build_record(world.seed, report, version))
                agency = report.agency
                ingest(archive, Source(
                    data=json.dumps(record, ensure_ascii=False, sort_keys=True).encode("utf-8"), name="report.json",
                    url=url, agency=agency.name, level=agency.level, region=agency.region,
                    dates={"page": report.published.date()}, seen_at=seen.replace(tzinfo=UTC),
                ), record)
            reports[report.agency.name, report.year] = Stored(
                report.agency, report.year, report.published.date(), record, len(versions) > 1)
    return Truth(agencies, reports)
