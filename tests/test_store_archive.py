"""The archive end to end through the CLI, on SQLite and PostgreSQL: idempotence, versions, reviews, status."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from conftest import FIXTURES
from openpyxl import load_workbook
from sqlalchemy import select, update
from store_helpers import generated_reports, row_counts, table_contents

from store.agencies import upsert_agency, upsert_portal
from store.db import Archive
from store.models import Agency, Report, ReportVersion

pytest_plugins = ["store_fixtures"]

SEEDS = FIXTURES / "seeds"
SEED = {p.name[:3]: p for p in sorted(SEEDS.glob("*.txt"))}
AS_OF = "2026-04-15"
# (agency given on the command line, publication date) per seed; 001 does not name its agency in full
KNOWN_DATES = {
    "000": (None, "2026-01-20"),          # 益阳市民政局 2025, department: due 2026-01-31 → on time
    "001": ("东安区民政局", "2025-01-25"),  # 2024 → on time
    "002": (None, "2025-01-28"),          # 湘乡市民政局 2024 → on time, with error findings → inconsistent
    "003": (None, "2026-02-09"),          # 楠木坪镇 2025, township: due 2026-01-31 → 9 days late
    "004": (None, "2018-03-30"),          # 平江县民政局 2017, old regulation: due 2018-03-31 → on time
}


def import_seeds(xxgk) -> None:
    for key, (agency, published) in KNOWN_DATES.items():
        args = ["import", str(SEED[key]), "--published", published]
        if agency:
            args += ["--agency", agency]
        result = xxgk(*args)
        assert result.code == 0, result.err


def revised_002(directory: Path) -> Path:
    """Seed 002 as the agency might re-publish it: one total corrected, one sentence rewritten."""
    lines = SEED["002"].read_text(encoding="utf-8").split("\n")
    row = lines.index("\t一、本年新收政府信息公开申请数量")
    assert lines[row + 7] == "\t0"
    lines[row + 7] = "\t6"
    text = "\n".join(lines).replace("大部分内容以文字和图片为主", "大部分内容以文字为主，图解和视频偏少")
    path = directory / "002_revised.txt"
    path.write_text(text, encoding="utf-8")
    return path


def report_of(archive: Archive, agency: str, year: int) -> Report:
    with archive.read() as session:
        report = session.scalars(select(Report).join(Report.agency).where(
            Report.year == year, Agency.name == agency)).one()
        session.expunge(report)
        return report


def test_reimport_creates_nothing(xxgk, archive: Archive, tmp_path: Path) -> None:
    import_seeds(xxgk)
    before = row_counts(archive)
    contents = table_contents(archive)
    snapshots = sorted((tmp_path / "snapshots").rglob("*.gz"))
    import_seeds(xxgk)
    again = xxgk("import", str(SEED["002"]), "--json")
    assert json.loads(again.out)[0]["change"] == "unchanged"
    assert row_counts(archive) == before
    assert table_contents(archive) == contents  # not a row nor a value changed, but the last-seen times
    assert sorted((tmp_path / "snapshots").rglob("*.gz")) == snapshots
    assert before["report"] == 5
    assert before["report_version"] == 5
    assert before["document"] == 5
    assert len(snapshots) == 5


def test_changed_document_makes_a_version_with_its_diff(xxgk, archive: Archive, tmp_path: Path) -> None:
    url = "http://www.xiangxiang.gov.cn/zwgk/2025/t20250128_1.html"
    assert xxgk("import", str(SEED["002"]), "--url", url).code == 0
    result = xxgk("import", str(revised_002(tmp_path)), "--url", url, "--json")
    outcome = json.loads(result.out)[0]
    assert (outcome["change"], outcome["version"]) == ("new_version", 2)

    report = report_of(archive, "湘乡市民政局", 2024)
    assert report.current_version == 2
    assert report.revised_at is not None
    assert (report.published, report.published_source) == (report.published.fromisoformat("2025-01-28"), "url")
    with archive.read() as session:
        diff = session.scalars(select(ReportVersion.diff).where(
            ReportVersion.report_id == report.id, ReportVersion.number == 2)).one()
    assert diff["cells"] == [{"table": "requests", "row": "new", "col": "total", "old": 0, "new": 6}]
    [text] = diff["text"]
    assert text["section"] == "problems"
    assert any("图解和视频偏少" in s for s in text["added"])
    assert any("图片为主" in s for s in text["removed"])
    shown = json.loads(xxgk("show", str(report.id), "--json", "--as-of", AS_OF).out)
    rows_failing = {f.get("row") for f in shown["findings"] if f["rule"] == "requests.row_total"}
    assert "new" not in rows_failing
    assert "total" in rows_failing
    assert [v["number"] for v in shown["versions"]] == [1, 2]
    assert shown["changed"] is True
    assert [r["report_id"] for r in json.loads(xxgk("query", "--status", "changed", "--json").out)] == [report.id]


def test_review_is_carried_to_the_next_version(xxgk, archive: Archive, tmp_path: Path) -> None:
    assert xxgk("import", str(SEED["002"])).code == 0
    shown = json.loads(xxgk("show", "湘乡市民政局", "2024", "--json").out)
    rows = [f for f in shown["findings"] if f["rule"] == "requests.row_total" and f["row"] != "total"]
    row_total = next(f for f in shown["findings"] if f["rule"] == "requests.row_total" and f["row"] == "total")
    dismissed = xxgk("review", str(rows[-1]["id"]), "dismiss", "--by", "张科长", "--why", "原表此行为笔误")
    assert dismissed.code == 0, dismissed.err
    assert xxgk("review", str(row_total["id"]), "confirm", "--by", "张科长").code == 0
    errors_before = report_of(archive, "湘乡市民政局", 2024).errors
    assert errors_before == shown["errors"] - 1  # a dismissed error no longer counts

    assert xxgk("import", str(revised_002(tmp_path))).code == 0
    shown2 = json.loads(xxgk("show", "湘乡市民政局", "2024", "--json").out)
    assert len(shown2["versions"]) == 2
    by_fp = {f["fingerprint"]: f["review"] for f in shown2["findings"]}
    assert by_fp[rows[-1]["fingerprint"]]["state"] == "dismissed"
    assert by_fp[rows[-1]["fingerprint"]]["note"] == "原表此行为笔误"
    assert by_fp[row_total["fingerprint"]]["state"] == "confirmed"
    assert by_fp[rows[1]["fingerprint"]]["state"] == "open"
    assert {f["id"] for f in shown2["findings"]}.isdisjoint(f["id"] for f in shown["findings"])

    unknown = xxgk("review", "999999", "confirm", "--by", "x")
    assert unknown.code == 2
    assert "没有编号为 #999999 的检查结果" in unknown.err


def _pair(directory: Path) -> tuple[Path, Path]:
    """One agency's 2023 and 2024 reports whose carry-over disagrees (2024 carried_over ≠ 2023 carry_forward)."""
    from sim.render import LAYOUTS, random_record  # noqa: PLC0415

    rng = random.Random(3)
    files = []
    for year in (2023, 2024):
        record = random_record(rng, fmt="2021", year=year, agency="湘乡市民政局")
        if year == 2023:
            forward = record["requests"]["carry_forward"]["natural_person"]
        else:
            carried = record["requests"]["carried_over"]
            carried["total"] += forward + 3 - carried["natural_person"]
            carried["natural_person"] = forward + 3
        path = directory / f"{year}.txt"
        path.write_bytes(LAYOUTS["txt_tabs"](record))
        files.append(path)
    return files[0], files[1]


def test_cross_year_rules_use_the_archive(xxgk, tmp_path: Path) -> None:
    older, newer = _pair(tmp_path)

    def carry_findings() -> list[dict]:
        shown = json.loads(xxgk("show", "湘乡市民政局", "2024", "--json").out)
        return [f for f in shown["findings"] if f["rule"] == "requests.carry_link"]

    assert xxgk("import", str(newer)).code == 0
    assert carry_findings() == []  # nothing to compare with yet
    assert xxgk("import", str(older)).code == 0  # last year arrives late: this year's report is checked again
    assert {f["col"] for f in carry_findings()} == {"natural_person", "total"}
    assert xxgk("query", "--rule", "requests.carry_link", "--json").out.count('"report_id"') == 1


def test_status_of_the_seeds_with_known_dates(xxgk, archive: Archive) -> None:
    import_seeds(xxgk)
    with archive.write() as session:  # known from the registry only: expected every year shown
        upsert_agency(session, "湘乡市人民政府", region="430381")
    rows = json.loads(xxgk("status", "--json", "--as-of", AS_OF).out)
    by = {(r["agency"], r["year"]): r for r in rows}
    for row in rows:
        assert {"agency", "level", "region", "year", "status", "deadline", "published", "days_late", "errors"} <= set(row)

    def check(agency: str, year: int, status: str, **expected: object) -> None:
        row = by[agency, year]
        assert row["status"] == status, row
        for key, value in expected.items():
            assert row[key] == value, (key, row)

    check("益阳市民政局", 2025, "on_time", published="2026-01-20", deadline="2026-01-31", days_late=0)
    check("东安区民政局", 2024, "on_time", published="2025-01-25", level="department")
    check("湘乡市民政局", 2024, "on_time", inconsistent=True, errors=5)
    check("楠木坪镇", 2025, "late", level="township", days_late=9, deadline="2026-01-31", inconsistent=False)
    check("平江县民政局", 2017, "on_time", deadline="2018-03-31")
    check("湘乡市民政局", 2025, "missing", days_late=74, published=None)  # published 2024, nothing for 2025
    check("湘乡市人民政府", 2025, "missing", level="county", deadline="2026-03-31", days_late=15)
    assert ("益阳市民政局", 2024) not in by  # not expected before its first archived year
    assert ("平江县民政局", 2024) in by  # but expected after it
    assert sum(r["inconsistent"] for r in rows) == 1

    early = {(r["agency"], r["year"]): r for r in json.loads(xxgk("status", "--json", "--as-of", "2026-01-15").out)}
    assert early["湘乡市民政局", 2025]["status"] == "not_due"

    table = xxgk("status", "--year", "2025", "--as-of", AS_OF)
    assert table.code == 0
    assert "逾期发布" in table.out
    assert "未发布" in table.out
    assert "楠木坪镇" in table.out


def test_query_filters_and_json_shape(xxgk) -> None:
    import_seeds(xxgk)

    def query(*args: str) -> list[dict]:
        result = xxgk("query", "--json", "--as-of", AS_OF, *args)
        assert result.code == 0, result.err
        return json.loads(result.out)

    rows = query()
    assert len(rows) == 5
    for row in rows:
        assert {"agency", "year", "url", "published", "status", "errors", "report_id"} <= set(row)
    assert [r["agency"] for r in query("--status", "late")] == ["楠木坪镇"]
    assert [r["agency"] for r in query("--status", "inconsistent")] == ["湘乡市民政局"]
    assert [r["agency"] for r in query("--level", "township")] == ["楠木坪镇"]
    assert {r["agency"] for r in query("--agency", "民政局", "--year", "2024")} == {"东安区民政局", "湘乡市民政局"}
    assert [r["agency"] for r in query("--rule", "blank_cell")] == ["湘乡市民政局"]
    missing = query("--status", "missing", "--year", "2025")
    assert {r["agency"] for r in missing} == {"东安区民政局", "湘乡市民政局", "平江县民政局"}
    assert all(r["report_id"] is None for r in missing)


def test_show_by_id_and_by_agency_year(xxgk) -> None:
    import_seeds(xxgk)
    by_name = json.loads(xxgk("show", "楠木坪镇", "2025", "--json", "--as-of", AS_OF).out)
    by_id = json.loads(xxgk("show", str(by_name["report_id"]), "--json", "--as-of", AS_OF).out)
    assert by_name == by_id
    assert by_id["record"]["agency"] == "楠木坪镇"
    assert by_id["status"] == "late"
    assert {d["source"] for d in by_id["dates"]} == {"cli"}
    human = xxgk("show", "楠木坪镇", "2025", "--as-of", AS_OF)
    assert human.code == 0
    assert "逾期 9 天" in human.out
    nothing = xxgk("show", "楠木坪镇", "2019")  # before its first report: not expected, so not absent
    assert nothing.code == 2
    assert "归档中没有" in nothing.err
    absent = json.loads(xxgk("show", "楠木坪镇", "2026", "--json", "--as-of", "2027-06-01").out)
    assert (absent["status"], absent["report_id"], absent["evidence"]) == ("missing", None, None)


def test_reparse_makes_versions_only_where_the_record_changed(xxgk, archive: Archive,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    import_seeds(xxgk)
    before = row_counts(archive)
    assert json.loads(xxgk("reparse", "--json").out) == []  # everything was read by the current parser
    assert {r["change"] for r in json.loads(xxgk("reparse", "--all", "--json").out)} == {"unchanged"}
    assert row_counts(archive) == before

    import extract.parse  # noqa: PLC0415

    improved = extract.parse.parse_document

    def better(doc, previous=None):  # a parser improvement that reads the township's title differently
        record = improved(doc, previous)
        if record.get("agency") == "楠木坪镇":
            record["title"] = "楠木坪镇2025年政府信息公开工作年度报告（更正）"
        return record

    monkeypatch.setattr(extract.parse, "parse_document", better)
    with archive.write() as session:  # as if these had been read by an older parser
        session.execute(update(ReportVersion).values(parser_version="xxgk-parser/0"))
    results = json.loads(xxgk("reparse", "--json").out)
    assert sorted(r["change"] for r in results) == ["new_version"] + ["unchanged"] * 4
    report = report_of(archive, "楠木坪镇", 2025)
    assert report.current_version == 2
    assert report.revised_at is None
    assert row_counts(archive)["report_version"] == before["report_version"] + 1
    assert row_counts(archive)["document"] == before["document"]


def test_a_directory_parsed_by_worker_processes(xxgk, archive: Archive, tmp_path: Path) -> None:
    files = generated_reports(tmp_path / "gen", 12)
    (tmp_path / "gen" / "0005.txt").write_text("这不是一份年度报告。", encoding="utf-8")
    result = xxgk("import", str(tmp_path / "gen"), "--jobs", "2", "--json")
    assert result.code == 2
    assert result.err.count("\n") == 1
    assert "0005.txt：不是政府信息公开工作年度报告" in result.err
    outcomes = json.loads(result.out)
    assert [o["path"] for o in outcomes] == [str(p) for p in files if p.name != "0005.txt"]  # in order
    assert {o["change"] for o in outcomes} == {"new_report"}
    assert row_counts(archive)["report"] == 11


def test_a_short_name_in_the_report_finds_the_registry_agency(xxgk, archive: Archive) -> None:
    with archive.write() as session:  # as the registry loader (issue 6) will call it
        upsert_portal(session, "zhijiang", name="芷江侗族自治县人民政府门户网站", base_url="http://127.0.0.1:9/",
                      columns=["http://127.0.0.1:9/xxgk/nb/"], cms="trs")
        upsert_agency(session, "楠木坪镇人民政府", region="431228100", parent="芷江侗族自治县人民政府",
                      portal="zhijiang", supervisors=["zj@example.cn"])
    result = xxgk("import", str(SEED["003"]), "--json")  # the report calls itself 楠木坪镇
    assert json.loads(result.out)[0]["agency"] == "楠木坪镇人民政府"
    with archive.read() as session:
        agency = session.scalars(select(Agency).where(Agency.name == "楠木坪镇人民政府")).one()
        assert (agency.level, agency.parent.name, agency.parent.level) == ("township", "芷江侗族自治县人民政府", "county")
        assert (agency.portal.key, agency.supervisors) == ("zhijiang", ["zj@example.cn"])
        assert session.scalars(select(Agency.name)).all().count("楠木坪镇") == 0


def test_exports_through_the_cli(xxgk, tmp_path: Path) -> None:
    import_seeds(xxgk)
    rows = json.loads(xxgk("status", "--json", "--as-of", AS_OF).out)
    book = tmp_path / "status.xlsx"
    assert xxgk("status", "--out", str(book), "--as-of", AS_OF).code == 0  # the format follows the suffix
    sheet = load_workbook(book).active
    assert sheet.freeze_panes == "A2"
    assert sheet.max_row == 1 + len(rows)
    assert sheet["A1"].value == "单位"
    assert xxgk("query", "--format", "csv").out.startswith("\ufeff单位,层级,")
    refused = xxgk("status", "--format", "table", "--out", str(tmp_path / "status.txt"))
    assert refused.code == 2
    assert "--out 需要 --format csv、json 或 xlsx" in refused.err
