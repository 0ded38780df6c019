"""`xxgk stats` and `xxgk report` on both backends: the numbers of the metric dictionary, every output format,
and one-line errors for a user's mistakes."""

from __future__ import annotations

import io
import json

import numpy as np
import openpyxl
import pytest
from analytics_world import AS_OF, REGION, YEAR, Expected

from catalogue.analytics import METRIC_NAMES

pytest_plugins = ["store_fixtures", "analytics_fixtures"]


def _stats(cli, *args: str) -> dict:
    done = cli("stats", *args, "--year", str(YEAR), "--as-of", AS_OF.isoformat(), "--json")
    assert done.code == 0, done.err
    return json.loads(done.out)


def test_stats_gives_every_agencys_value_rank_and_the_quartiles(cli, expected: Expected) -> None:
    for key, level in (("granted_rate", None), ("requests_new", "township"), ("licensing_decisions", "department"),
                       ("on_time_rate", None), ("data_errors", "county")):
        args = [key, "--region", REGION, *(["--level", level] if level else [])]
        got = _stats(cli, *args)
        want = expected.values(key, YEAR, level)
        have = sorted(v for _, state, v, _ in want if state == "value")
        assert got["distribution"]["n"] == len(have)
        for q, p in (("p25", 25), ("p50", 50), ("p75", 75)):
            assert got["distribution"][q] == pytest.approx(float(np.percentile(have, p, method="linear")))
        assert got["distribution"]["total"] == pytest.approx(expected.total(key, YEAR, level))
        by_name = {a["agency"]: a for a in got["agencies"]}
        assert set(by_name) == {a.name for a, *_ in want}
        for agency, state, value, _ in want:
            row = by_name[agency.name]
            assert row["state"] == state
            if state == "value":
                assert row["value"] == pytest.approx(value)
                assert row["rank"] == 1 + sum(v > value for v in have)
            else:
                assert (row["value"], row["rank"]) == (None, None)


def test_stats_of_one_agency_is_its_series_among_its_level(cli, expected: Expected) -> None:
    agency = next(a for a in expected.agencies(YEAR) if a.level == "township")
    got = _stats(cli, "予以公开率", "--region", REGION, "--agency", agency.name, "--years", "4")
    assert got["agency"] == agency.name
    assert [p["year"] for p in got["series"]] == list(range(YEAR - 3, YEAR + 1))
    for point in got["series"]:
        state, value, _ = expected.value("granted_rate", agency, point["year"]) if agency in expected.agencies(
            point["year"]) else ("no_report", None, None)
        assert point["state"] == state
        assert point["value"] == (pytest.approx(value) if value is not None else None)
        peers = [v for _, s, v, _ in expected.values("granted_rate", point["year"], "township") if s == "value"]
        assert point["peers"]["n"] == len(peers)


def test_stats_formats(cli, expected: Expected, tmp_path) -> None:
    assert expected.agencies(YEAR)
    base = ["stats", "requests_new", "--region", REGION, "--year", str(YEAR), "--as-of", AS_OF.isoformat()]
    table = cli(*base)
    assert table.code == 0
    assert METRIC_NAMES["requests_new"] in table.out
    assert "PERCENTILE.INC" in table.out
    out = tmp_path / "s.csv"
    assert cli(*base, "--out", str(out)).code == 0
    text = out.read_bytes()
    assert text.startswith(b"\xef\xbb\xbf")
    assert text.decode("utf-8-sig").splitlines()[0].startswith("机关,级别,区划代码,数值")
    book_path = tmp_path / "s.xlsx"
    assert cli(*base, "--format", "xlsx", "--out", str(book_path)).code == 0
    book = openpyxl.load_workbook(book_path)
    sheet = book[book.sheetnames[1]]
    values = [sheet.cell(row=r, column=4).value for r in range(3, sheet.max_row + 1)]
    assert any(isinstance(v, int | float) for v in values)  # numbers, not text


def test_reports_from_the_command_line(cli, expected: Expected, tmp_path) -> None:
    assert expected.agencies(YEAR)
    when = ["--year", str(YEAR), "--as-of", AS_OF.isoformat()]
    book = tmp_path / "region.xlsx"
    done = cli("report", "region", REGION, *when, "--out", str(book))
    assert done.code == 0, done.err
    assert openpyxl.load_workbook(io.BytesIO(book.read_bytes())).sheetnames[0] == "概要"
    agency = next(a for a in expected.agencies(YEAR) if a.level == "county")
    profile = tmp_path / "agency.docx"
    assert cli("report", "agency", agency.name, *when, "--out", str(profile)).code == 0
    assert profile.read_bytes().startswith(b"PK")


@pytest.mark.parametrize(("args", "says"), [
    (["stats", "no_such_metric"], "没有指标“no_such_metric”"),
    (["stats", "requests_new", "--agency", "不存在的机关"], "没有名称含“不存在的机关”"),
    (["stats", "requests_new", "--agency", "人民政府"], "请给出完整名称"),
    (["stats", "requests_new", "--agency", "湘乡市人民政府", "--years", "12"], "--years"),
    (["report", "region", "99"], "没有区划代码以 99 开头"),
    (["report", "agency", "不存在的机关"], "没有名称含“不存在的机关”"),
])
def test_mistakes_are_one_line(cli, expected: Expected, args: list[str], says: str) -> None:
    assert expected.agencies(YEAR)
    done = cli(*args, "--year", str(YEAR), "--as-of", AS_OF.isoformat())
    assert done.code == 2
    assert says in done.err
    assert done.err.count("\n") == 1


def test_reading_commands_refuse_a_missing_archive(tmp_path, capsys) -> None:
    from xxgk.cli import main  # noqa: PLC0415

    for args in (["stats", "requests_new"], ["report", "region", REGION]):
        assert main([*args, "--db", f"sqlite:///{tmp_path / 'none.sqlite3'}"]) == 2
        assert "没有归档数据库" in capsys.readouterr().err
    assert not (tmp_path / "none.sqlite3").exists()
