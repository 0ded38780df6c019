"""The one Celery application: its delivery semantics, queues and routes (docs/deploy.md says why each).

Workers, the scheduler and the crawl processes that hand documents to the parse queue all configure it
from the same settings (`configure`), so a message means the same thing wherever it is made or taken.
"""

from __future__ import annotations

from typing import Any

from celery import Celery

from jobs.config import JOB_TIME_LIMIT_S, TASKS, JobSettings

app = Celery("xxgk", set_as_current=False)
app.conf.update(
    # late acknowledgement: a job is taken off the queue only when it is done, and a worker process that dies
    # (SIGKILL, the OOM killer) hands its job back at once instead of acknowledging it
    task_acks_late=True,
    task_reject_on_worker_lost=True,
    task_acks_on_failure_or_timeout=True,  # a job that failed for good is not delivered again and again
    worker_prefetch_multiplier=1,  # no process holds a message it is not working on
    task_ignore_result=True,  # what a job did is in the archive and the `job` table, not in a result backend
    task_serializer="json",
    accept_content=["json"],
    task_default_queue="parse",
    task_routes={name: {"queue": kind} for kind, name in TASKS.items()},
    task_time_limit=JOB_TIME_LIMIT_S,  # parse and OCR; a crawl's child process has its own hard timeout
    broker_connection_retry_on_startup=True,
    broker_connection_max_retries=None,  # a broker restarted is waited for, never given up on
    task_publish_retry=True,
    task_publish_retry_policy={"max_retries": 60, "interval_start": 0.5, "interval_step": 1, "interval_max": 5},
    worker_cancel_long_running_tasks_on_connection_loss=False,
    worker_task_log_format="%(asctime)s %(levelname)s %(processName)s [%(task_name)s job=%(task_id)s] %(message)s",
    worker_log_format="%(asctime)s %(levelname)s %(processName)s %(message)s",
    broker_heartbeat=60,
)


def configure(settings: JobSettings) -> Celery:
    """The application bound to this deployment's broker and archive."""
    transport: dict[str, Any] = {}
    if settings.broker_url.startswith(("redis", "rediss")):
        transport = {
            # longer than the longest job: Redis hands a message nobody acknowledged to another worker after it
            "visibility_timeout": settings.visibility_timeout,
            # how often a worker looks for such messages (every restore call scans)
            "unacked_restore_interval": max(1, min(60, int(settings.visibility_timeout / 10))),
            "unacked_restore_throttle": 1,
            "socket_timeout": 30,
            "socket_connect_timeout": 10,
            "health_check_interval": 10,
        }
    if app.conf.get("xxgk_settings") not in (None, settings):
        _forget_connections()  # another deployment in the same process (the tests, a benchmark)
    app.conf.update(
        broker_url=settings.broker_url,
        broker_transport_options=transport,
        task_queues=None,
        task_create_missing_queues=True,
        xxgk_database_url=settings.database_url,
        xxgk_settings=settings,
    )
    import jobs.tasks  # noqa: F401, PLC0415 - registers the tasks on the application

    return app


def _forget_connections() -> None:
    """Drop the pooled broker connections, so that the next message goes to the broker configured now."""
    pool = app._pool  # noqa: SLF001 - Celery keeps its connection pools here, and has no public way to reset them
    if pool is not None:
        pool.force_close_all()
    app._pool = None  # noqa: SLF001
    app.amqp._producer_pool = None  # noqa: SLF001
