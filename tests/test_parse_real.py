"""Real reports of named agencies (../shared/real, ../shared/gold), read exactly: every cell, the
agency, the year, the format and the sections, with no cell left uncertain that the gold does not
list as such. The files stay in ../shared (skipped when it is absent)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from extract.parse import parse_bytes, parse_path
from extract.schema import TABLES

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
REAL = SHARED / "real"

pytestmark = pytest.mark.skipif(not SHARED.is_dir(), reason="../shared is not there")


def _pairs() -> list[tuple[Path, Path]]:
    out = [(g, SHARED / "seeds" / f"{g.stem}.txt") for g in sorted((SHARED / "gold").glob("*.json"))]
    for gold in sorted((REAL / "gold").glob("*.json")):
        out += [(gold, src) for src in sorted((REAL / "reports").glob(f"{gold.stem}.*"))]
    return out


PAIRS = _pairs() if SHARED.is_dir() else []


def differences(record: dict[str, Any], gold: dict[str, Any]) -> list[str]:
    """Fields the record gets wrong, scored as the real-report set is (cells, agency, year, format,
    sections); the agency by containment (`楠木坪镇` matches `楠木坪镇人民政府`)."""
    out = [f"{k}: {record.get(k)!r} != {gold[k]!r}" for k in ("year", "format", "sections")
           if k in gold and record.get(k) != gold[k]]
    agency, want = record.get("agency") or "", gold.get("agency") or ""
    if bool(agency) != bool(want) or (want and want not in agency and agency not in want):
        out.append(f"agency: {agency!r} != {want!r}")
    for table in TABLES:
        for row, cols in (gold.get(table) or {}).items():
            for col, value in cols.items():
                got = ((record.get(table) or {}).get(row) or {}).get(col, "<absent>")
                if got != value:
                    out.append(f"{table}.{row}.{col}: {got!r} != {value!r}")
    fields = ("label", "unit", "value", "cumulative")
    want_stats = [{k: e.get(k) for k in fields} for e in gold.get("legacy_stats") or []]
    got_stats = [{k: e.get(k) for k in fields} for e in record.get("legacy_stats") or []]
    if want_stats != got_stats:
        out.append(f"legacy_stats: {got_stats} != {want_stats}")
    allowed = set(gold.get("uncertain_cells") or ())
    out += [f"{key}: uncertain" for key in (record["parse"].get("uncertain_cells") or {}) if key not in allowed]
    return out


@pytest.mark.parametrize(("gold", "source"), PAIRS, ids=[s.name for _, s in PAIRS])
def test_real_report_reads_to_its_gold(gold: Path, source: Path) -> None:
    assert differences(parse_path(source), json.loads(gold.read_text(encoding="utf-8"))) == []


@pytest.mark.skipif(not (REAL / "reports" / "pingtan_2015.txt").exists(), reason="the pingtan reports are not there")
def test_the_cumulative_chain_cuts_what_the_text_leaves_open() -> None:
    # 统计表 `条294981916`: 2949 / 81916. Without the text's `主动公开政府信息2949条` only 历年累计 ≥ 本年度
    # is left, and four cuts pass; last year's 78967 + 2949 = 81916 settles it.
    text = (REAL / "reports" / "pingtan_2015.txt").read_text(encoding="utf-8")
    blind = text.replace("主动公开政府信息2949条", "主动公开政府信息若干条").encode()
    alone = parse_bytes(blind, name="pingtan_2015.txt")
    assert "legacy_stats.主动公开文件数.value" in alone["parse"]["uncertain_cells"]
    assert 2949 in alone["parse"]["uncertain_cells"]["legacy_stats.主动公开文件数.value"]["candidates"]
    previous = parse_path(REAL / "reports" / "pingtan_2014.txt")
    chained = parse_bytes(blind, name="pingtan_2015.txt", previous=previous)
    first = chained["legacy_stats"][0]
    assert (first["label"], first["value"], first["cumulative"]) == ("主动公开文件数", 2949, 81916)
    assert chained["parse"]["uncertain_cells"] == {}
