"""The schedule: crawl cadence by season or cron, the morning-after-deadline sweep, what --once finds due, and one
scheduler process with its jobs in the archive's database that stops cleanly on SIGTERM."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import yaml
from conftest import SEEDS
from sqlalchemy import func, select

from alerts.health import PortalRun
from alerts.schedule import (
    JOB_TABLE,
    Context,
    ScheduleError,
    _job_folder,
    crawl_trigger,
    due_portals,
    job_read,
    sweep_trigger,
    sync_agencies,
)
from alerts.schedule import crawl as schedule_crawl
from config.registry import Registry, load_registry
from config.settings import CHINA
from crawler.jobdir import lock_job
from sim.testing import running_sim
from store.db import Archive
from store.ingest import Source, ingest
from store.models import Alert, CrawlRun
from xxgk.cli import main

PORTAL = {"id": "xx", "name": "湘乡市人民政府门户网站", "base_url": "http://xx.example.cn/"}


def registry(portal: dict[str, object] | None = None, **extra: object) -> Registry:
    return Registry.model_validate({"portals": [PORTAL | (portal or {})], **extra})


def fires_on(trigger: object, day: dt.date) -> bool:
    start = dt.datetime.combine(day, dt.time(), CHINA)
    fire = trigger.get_next_fire_time(None, start)  # type: ignore[attr-defined]
    return fire is not None and fire < start + dt.timedelta(days=1)


def days_fired(trigger: object, first: dt.date, last: dt.date) -> list[dt.date]:
    days = [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]
    return [d for d in days if fires_on(trigger, d)]


def test_portals_are_crawled_daily_until_15_april_then_weekly() -> None:
    reg = registry()
    trigger = crawl_trigger(reg, reg.portals[0])
    assert len(days_fired(trigger, dt.date(2026, 1, 1), dt.date(2026, 4, 15))) == 105
    assert days_fired(trigger, dt.date(2026, 4, 16), dt.date(2026, 5, 10)) == [
        dt.date(2026, 4, 20), dt.date(2026, 4, 27), dt.date(2026, 5, 4)]
    fire = trigger.get_next_fire_time(None, dt.datetime(2026, 1, 10, tzinfo=CHINA))
    assert fire == dt.datetime(2026, 1, 10, 6, 0, tzinfo=CHINA)


def test_a_cron_in_the_registry_replaces_the_default() -> None:
    reg = registry({"crawl": "30 22 * * fri"}, monitor={"crawl": "0 3 * * *"})
    own = crawl_trigger(reg, reg.portals[0])
    assert days_fired(own, dt.date(2026, 1, 1), dt.date(2026, 1, 14)) == [dt.date(2026, 1, 2), dt.date(2026, 1, 9)]
    shared = registry(monitor={"crawl": "0 3 1 * *"})
    assert days_fired(crawl_trigger(shared, shared.portals[0]), dt.date(2026, 1, 1), dt.date(2026, 3, 5)) == [
        dt.date(2026, 1, 1), dt.date(2026, 2, 1), dt.date(2026, 3, 1)]


def test_a_cron_the_scheduler_cannot_use_names_the_portal() -> None:
    reg = registry({"crawl": "99 * * * *"})
    with pytest.raises(ScheduleError, match="门户 xx：抓取时间表 '99 \\* \\* \\* \\*' 有误"):
        crawl_trigger(reg, reg.portals[0])


def test_deadline_sweeps_run_the_morning_after_each_deadline() -> None:
    trigger = sweep_trigger(registry(deadlines=[{"regions": ["4303"], "deadline": "02-20"}]))
    after = [dt.datetime(2026, 1, 20, tzinfo=CHINA)]
    for _ in range(3):
        after.append(trigger.get_next_fire_time(None, after[-1] + dt.timedelta(minutes=1)))
    assert after[1:] == [dt.datetime(2026, m, d, 7, 0, tzinfo=CHINA) for m, d in ((2, 1), (2, 21), (4, 1))]


def run(n: int, started: dt.datetime) -> PortalRun:
    return PortalRun(n, started, started.date(), {"list_pages": 1})


def test_what_is_due_on_a_date() -> None:
    reg = registry({"crawl": "0 6 * * mon"})
    triggers = {"xx": crawl_trigger(reg, reg.portals[0])}
    monday, tuesday = dt.datetime(2026, 5, 4, 9, tzinfo=CHINA), dt.datetime(2026, 5, 5, 9, tzinfo=CHINA)
    assert due_portals(triggers, {}, tuesday) == ["xx"]  # never crawled
    assert due_portals(triggers, {"xx": [run(1, monday)]}, tuesday) == []
    assert due_portals(triggers, {"xx": [run(1, tuesday)]}, monday + dt.timedelta(weeks=1)) == ["xx"]
    # a crawl missed while the monitor was down is caught up whatever the day
    assert due_portals(triggers, {"xx": [run(1, monday - dt.timedelta(weeks=2))]}, tuesday) == ["xx"]


def test_as_of_without_once_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["monitor", "--as-of", "2026-02-02"]) == 2
    assert "--as-of 只能与 --once 一起使用" in capsys.readouterr().err


def test_once_on_an_empty_registry(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("XXGK_SMTP_HOST", raising=False)
    (tmp_path / "registry.yaml").write_text("portals: []\n", encoding="utf-8")
    code = main(["monitor", "--once", "--as-of", "2026-02-02", "--db", f"sqlite:///{tmp_path / 'm.sqlite3'}",
                 "--registry", str(tmp_path / "registry.yaml"), "--json"])
    captured = capsys.readouterr()
    assert code == 0
    assert '"crawled": []' in captured.out
    assert "未配置发信服务器（SMTP）：0 条提醒仍在待发送队列中" in captured.err


def _scanned_report_found(tmp_path: Path) -> str:
    """An archive holding a scanned report found unread (its agency's portal disabled: no crawl); its URL."""
    (tmp_path / "registry.yaml").write_text(yaml.safe_dump({"portals": [PORTAL | {
        "enabled": False, "agencies": [{"name": "某县民政局", "level": "department", "region": "430381"}]}]},
        allow_unicode=True), encoding="utf-8")
    db = f"sqlite:///{tmp_path / 'm.sqlite3'}"
    with Archive.open(db) as archive:  # a text the parser reads stands for an image OCR reads
        sync_agencies(archive, load_registry(tmp_path / "registry.yaml"))
        ingest(archive, Source(data=SEEDS[2].read_bytes(), name="002.txt", url="http://x.example.cn/2024.png",
                               agency="某县民政局", year=2024, reading="unread", reading_note="image",
                               title="某县民政局2024年政府信息公开工作年度报告（图片版）",
                               dates={"list": dt.date(2025, 1, 20)}, new_agency=False))
    return db


def test_once_reads_the_page_images_before_it_sweeps(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """A scanned report found unread is read (OCR) in the run, and what it says is queued in that same run."""
    monkeypatch.delenv("XXGK_SMTP_HOST", raising=False)
    db = _scanned_report_found(tmp_path)
    code = main(["monitor", "--once", "--as-of", "2025-02-02", "--db", db,
                 "--registry", str(tmp_path / "registry.yaml"), "--json"])
    out = json.loads(capsys.readouterr().out)
    assert code == 0
    assert out["ocr"] == {"read": 1, "unreadable": 0, "left": 0}
    assert out["queued"].get("inconsistent_report") == 1  # seed 002's tables do not add up


def test_the_scheduled_reading_sweeps_what_it_read(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The scheduler's OCR job queues what a scanned report says at once, not at the portal's next crawl."""
    monkeypatch.delenv("XXGK_SMTP_HOST", raising=False)
    db = _scanned_report_found(tmp_path)
    job_read(Context(db, str(tmp_path / "registry.yaml")))
    with Archive.open(db) as archive, archive.read() as session:
        assert list(session.scalars(select(Alert.kind))) == ["inconsistent_report"]
    job_read(Context(db, str(tmp_path / "registry.yaml")))  # nothing left to read: nothing more
    with Archive.open(db) as archive, archive.read() as session:
        assert session.scalar(select(func.count()).select_from(Alert)) == 1


def _jobs(db: Path) -> list[str]:
    with sqlite3.connect(db) as conn:
        return sorted(row[0] for row in conn.execute(f"SELECT id FROM {JOB_TABLE}"))


class _Monitor:
    """`xxgk monitor` as its own process, with its log read as it comes."""

    def __init__(self, tmp_path: Path, *options: str) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith("XXGK_")}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "xxgk.cli", "monitor", "--db", f"sqlite:///{tmp_path / 'm.sqlite3'}",
             "--registry", str(tmp_path / "registry.yaml"), "--log-dir", str(tmp_path / "logs"), *options],
            stderr=subprocess.PIPE, text=True, env=env,
        )
        self.lines: list[str] = []
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self) -> None:
        assert self.process.stderr is not None
        self.lines.extend(self.process.stderr)

    def wait_for(self, text: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while not any(text in line for line in self.lines):
            assert self.process.poll() is None, "".join(self.lines)
            assert time.monotonic() < deadline, f"no {text!r} in the log: {''.join(self.lines)}"
            time.sleep(0.1)

    def stop(self) -> tuple[int, str]:
        self.process.send_signal(signal.SIGTERM)
        code = self.process.wait(timeout=30)
        self.reader.join(timeout=10)
        return code, "".join(self.lines)


def test_the_scheduler_keeps_its_jobs_in_the_database_and_stops_on_sigterm(tmp_path: Path) -> None:
    (tmp_path / "registry.yaml").write_text("portals: []\n", encoding="utf-8")
    for _ in range(2):  # a restart replaces the jobs instead of adding them again
        monitor = _Monitor(tmp_path)
        monitor.wait_for("Removed job start-up")  # the catch-up job has run: the scheduler is up
        assert _jobs(tmp_path / "m.sqlite3") == ["digest:daily", "digest:immediate", "digest:weekly", "ocr", "sweep"]
        code, log = monitor.stop()
        assert code == 0, log
        assert "stopping the scheduler" in log
        assert "Traceback" not in log


def _crawl_processes(database: str) -> list[int]:
    """Crawl children (`python -m crawler.run … --db …database…`) still alive."""
    found = []
    for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
        try:
            words = cmdline.read_bytes()
        except OSError:
            continue
        if b"crawler.run" in words and database.encode() in words:
            found.append(int(cmdline.parent.name))
    return found


def test_sigterm_ends_a_running_crawl_too(tmp_path: Path) -> None:
    with running_sim(portals=1, seed=1, fault_plan={0: "timeout"}) as sim:
        (tmp_path / "registry.yaml").write_bytes(sim.registry_path.read_bytes())
        monitor = _Monitor(tmp_path, "--crawl-setting", "DOWNLOAD_TIMEOUT=120", "--crawl-setting", "RETRY_TIMES=0")
        monitor.wait_for('Running job "crawl ')  # the portal was never crawled: the catch-up crawls it at once
        database = str(tmp_path / "m.sqlite3")
        deadline = time.monotonic() + 30
        while not (crawls := _crawl_processes(database)) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert crawls, "the crawl child should be running"
        time.sleep(2)  # well into the crawl: its requests hang on the portal
        started = time.monotonic()
        code, log = monitor.stop()
        assert code == 0, log
        assert time.monotonic() - started < 60  # the crawl's requests would hang 120 s: it was stopped, not waited for
        assert _crawl_processes(database) == []


def test_a_crawl_whose_job_folder_another_process_holds_is_not_started_nor_recorded(tmp_path: Path) -> None:
    """The same portals' last crawl still running (its child holds the job folder): no crash on record."""
    reg = registry()
    path = tmp_path / "registry.yaml"
    path.write_text("portals: []\n", encoding="utf-8")
    context = Context(database_url=f"sqlite:///{tmp_path / 'm.sqlite3'}", registry=str(path), log_dir=str(tmp_path))
    held = lock_job(str(_job_folder(tmp_path, context.registry, ["xx"])))
    try:
        with Archive.open(context.database_url) as archive:
            error = schedule_crawl(context, archive, reg, ["xx"], dt.date(2026, 2, 1))
            with archive.read() as session:
                runs = session.scalar(select(func.count()).select_from(CrawlRun))
    finally:
        os.close(held)
    assert error is not None
    assert "正被另一个抓取进程使用" in error
    assert runs == 0
