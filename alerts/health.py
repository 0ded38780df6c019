"""Fetch health and spider health, read from the crawl runs: is the portal down, or is our spider broken?

A monitor that cries wolf is ignored, so nothing here fires on one bad crawl: each signal needs
`unreachable_after` consecutive crawls that show it. The signals keep two problems apart (toolchain
§11): a portal that does not answer, or answers only with a challenge, is the operators' business
(`portal_unreachable`); a portal that answers but where the spider no longer finds the reports it
found before, that newly shows a challenge page, or whose crawl process dies, is the maintainers'.

The crawl run stores failures per portal (`errors`) but only totals in `counts`; the monitor adds
each portal's own statistics to the run's `counts` as `<portal>:<stat>` (list_pages, report_links,
failed:<kind>, …) and the monitor's date as `as_of` (YYYYMMDD), right after the crawl. A finished run
without those keys (a crawl started by hand, `xxgk crawl` or `xxgk demo`) says only that a portal
without any failure answered; it is no evidence about anything else.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final, Literal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from alerts.rules import Fact, make_fact
from config.registry import Registry
from store.db import Archive
from store.evidence import UNFINISHED, covered
from store.models import Agency, CrawlRun, utcnow
from store.models import Portal as PortalRow
from store.terms import UNREGISTERED

Outcome = Literal["ok", "unreachable", "crashed"]
CHALLENGES: Final = ("challenge_412", "challenge_js")
CRASHED: Final = "crawl_failed"
AS_OF: Final = "as_of"


@dataclass(frozen=True, slots=True)
class PortalRun:
    """One crawl as one portal saw it."""

    run_id: int
    started: dt.datetime  # wall-clock time: when a scheduled crawl was last done
    as_of: dt.date | None  # the monitor's date: what the e-mails say
    stats: Mapping[str, int]
    detailed: bool = True  # False: a crawl by hand in which the portal had no failure, nothing more known

    @property
    def outcome(self) -> Outcome:
        if not self.detailed:
            return "ok"
        if self.stats.get(CRASHED):
            return "crashed"
        return "ok" if self.stats.get("list_pages", 0) > 0 else "unreachable"

    @property
    def failures(self) -> dict[str, int]:
        return {k.removeprefix("failed:"): n for k, n in self.stats.items() if k.startswith("failed:") and n}

    @property
    def challenged(self) -> bool:
        return any(kind in self.failures for kind in CHALLENGES)

    @property
    def report_links(self) -> int:
        return self.stats.get("report_links", 0)


# ---- recording ------------------------------------------------------------------------------------


def last_run_id(archive: Archive) -> int:
    with archive.read() as session:
        return session.scalar(select(func.max(CrawlRun.id))) or 0


def _ymd(day: dt.date) -> int:
    return day.year * 10000 + day.month * 100 + day.day


def record_crawl(archive: Archive, portals: Sequence[str], after_run_id: int, as_of: dt.date,
                 stats: Mapping[str, Mapping[str, int]] | None, error: str | None = None) -> int:
    """Add the per-portal statistics to the run the crawl child wrote (id > `after_run_id`, same portals);
    a child that died before writing one gets a run here, so that its failure counts. Returns the run id."""
    wanted = sorted(portals)
    per_portal = {p: {"list_pages": 0, **(stats or {}).get(p, {})} for p in wanted}  # a silent portal is evidence
    if error is not None:
        for p in wanted:
            per_portal[p][CRASHED] = 1
    added = {f"{p}:{k}": int(v) for p, s in per_portal.items() for k, v in s.items()} | {AS_OF: _ymd(as_of)}
    with archive.write() as session:
        runs = session.scalars(select(CrawlRun).where(CrawlRun.id > after_run_id).order_by(CrawlRun.id))
        run = next((r for r in runs if sorted(r.portals) == wanted), None)
        if run is None:
            run = CrawlRun(portals=wanted, counts={}, errors={}, finished_at=utcnow())
            session.add(run)
            session.flush()
            covered(session, run.id, wanted)
        if error is not None:
            run.errors = {**run.errors, **{f"{p}:{CRASHED}": 1 for p in wanted}}
        run.counts = {**run.counts, **added}
        session.flush()
        return run.id


# ---- reading --------------------------------------------------------------------------------------


def _as_of(value: int | None) -> dt.date | None:
    if not value:
        return None
    return dt.date(value // 10000, value // 100 % 100, value % 100)


def history(session: Session) -> dict[str, list[PortalRun]]:
    """Portal → its recorded crawls, oldest first."""
    out: dict[str, list[PortalRun]] = {}
    for run_id, started, finished, portals, counts, errors in session.execute(
        select(CrawlRun.id, CrawlRun.started_at, CrawlRun.finished_at, CrawlRun.portals, CrawlRun.counts,
               CrawlRun.errors).order_by(CrawlRun.id)
    ):
        for portal in portals:
            prefix = f"{portal}:"
            stats = {k.removeprefix(prefix): v for k, v in counts.items() if k.startswith(prefix)}
            if stats.get(UNFINISHED) and not stats.get("list_pages"):
                continue  # a crawl stopped before it reached the portal: no evidence about it
            if stats:
                out.setdefault(portal, []).append(PortalRun(run_id, started, _as_of(counts.get(AS_OF)), stats))
            elif finished is not None and not any(k.startswith(prefix) for k in errors):
                out.setdefault(portal, []).append(PortalRun(run_id, started, None, {}, detailed=False))
    return out


def _streak(runs: Sequence[PortalRun], test: Callable[[PortalRun], bool]) -> list[PortalRun]:
    """The latest runs that all pass `test` (empty if the latest does not)."""
    tail: list[PortalRun] = []
    for run in reversed(runs):
        if not test(run):
            break
        tail.append(run)
    return tail[::-1]


def unreachable_portals(runs_by_portal: Mapping[str, Sequence[PortalRun]], portals: Iterable[str]) -> set[str]:
    """Portals we could not look at last time (or never did): their agencies are `unreachable`, not `missing`.
    A crawl whose process died says nothing about the portal (its agencies' statuses rest on the crawl
    evidence, store.evidence, which has the run unfinished): the last crawl that looked decides."""
    return {p for p in portals if _looked(runs_by_portal.get(p, ())) != "ok"}


def _looked(runs: Sequence[PortalRun]) -> Outcome | None:
    """The outcome of the last of the runs that looked at the portal (None: none did)."""
    return next((r.outcome for r in reversed(runs) if r.outcome != "crashed"), None)


def monitoring(session: Session, registry: Registry) -> tuple[int | None, set[int]]:
    """The registry's first monitored year, and the agencies whose portal failed the last crawl that looked at
    it or was never crawled — a disabled one too (`unreachable`: we could not look, so we cannot say `missing`)."""
    blocked = unreachable_portals(history(session), [p.id for p in registry.portals])
    return registry.first_year, unreachable_agencies(session, blocked)


def unreachable_agencies(session: Session, portals: Collection[str]) -> set[int]:
    if not portals:
        return set()
    return set(session.scalars(
        select(Agency.id).join(PortalRow, Agency.portal_id == PortalRow.id).where(PortalRow.key.in_(portals))
    ))


@dataclass(frozen=True, slots=True)
class HealthRules:
    threshold: int  # consecutive crawls showing a problem before anyone is told
    names: Mapping[str, tuple[str, str]] = field(default_factory=dict)  # portal → (name, base URL)


def _fact(kind: str, portal: str, streak: Sequence[PortalRun], rules: HealthRules, **extra: object) -> Fact:
    name, url = rules.names.get(portal, (portal, ""))
    first = streak[0]
    payload = {"portal": portal, "portal_name": name, "url": url, "run": first.run_id, "n": len(streak),
               "since": first.as_of.isoformat() if first.as_of else None, **extra}
    return make_fact(kind, payload, portal=portal)


def health_facts(runs_by_portal: Mapping[str, Sequence[PortalRun]], rules: HealthRules) -> list[Fact]:
    """The open fetch- and spider-health facts: each needs `threshold` consecutive crawls behind it."""
    facts = []
    for portal, runs in sorted(runs_by_portal.items()):
        down = _streak(runs, lambda r: r.outcome == "unreachable")
        if len(down) >= rules.threshold:
            kinds = sorted({k for r in down for k in r.failures})
            facts.append(_fact("portal_unreachable", portal, down, rules, kinds=kinds))
        crashed = _streak(runs, lambda r: r.outcome == "crashed")
        if len(crashed) >= rules.threshold:
            facts.append(_fact("crawl_failed", portal, crashed, rules))
        challenged = _streak(runs, lambda r: r.outcome != "crashed" and r.challenged)
        before = runs[: len(runs) - len(challenged)]
        if len(challenged) >= rules.threshold and any(r.outcome == "ok" for r in before):
            kinds = sorted({k for r in challenged for k in r.failures if k in CHALLENGES})
            facts.append(_fact("spider_challenge", portal, challenged, rules, kinds=kinds))
        empty = _streak(runs, lambda r: r.detailed and r.outcome == "ok" and r.report_links == 0)
        found = [r.report_links for r in runs[: len(runs) - len(empty)] if r.report_links]
        if len(empty) >= rules.threshold and found:
            facts.append(_fact("spider_no_reports", portal, empty, rules, before=found[-1]))
        facts += _unregistered(portal, runs[-1], rules)
    return facts


def _unregistered(portal: str, run: PortalRun, rules: HealthRules) -> list[Fact]:
    """Names reports went by in the last crawl that none of the portal's agencies goes by: once each."""
    out = []
    for stat, n in sorted(run.stats.items()):
        if stat.startswith(UNREGISTERED) and n:
            name = stat.removeprefix(UNREGISTERED)
            out.append(_fact("unregistered_agency", portal, [run], rules, name=name, reports=n))
    return out
