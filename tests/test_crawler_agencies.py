"""Which of a portal's agencies a name in a title means: every way a report names its agency, and the
names that must stay unknown (reported to the operators, never made a new agency)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml
from sqlalchemy import select

from alerts.health import HealthRules, health_facts, history
from config.registry import Agency
from crawler.agencies import one_edit, resolve
from crawler.run import crawl
from crawler.titles import classify_title
from sim.testing import running_sim
from store.db import Archive
from store.models import Agency as AgencyRow
from store.models import Report

AGENCIES = [
    Agency(name="盐城市人民政府", level="city", region="320900"),
    Agency(name="盐城市人民政府办公室", aliases=["盐城市政府办"], level="department", region="320900"),
    Agency(name="盐城市人力资源和社会保障局", level="department", region="320900"),
    Agency(name="盐城市卫生健康局", aliases=["盐城市卫生和计划生育局"], level="department", region="320900"),
    Agency(name="盐城市龙潭镇人民政府", level="township", region="320900101"),
]


@pytest.mark.parametrize(
    ("named", "meant"),
    [
        ("盐城市人民政府", "盐城市人民政府"),  # the name itself
        ("盐城市人民政府办公室", "盐城市人民政府办公室"),
        ("龙潭镇", "盐城市龙潭镇人民政府"),  # contained: a township without its county and 人民政府
        ("盐城市人社局", "盐城市人力资源和社会保障局"),  # an abbreviation
        ("盐城市政府办", "盐城市人民政府办公室"),  # a short name that is no abbreviation: the alias
        ("盐城市卫生和计划生育局", "盐城市卫生健康局"),  # the former name: the alias
        ("盐城市人民玫府", "盐城市人民政府"),  # one character misread
        ("盐城市卫生健庚局", "盐城市卫生健康局"),
        ("盐城市人力资源和社会保障扃", "盐城市人力资源和社会保障局"),
    ],
)
def test_a_name_is_resolved_within_the_portal(named: str, meant: str) -> None:
    agency = resolve(AGENCIES, named)
    assert agency is not None
    assert agency.name == meant


@pytest.mark.parametrize("named", ["盐城市财政局", "泰州市人民政府", "盐城市教育局办公室", "某镇", ""])
def test_a_name_no_agency_goes_by_stays_unknown(named: str) -> None:
    assert resolve(AGENCIES, named) is None


def test_a_misreading_that_fits_two_agencies_fits_none() -> None:
    twins = [Agency(name="东山县民政局", level="department", region="350626"),
             Agency(name="东山县民族局", level="department", region="350626")]
    assert resolve(twins, "东山县民X局") is None


def test_one_edit() -> None:
    assert one_edit("沭阳县", "沐阳县")
    assert one_edit("湘乡市民政局", "湘乡民政局")
    assert not one_edit("沭阳县", "沭阳县")
    assert not one_edit("沭阳县民政局", "沐阳县财政局")


@pytest.mark.parametrize(
    ("title", "named"),
    [
        ("泰州市司法扃2023年政府信息公开工作报告", "泰州市司法扃"),  # the organ's last character misread
        ("2023年湘乡市人民政腑政府信息公开工作年度报告", "湘乡市人民政腑"),
        ("湘乡市民政局2023年政府信息公开工作年度报告", "湘乡市民政局"),
        ("2023年政府信息公开工作年度报告", None),  # names no organ
    ],
)
def test_titles_say_where_they_name_their_organ(title: str, named: str | None) -> None:
    assert classify_title(title).named == named


# ---- end to end: a name the registry does not know ----------------------------------------------------


def test_a_former_name_not_in_the_registry_is_told_to_the_operators_not_invented(tmp_path: Path) -> None:
    as_of = dt.date(2026, 4, 20)
    with running_sim(portals=1, seed=7, as_of=as_of, rate_limit=50) as sim:
        registry = yaml.safe_load(sim.registry_path.read_text(encoding="utf-8"))
        [portal] = registry["portals"]
        renamed = next(a for a in portal["agencies"] if a["name"] == "茅箭区自然资源局")
        former = renamed.pop("aliases")  # the operator never listed the former name
        assert former == ["茅箭区国土资源局"]
        edited = tmp_path / "registry.yaml"
        edited.write_text(yaml.safe_dump(registry, allow_unicode=True), encoding="utf-8")
        db = f"sqlite:///{tmp_path / 'x.sqlite3'}"
        settings = {"DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False, "XXGK_OCR": False}
        result = crawl(str(edited), as_of=as_of.isoformat(), db=db, settings=settings, timeout=600,
                       log=(tmp_path / "crawl.log").open("w"))
        before_rename = {r["url"] for r in sim.truth["reports"] if r["agency"] == "茅箭区自然资源局" and r["year"] <= 2018}
    assert result.portal_stats[portal["id"]]["unregistered:茅箭区国土资源局"] == len(before_rename) > 0
    with Archive.open(db) as archive, archive.read() as session:
        names = set(session.scalars(select(AgencyRow.name)))
        urls = set(session.scalars(select(Report.url)))
        facts = health_facts(history(session), HealthRules(threshold=3))
    assert names == {a["name"] for a in portal["agencies"]}  # no 茅箭区国土资源局 invented
    assert not urls & before_rename  # left on the portal until the registry knows the name
    told = [f for f in facts if f.kind == "unregistered_agency"]
    assert [(f.key, f.payload["reports"]) for f in told] == [
        (f"unregistered_agency:{portal['id']}:茅箭区国土资源局", len(before_rename))]
