"""`xxgk monitor [--once] [--as-of DATE]`: the scheduler, or one pass of it (alerts/schedule.py)."""

from __future__ import annotations

import argparse
import json
import logging
from typing import Any

from config.settings import Settings, add_common_options
from xxgk.commands import EXIT_BAD_INPUT, EXIT_FAILURE, EXIT_OK, UsageError, dump_json, error


def _crawl_settings(pairs: list[str]) -> dict[str, Any]:
    """NAME=VALUE Scrapy settings for the crawls; VALUE is JSON when it parses as JSON (numbers, true, …)."""
    out: dict[str, Any] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise UsageError(f"--crawl-setting {pair!r}: expected NAME=VALUE")
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
        raise UsageError("--as-of needs --once: the scheduler runs on the real clock")
    context = Context(str(settings.database_url), str(settings.registry), _crawl_settings(args.crawl_setting),
                      args.log_dir, settings.dashboard_url)
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(name)s %(levelname)s: %(message)s")
    logging.getLogger("xxgk").setLevel(logging.INFO)
    if not args.once:
        logging.getLogger("apscheduler").setLevel(logging.INFO)  # each job's start and end: the daemon's log
    try:
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
        error(f"crawl failed: {report.crawl_error}")
    if not sent.configured:
        error(f"no SMTP configured: {sent.queued} alerts stay queued")
    elif sent.error:
        error(f"{sent.error}; {sent.queued} alerts stay queued and will be retried")
        return EXIT_FAILURE
    return EXIT_OK


def register(sub: Any) -> None:
    p = sub.add_parser("monitor", help="crawl on schedule, check deadlines, send alert digests")
    add_common_options(p)
    p.add_argument("--once", action="store_true", help="do what is due at --as-of, then exit (cron, tests)")
    p.add_argument("--crawl-setting", action="append", default=[], metavar="NAME=VALUE",
                   help="a Scrapy setting for the crawls (repeatable), e.g. DOWNLOAD_TIMEOUT=30")
    p.add_argument("--log-dir", metavar="DIR", help="keep the crawls' logs here (default: a temporary folder)")
    p.add_argument("--json", action="store_true", help="with --once: print what was done as JSON")
    p.set_defaults(func=cmd_monitor)
