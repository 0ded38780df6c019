"""The contract: every seed parses to its gold record, field for field, through the API and the CLI."""

from __future__ import annotations

import json
import subprocess
import sys

from conftest import FIXTURES, GOLD, assert_matches

from extract.parse import parse_path


def test_seed_parses_to_gold(seed_name: str) -> None:
    record = parse_path(FIXTURES / "seeds" / f"{seed_name}.txt")
    assert_matches(record, GOLD[seed_name])


def test_cli_json_equals_gold(seed_name: str) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "xxgk.cli", "parse", str(FIXTURES / "seeds" / f"{seed_name}.txt"), "--json"],
        capture_output=True, text=True, check=True, timeout=60,
    )
    assert_matches(json.loads(out.stdout), GOLD[seed_name])


def test_parse_is_deterministic(seed_name: str) -> None:
    path = FIXTURES / "seeds" / f"{seed_name}.txt"
    assert json.dumps(parse_path(path), sort_keys=True) == json.dumps(parse_path(path), sort_keys=True)


def test_annotated_cell_keeps_its_note() -> None:
    record = parse_path(FIXTURES / "seeds" / "000_1c536831da56b3ac.txt")
    assert record["active"]["normative_documents"]["repealed"] == 3
    assert record["parse"]["notes"]["active.normative_documents.repealed"] == "到期自动废止"


def test_blank_cells_are_null_not_zero() -> None:
    record = parse_path(FIXTURES / "seeds" / "002_5fb52927817c21c8.txt")
    row = record["requests"]["withheld_enforcement_file"]
    assert row["social_welfare"] is None
    assert row["legal_service"] is None
    assert row["other_org"] == 0


def test_extractor_and_parser_are_recorded() -> None:
    record = parse_path(FIXTURES / "seeds" / "001_a8497dcfadd278cf.txt")
    assert record["source"]["extractor"] == "text"
    assert record["source"]["parser"].startswith("xxgk-parser/")


def test_narrative_is_kept_per_section() -> None:
    record = parse_path(FIXTURES / "seeds" / "003_333834406caf9852.txt")
    assert "未收到提出公开政府信息的申请" in record["narrative"]["overview"]
    assert record["narrative"]["other"].startswith("按照")
    assert record["parse"]["section_order"] == [
        "overview", "active", "requests", "review_litigation", "problems", "other"
    ]
