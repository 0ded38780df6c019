"""The archive's tables (SQLAlchemy 2.0). Migrations in store/migrations must produce exactly this schema.

Identity lives in unique constraints, not in application checks, so that two processes storing the
same report at once cannot both succeed: agency by name, portal by key, document by (url, sha256),
report by (agency, year, url), version by (report, number), publication-date candidate by
(report, source), finding by (version, fingerprint), alert by dedupe key.

`report` carries a few columns derived from its versions and candidates (effective publication
date, current version, error counts, revision time) so that the compliance matrix over tens of
thousands of reports is one indexed scan; store.ingest keeps them in step in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any, Final

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    false,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship
from sqlalchemy.types import TypeEngine

from extract.schema import ordered
from store.terms import ALERT_STATES, CELL_KINDS, DATE_SOURCES, LEVELS, REVIEW_STATES, ROLES, SEVERITIES
from validate.finding import in_finding_order

# Named constraints: Alembic needs names to alter them later, and SQLite batch mode needs them to rebuild tables.
NAMING: Final = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

Json = JSON().with_variant(JSONB(), "postgresql")


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class UtcDateTime(TypeDecorator[dt.datetime]):
    """Aware UTC datetimes on every backend (SQLite would otherwise hand back naive ones)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the archive; use an aware one")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:  # noqa: ARG002
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


class OrderedJson(TypeDecorator[dict[str, Any]]):
    """JSON (JSONB on PostgreSQL) handed back with its keys put in order by `order`: JSONB keeps them
    sorted by length, and every reader prints or renders them in the order it gets."""

    impl = JSON
    cache_ok = True

    def __init__(self, order: Callable[[dict[str, Any]], dict[str, Any]]) -> None:
        super().__init__()
        self.order = order

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        return dialect.type_descriptor(JSONB() if dialect.name == "postgresql" else JSON())

    def process_result_value(self, value: Any, dialect: Dialect) -> Any:  # noqa: ARG002
        return self.order(value) if isinstance(value, dict) else value


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class Portal(Base):
    """A website the crawler visits; the registry (issue 6) upserts these by `key`."""

    __tablename__ = "portal"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(100), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    base_url: Mapped[str] = mapped_column(String(2000))
    columns: Mapped[list[str]] = mapped_column(Json, default=list)
    cms: Mapped[str | None] = mapped_column(String(40))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    # the last crawl that covered it: what its agencies' absent reports rest on (store.evidence)
    last_run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_run.id", ondelete="SET NULL"))


class Agency(Base):
    """A publishing organ (编制主体). `deadline` overrides the legal one as MM-DD (岳阳: districts by 02-20)."""

    __tablename__ = "agency"
    __table_args__ = (
        CheckConstraint(_one_of("level", LEVELS), name="level"),
        Index("ix_agency_level_region", "level", "region"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    level: Mapped[str] = mapped_column(String(20))
    region: Mapped[str | None] = mapped_column(String(12), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id", ondelete="SET NULL"))
    portal_id: Mapped[int | None] = mapped_column(ForeignKey("portal.id", ondelete="SET NULL"))
    deadline: Mapped[str | None] = mapped_column(String(5))
    supervisors: Mapped[list[str]] = mapped_column(Json, default=list)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)

    parent: Mapped[Agency | None] = relationship(remote_side="Agency.id")
    portal: Mapped[Portal | None] = relationship()


class CrawlRun(Base):
    """One crawl: which portals, what it found, and its errors counted by kind (timeout, http_404, …)."""

    __tablename__ = "crawl_run"

    id: Mapped[int] = mapped_column(primary_key=True)
    started_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    portals: Mapped[list[str]] = mapped_column(Json, default=list)
    counts: Mapped[dict[str, int]] = mapped_column(Json, default=dict)
    errors: Mapped[dict[str, int]] = mapped_column(Json, default=dict)


class CrawlFault(Base):
    """A page or file a crawl could not read (timeout, 5xx, a body cut short …): while the last crawl of an
    agency's portal has one that may hide its report, an absent report is `unconfirmed`, not `missing`."""

    __tablename__ = "crawl_fault"

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("crawl_run.id", ondelete="CASCADE"), index=True)
    portal: Mapped[str] = mapped_column(String(100))
    url: Mapped[str] = mapped_column(String(2000))
    kind: Mapped[str] = mapped_column(String(40))  # crawler.failures' kinds, and `unfinished`
    detail: Mapped[str] = mapped_column(Text, default="")
    list_page: Mapped[bool] = mapped_column(Boolean, default=False)
    # the agency whose column or report it was on the way to, by name; none: any of the portal's
    agency: Mapped[str | None] = mapped_column(String(200))
    year: Mapped[int | None] = mapped_column(Integer)  # the year its title or column names; none: any
    copy: Mapped[bool] = mapped_column(Boolean, default=False)  # a file whose page carried the report


class Document(Base):
    """Bytes seen at a URL ('' for a file imported without one); the bytes live in the snapshot store."""

    __tablename__ = "document"
    __table_args__ = (UniqueConstraint("url", "sha256"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    url: Mapped[str] = mapped_column(String(2000), index=True)
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    name: Mapped[str] = mapped_column(String(500), default="")
    size: Mapped[int] = mapped_column(Integer)
    http_status: Mapped[int | None] = mapped_column(Integer)
    content_type: Mapped[str | None] = mapped_column(String(200))
    encoding: Mapped[str | None] = mapped_column(String(40))
    fetched_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    last_seen_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    crawl_run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_run.id", ondelete="SET NULL"))
    etag: Mapped[str | None] = mapped_column(String(200))  # HTTP validators: a re-crawl asks "changed?"
    last_modified: Mapped[str | None] = mapped_column(String(100))
    # for a file: the report page that linked it (a re-crawl asks after it when that page is unchanged)
    page_url: Mapped[str | None] = mapped_column(String(2000))
    # for a report page: how many files it linked; a re-crawl fetches it in full again (no validators) while
    # fewer are stored, as after a crawl that died between storing the page and storing its files
    attachments: Mapped[int | None] = mapped_column(Integer)


class Report(Base):
    """One agency's report on one year at one URL ('' when imported without a URL)."""

    __tablename__ = "report"
    __table_args__ = (
        UniqueConstraint("agency_id", "year", "url"),
        Index("ix_report_year_agency", "year", "agency_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id", ondelete="CASCADE"))
    year: Mapped[int] = mapped_column(Integer)
    url: Mapped[str] = mapped_column(String(2000))
    title: Mapped[str | None] = mapped_column(Text)
    # effective publication date, chosen from publication_date by store.dates.effective()
    published: Mapped[dt.date | None] = mapped_column(Date)
    published_source: Mapped[str | None] = mapped_column(String(20))
    first_seen_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    last_seen_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    current_version: Mapped[int] = mapped_column(Integer, default=0)
    # findings of the current version that nobody dismissed: all errors, errors about the content alone, warnings
    errors: Mapped[int] = mapped_column(Integer, default=0)
    inconsistencies: Mapped[int] = mapped_column(Integer, default=0)
    warnings: Mapped[int] = mapped_column(Integer, default=0)
    # when the agency last replaced the document with different content (E2); null if never
    revised_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    # a person corrected cells of an earlier version and the source has changed since: worth a look
    correction_stale: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # found is not read (store.terms.READINGS): `read`; `unread` (an image awaiting OCR); `unreadable`
    # (reading_note says why). A report that was found is published whatever we could read of it.
    reading: Mapped[str] = mapped_column(String(20), default="read", server_default="read")
    reading_note: Mapped[str | None] = mapped_column(Text)

    agency: Mapped[Agency] = relationship()
    dates: Mapped[list[PublicationDate]] = relationship(
        back_populates="report", cascade="all, delete-orphan", passive_deletes=True
    )
    versions: Mapped[list[ReportVersion]] = relationship(
        back_populates="report", order_by="ReportVersion.number", cascade="all, delete-orphan", passive_deletes=True
    )


class PublicationDate(Base):
    """Every publication date a source claimed for a report; the effective one is chosen by source rank."""

    __tablename__ = "publication_date"
    __table_args__ = (
        UniqueConstraint("report_id", "source"),
        CheckConstraint(_one_of("source", DATE_SOURCES), name="source"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("report.id", ondelete="CASCADE"))
    source: Mapped[str] = mapped_column(String(20))
    value: Mapped[dt.date] = mapped_column(Date)
    seen_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)

    report: Mapped[Report] = relationship(back_populates="dates")


class ReportVersion(Base):
    """One distinct canonical record of a report; a new one only when the record's spec fields change.

    A person's correction is a version too (kind `correction`, with who and why): the machine reading
    stays the version before it, and `corrections` lists the corrected cells with both readings, so
    that a later reading of the same bytes can be corrected the same way (store.corrections).
    """

    __tablename__ = "report_version"
    __table_args__ = (UniqueConstraint("report_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("report.id", ondelete="CASCADE"))
    number: Mapped[int] = mapped_column(Integer)
    document_id: Mapped[int] = mapped_column(ForeignKey("document.id", ondelete="RESTRICT"), index=True)
    content_hash: Mapped[str] = mapped_column(String(64))
    record: Mapped[dict[str, Any]] = mapped_column(OrderedJson(ordered))  # template order
    parser_version: Mapped[str] = mapped_column(String(40))
    extractor: Mapped[str | None] = mapped_column(String(40))
    diff: Mapped[dict[str, Any] | None] = mapped_column(Json)
    errors: Mapped[int] = mapped_column(Integer, default=0)
    warnings: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    kind: Mapped[str] = mapped_column(String(20), default="first")  # one of store.terms.VERSION_KINDS
    author: Mapped[str | None] = mapped_column(String(200))  # who corrected (kind `correction`)
    reason: Mapped[str | None] = mapped_column(Text)  # why
    # cells a person corrected, in force in this version: [{table, row, col, machine, value, by, at, why}]
    corrections: Mapped[list[dict[str, Any]] | None] = mapped_column(Json)

    report: Mapped[Report] = relationship(back_populates="versions")
    document: Mapped[Document] = relationship()
    findings: Mapped[list[Finding]] = relationship(
        back_populates="version", cascade="all, delete-orphan", passive_deletes=True, order_by="Finding.id"
    )


class Cell(Base):
    """One table cell of one version, as a fact: aggregates over tens of thousands of reports are SQL.

    `row_key` is the template row (表四: the group; 统计表: the indicator's label, `#2` for a repeat).
    `text` is what was printed when it says more than the number (a mark, words, a note, an OCR
    reading); `page`/`box` (x0,top,x1,bottom: PDF points, a scan's pixels) say where, for cells read
    from page geometry; `certainty` is 1 for a born-digital text layer, the OCR score for a scan, and
    at most 1 / the number of candidate cuts for a cell cut from digits that ran together.
    """

    __tablename__ = "cell"
    __table_args__ = (
        CheckConstraint(_one_of("kind", CELL_KINDS), name="kind"),
        {"sqlite_with_rowid": False},
    )

    version_id: Mapped[int] = mapped_column(ForeignKey("report_version.id", ondelete="CASCADE"), primary_key=True)
    table_key: Mapped[str] = mapped_column(String(20), primary_key=True)
    row_key: Mapped[str] = mapped_column(String(200), primary_key=True)
    col_key: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[float | None] = mapped_column(Float)
    kind: Mapped[str] = mapped_column(String(16))
    unit: Mapped[str | None] = mapped_column(String(10))
    text: Mapped[str | None] = mapped_column(Text)
    page: Mapped[int | None] = mapped_column(Integer)
    box: Mapped[str | None] = mapped_column(String(80))
    certainty: Mapped[float | None] = mapped_column(Float)


class Finding(Base):
    """A validator finding on one version, with a human's review carried to later versions by fingerprint."""

    __tablename__ = "finding"
    __table_args__ = (
        UniqueConstraint("version_id", "fingerprint"),
        CheckConstraint(_one_of("severity", SEVERITIES), name="severity"),
        CheckConstraint(_one_of("review_state", REVIEW_STATES), name="review_state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("report_version.id", ondelete="CASCADE"))
    rule: Mapped[str] = mapped_column(String(60), index=True)
    severity: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(20))
    location: Mapped[str] = mapped_column(String(200))
    fingerprint: Mapped[str] = mapped_column(String(40))
    message: Mapped[str] = mapped_column(Text)
    detail: Mapped[dict[str, Any]] = mapped_column(OrderedJson(in_finding_order))
    review_state: Mapped[str] = mapped_column(String(10), default="open")
    reviewed_by: Mapped[str | None] = mapped_column(String(200))
    reviewed_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    review_note: Mapped[str | None] = mapped_column(Text)

    version: Mapped[ReportVersion] = relationship(back_populates="findings")


class Alert(Base):
    """An outgoing notice; `dedupe_key` makes the same alert impossible to queue twice."""

    __tablename__ = "alert"
    __table_args__ = (CheckConstraint(_one_of("state", ALERT_STATES), name="state"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(40))
    dedupe_key: Mapped[str] = mapped_column(String(300), unique=True)
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id", ondelete="SET NULL"))
    report_id: Mapped[int | None] = mapped_column(ForeignKey("report.id", ondelete="SET NULL"))
    recipients: Mapped[list[str]] = mapped_column(Json, default=list)
    payload: Mapped[dict[str, Any]] = mapped_column(Json, default=dict)
    state: Mapped[str] = mapped_column(String(10), default="queued")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    sent_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    # a person's verdict (state acknowledged or dismissed): who, when, why
    closed_by: Mapped[str | None] = mapped_column(String(200))
    closed_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    close_reason: Mapped[str | None] = mapped_column(Text)


class Account(Base):
    """A person who may open the dashboard: a role, and the region-code prefixes they see (none: all)."""

    __tablename__ = "account"
    __table_args__ = (CheckConstraint(_one_of("role", ROLES), name="role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(10))
    regions: Mapped[list[str]] = mapped_column(Json, default=list)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)
    # sessions issued before this moment are void: a new password logs every browser out
    password_changed_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow)


class AuditEntry(Base):
    """Who did what to the archive from the dashboard: reviews, corrections, alerts closed.

    `region` is the agency's region code when it was done, so that a county's supervisor sees the
    county's entries without a join, and an entry outlives the row it names.
    """

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(100))
    action: Mapped[str] = mapped_column(String(40))
    region: Mapped[str | None] = mapped_column(String(12), index=True)
    report_id: Mapped[int | None] = mapped_column(ForeignKey("report.id", ondelete="SET NULL"), index=True)
    detail: Mapped[dict[str, Any]] = mapped_column(Json, default=dict)


class Job(Base):
    """A job handed to the workers in distributed mode (jobs/): what it is, where it stands, what went wrong.

    The broker holds the messages; this table holds what a person and the scheduler ask about them: which
    jobs failed (`xxgk status --workers`), which portals already have a crawl queued or running (so that a
    scheduler taking over does not enqueue them again), and which jobs a `monitor --once` waits for (`root`).
    """

    __tablename__ = "job"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # the Celery task id
    kind: Mapped[str] = mapped_column(String(10))  # crawl | parse | ocr
    state: Mapped[str] = mapped_column(String(10), index=True)  # queued | running | retrying | done | failed
    subject: Mapped[dict[str, Any]] = mapped_column(Json, default=dict)  # portals, a document's URL, a report id
    root: Mapped[str | None] = mapped_column(String(64), index=True)  # the job whose work this continues
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    worker: Mapped[str | None] = mapped_column(String(255))
    error: Mapped[str | None] = mapped_column(Text)
    enqueued_at: Mapped[dt.datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)
    started_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)


class Snapshot(Base):
    """A document's bytes in the database itself (`XXGK_SNAPSHOTS=database`), gzip-compressed and keyed by
    their sha256: for workers on several machines, which share the database and no folder."""

    __tablename__ = "snapshot"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    data: Mapped[bytes] = mapped_column(LargeBinary)
