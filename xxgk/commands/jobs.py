"""`xxgk worker` and `xxgk status --workers`: distributed mode's workers and queues (jobs/)."""

from __future__ import annotations

import argparse
import os
from typing import Any

from catalogue.cli import say
from config.settings import Settings, add_common_options
from xxgk.commands import EXIT_OK, OperationalError, UsageError, console, dump_json


def _job_settings(args: argparse.Namespace) -> Any:
    from jobs.config import job_settings  # noqa: PLC0415 - Celery only in distributed mode

    return job_settings(Settings.load(args))


def _queues(raw: str) -> list[str]:
    from jobs.config import QUEUES  # noqa: PLC0415

    queues = [q.strip() for q in raw.split(",") if q.strip()]
    unknown = [q for q in queues if q not in QUEUES]
    if unknown or not queues:
        raise UsageError(say("worker.queues", queues=raw, known=",".join(QUEUES)))
    return queues


def cmd_worker(args: argparse.Namespace) -> int:
    from jobs import worker  # noqa: PLC0415
    from store.errors import StoreError, WrongArchiveError  # noqa: PLC0415

    settings = _job_settings(args)
    queues = _queues(args.queues)
    if args.concurrency < 1:
        raise UsageError(say("worker.concurrency", n=args.concurrency))
    try:
        worker.run(settings, queues, args.concurrency, args.name)
    except WrongArchiveError as exc:
        raise UsageError(str(exc)) from None
    except StoreError as exc:
        raise OperationalError(str(exc)) from None
    return EXIT_OK


def cmd_status_workers(args: argparse.Namespace) -> int:
    """Queue depths, workers alive and failed jobs, as a Chinese table or (--json) with ids."""
    from kombu.exceptions import OperationalError as BrokerError  # noqa: PLC0415

    from jobs.app import configure  # noqa: PLC0415
    from jobs.status import overview  # noqa: PLC0415
    from store.db import Archive  # noqa: PLC0415
    from store.errors import StoreError, WrongArchiveError  # noqa: PLC0415

    settings = _job_settings(args)
    app = configure(settings)
    try:
        with Archive.open(settings.database_url, create=False) as archive:
            seen = overview(app, archive)
    except WrongArchiveError as exc:
        raise UsageError(str(exc)) from None
    except StoreError as exc:
        raise OperationalError(str(exc)) from None
    except (BrokerError, OSError) as exc:
        where = app.connection_for_read().as_uri()
        raise OperationalError(say("jobs.broker_down", broker=where, reason=str(exc).splitlines()[0])) from None
    if args.json:
        dump_json(seen.to_dict())
        return EXIT_OK
    _print(seen, app.connection_for_read().as_uri())
    return EXIT_OK


def _print(seen: Any, broker: str) -> None:
    from rich.table import Table  # noqa: PLC0415

    from catalogue.terms import name  # noqa: PLC0415
    from jobs.status import FAILED_DAYS  # noqa: PLC0415

    out = console()
    queues = Table(title=say("jobs.status_title", broker=broker), title_justify="left")
    for head in ("队列", "等待", "运行中", "等待重试", "已完成", "失败"):
        queues.add_column(head, justify="left" if head == "队列" else "right")
    for queue, n in seen.queues.items():
        queues.add_row(name("queue", queue), *(str(n[k]) for k in ("waiting", "running", "retrying", "done", "failed")))
    out.print(queues)
    if seen.workers:
        workers = Table(title=say("jobs.workers_title"), title_justify="left")
        for head in ("工作进程", "队列", "正在运行"):
            workers.add_column(head)
        for worker in seen.workers:
            running = "；".join(f"{name('queue', job['kind'])} {job['args']}" for job in worker["active"]) or "—"
            workers.add_row(worker["name"], "、".join(name("queue", q) for q in worker["queues"]), running)
        out.print(workers)
    else:
        out.print(say("jobs.no_workers"))
    if seen.failed:
        failed = Table(title=say("jobs.failed_title", days=FAILED_DAYS, n=len(seen.failed)), title_justify="left")
        for head in ("类型", "对象", "次数", "工作进程", "原因", "结束时间"):
            failed.add_column(head)
        for job in seen.failed:
            failed.add_row(name("queue", job["kind"]), _subject(job["subject"]), str(job["attempts"]),
                           job["worker"] or "—", job["error"] or "—", (job["finished_at"] or "")[:19])
        out.print(failed)


def _subject(subject: dict[str, Any]) -> str:
    if subject.get("portals"):
        return "、".join(subject["portals"])
    if subject.get("agency"):
        return f"{subject['agency']} {subject.get('year', '')}"
    return str(subject.get("url") or subject.get("report") or "—")


def register(sub: Any) -> None:
    p = sub.add_parser("worker", help="分布式模式的工作进程：从任务队列领取抓取、解析、OCR 任务")
    add_common_options(p)
    p.add_argument("--queues", default="crawl,parse,ocr", metavar="Q1,Q2",
                   help="领取哪些队列的任务：crawl 抓取、parse 解析入库、ocr 图片识别（默认全部）")
    p.add_argument("--concurrency", type=int, default=os.cpu_count() or 1, metavar="N",
                   help="同时运行的任务数（进程数；默认为本机处理器核数）")
    p.add_argument("--name", metavar="NAME", help="工作进程名称（默认 xxgk-进程号@主机名）")
    p.set_defaults(func=cmd_worker)
