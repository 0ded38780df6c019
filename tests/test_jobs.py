"""Distributed mode against real services: PostgreSQL, Redis, RabbitMQ and `xxgk worker` processes.

One small simulated world (four portals, one of each CMS family the crawler reaches without a browser) is
crawled once in one process into a reference archive; every distributed run of it must give the same
archive: every report of the truth, each stored once (one version), whatever the workers went through.
Four workers crawl it once for several tests (every report once, politeness across workers); a worker
killed mid-crawl, a broker restarted and RabbitMQ each get a run of their own, and `monitor --once` a world
of one portal with picture reports (its count of what OCR read). Two runs put the workers in
network namespaces of their own, reaching the broker, the archive and the portals over a veth as other
machines would (tests/netns_fixtures.py; skipped where `ip netns` is not permitted). Waits poll the job
table; their limits only bound a failure.
"""

from __future__ import annotations

import datetime as dt
import gc
import json
import os
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from jobs_fixtures import (  # noqa: F401 - fixtures
    FAST,
    ROOT,
    Deployment,
    Redis,
    deployment,
    pg_database,
    rabbitmq_vhost,
    redis,
    redis_server,
)
from netns_fixtures import Namespace, namespace
from sqlalchemy import create_engine, text

from alerts.schedule import sync_agencies
from config.registry import Registry, load_registry
from config.settings import Settings, SettingsError
from crawler.run import crawl
from crawler.settings import CONCURRENT_REQUESTS_PER_DOMAIN
from jobs import enqueue, ledger
from jobs.app import configure
from jobs.config import JobSettings
from jobs.locks import Leadership, hosts_locked
from sim.score import score_archive
from sim.server import Simulator
from sim.testing import SimHandle, running_sim
from store.db import Archive
from store.reading import unread_reports

AS_OF = dt.date(2026, 6, 1)
WAIT_S = 300.0  # bounds a failure only: a run here takes well under a minute
KILL_VISIBILITY_S = 40.0  # the redelivery test's: a one-portal crawl (about 15 s here) fits in 0.7 of it
SLOW = {**FAST, "DOWNLOAD_DELAY": 0.1}  # the redelivery test's crawls: long enough to be caught in the middle
AGES_AGO = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


@pytest.fixture
def two_machines() -> Iterator[tuple[Namespace, Namespace]]:
    """Two network namespaces, each joined to this machine by a veth (tests/netns_fixtures.py)."""
    with namespace() as first, namespace() as second:
        yield first, second


@pytest.fixture(scope="module")
def world() -> Iterator[SimHandle]:
    with running_sim(portals=4, seed=5, as_of=AS_OF, rate_limit=50) as sim:
        yield sim


def portals(registry: Registry) -> list[str]:
    return [p.id for p in registry.portals if p.fetcher != "browser"]


def view(url: str) -> list[tuple[Any, ...]]:
    """The archive as a comparison sees it: each report with its reading, dates and current content."""
    engine = create_engine(url)
    with engine.connect() as conn:
        rows = conn.execute(text(
            "SELECT a.name, r.year, r.url, r.reading, r.published, r.current_version, v.content_hash,"
            " (SELECT count(*) FROM report_version w WHERE w.report_id = r.id)"
            " FROM report r JOIN agency a ON a.id = r.agency_id"
            " JOIN report_version v ON v.report_id = r.id AND v.number = r.current_version")).all()
    engine.dispose()
    return sorted(tuple(row) for row in rows)


@pytest.fixture(scope="module")
def reference(world: SimHandle, tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[tuple[Any, ...]]]:
    """The world crawled in one process, today's way, into PostgreSQL."""
    tmp = tmp_path_factory.mktemp("reference")
    registry = load_registry(world.registry_path)
    with pg_database() as url, pytest.MonkeyPatch.context() as mp:
        mp.setenv("XXGK_SNAPSHOTS", "database")
        crawl(str(world.registry_path), portals=portals(registry), as_of=AS_OF.isoformat(), db=url,
              settings={**FAST, "XXGK_OCR": False}, timeout=600, log=(tmp / "crawl.log").open("w"))
        yield view(url)


def start(setup: Deployment, world: SimHandle, monkeypatch: pytest.MonkeyPatch, *, batch: int = 2,
          repeat: int = 1, settings: dict[str, Any] | None = None) -> tuple[Archive, list[str]]:
    """Enqueue the world's crawls (each portal `repeat` times, in different batches) as the scheduler would."""
    setup.apply(monkeypatch)
    registry = load_registry(world.registry_path)
    app = configure(JobSettings(setup.broker_url, setup.database_url, visibility_timeout=setup.visibility))
    archive = Archive.open(setup.database_url)
    sync_agencies(archive, registry)
    ids: list[str] = []
    wanted = portals(registry)
    for round_ in range(repeat):
        order = wanted[round_:] + wanted[:round_]  # the same portals, batched differently
        for chunk in (order[i:i + batch] for i in range(0, len(order), batch)):
            sub = enqueue.sub_registry(registry, chunk)
            sub.setdefault("monitor", {})["crawl_timeout"] = setup.visibility * 0.7  # what the rule allows
            ids.append(enqueue.enqueue(app, archive, "crawl", {
                "portals": chunk, "registry": sub, "as_of": AS_OF.isoformat(), "settings": settings or FAST}, {"portals": chunk}))
    return archive, ids


def finish(archive: Archive) -> None:
    """Until every crawl and parse job is finished (the OCR jobs they led to wait for an OCR worker)."""
    deadline = time.monotonic() + WAIT_S
    while _unfinished(archive):
        if time.monotonic() > deadline:
            pytest.fail(f"jobs unfinished after {WAIT_S:.0f} s:\n{_job_table(archive)}")
        time.sleep(0.5)
    failed = [(j.kind, j.subject, j.error) for j in ledger.failed(archive, AGES_AGO) if j.kind != "ocr"]
    if failed:
        pytest.fail(f"failed jobs: {failed}")


def _unfinished(archive: Archive) -> int:
    states = ledger.states(archive)
    return sum(states.get(kind, Counter())[state] for kind in ("crawl", "parse") for state in ledger.UNFINISHED)


def _job_table(archive: Archive) -> str:
    """The crawl jobs and the unfinished others, one a line: what a failure message shows."""
    with archive.engine.connect() as conn:
        rows = conn.execute(text(
            "SELECT kind, state, attempts, worker, subject, error FROM job"
            " WHERE kind = 'crawl' OR state <> 'done' ORDER BY kind, enqueued_at")).all()
    return "\n".join(" | ".join(str(v) for v in row) for row in rows)


def assert_same_archive(setup: Deployment, world: SimHandle, reference: list[tuple[Any, ...]]) -> None:
    got = view(setup.database_url)
    missing = [row for row in reference if row not in got]
    extra = [row for row in got if row not in reference]
    assert (missing, extra) == ([], [])
    twice = [row for row in got if row[-1] != 1]
    assert twice == []  # one version each: nothing stored twice
    registry = load_registry(world.registry_path)
    mine = {a.name for p in registry.portals if p.id in portals(registry) for a in p.agencies}
    truth = {**world.truth, "reports": [r for r in world.truth["reports"] if r["agency"] in mine]}
    score = score_archive(truth, {row[2]: (row[0], row[1]) for row in got}, mine)
    assert (score.stored, score.misfiled) == (score.expected, [])


@dataclass
class SharedRun:
    """Four workers' crawl of the world, each portal's crawl enqueued twice in other batches."""

    setup: Deployment
    archive: Archive
    most_in_flight: dict[str, int]


@pytest.fixture(scope="module")
def four_workers(world: SimHandle, reference: list[tuple[Any, ...]],
                 tmp_path_factory: pytest.TempPathFactory) -> Iterator[SharedRun]:
    """The one distributed crawl several tests look at; the host locks make a portal's second crawl wait."""
    del reference  # made first: the simulator's request counters below are this run's alone
    server = _simulator(world)
    with redis_server(tmp_path_factory.mktemp("redis")) as broker, deployment(broker.url) as setup, \
            pytest.MonkeyPatch.context() as mp:
        setup.workers_ready({"a": "crawl,parse", "b": "crawl,parse", "c": "crawl", "d": "crawl"})
        server.most_in_flight.clear()
        archive, _ = start(setup, world, mp, batch=2, repeat=2)
        finish(archive)
        yield SharedRun(setup, archive, dict(server.most_in_flight))
        archive.close()


def test_workers_store_every_report_once(world: SimHandle, reference: list[tuple[Any, ...]],
                                         four_workers: SharedRun) -> None:
    archive = four_workers.archive
    states = ledger.states(archive)
    assert set(states["crawl"]) == {"done"}
    assert set(states["parse"]) == {"done"}
    with archive.engine.connect() as conn:
        crawlers = set(conn.execute(text("SELECT DISTINCT worker FROM job WHERE kind = 'crawl'")).scalars())
    assert len(crawlers) >= 2  # the crawls were spread over workers
    assert_same_archive(four_workers.setup, world, reference)


def test_workers_on_two_machines_store_every_report_once(world: SimHandle, reference: list[tuple[Any, ...]],
                                                         redis: Redis, two_machines: tuple[Namespace, Namespace],  # noqa: F811
                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """Two workers, each in a network namespace of its own, reach the broker, the archive and the portals only
    over their veth; both crawl, and every report is stored once."""
    with deployment(redis.url) as setup:
        setup.workers_ready({"east": "crawl,parse", "west": "crawl,parse"},
                            where={"east": two_machines[0], "west": two_machines[1]})
        archive, _ = start(setup, world, monkeypatch, batch=1)
        finish(archive)
        with archive.engine.connect() as conn:
            crawlers = set(conn.execute(text("SELECT DISTINCT worker FROM job WHERE kind = 'crawl'")).scalars())
        assert crawlers == {"east@test", "west@test"}
        assert_same_archive(setup, world, reference)
        for machine in two_machines:  # each worker's connections came through its own veth
            assert machine.forwarded(setup.database_url) > 0
            assert machine.forwarded(redis.url) > 0
        archive.close()


def test_politeness_holds_across_four_workers(four_workers: SharedRun) -> None:
    """Every portal's crawl was enqueued twice, for four workers: the host locks made the second wait, so the
    simulator never saw more requests at once on a portal than one crawl's per-host limit."""
    busiest = max(four_workers.most_in_flight.values())
    assert 1 <= busiest <= CONCURRENT_REQUESTS_PER_DOMAIN


def test_a_killed_worker_s_job_runs_again_and_stores_once(world: SimHandle, reference: list[tuple[Any, ...]],
                                                           redis: Redis, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    """SIGKILL of a worker's whole process group in the middle of a crawl: Redis hands the job to the survivor
    after the visibility timeout (short here, with crawls slowed down to be caught in the middle)."""
    _kill_mid_crawl(world, reference, redis, monkeypatch, None, None)


def test_a_worker_on_another_machine_killed_mid_crawl(world: SimHandle, reference: list[tuple[Any, ...]],
                                                      redis: Redis, two_machines: tuple[Namespace, Namespace],  # noqa: F811
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    """The same with the doomed worker and the survivor each in a network namespace of its own: the broker, the
    archive (its advisory locks too) and the portals reached over a veth, as from other machines."""
    _kill_mid_crawl(world, reference, redis, monkeypatch, *two_machines)


def _kill_mid_crawl(world: SimHandle, reference: list[tuple[Any, ...]], redis: Redis,  # noqa: F811
                    monkeypatch: pytest.MonkeyPatch, doomed_at: Namespace | None, survivor_at: Namespace | None) -> None:
    with deployment(redis.url, visibility=KILL_VISIBILITY_S) as setup:
        doomed = setup.worker("doomed", where=doomed_at)
        archive, _ = start(setup, world, monkeypatch, batch=1, settings=SLOW)
        deadline = time.monotonic() + WAIT_S
        while not _dispatched_by_running_crawl(archive, "doomed@test"):  # in the middle of a crawl
            if time.monotonic() > deadline:
                pytest.fail(f"no crawl of the doomed worker seen running:\n{_job_table(archive)}")
            time.sleep(0.1)
        setup.kill(doomed)
        setup.worker("survivor", where=survivor_at)
        finish(archive)
        with archive.engine.connect() as conn:
            again = conn.execute(text("SELECT count(*) FROM job WHERE kind = 'crawl' AND attempts >= 2"
                                      " AND worker = 'survivor@test'")).scalar()
        assert again == 1  # the killed job was delivered again, to the survivor
        assert_same_archive(setup, world, reference)
        archive.close()


def _dispatched_by_running_crawl(archive: Archive, worker: str) -> bool:
    with archive.engine.connect() as conn:
        return bool(conn.execute(text(
            "SELECT count(*) FROM job c JOIN job p ON p.root = c.id"
            " WHERE c.kind = 'crawl' AND c.state = 'running' AND c.worker = :w"), {"w": worker}).scalar())


def test_workers_reconnect_after_the_broker_restarts(world: SimHandle, reference: list[tuple[Any, ...]],
                                                     redis: Redis, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: F811
    with deployment(redis.url) as setup:
        setup.workers_ready({"one": "crawl,parse", "two": "crawl,parse"})
        archive, _ = start(setup, world, monkeypatch)
        deadline = time.monotonic() + WAIT_S
        while not ledger.states(archive).get("parse"):  # crawls under way, documents queued
            if time.monotonic() > deadline:
                pytest.fail(f"no document dispatched:\n{_job_table(archive)}")
            time.sleep(0.1)
        redis.shutdown_nosave()  # what was queued is in the append-only file
        time.sleep(2)
        redis.start()
        finish(archive)
        assert_same_archive(setup, world, reference)
        archive.close()


def _simulator(sim: SimHandle) -> Any:
    """The in-process simulator behind a handle (its request counters)."""
    return next(o for o in gc.get_objects() if isinstance(o, Simulator) and o.world is sim.world)


def test_rabbitmq_broker(world: SimHandle, reference: list[tuple[Any, ...]], rabbitmq_vhost: str,  # noqa: F811
                         monkeypatch: pytest.MonkeyPatch) -> None:
    with deployment(rabbitmq_vhost) as setup:
        setup.worker("rabbit", concurrency=2)
        archive, ids = start(setup, world, monkeypatch)
        finish(archive)
        assert set(ledger.states(archive)["crawl"]) == {"done"}
        assert_same_archive(setup, world, reference)
        out = _xxgk(setup, "status", "--workers", "--json")
        seen = json.loads(out.stdout)
        assert [w["name"] for w in seen["workers"]] == ["rabbit@test"]
        assert seen["queues"]["crawl"] == {"waiting": 0, "running": 0, "retrying": 0, "done": len(ids), "failed": 0}
        archive.close()


def test_two_schedulers_enqueue_each_due_crawl_once(world: SimHandle, redis: Redis) -> None:  # noqa: F811
    """Two `xxgk monitor` at once: the one with the advisory lock enqueues every due crawl (all are, never
    crawled), the other stands by; stopped, the first hands over, and nothing is enqueued twice."""
    with deployment(redis.url) as setup:
        (setup.folder / "xxgk.toml").write_text(f'registry = "{world.registry_path}"\n', encoding="utf-8")
        first = _monitor(setup, "first")
        archive = Archive.open(setup.database_url, migrate=False) if _wait_schema(setup) else None
        assert archive is not None
        registry = load_registry(world.registry_path)
        every = {p.id for p in registry.portals}
        _until(lambda: enqueue.crawling(archive) == every)
        second = _monitor(setup, "second")
        _until(lambda: "待命" in (setup.folder / "monitor-second.log").read_text(encoding="utf-8"))
        first.terminate()
        first.wait(30)
        _until(lambda: "取得" in (setup.folder / "monitor-second.log").read_text(encoding="utf-8"))
        time.sleep(15)  # the second's catch-up and a gathering round have passed
        second.terminate()
        second.wait(30)
        with archive.engine.connect() as conn:
            enqueued = [p for (s,) in conn.execute(text("SELECT subject FROM job WHERE kind = 'crawl'"))
                        for p in s["portals"]]
        assert sorted(enqueued) == sorted(every)
        archive.close()


def test_once_reports_the_scans_its_crawls_found_as_read(redis: Redis) -> None:  # noqa: F811
    """`monitor --once` with one worker of every queue: the picture reports its crawl stores get OCR jobs, which
    it waits for; its report counts them read, and nothing is left unread."""
    with running_sim(portals=1, seed=5, as_of=AS_OF, rate_limit=50) as sim, deployment(redis.url) as setup:
        images = [r for r in sim.truth["reports"] if r["medium"] == "image"]
        assert images  # the world's one portal has picture reports
        registry = yaml.safe_load(sim.registry_path.read_text(encoding="utf-8"))
        registry.setdefault("monitor", {})["crawl_timeout"] = setup.visibility * 0.7  # what the rule allows
        path = setup.folder / "registry.yaml"
        path.write_text(yaml.safe_dump(registry, allow_unicode=True), encoding="utf-8")
        setup.worker("all", queues="crawl,parse,ocr")
        fast = [f"--crawl-setting={name}={json.dumps(value)}" for name, value in FAST.items()]
        done = _xxgk(setup, "monitor", "--once", "--as-of", AS_OF.isoformat(), "--registry", str(path), "--json",
                     "--wait", str(WAIT_S), *fast, timeout=WAIT_S + 60)
        assert done.returncode == 0, done.stderr
        assert json.loads(done.stdout)["ocr"] == {"read": len(images), "unreadable": 0, "left": 0}
        with Archive.open(setup.database_url, migrate=False) as archive:
            assert unread_reports(archive) == []


def _monitor(setup: Deployment, name: str) -> subprocess.Popen[bytes]:
    log = (setup.folder / f"monitor-{name}.log").open("wb")
    return subprocess.Popen([sys.executable, "-m", "xxgk.cli", "monitor"], cwd=setup.folder,
                            env=setup.env(), stdout=log, stderr=subprocess.STDOUT)


def _wait_schema(setup: Deployment) -> bool:
    def ready() -> bool:
        with Archive.open(setup.database_url, migrate=False) as archive:
            current, head = archive.revisions()
            return current == head

    _until(ready)
    return True


def _until(condition: Any, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline
        time.sleep(0.2)


def test_host_lock_is_one_holder_at_a_time() -> None:
    with pg_database() as url:
        engine = create_engine(url)
        try:
            with hosts_locked(engine, ["127.0.1.1", "127.0.1.2"]) as first:
                with hosts_locked(engine, ["127.0.1.2", "127.0.1.3"]) as second:
                    assert (first, second) == (True, False)
                with hosts_locked(engine, ["127.0.1.3"]) as other:
                    assert other  # a host nobody crawls
            with hosts_locked(engine, ["127.0.1.2"]) as after:
                assert after  # released with the block
            leader, standby = Leadership(engine), Leadership(engine)
            assert leader.try_acquire()
            assert not standby.try_acquire()
            leader.release()
            assert standby.try_acquire()
            standby.release()
        finally:
            engine.dispose()


def _xxgk(setup: Deployment, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "xxgk.cli", *args], cwd=setup.folder, env=setup.env(),
                          capture_output=True, text=True, check=False, timeout=timeout)


def test_sqlite_with_a_broker_is_refused_in_one_line(tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "XXGK_BROKER_URL": "redis://127.0.0.1:1/0",
           "XXGK_DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite3'}"}
    for args in (("worker",), ("status",), ("monitor", "--once")):
        done = subprocess.run([sys.executable, "-m", "xxgk.cli", *args], cwd=tmp_path, env=env, capture_output=True,
                              text=True, check=False, timeout=60)
        assert done.returncode == 2, args
        assert done.stderr.count("\n") == 1
        assert "PostgreSQL" in done.stderr
    with pytest.raises(SettingsError):
        Settings.load(env={"XXGK_BROKER_URL": "kafka://x", "XXGK_DATABASE_URL": "postgresql+psycopg://h/db"})
