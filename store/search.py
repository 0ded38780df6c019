"""Full-text search over the archive: each report's current text, found by any phrase, Chinese included.

The index is derived data: one row per report (agency name, title and narrative of its current
version), brought up to date before each search for the reports whose current version changed, and
rebuilt from the archive if it is lost. SQLite indexes it with FTS5's trigram tokenizer, PostgreSQL
with pg_trgm (a GIN index answering ILIKE); both find the rows that contain the phrase, ignoring
case, so the two backends return the same reports. Phrases shorter than three characters, which no
trigram index can answer, are found by a scan.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import Any, Final

from sqlalchemy import Connection, bindparam, select, text
from sqlalchemy.exc import DBAPIError

from store.db import Archive
from store.matrix import region_clause
from store.models import Agency, Report, ReportVersion

LIMIT: Final = 50
_SNIPPET: Final = 40
_SQLITE_DDL: Final = (
    "CREATE TABLE IF NOT EXISTS search_doc (report_id INTEGER PRIMARY KEY, version_id INTEGER NOT NULL)",
    "CREATE VIRTUAL TABLE IF NOT EXISTS search_fts USING fts5(body, tokenize='trigram')",
)
_PG_DDL: Final = (
    ("CREATE TABLE IF NOT EXISTS search_doc (report_id INTEGER PRIMARY KEY, version_id INTEGER NOT NULL, "
     "body TEXT NOT NULL)"),
)


@dataclass(frozen=True, slots=True)
class Hit:
    report_id: int
    agency: str
    year: int
    title: str | None
    snippet: str


def body_of(agency: str, record: dict[str, Any]) -> str:
    """What a search reads of a report: its agency, title and narrative, one part per line."""
    narrative = record.get("narrative") or {}
    parts = [agency, str(record.get("title") or ""), *(str(v) for v in narrative.values() if v)]
    return "\n".join(p for p in parts if p)


def _ensure(conn: Connection) -> None:
    if conn.dialect.name == "sqlite":
        for ddl in _SQLITE_DDL:
            conn.exec_driver_sql(ddl)
        return
    for ddl in _PG_DDL:
        conn.exec_driver_sql(ddl)
    _trigram_index(conn)


def _trigram_index(conn: Connection) -> None:
    """pg_trgm's GIN index when the extension can be had; without it ILIKE scans, with the same results."""
    schema = conn.scalar(text("SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'pg_trgm'"))
    if schema is None:
        try:
            with conn.begin_nested():
                conn.exec_driver_sql("CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public")
        except DBAPIError:
            return
        schema = "public"
    conn.exec_driver_sql("CREATE INDEX IF NOT EXISTS ix_search_doc_body ON search_doc "
                         f"USING gin (body {schema}.gin_trgm_ops)")


def refresh(archive: Archive) -> int:
    """Bring the index in line with the reports' current versions; returns how many rows were rewritten."""
    with archive.write_rows() as conn:
        _ensure(conn)
        stale = conn.execute(text(
            "SELECT report.id, report_version.id, agency.name, report_version.record FROM report "
            "JOIN agency ON agency.id = report.agency_id "
            "JOIN report_version ON report_version.report_id = report.id "
            "AND report_version.number = report.current_version "
            "LEFT JOIN search_doc ON search_doc.report_id = report.id "
            "WHERE search_doc.version_id IS NULL OR search_doc.version_id != report_version.id"
        ).columns(record=ReportVersion.__table__.c.record.type)).all()
        gone = [{"id": rid} for (rid,) in conn.execute(text(
            "SELECT report_id FROM search_doc WHERE report_id NOT IN (SELECT id FROM report)"))]
        for rows in ([{"id": r[0]} for r in stale], gone):
            if rows:
                conn.execute(text("DELETE FROM search_doc WHERE report_id = :id"), rows)
                if conn.dialect.name == "sqlite":
                    conn.execute(text("DELETE FROM search_fts WHERE rowid = :id"), rows)
        docs = [{"id": rid, "version": vid, "body": body_of(agency, record)} for rid, vid, agency, record in stale]
        if docs:
            if conn.dialect.name == "sqlite":
                conn.execute(text("INSERT INTO search_doc (report_id, version_id) VALUES (:id, :version)"), docs)
                conn.execute(text("INSERT INTO search_fts (rowid, body) VALUES (:id, :body)"), docs)
            else:
                conn.execute(text("INSERT INTO search_doc (report_id, version_id, body) VALUES (:id, :version, :body)"),
                             docs)
        return len(docs)


def _like(phrase: str) -> str:
    return "%" + phrase.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _matching(conn: Connection, phrase: str) -> list[tuple[int, str]]:
    """(report id, body) of every indexed report whose text contains `phrase`, ignoring case."""
    if conn.dialect.name == "sqlite":
        if len(phrase) >= 3:
            sql = "SELECT rowid, body FROM search_fts WHERE search_fts MATCH :q"
            words = {"q": '"' + phrase.replace('"', '""') + '"'}
        else:
            sql = "SELECT rowid, body FROM search_fts WHERE body LIKE :q ESCAPE '\\'"
            words = {"q": _like(phrase)}
    else:
        sql = "SELECT report_id, body FROM search_doc WHERE body ILIKE :q ESCAPE '\\'"
        words = {"q": _like(phrase)}
    return [(int(rid), str(body)) for rid, body in conn.execute(text(sql), words)]


def snippet(body: str, phrase: str) -> str:
    at = body.lower().find(phrase.lower())
    if at < 0:
        return body[: 2 * _SNIPPET]
    start = max(at - _SNIPPET, 0)
    end = at + len(phrase) + _SNIPPET
    return ("…" if start else "") + body[start:end].replace("\n", " ") + ("…" if end < len(body) else "")


def search(archive: Archive, phrase: str, scope: Collection[str] | None, limit: int = LIMIT) -> tuple[list[Hit], int]:
    """Reports whose text contains `phrase` among the regions of `scope` (None: all), by agency and
    year; and how many there are in all."""
    phrase = phrase.strip()
    if not phrase:
        return [], 0
    refresh(archive)
    with archive.read() as session:
        conn = session.connection()
        bodies = dict(_matching(conn, phrase))
        if not bodies:
            return [], 0
        stmt = (select(Report.id, Agency.name, Report.year, Report.title).join(Agency, Report.agency_id == Agency.id)
                .where(Report.id.in_(bindparam("ids", expanding=True))).order_by(Agency.name, Report.year, Report.id))
        if scope is not None:
            stmt = stmt.where(region_clause(Agency.region, scope))
        rows = conn.execute(stmt, {"ids": list(bodies)}).all()
    hits = [Hit(rid, name, year, title, snippet(bodies[rid], phrase)) for rid, name, year, title in rows[:limit]]
    return hits, len(rows)
