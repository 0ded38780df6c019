"""Schema migrations on both backends: the models are what the migrations build, and old archives upgrade."""

from __future__ import annotations

import datetime as dt
import json

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from conftest import FIXTURES
from sqlalchemy import MetaData, select, text

from store.db import Archive, make_engine
from store.migrations import head_revision, run_upgrade
from store.models import Base, PublicationDate, Report

pytest_plugins = ["store_fixtures"]

NOW = dt.datetime(2025, 2, 1, 8, 0, tzinfo=dt.UTC)


def test_migrations_build_exactly_the_models(archive: Archive) -> None:
    with archive.engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []


def _archive_at_0001(db_url: str) -> None:
    """An archive as revision 0001 left it: one agency and its report with a single `published` date."""
    engine = make_engine(db_url)
    with engine.begin() as conn:
        run_upgrade(conn, "0001")
        tables = MetaData()
        tables.reflect(conn)
        agency_id = conn.execute(tables.tables["agency"].insert().values(
            name="湘乡市民政局", level="department", region="430381", supervisors=[], created_at=NOW,
        )).inserted_primary_key[0]
        conn.execute(tables.tables["report"].insert().values(
            agency_id=agency_id, year=2024, url="", title="湘乡市民政局2024年政府信息公开工作年度报告",
            published=dt.date(2025, 1, 20), first_seen_at=NOW, last_seen_at=NOW, current_version=0,
            errors=0, inconsistencies=0, warnings=0,
        ))
    engine.dispose()


def test_upgrade_from_revision_0001_keeps_and_converts_data(db_url: str, xxgk) -> None:
    _archive_at_0001(db_url)
    refused = xxgk("status", "--json")
    assert refused.code == 1
    assert "结构版本为 0001" in refused.err
    assert "xxgk db upgrade" in refused.err
    assert refused.err.count("\n") == 1

    upgraded = xxgk("db", "upgrade")
    assert upgraded.code == 0
    assert upgraded.out.strip() == f"数据库结构版本为 {head_revision()}（原为 0001）"
    assert xxgk("db", "upgrade").out.strip() == f"数据库结构版本为 {head_revision()}"

    with Archive.open(db_url) as archive, archive.read() as session:
        [candidate] = session.scalars(select(PublicationDate)).all()
        assert (candidate.source, candidate.value) == ("page", dt.date(2025, 1, 20))
        assert session.scalars(select(Report.published_source)).one() == "page"

    # the old report gets its first version from the same file; its date is kept
    assert xxgk("import", str(next((FIXTURES / "seeds").glob("002_*.txt")))).code == 0
    [row] = [r for r in json.loads(xxgk("status", "--json", "--year", "2024", "--as-of", "2026-04-15").out)
             if r["agency"] == "湘乡市民政局"]
    assert (row["status"], row["published"], row["region"], row["errors"]) == ("on_time", "2025-01-20", "430381", 5)


def test_unknown_revision_and_foreign_tables_are_refused(db_url: str, xxgk) -> None:
    engine = make_engine(db_url)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE somebody_elses (id INTEGER PRIMARY KEY)"))
    assert xxgk("status").code == 2  # a reading command: no archive there
    foreign = xxgk("db", "upgrade")
    assert foreign.code == 1
    assert "不属于 xxgk 归档" in foreign.err
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE somebody_elses"))
    assert xxgk("db", "upgrade").code == 0
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '9999'"))
    engine.dispose()
    newer = xxgk("status")
    assert newer.code == 1
    assert "9999 不为本版 xxgk 所知" in newer.err


def test_upgrade_remembers_each_portals_last_crawl(db_url: str) -> None:
    """The crawl evidence (store.evidence) reads a portal's last run from the portal: filled in from the runs."""
    engine = make_engine(db_url)
    with engine.begin() as conn:
        run_upgrade(conn, "0006_cells")
        tables = MetaData()
        tables.reflect(conn)
        conn.execute(tables.tables["portal"].insert(), [
            {"key": key, "name": key, "base_url": f"http://{key}.invalid/", "columns": [], "enabled": True,
             "created_at": NOW} for key in ("p1", "p2", "p3")])
        conn.execute(tables.tables["crawl_run"].insert(), [
            {"started_at": NOW, "finished_at": NOW, "portals": portals, "counts": {}, "errors": {}}
            for portals in (["p1", "p2"], ["p1"])])
        run_upgrade(conn)
        last = dict(conn.execute(text("SELECT key, last_run_id FROM portal")).all())
        first, second = sorted(conn.execute(text("SELECT id FROM crawl_run")).scalars())
    engine.dispose()
    assert last == {"p1": second, "p2": first, "p3": None}
