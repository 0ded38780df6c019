"""`xxgk worker`: a Celery worker of this deployment, on the queues asked for.

Processes are forked (prefork): a job that kills its process (a native parser's crash, the OOM killer)
is handed back to the broker (`reject_on_worker_lost`) and the pool starts a new process. The archive's
schema is checked before any job is taken: a worker of older code refuses a newer archive.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Sequence

from jobs.app import configure
from jobs.config import JobSettings
from store.db import Archive


def run(settings: JobSettings, queues: Sequence[str], concurrency: int, name: str | None = None) -> None:
    with Archive.open(settings.database_url):  # creates the schema in an empty database, refuses an outdated one
        pass
    app = configure(settings)
    hostname = name or f"xxgk-{os.getpid()}@{socket.gethostname()}"
    app.worker_main([
        "worker", "--queues", ",".join(queues), "--concurrency", str(concurrency), "--hostname", hostname,
        "--loglevel", "INFO", "--without-mingle", "--without-gossip", "--pool", "prefork",
    ])
