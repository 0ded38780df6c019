"""Which alerts a state of the archive implies: the table of alert kinds, and the compliance facts.

An alert is a fact with a dedupe key made only of things that name the fact itself (agency and year,
report and version, portal and the crawl run where an outage began), never of when we noticed it, so
that every sweep recomputes the same keys and the outbox can refuse to queue a fact twice. Each kind
has one audience: supervisors hear about agencies (E1, E2, E7, E16), operators about portals that do
not answer, reports that were found but cannot be read (one item per agency and year, never "missing"
nor "inconsistent": a person reads them) and report names the registry does not know, maintainers
about a spider that no longer finds what it found before.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from catalogue.findings import TABLE_NAMES, cell_name, section_heading
from catalogue.monitor import SECTION_NAMES
from store.findings import TIMELINESS_RULES
from store.models import Agency, Finding, Report, ReportVersion
from store.status import StatusRow, compliance

Audience = Literal["supervisors", "operators", "maintainers"]


@dataclass(frozen=True, slots=True)
class Kind:
    audience: Audience
    remind: bool  # an open condition (still missing, still down) is worth a reminder; a past event is not
    key: str  # the dedupe-key recipe, filled from the fact's parts


KINDS: Final[dict[str, Kind]] = {
    "missing_report": Kind("supervisors", remind=True, key="missing_report:{agency}:{year}"),
    "late_report": Kind("supervisors", remind=False, key="late_report:{agency}:{year}"),
    "inconsistent_report": Kind("supervisors", remind=False, key="inconsistent_report:{report_id}:{findings}"),
    "changed_after_publication": Kind("supervisors", remind=False, key="changed:{report_id}:v{version}"),
    "unreadable_report": Kind("operators", remind=False, key="unreadable_report:{agency}:{year}"),
    "unregistered_agency": Kind("operators", remind=False, key="unregistered_agency:{portal}:{name}"),
    "portal_unreachable": Kind("operators", remind=True, key="portal_unreachable:{portal}:run{run}"),
    "spider_no_reports": Kind("maintainers", remind=True, key="spider_no_reports:{portal}:run{run}"),
    "spider_challenge": Kind("maintainers", remind=True, key="spider_challenge:{portal}:run{run}"),
    "crawl_failed": Kind("maintainers", remind=True, key="crawl_failed:{portal}:run{run}"),
}


@dataclass(frozen=True, slots=True)
class AgencyRef:
    """What routing needs to know of an agency."""

    name: str
    level: str
    region: str
    supervisors: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Fact:
    """One alert-worthy fact: its kind, dedupe key and what the e-mail shows (JSON-able)."""

    kind: str
    key: str
    payload: dict[str, Any]
    agency: AgencyRef | None = None
    agency_id: int | None = None
    report_id: int | None = None
    portal: str | None = None

    @property
    def remindable(self) -> bool:
        return KINDS[self.kind].remind


def make_fact(kind: str, payload: dict[str, Any], **ids: Any) -> Fact:
    """A fact whose key is the kind's recipe filled from `payload` and `ids`."""
    parts = {**payload, **{k: v for k, v in ids.items() if k != "agency"}}
    key = KINDS[kind].key.format(**parts)
    return Fact(kind, key, payload, **ids)


def cell_label(table: str, row: str, col: str) -> str:
    """A cell as the printed form names it (the 统计表 of old reports names its entries by label)."""
    if table == "legacy_stats":
        return f"{TABLE_NAMES['legacy_stats']}『{row}』"
    return cell_name(table, row, col)


# ---- compliance facts ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Scope:
    """What the sweep looks at: registry agencies (by name, with the page where their reports belong),
    the years monitored, and the agencies we could not look at."""

    links: Mapping[str, str]
    first_year: int | None = None
    unreachable: Collection[int] = field(default_factory=frozenset)


def compliance_facts(session: Session, as_of: dt.date, scope: Scope) -> list[Fact]:
    """missing/late/inconsistent/changed facts for the registry's agencies, as the archive stands at `as_of`."""
    rows = [
        r for r in compliance(session, as_of, unreachable=scope.unreachable, first_year=scope.first_year)
        if r.agency in scope.links
    ]
    agencies = _agencies(session, {r.agency for r in rows})
    facts: list[Fact] = []
    for row in rows:
        ref, agency_id = agencies[row.agency]
        if row.status == "missing":
            payload = _about(row) | {"days": row.days_late, "url": scope.links[row.agency]}
            facts.append(make_fact("missing_report", payload, agency=ref, agency_id=agency_id))
        elif row.status == "late":
            payload = _about(row) | {"published": _iso(row.published), "days": row.days_late, "url": row.url,
                                     "title": row.title}
            facts.append(make_fact("late_report", payload, agency=ref, agency_id=agency_id, report_id=row.report_id))
        if row.reading == "unreadable":  # no copy of the report could be read: a person reads it
            payload = _about(row) | {"url": row.url, "title": row.title, "reason": row.reading_note}
            facts.append(make_fact("unreadable_report", payload, agency_id=agency_id, report_id=row.report_id))
    reported = {r.report_id: r for r in rows if r.report_id is not None}
    facts += _inconsistent(session, [r for r in reported.values() if r.inconsistent], agencies)
    facts += _changed(session, reported, agencies, as_of)
    return facts


def _about(row: StatusRow) -> dict[str, Any]:
    return {"agency": row.agency, "level": row.level, "region": row.region, "year": row.year,
            "deadline": row.deadline.isoformat()}


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def _agencies(session: Session, names: Iterable[str]) -> dict[str, tuple[AgencyRef, int]]:
    rows = session.execute(
        select(Agency.id, Agency.name, Agency.level, Agency.region, Agency.supervisors).where(Agency.name.in_(names))
    )
    return {
        name: (AgencyRef(name, level, region or "", tuple(supervisors or ())), agency_id)
        for agency_id, name, level, region, supervisors in rows
    }


def _inconsistent(session: Session, rows: list[StatusRow], agencies: Mapping[str, tuple[AgencyRef, int]]) -> list[Fact]:
    """One fact per report and set of failing places: the same errors re-found after a re-parse are one fact."""
    if not rows:
        return []
    found = session.execute(
        select(Report.id, Finding.fingerprint, Finding.rule, Finding.message, Finding.detail)
        .join(ReportVersion, Finding.version_id == ReportVersion.id)
        .join(Report, (ReportVersion.report_id == Report.id) & (ReportVersion.number == Report.current_version))
        .where(Report.id.in_([r.report_id for r in rows]), Finding.severity == "error",
               Finding.review_state != "dismissed", Finding.rule.not_in(TIMELINESS_RULES))
        .order_by(Finding.id)
    )
    by_report: dict[int, list[tuple[str, str, str, dict[str, Any]]]] = {}
    for report_id, fingerprint, rule, message, detail in found:
        by_report.setdefault(report_id, []).append((fingerprint, rule, message, detail))
    facts = []
    for row in rows:
        findings = by_report.get(row.report_id or 0)
        if not findings:
            continue
        ref, agency_id = agencies[row.agency]
        digest = hashlib.sha1("|".join(sorted(f[0] for f in findings)).encode(), usedforsecurity=False).hexdigest()
        payload = _about(row) | {
            "url": row.url, "title": row.title, "report_id": row.report_id, "findings": digest[:12],
            "failing": [_failing(rule, message, detail) for _, rule, message, detail in findings],
        }
        facts.append(make_fact("inconsistent_report", payload, agency=ref, agency_id=agency_id,
                               report_id=row.report_id))
    return facts


def _failing(rule: str, message: str, detail: Mapping[str, Any]) -> dict[str, Any]:
    table, row, col = detail.get("table"), detail.get("row"), detail.get("col")
    cell = cell_label(table, row, col) if table and row and col else None
    return {"rule": rule, "message": message, "cell": cell, "expected": detail.get("expected"),
            "actual": detail.get("actual")}


def _changed(session: Session, reported: Mapping[int, StatusRow], agencies: Mapping[str, tuple[AgencyRef, int]],
             as_of: dt.date) -> list[Fact]:
    """Versions whose bytes came from the agency anew (`revised`: another document, or for a page of images
    another image; a re-parse of the same bytes is not a change, E2)."""
    if not reported:
        return []
    versions = session.execute(
        select(ReportVersion.report_id, ReportVersion.number, ReportVersion.diff)
        .where(ReportVersion.report_id.in_(list(reported)), ReportVersion.kind == "revised")
        .order_by(ReportVersion.report_id, ReportVersion.number)
    )
    facts = []
    for report_id, number, diff in versions:
        row = reported[report_id]
        ref, agency_id = agencies[row.agency]
        payload = _about(row) | {
            "url": row.url, "title": row.title, "report_id": report_id, "version": number,
            "changed_on": as_of.isoformat(), "diff": readable_diff(diff or {}),
        }
        facts.append(make_fact("changed_after_publication", payload, agency=ref, agency_id=agency_id,
                               report_id=report_id))
    return facts


def readable_diff(diff: Mapping[str, Any]) -> dict[str, Any]:
    """store.diff's record diff with every cell and section named as a supervisor reads the form."""
    return {
        "fields": [{"field": f["field"], "old": f.get("old"), "new": f.get("new")}
                   for f in diff.get("fields", ()) if f.get("field") != "sections"],
        "cells": [{"table": c["table"], "row": c["row"], "col": c["col"], "cell": cell_label(c["table"], c["row"],
                   c["col"]), "old": c.get("old"), "new": c.get("new")} for c in diff.get("cells", ())],
        "text": [{"section": SECTION_NAMES.get(t["section"]) or section_heading(t["section"]),
                  "removed": list(t.get("removed", ())),
                  "added": list(t.get("added", ()))} for t in diff.get("text", ())],
    }
