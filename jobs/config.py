"""What distributed mode needs from the settings, checked once: a broker, PostgreSQL, shared snapshots.

SQLite with a broker is refused by config.settings itself; here the job-specific rules: snapshots every
machine can reach (the database, or a folder every machine mounts at the same absolute path), and a
visibility timeout longer than the longest job, without which Redis would hand a running crawl to a
second worker.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from catalogue.cli import say
from config.settings import Settings, SettingsError
from store.snapshots import IN_DATABASE

QUEUES: Final = ("crawl", "parse", "ocr")
TASKS: Final = {"crawl": "xxgk.crawl", "parse": "xxgk.parse", "ocr": "xxgk.ocr"}
# a crawl's hard timeout (the registry's monitor.crawl_timeout) must end well before the broker would hand its
# message to another worker; parsing and OCR of one document are bounded by JOB_TIME_LIMIT_S
VISIBILITY_TIMEOUT_S: Final = 3 * 3600
VISIBILITY_MARGIN_S: Final = 600
JOB_TIME_LIMIT_S: Final = 1800
BACKOFF_S: Final = 30  # first retry after an operational failure; doubled each time, at most BACKOFF_MAX_S
BACKOFF_MAX_S: Final = 1800
RETRIES: Final = 6
# portals per crawl job: a crawl process costs about 2 CPU-seconds to start (imports, Scrapy's engine), 4 % of what
# 50 portals' crawl and parsing cost; the hosts of a batch are crawled side by side, so a batch takes about as
# long as its slowest portal
BATCH: Final = 50
PARSE_BATCH: Final = 8  # documents per parse job (jobs.dispatch)
PARSE_WAIT_S: Final = 1.0  # the longest a fetched document waits for its batch to fill


@dataclass(frozen=True, slots=True)
class JobSettings:
    broker_url: str
    database_url: str
    visibility_timeout: float = VISIBILITY_TIMEOUT_S
    backoff: float = BACKOFF_S
    log_dir: str | None = None

    @property
    def longest_crawl(self) -> float:
        """The longest crawl timeout a job may have: the rest of the visibility timeout is the margin."""
        return self.visibility_timeout - min(VISIBILITY_MARGIN_S, self.visibility_timeout / 4)


def job_settings(settings: Settings, env: Mapping[str, str] | None = None) -> JobSettings:
    """The settings of distributed mode, or a SettingsError saying in one line what is missing."""
    env = os.environ if env is None else env
    if not settings.broker_url:
        raise SettingsError(say("jobs.no_broker"))
    snapshots = env.get("XXGK_SNAPSHOTS", "")
    if snapshots != IN_DATABASE and not Path(snapshots).is_absolute():
        raise SettingsError(say("jobs.snapshots_local"))
    return JobSettings(
        broker_url=settings.broker_url, database_url=settings.database_url,
        visibility_timeout=_seconds(env, "XXGK_JOB_VISIBILITY", VISIBILITY_TIMEOUT_S),
        backoff=_seconds(env, "XXGK_JOB_BACKOFF", BACKOFF_S),
        log_dir=env.get("XXGK_LOG_DIR"),
    )


def _seconds(env: Mapping[str, str], name: str, default: float) -> float:
    raw = env.get(name)
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if value <= 0:
        raise SettingsError(say("jobs.bad_seconds", name=name, value=repr(raw)))
    return value
