"""`xxgk monitor [--once] [--as-of DATE]`: the scheduler, or one pass of it (alerts/schedule.py)."""

from __future__ import annotations

import argparse
import json
import logging
from typing import Any

from catalogue.cli import say
from config.settings import Settings, add_common_options
from xxgk.commands import EXIT_BAD_INPUT, EXIT_FAILURE, EXIT_OK, UsageError, check_database_url, dump_json, error


def _crawl_settings(pairs: list[str]) -> dict[str, Any]:
    """NAME=VALUE Scrapy settings for the crawls; VALUE is JSON when it parses as JSON (numbers, true, …)."""
    out: dict[str, Any] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise UsageError(say("monitor.setting", pair=repr(pair)))
        try:
            out[name] = json.loads(value)
        except ValueError:
            out[name] = value
    return out


def _summary(report: Any) -> str:
    from catalogue import monitor as messages  # noqa: PLC0415

    queued = report.sweep.queued
    parts = messages.LIST_SEPARATOR.join(messages.ONCE_KIND.format(title=messages.TITLES[k], n=n)
                                         for k, n in sorted(queued.items()))
    backlog = report.backlog
    reading = messages.ONCE_BACKLOG.format(read=backlog.read, unreadable=backlog.unreadable, left=backlog.left)
    return messages.ONCE_SUMMARY.format(
        as_of=report.as_of.isoformat(), crawled=len(report.crawled), queued=sum(queued.values()),
        kinds=messages.ONCE_KINDS.format(parts=parts) if parts else "", reminders=sum(report.sweep.reminders.values()),
        digests=report.delivery.digests,
    ) + (reading if backlog.read or backlog.unreadable or backlog.left else "")


def cmd_monitor(args: argparse.Namespace) -> int:
    from alerts.schedule import Context, ScheduleError, run_once, serve  # noqa: PLC0415
    from config.registry import RegistryError  # noqa: PLC0415
    from store.errors import StoreError  # noqa: PLC0415

    settings = Settings.load(args)
    if args.as_of and not args.once:
        raise UsageError(say("monitor.as_of_once"))
    check_database_url(settings.database_url)
    crawl_settings = {**settings.crawl_settings(), **_crawl_settings(args.crawl_setting)}
    context = Context(str(settings.database_url), str(settings.registry), crawl_settings, args.log_dir,
                      settings.dashboard_url)
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s %(levelname)s: %(message)s")
    logging.getLogger("xxgk").setLevel(logging.INFO)
    if not args.once:
        logging.getLogger("apscheduler").setLevel(logging.INFO)  # each job's start and end: the daemon's log
    try:
        if settings.broker_url:
            return _distributed(args, settings, context)
        if not args.once:
            serve(context)
            return EXIT_OK
        report = run_once(context, settings.as_of, settings.smtp)
    except RegistryError as exc:
        for problem in exc.problems:
            error(problem)
        return EXIT_BAD_INPUT
    except ScheduleError as exc:
        raise UsageError(str(exc)) from None
    except StoreError as exc:
        error(str(exc))
        return EXIT_FAILURE
    return _report(report, as_json=args.json)


def _distributed(args: argparse.Namespace, settings: Settings, context: Any) -> int:
    """Distributed mode: the scheduler enqueues and the workers crawl (jobs.scheduler)."""
    import sys  # noqa: PLC0415

    from jobs import scheduler  # noqa: PLC0415 - Celery only in distributed mode
    from jobs.config import job_settings  # noqa: PLC0415

    jobs = job_settings(settings)

    def tell(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    if not args.once:
        scheduler.serve(context, jobs, say_once=tell)
        return EXIT_OK
    registry = context.load_registry()
    report, _ = scheduler.run_once(context, jobs, settings.as_of, settings.smtp,
                                   wait=args.wait if args.wait is not None else registry.monitor.crawl_timeout,
                                   say_once=tell)
    return _report(report, as_json=args.json)


def _report(report: Any, *, as_json: bool) -> int:
    sent = report.delivery
    if as_json:
        dump_json({
            "as_of": report.as_of.isoformat(), "crawled": report.crawled, "crawl_error": report.crawl_error,
            "queued": dict(report.sweep.queued), "reminders": dict(report.sweep.reminders),
            "ocr": {"read": report.backlog.read, "unreadable": report.backlog.unreadable, "left": report.backlog.left},
            "sent": {"emails": sent.digests, "alerts": sent.deliveries, "deferred": sent.deferred,
                     "refused": sent.refused, "queued": sent.queued, "error": sent.error, "smtp": sent.configured},
        })
    else:
        print(_summary(report))
    if report.crawl_error:
        error(say("monitor.crawl_failed", reason=report.crawl_error))
    if not sent.configured:
        error(say("mail.not_configured", n=sent.queued))
    elif sent.error:
        error(say("mail.retry", reason=sent.error, n=sent.queued))
        return EXIT_FAILURE
    return EXIT_OK


def register(sub: Any) -> None:
    p = sub.add_parser("monitor", help="定时抓取、核对发布期限、发送提醒邮件（调度器）")
    add_common_options(p)
    p.add_argument("--once", action="store_true", help="执行 --as-of 当天到期的全部任务后退出（供 cron 和测试使用）")
    p.add_argument("--crawl-setting", action="append", default=[], metavar="NAME=VALUE",
                   help="抓取时使用的 Scrapy 设置（可重复），如 DOWNLOAD_TIMEOUT=30")
    p.add_argument("--log-dir", metavar="DIR", help="抓取日志保存到此文件夹（默认：临时文件夹）")
    p.add_argument("--json", action="store_true", help="与 --once 一起使用：以 JSON 输出执行情况")
    p.add_argument("--wait", type=float, metavar="SECONDS",
                   help="分布式模式与 --once 一起使用：最多等待工作进程完成任务的秒数（默认为登记表的 crawl_timeout）")
    p.set_defaults(func=cmd_monitor)
