"""The world and its truth without a server: determinism, realism, and defects the validator agrees with."""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import date

import pytest

from config.registry import load_registry
from sim import content
from sim.archetypes import build_site
from sim.truth import registry_yaml, truth_chunks
from sim.world import ARCHETYPES, FAULT_KINDS, MEDIA, current_version, generate, visible
from validate import validate
from validate.registry import BY_ID

AS_OF = date(2026, 6, 1)
# Defects decided by the record and its dates alone (year_mismatch needs the parsed title: see the archetype tests).
RECORD_DEFECTS = {
    "requests.row_total",
    "requests.results_total",
    "requests.balance",
    "review_litigation.total",
    "blank_cell",
    "template_mismatch",
    "late_publication",
}


def texts(seed: int, portals: int, faults: float = 0.0) -> tuple[str, str]:
    world = generate(seed=seed, portals=portals, faults=faults)
    sites = {}

    def site_of(p):
        return sites.setdefault(p.index, build_site(world.seed, p, f"http://{p.address}:8080"))

    return "".join(truth_chunks(world, site_of, AS_OF)), registry_yaml(world, site_of)


def test_same_seed_same_truth_and_registry():
    assert texts(3, 14, 0.5) == texts(3, 14, 0.5)
    assert texts(3, 14)[0] != texts(4, 14)[0]


def test_a_small_world_is_the_start_of_a_large_one():
    small, large = generate(seed=2, portals=7), generate(seed=2, portals=21)
    assert small.portals == large.portals[:7]


def test_registry_is_valid_and_names_are_unique(tmp_path):
    truth, registry = texts(1, 70, 0.2)
    path = tmp_path / "registry.yaml"
    path.write_text(registry, encoding="utf-8")
    loaded = load_registry(path)  # raises on duplicate names, bad region codes, unknown parents
    assert len(loaded.portals) == 70
    assert {p.cms for p in loaded.portals} == {"trs", "hanweb", "gkmlpt", "jpaas", "beijing", "generic"}
    assert {p.fetcher for p in loaded.portals} == {"http", "browser"}
    levels = Counter(a.level for p in loaded.portals for a in p.agencies)
    assert set(levels) == {"city", "county", "department", "township"}
    assert all(re.fullmatch(r"\d{9}", a.region) for p in loaded.portals for a in p.agencies if a.level == "township")
    data = json.loads(truth)
    assert {a["name"] for a in data["agencies"]} == {a.name for p in loaded.portals for a in p.agencies}


def test_the_world_has_every_kind_of_thing():
    world = generate(seed=1, portals=140, faults=0.3)
    reports = [r for p in world.portals for r in p.reports]
    assert {p.archetype for p in world.portals} == set(ARCHETYPES)
    assert {r.medium for r in reports} == set(MEDIA)
    assert {r.fmt for r in reports} == {"2021", "2019", "legacy"}
    injected = Counter(d for r in reports for d in r.injected)
    assert set(injected) == {
        "body_year",
        "template",
        "hybrid",
        "blank_block",
        "scope_text",
        "garbled",
        "blank_totals",
        "requests.row_total",
        "requests.results_total",
        "requests.balance",
        "review_litigation.total",
    }
    assert any(r.source.startswith("gold:") for r in reports)
    assert any(r.revised for r in reports)
    assert any(r.published.date() > r.deadline for r in reports)
    assert any(p.never for p in world.portals)
    assert {p.fault.kind for p in world.portals if p.fault} == set(FAULT_KINDS)


def test_defects_are_what_the_validator_finds():
    world = generate(seed=9, portals=70)
    seen: Counter[str] = Counter()
    for portal in world.portals:
        for report in portal.reports:
            for version in (0, 1) if report.revised else (0,):
                record = content.build_record(world.seed, report, version)
                truth = set(content.defects(report, record, version))
                meta = {"level": report.agency.level, "published": report.published.date().isoformat()}
                found = {f.rule for f in validate(record, meta=meta) if f.severity != "info"}
                assert found & RECORD_DEFECTS == truth & RECORD_DEFECTS, (report, found, truth)
                seen.update(truth)
    assert set(seen) >= RECORD_DEFECTS | {"year_mismatch", "changed_after_publication"}
    assert set(seen) - {"changed_after_publication"} <= set(BY_ID)  # the validator's own rule ids


def test_gold_records_bring_their_own_errors():
    world = generate(seed=1, portals=140)
    golds = {
        r.source: content.defects(r, content.build_record(1, r), 0)
        for p in world.portals
        for r in p.reports
        if r.source.startswith("gold:") and not r.injected and r.published.date() <= r.deadline
    }
    assert golds["gold:002_5fb52927817c21c8"] == ["blank_cell", "requests.results_total", "requests.row_total"]
    assert golds["gold:000_1c536831da56b3ac"] == []


def test_fast_truth_path_equals_the_record():
    world = generate(seed=4, portals=28)
    for report in (r for p in world.portals for r in p.reports):
        for version in (0, 1) if report.revised else (0,):
            record = content.build_record(world.seed, report, version)
            found, text = content.truth_entry(world.seed, report, version)
            assert json.loads(text) == content.truth_record(record)
            assert found == content.defects(report, record, version)


@pytest.mark.parametrize("as_of", [date(2019, 2, 1), date(2023, 4, 15), AS_OF])
def test_truth_reflects_the_as_of_date(as_of):
    world = generate(seed=6, portals=14)
    sites = {p.index: build_site(world.seed, p, f"http://{p.address}:1") for p in world.portals}
    data = json.loads("".join(truth_chunks(world, lambda p: sites[p.index], as_of)))
    assert data["as_of"] == as_of.isoformat()
    visible_reports = [r for p in world.portals for r in p.reports if visible(r, as_of)]
    assert len(data["reports"]) == len(visible_reports)
    assert all(r["published"] <= as_of.isoformat() for r in data["reports"])
    assert all((r["revised"] is not None) == ("changed_after_publication" in r["defects"]) for r in data["reports"])
    revised = sum(current_version(r, as_of) for r in visible_reports)
    assert sum(r["revised"] is not None for r in data["reports"]) == revised
    online = {(r["agency"], r["year"]) for r in data["reports"]}
    assert not online & {(n["agency"], n["year"]) for n in data["never_published"]}
