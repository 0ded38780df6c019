"""PostgreSQL is production: every read command prints the same on it as on SQLite.

One archive is built twice, on SQLite and on a fresh PostgreSQL schema, from the same files; then
every command of READ_COMMANDS runs on both and the outputs must be equal once timestamps and the
temporary paths are taken out. A new read command joins the family by being listed once.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook
from store_fixtures import pg_server  # noqa: F401 - the session's PostgreSQL
from store_helpers import generated_reports, pg_schema

from alerts.demo import preview_alerts
from extract.schema import REQUEST_COLUMNS, REQUEST_ROW_LABELS, SECTIONS
from xxgk.cli import main

FIXTURES = Path(__file__).parent / "fixtures"
AS_OF = "2026-04-20"
REGISTRY = """\
version: 1
first_year: 2023
supervisors:
  - {email: gkb@hunan.example.cn, name: 湖南省政务公开办, regions: ["43"], cadence: daily}
operators: [ops@example.cn]
portals:
  - id: xiangxiang
    name: 湘乡市人民政府门户网站
    base_url: http://127.0.0.1:9/
    agencies:
      - {name: 湘乡市人民政府, level: county, region: "430381"}
      - {name: 湘乡市民政局, level: department, region: "430381", parent: 湘乡市人民政府}
  - id: yiyang
    name: 益阳市人民政府门户网站
    base_url: http://127.0.0.1:9/
    agencies:
      - {name: 益阳市民政局, level: department, region: "430900"}
"""
# Every command that only reads the archive, with `{out}` for a file it writes.
READ_COMMANDS: tuple[tuple[str, ...], ...] = (
    ("show", "湘乡市民政局", "2024"),
    ("show", "湘乡市民政局", "2024", "--json"),
    ("show", "益阳市民政局", "2025", "--json"),
    ("status",),
    ("status", "--json"),
    ("status", "--format", "csv"),
    ("status", "--format", "xlsx", "--out", "{out}.xlsx"),
    ("query",),
    ("query", "--format", "json"),
    ("query", "--format", "csv"),
    ("query", "--format", "xlsx", "--out", "{out}.xlsx"),
    ("query", "--status", "missing", "--json"),
    ("alerts", "list"),
    ("alerts", "list", "--json"),
    ("alerts", "preview", "--out", "{out}"),
    ("stats", "granted_rate", "--year", "2024"),
    ("stats", "requests_new", "--year", "2024", "--json"),
    ("stats", "requests_new", "--agency", "湘乡市民政局", "--year", "2024", "--years", "3", "--json"),
    ("report", "region", "43", "--year", "2024", "--format", "xlsx", "--out", "{out}.xlsx"),
    ("report", "agency", "湘乡市民政局", "--year", "2024", "--format", "xlsx", "--out", "{out}.xlsx"),
)
_SIZE = re.compile(r"\d+ 字节")  # a workbook's bytes hold its creation time
_STAMP = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?([+-]\d{2}:?\d{2}|Z)?")


def _build(url: str, work: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XXGK_SNAPSHOTS", str(work / "snapshots"))
    registry = work / "registry.yaml"
    registry.write_text(REGISTRY, encoding="utf-8")
    for seed in sorted((FIXTURES / "seeds").glob("*.txt")):
        named = [] if json.loads((FIXTURES / "gold" / f"{seed.stem}.json").read_text())["agency"] else [
            "--agency", "湘乡市人民政府"]
        assert main(["import", str(seed), "--db", url, "--level", "department", "--region", "430381", *named]) == 0
    assert main(["import", *map(str, generated_reports(work / "gen", 3)), "--db", url]) == 0
    preview_alerts(url, registry, dt.date.fromisoformat(AS_OF), work / "mail")


@pytest.fixture
def archives(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, pg_server: str | None  # noqa: F811
             ) -> Iterator[dict[str, tuple[str, Path]]]:
    if pg_server is None:
        pytest.skip("no PostgreSQL: 127.0.0.1:5432 does not answer and no throwaway cluster could be started")
    monkeypatch.delenv("XXGK_DATABASE_URL", raising=False)
    with pg_schema(pg_server) as pg_url:
        built = {"sqlite": (f"sqlite:///{tmp_path / 'sqlite' / 'archive.sqlite3'}", tmp_path / "sqlite"),
                 "postgresql": (pg_url, tmp_path / "postgresql")}
        for url, work in built.values():
            work.mkdir()
            _build(url, work, monkeypatch)
        yield built


def _normalised(text: str, work: Path) -> str:
    return _SIZE.sub("<size>", _STAMP.sub("<time>", text.replace(str(work), "<work>")))


def _files(path: Path, work: Path) -> list[str]:
    """What a command wrote: an XLSX's cell values, or each file of a folder."""
    if path.suffix == ".xlsx":
        sheet = load_workbook(io.BytesIO(path.read_bytes())).active
        assert sheet is not None
        return [_normalised(repr(row), work) for row in sheet.iter_rows(values_only=True)]
    return [f"{p.name}\n{_normalised(p.read_text(encoding='utf-8'), work)}" for p in sorted(path.iterdir())]


def _run(command: tuple[str, ...], url: str, work: Path, capsys: pytest.CaptureFixture[str]) -> list[str]:
    out = work / "out"
    args = [part.replace("{out}", str(out)) for part in command]
    capsys.readouterr()
    code = main([*args, "--db", url, "--registry", str(work / "registry.yaml"), "--as-of", AS_OF])
    captured = capsys.readouterr()
    written = [p for p in (out.with_suffix(".xlsx"), out) if p.exists()]
    result = [str(code), _normalised(captured.out, work), _normalised(captured.err, work)]
    result += [line for p in written for line in _files(p, work)]
    for p in written:
        if p.is_dir():
            for f in p.iterdir():
                f.unlink()
            p.rmdir()
        else:
            p.unlink()
    return result


def test_every_read_command_prints_the_same_on_both_databases(
        archives: dict[str, tuple[str, Path]], capsys: pytest.CaptureFixture[str]) -> None:
    for command in READ_COMMANDS:
        on = {name: _run(command, url, work, capsys) for name, (url, work) in archives.items()}
        assert on["sqlite"][0] == "0", (command, on["sqlite"])
        assert on["sqlite"] == on["postgresql"], command


def test_show_renders_tables_in_template_order_on_postgresql(
        archives: dict[str, tuple[str, Path]], capsys: pytest.CaptureFixture[str]) -> None:
    url, work = archives["postgresql"]
    detail = json.loads(_run(("show", "湘乡市民政局", "2024", "--json"), url, work, capsys)[1])
    record = detail["record"]
    assert list(record["sections"]) == list(SECTIONS)
    assert list(record["requests"]) == [r for r in REQUEST_ROW_LABELS if r in record["requests"]]
    assert all(list(cols) == list(REQUEST_COLUMNS) for cols in record["requests"].values())
    assert list(record["active"]) == ["rules", "normative_documents", "licensing", "penalty", "coercion", "fees"]
    assert list(record["active"]["rules"]) == ["issued", "repealed", "in_force"]
    assert list(record["review_litigation"]) == ["review", "litigation_direct", "litigation_after_review"]
    human = _run(("show", "湘乡市民政局", "2024"), url, work, capsys)[1]
    rows = [label for label in REQUEST_ROW_LABELS.values() if label in human]
    assert [human.index(label) for label in rows] == sorted(human.index(label) for label in rows)
