"""The `job` table: each job's state as the workers report it, for people and for the scheduler.

The broker decides who runs what; this table only tells. A row is written just after its message is
sent, so a sender that dies in between (a crawl process killed mid-crawl, a scheduler) never leaves a
`queued` row that no message will finish; a worker that takes the message first makes the row itself.
A worker that dies leaves its row `running` until the job, delivered again, starts over (its `attempts`
then count both).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any, Final

from sqlalchemy import ColumnElement, delete, func, select, update

from store.db import Archive
from store.models import Job, utcnow
from store.sql import dialect_insert

UNFINISHED: Final = ("queued", "running", "retrying")


def enqueued(archive: Archive, job_id: str, kind: str, subject: Mapping[str, Any], root: str | None, *,
             error: str | None = None) -> None:
    """The job's message was sent (or, with `error`, could not be): a row a worker already made is kept."""
    now = utcnow()
    with archive.write_rows() as conn:
        stmt = dialect_insert(conn.dialect.name, Job).values(
            id=job_id, kind=kind, state="failed" if error else "queued", subject=dict(subject), root=root, attempts=0,
            error=error, enqueued_at=now, finished_at=now if error else None)
        conn.execute(stmt.on_conflict_do_nothing(index_elements=["id"]))


def started(archive: Archive, job_id: str, kind: str, worker: str, subject: Mapping[str, Any],
            root: str | None = None) -> None:
    """The job runs (again): a row not written yet (or lost) is made, so that every job run is seen."""
    now = utcnow()
    with archive.write_rows() as conn:
        stmt = dialect_insert(conn.dialect.name, Job).values(
            id=job_id, kind=kind, state="running", subject=dict(subject), root=root, attempts=1, worker=worker,
            enqueued_at=now, started_at=now)
        conn.execute(stmt.on_conflict_do_update(index_elements=["id"], set_={
            "state": "running", "attempts": Job.attempts + 1, "worker": worker, "started_at": now, "error": None}))


def ended(archive: Archive, job_id: str, state: str, error: str | None = None) -> None:
    """`done`, `failed` (for good) or `retrying` (sent back to the queue with a delay)."""
    finished = utcnow() if state in {"done", "failed"} else None
    with archive.write_rows() as conn:
        conn.execute(update(Job).where(Job.id == job_id).values(state=state, error=error, finished_at=finished))


def pending(archive: Archive, kind: str) -> list[dict[str, Any]]:
    """The subjects of the jobs of one kind not finished yet (queued, running, waiting for a retry)."""
    with archive.read() as session:
        return list(session.scalars(select(Job.subject).where(Job.kind == kind, Job.state.in_(UNFINISHED))))


def unfinished(archive: Archive, roots: Iterable[str]) -> int:
    """How many of these jobs, and of the jobs they led to, are not finished."""
    ids = list(roots)
    if not ids:
        return 0
    with archive.read() as session:
        return int(session.scalar(select(func.count()).select_from(Job)
                                  .where(_led_by(ids), Job.state.in_(UNFINISHED))) or 0)


def subjects(archive: Archive, roots: Iterable[str], kind: str) -> list[dict[str, Any]]:
    """The subjects of the jobs of one kind among these jobs and the jobs they led to."""
    ids = list(roots)
    if not ids:
        return []
    with archive.read() as session:
        return list(session.scalars(select(Job.subject).where(_led_by(ids), Job.kind == kind)))


def _led_by(ids: list[str]) -> ColumnElement[bool]:
    """These jobs, and the jobs they led to (their `root`)."""
    return Job.id.in_(ids) | Job.root.in_(ids)


def states(archive: Archive) -> dict[str, Counter[str]]:
    """kind → state → how many jobs."""
    out: dict[str, Counter[str]] = {}
    with archive.read() as session:
        for kind, state, n in session.execute(select(Job.kind, Job.state, func.count()).group_by(Job.kind, Job.state)):
            out.setdefault(kind, Counter())[state] = int(n)
    return out


def failed(archive: Archive, since: dt.datetime, limit: int = 50) -> list[Job]:
    with archive.read() as session:
        return list(session.scalars(select(Job).where(Job.state == "failed", Job.finished_at >= since)
                                    .order_by(Job.finished_at.desc()).limit(limit)))


def prune(archive: Archive, before: dt.datetime) -> int:
    """Forget finished jobs older than `before` (failed ones too: a person has had the time to look)."""
    with archive.write() as session:
        result = session.execute(delete(Job).where(Job.state.in_(("done", "failed")), Job.finished_at < before))
        return int(getattr(result, "rowcount", 0) or 0)
