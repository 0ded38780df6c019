"""A person's correction is a version of its own, survives re-reading the same bytes, and is flagged when the
source changes."""

from __future__ import annotations

from conftest import FIXTURES
from sqlalchemy import select

from store.corrections import Cell, correct
from store.db import Archive
from store.models import AuditEntry, Report, ReportVersion, utcnow

pytest_plugins = ["store_fixtures"]
CELL = Cell("requests", "new", "natural_person")


def versions(archive: Archive) -> list[tuple[int, str, object]]:
    with archive.read() as session:
        return [(v.number, v.kind, v.record["requests"]["new"]["natural_person"])
                for v in session.scalars(select(ReportVersion).order_by(ReportVersion.number))]


def test_a_correction_stands_until_the_source_changes(xxgk, archive: Archive, tmp_path) -> None:
    [seed] = (FIXTURES / "seeds").glob("002_*.txt")
    assert xxgk("import", str(seed)).code == 0
    [(_, _, machine)] = versions(archive)
    with archive.write_rows() as conn:
        done = correct(conn, 1, {CELL: 7}, "王编辑", "原件为7", utcnow())
    assert done.cells[0]["machine"] == machine
    assert versions(archive) == [(1, "first", machine), (2, "correction", 7)]
    with archive.read() as session:
        [entry] = session.scalars(select(AuditEntry)).all()
        assert (entry.actor, entry.action, entry.detail["cells"][0]["value"]) == ("王编辑", "correction", 7)

    assert xxgk("import", str(seed)).code == 0  # the same bytes again: the correction stands, nothing new
    assert versions(archive)[-1] == (2, "correction", 7)

    changed = tmp_path / "002.txt"
    changed.write_text(seed.read_text(encoding="utf-8").replace("政府信息公开", "政府信息公开 ", 1), encoding="utf-8")
    assert xxgk("import", str(changed), "--agency", "湘乡市民政局", "--year", "2024").code == 0
    with archive.read() as session:
        assert session.scalars(select(Report.correction_stale)).all() == [True]
