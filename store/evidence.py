"""What an agency-year's status rests on: the last crawl of the agency's portal, and what it could not read.

A report we did not find is `missing` only when that crawl ran to its end and read every list page of the
portal's columns and every page and file it found for the agency. A failure there (timeout, 5xx, a body cut
short, a challenge …) may be where the report is, so the agency's absent years are `unconfirmed`, with the
failing URLs and reasons, until a later crawl reads everything.

Which agency-years a failure may hide a report of: a list page of an agency's own column, or a report page
or file whose title names an agency of the portal, hides only that agency's; any other list page hides any
of the portal's agencies. A year named by the title or the column narrows it to that year and the years
beside it (a title's year is often last year's, a year column may hold the reports published in it, and the
archive files a report under the year its record states); none named, any year. A file whose page carried
the report itself (`copy`) hides nothing.

An agency whose portal no crawl has covered has no evidence (None): its status rests on the archive alone.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Final

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from store.models import Agency, CrawlFault, CrawlRun, Portal

UNFINISHED: Final = "unfinished"  # the crawl did not run to its end for the portal (stopped, crashed, running)
CRASHED: Final = "crawl_failed"  # the monitor's mark of a crawl process that died (alerts.health)
_CHUNK: Final = 500  # portal keys per UPDATE (SQLite limits the parameters of one statement)
NEAR_YEARS: Final = 1  # a fault about year Y may hide the report of Y - 1, Y or Y + 1


@dataclass(frozen=True, slots=True)
class Gap:
    """A page or file the crawl could not read."""

    url: str
    kind: str  # crawler.failures' kinds, or `unfinished`
    detail: str = ""  # for `truncated`, which check failed (crawler.integrity); else the error's own words
    year: int | None = None  # the year its title or column names; none: any

    def may_hide(self, year: int) -> bool:
        return self.year is None or abs(self.year - year) <= NEAR_YEARS

    def to_dict(self) -> dict[str, Any]:
        return {"url": self.url, "kind": self.kind, "detail": self.detail, "year": self.year}


@dataclass(frozen=True, slots=True)
class Evidence:
    """The crawl an agency's status rests on, and what it could not read that may hide the agency's report."""

    run: int
    gaps: tuple[Gap, ...] = ()

    @property
    def complete(self) -> bool:
        return not self.gaps

    def of_year(self, year: int) -> Evidence:
        """The evidence about one year: the faults that may hide that year's report."""
        return Evidence(self.run, tuple(g for g in self.gaps if g.may_hide(year)))

    def to_dict(self) -> dict[str, Any]:
        return {"crawl_run": self.run, "complete": self.complete, "faults": [g.to_dict() for g in self.gaps]}


def covered(session: Session, run_id: int, portals: Collection[str]) -> None:
    """Remember a new run as the last crawl of its portals (a crawl starting, or the monitor recording one
    whose process died first)."""
    keys = sorted(portals)
    for start in range(0, len(keys), _CHUNK):
        session.execute(update(Portal).where(Portal.key.in_(keys[start:start + _CHUNK])).values(last_run_id=run_id))


def _last_runs(session: Session, portals: set[str]) -> dict[str, tuple[int, bool]]:
    """Portal → (its last crawl run, whether that run ran to its end for it)."""
    last = {key: run for key, run in session.execute(
        select(Portal.key, Portal.last_run_id).where(Portal.last_run_id.is_not(None))) if key in portals}
    runs = {run: (finished, errors) for run, finished, errors in session.execute(
        select(CrawlRun.id, CrawlRun.finished_at, CrawlRun.errors).where(CrawlRun.id.in_(set(last.values()))))}
    return {
        portal: (run, runs[run][0] is not None and not runs[run][1].get(f"{portal}:{CRASHED}"))
        for portal, run in last.items() if run in runs
    }


def crawl_evidence(session: Session) -> dict[int, Evidence]:
    """Agency id → the evidence of its portal's last crawl (`of_year` narrows it to one report year), for
    the agencies whose portal was crawled."""
    agencies: defaultdict[str, dict[str, int]] = defaultdict(dict)  # portal key → agency name → id
    for agency_id, name, portal in session.execute(
        select(Agency.id, Agency.name, Portal.key).join(Portal, Agency.portal_id == Portal.id)
    ):
        agencies[portal][name] = agency_id
    last = _last_runs(session, set(agencies))
    if not last:
        return {}
    gaps: defaultdict[tuple[str, int | None], list[Gap]] = defaultdict(list)  # (portal, agency id or any) → gaps
    bases = dict(session.execute(select(Portal.key, Portal.base_url).where(Portal.key.in_(last))).all())
    for portal, (_, finished) in last.items():
        if not finished:
            gaps[portal, None].append(Gap(bases.get(portal, ""), UNFINISHED))
    wanted = {run for run, _ in last.values()}
    faults = session.execute(
        select(CrawlFault.run_id, CrawlFault.portal, CrawlFault.url, CrawlFault.kind, CrawlFault.detail,
               CrawlFault.agency, CrawlFault.year)
        .where(CrawlFault.run_id.in_(wanted), CrawlFault.copy.is_(False)).order_by(CrawlFault.id)
    )
    for run, portal, url, kind, detail, agency, year in faults:
        if last.get(portal, (None,))[0] == run:
            gaps[portal, agencies[portal].get(agency or "")].append(Gap(url, kind, detail, year))
    return {
        agency_id: Evidence(last[portal][0], tuple(_gaps_of(gaps, portal, agency_id)))
        for portal, named in agencies.items() if portal in last
        for agency_id in named.values()
    }


def unconfirmed(evidence: Mapping[int, Evidence], years: Iterable[int]) -> dict[int, frozenset[int]]:
    """Report year → the agencies whose report of that year, if absent, the last crawl could not confirm
    absent (what store.matrix asks in SQL)."""
    return {year: frozenset(a for a, e in evidence.items() if not e.of_year(year).complete) for year in years}


def _gaps_of(gaps: dict[tuple[str, int | None], list[Gap]], portal: str, agency_id: int) -> Iterable[Gap]:
    yield from gaps.get((portal, None), ())
    yield from gaps.get((portal, agency_id), ())
