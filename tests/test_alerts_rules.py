"""Which alerts the archive implies, and who gets them: deadlines by region, statuses, routing by the registry."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from alerts.routing import route
from alerts.rules import AgencyRef, Fact, Scope, compliance_facts, make_fact
from config.registry import Agency, Registry
from store.agencies import upsert_agency
from store.db import Archive
from store.models import Agency as AgencyRow
from store.queries import query
from store.status import compliance

AS_OF = dt.date(2026, 4, 2)

REGISTRY = Registry.model_validate({
    "supervisors": [
        {"email": "province@hn.cn", "regions": ["43"], "cadence": "weekly"},
        {"email": "city@xt.cn", "regions": ["4303"], "levels": ["county", "township"], "cadence": "immediate"},
        {"email": "depts@hn.cn", "regions": ["43"], "levels": ["department"], "cadence": "daily"},
    ],
    "operators": ["ops@x.cn"],
    "deadlines": [
        {"regions": ["43"], "deadline": "02-28"},
        {"regions": ["4303"], "level": "township", "deadline": "03-31"},
        {"regions": ["4303"], "deadline": "02-20"},
    ],
})


def agency(name: str, level: str, region: str, **extra: object) -> Agency:
    return Agency.model_validate({"name": name, "level": level, "region": region, **extra})


def test_a_regions_deadline_rule_applies_the_most_specific_first() -> None:
    assert REGISTRY.deadline_of(agency("某镇人民政府", "township", "430381101")) == "03-31"
    assert REGISTRY.deadline_of(agency("湘乡市人民政府", "county", "430381")) == "02-20"
    assert REGISTRY.deadline_of(agency("长沙市人民政府", "city", "430100")) == "02-28"
    assert REGISTRY.deadline_of(agency("广州市人民政府", "city", "440100")) is None
    assert REGISTRY.deadline_of(agency("某局", "department", "430381", deadline="01-15")) == "01-15"


def missing(name: str, level: str, region: str, supervisors: tuple[str, ...] = ()) -> Fact:
    return make_fact("missing_report", {"agency": name, "year": 2025}, agency=AgencyRef(name, level, region,
                                                                                         supervisors))


def test_supervisors_by_region_and_level_with_the_faster_cadence_for_a_person_reached_twice() -> None:
    assert route(REGISTRY, missing("湘乡市人民政府", "county", "430381")) == {
        "province@hn.cn": "weekly", "city@xt.cn": "immediate"}
    assert route(REGISTRY, missing("湘乡市民政局", "department", "430381", ("province@hn.cn", "mz@xx.cn"))) == {
        "province@hn.cn": "daily", "depts@hn.cn": "daily", "mz@xx.cn": "daily"}


def test_a_fact_nobody_oversees_goes_to_the_operators_and_health_goes_to_staff() -> None:
    assert route(REGISTRY, missing("广州市人民政府", "city", "440100")) == {"ops@x.cn": "immediate"}
    down = make_fact("portal_unreachable", {"portal": "p1", "run": 3})
    broken = make_fact("spider_no_reports", {"portal": "p1", "run": 3})
    assert route(REGISTRY, down) == {"ops@x.cn": "immediate"}
    assert route(REGISTRY, broken) == {"ops@x.cn": "immediate"}  # no maintainers listed: the operators
    with_dev = REGISTRY.model_copy(update={"maintainers": ["dev@x.cn"]})
    assert route(with_dev, broken) == {"dev@x.cn": "immediate"}


@pytest.fixture
def archive(tmp_path: Path) -> Iterator[Archive]:
    with Archive.open(f"sqlite:///{tmp_path / 'rules.sqlite3'}") as opened:
        with opened.write() as session:
            upsert_agency(session, "湘乡市人民政府", level="county", region="430381")
            upsert_agency(session, "湘乡市民政局", level="department", region="430381")
            upsert_agency(session, "某镇人民政府", level="township", region="430381101", deadline="04-30")
        yield opened


def test_statuses_by_deadline_and_the_monitored_years(archive: Archive) -> None:
    with archive.read() as session:
        default = {(r.agency, r.year): r.status for r in compliance(session, AS_OF)}
        monitored = {(r.agency, r.year): r.status for r in compliance(session, AS_OF, first_year=2023)}
    assert default == {("湘乡市人民政府", 2025): "missing", ("湘乡市民政局", 2025): "missing",
                       ("某镇人民政府", 2025): "not_due"}
    assert {y for _, y in monitored} == {2023, 2024, 2025}
    assert monitored["某镇人民政府", 2024] == "missing"


def test_query_by_status_sees_unreachable_agencies(archive: Archive) -> None:
    """`xxgk query --status unreachable|missing` asks the same matrix as `xxgk status`."""
    with archive.read() as session:
        gov_id = session.scalars(select(AgencyRow.id).where(AgencyRow.name == "湘乡市人民政府")).one()
        unreachable = [r.agency for r in query(session, AS_OF, status="unreachable", unreachable={gov_id})]
        missing = [r.agency for r in query(session, AS_OF, status="missing", unreachable={gov_id})]
        monitored = {r.year for r in query(session, AS_OF, status="missing", first_year=2024)}
    assert unreachable == ["湘乡市人民政府"]
    assert missing == ["湘乡市民政局"]
    assert monitored == {2024, 2025}


def test_an_agency_we_could_not_look_at_is_unreachable_not_missing(archive: Archive) -> None:
    links = {"湘乡市人民政府": "http://xx.cn/nb/", "湘乡市民政局": "http://xx.cn/mz/", "某镇人民政府": "http://xx.cn/z/"}
    with archive.read() as session:
        ids = {r.agency: r for r in compliance(session, AS_OF)}
        facts = compliance_facts(session, AS_OF, Scope(links))
        gov_id = next(a.agency_id for a in facts if a.payload["agency"] == "湘乡市人民政府")
        blocked = compliance_facts(session, AS_OF, Scope(links, unreachable={gov_id}))
        only_registry = compliance_facts(session, AS_OF, Scope({"湘乡市民政局": "http://xx.cn/mz/"}))
    assert ids["湘乡市人民政府"].status == "missing"
    assert sorted(f.key for f in facts) == ["missing_report:湘乡市人民政府:2025", "missing_report:湘乡市民政局:2025"]
    assert [f.key for f in blocked] == ["missing_report:湘乡市民政局:2025"]
    assert [f.key for f in only_registry] == ["missing_report:湘乡市民政局:2025"]
    fact = next(f for f in facts if f.payload["agency"] == "湘乡市人民政府")
    assert fact.payload == {"agency": "湘乡市人民政府", "level": "county", "region": "430381", "year": 2025,
                            "deadline": "2026-03-31", "days": 2, "url": "http://xx.cn/nb/"}
