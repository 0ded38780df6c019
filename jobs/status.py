"""What `xxgk status --workers` shows: each queue's depth (the broker), the workers alive and what they run
(Celery's remote control), and the jobs' states, the failed ones first (the `job` table)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from celery import Celery

from jobs import ledger
from jobs.config import QUEUES
from store.db import Archive

FAILED_DAYS = 7


@dataclass(slots=True)
class Overview:
    queues: dict[str, dict[str, int]] = field(default_factory=dict)  # queue → waiting (broker), and job states
    workers: list[dict[str, Any]] = field(default_factory=list)
    failed: list[dict[str, Any]] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"queues": self.queues, "workers": self.workers, "failed": self.failed}


def queue_depths(app: Celery) -> dict[str, int]:
    """Messages waiting in each queue (taken but unfinished ones are the workers' `active`)."""
    depths = {}
    with app.connection_for_read() as conn:
        conn.ensure_connection(max_retries=1)
        for name in QUEUES:
            channel = conn.channel()  # a passive declare of a queue not made yet closes an AMQP channel
            try:
                depths[name] = int(channel.queue_declare(queue=name, passive=True).message_count)
            except conn.channel_errors:
                depths[name] = 0
            finally:
                channel.close()
    return depths


def workers(app: Celery, timeout: float = 2.0) -> list[dict[str, Any]]:
    """Each worker that answers within `timeout`: its name, queues and the jobs it is running."""
    inspect = app.control.inspect(timeout=timeout)
    active = inspect.active() or {}
    queues = inspect.active_queues() or {}
    names = sorted(set(active) | set(queues))
    return [{
        "name": name,
        "queues": sorted(q["name"] for q in queues.get(name, [])),
        "active": [{"id": job["id"], "kind": str(job.get("name", "")).removeprefix("xxgk."),
                    "args": job.get("kwargs", {}).get("portals") or job.get("kwargs", {}).get("report_id")
                    or [d.get("url") for d in job.get("kwargs", {}).get("documents") or []]}
                   for job in active.get(name, [])],
    } for name in names]


def overview(app: Celery, archive: Archive) -> Overview:
    states = ledger.states(archive)
    depths = queue_depths(app)
    since = dt.datetime.now(dt.UTC) - dt.timedelta(days=FAILED_DAYS)
    failed = [{"id": job.id, "kind": job.kind, "subject": job.subject, "attempts": job.attempts,
               "worker": job.worker, "error": job.error,
               "finished_at": job.finished_at.isoformat() if job.finished_at else None}
              for job in ledger.failed(archive, since)]
    queues = {}
    for name in QUEUES:
        counts = states.get(name) or Counter()
        queues[name] = {"waiting": depths.get(name, 0),
                        **{state: counts[state] for state in ("running", "retrying", "done", "failed")}}
    return Overview(queues, workers(app), failed)
