"""`xxgk alerts list | preview | send | ack | dismiss`: the alert outbox (alerts/outbox.py)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from catalogue.cli import say
from catalogue.terms import name
from config.settings import add_common_options
from xxgk.commands import EXIT_BAD_INPUT, EXIT_OK, OperationalError, UsageError, console, dump_json, error

if TYPE_CHECKING:
    from alerts.outbox import Verdict
    from config.registry import Registry
    from config.settings import Settings

SHOWN_STATES = ("queued", "sent", "failed", "acknowledged", "dismissed")
NUMERIC_COLUMNS = frozenset({0, 4, 6})  # id, year, failed attempts


def registry_or_defaults(settings: Settings) -> Registry:
    """The registry when there is one (recipients' names, the weekly day); the defaults without one, since the
    outbox itself does not need it. A registry that exists but is wrong is the user's to fix: exit 2."""
    from config.registry import Registry, RegistryError, load_registry  # noqa: PLC0415

    if not settings.registry.exists():
        return Registry()
    try:
        return load_registry(settings.registry)
    except RegistryError as exc:
        for problem in exc.problems:
            error(problem)
        raise SystemExit(EXIT_BAD_INPUT) from None


def cmd_list(args: argparse.Namespace) -> int:
    from alerts import outbox  # noqa: PLC0415
    from catalogue import monitor as messages  # noqa: PLC0415
    from xxgk.commands.archive import opened  # noqa: PLC0415

    with opened(args) as (archive, _), archive.read() as session:
        rows = outbox.listing(session, args.state)
    if args.json:
        dump_json(rows)
        return EXIT_OK
    from rich.table import Table  # noqa: PLC0415

    table = Table(title=messages.LIST_TITLE, title_justify="left")
    for n, head in enumerate(messages.LIST_COLUMNS):
        table.add_column(head, justify="right" if n in NUMERIC_COLUMNS else "left")
    for row in rows:
        kind = messages.TITLES.get(row["kind"], row["kind"])
        if row["reminder"]:
            kind += f"（{messages.REMINDER.format(n=row['reminder'])}）"
        table.add_row(
            f"#{row['id']}", kind, messages.STATES.get(row["state"], row["state"]),
            row["agency"] or row["portal"] or "", str(row["year"] or ""), "\n".join(row["recipients"]),
            str(row["attempts"]), row["last_error"] or "",
        )
    console().print(table)
    return EXIT_OK


def cmd_preview(args: argparse.Namespace) -> int:
    from alerts.delivery import preview  # noqa: PLC0415
    from alerts.routing import letterhead  # noqa: PLC0415
    from alerts.schedule import monitor_now  # noqa: PLC0415
    from xxgk.commands.archive import opened  # noqa: PLC0415

    with opened(args) as (archive, settings):
        try:
            heading = letterhead(registry_or_defaults(settings), dashboard_url=settings.dashboard_url,
                                 reply_to=settings.smtp.reply_to if settings.smtp else None)
            paths = preview(archive, monitor_now(settings.as_of), heading, Path(args.out))
        except OSError as exc:
            raise UsageError(say("files.out", path=args.out, reason=exc.strerror or exc)) from None
    if args.json:
        dump_json([str(path) for path in paths])
        return EXIT_OK
    for path in paths:
        print(path)
    if not paths:
        print(say("mail.none_pending"))
    return EXIT_OK


def cmd_send(args: argparse.Namespace) -> int:
    from alerts.routing import CADENCES  # noqa: PLC0415
    from alerts.schedule import due_cadences, monitor_now, send  # noqa: PLC0415
    from xxgk.commands.archive import opened  # noqa: PLC0415

    with opened(args) as (archive, settings):
        registry = registry_or_defaults(settings)
        now = monitor_now(settings.as_of)
        cadences = CADENCES if args.all else due_cadences(registry, now)
        report = send(archive, registry, settings.smtp, now, cadences, ignore_backoff=True,
                      dashboard_url=settings.dashboard_url)
    if args.json:
        dump_json({"smtp": report.configured, "emails": report.digests, "alerts": report.deliveries,
                   "deferred": report.deferred, "refused": report.refused, "queued": report.queued,
                   "error": report.error})
    if not report.configured:
        message = say("mail.not_configured", n=report.queued)
        if args.json:
            error(message)  # stdout holds the JSON alone
        else:
            print(message)
        return EXIT_OK
    if report.error:
        raise OperationalError(say("mail.still_queued", reason=report.error, n=report.queued))
    for refusal in report.refusals:
        error(say("mail.refused", reason=refusal))
    if not args.json:
        print(say("mail.sent", digests=report.digests, alerts=report.deliveries, deferred=report.deferred,
                  refused=report.refused, queued=report.queued))
    return EXIT_OK


def cmd_close(args: argparse.Namespace) -> int:
    from alerts import outbox  # noqa: PLC0415
    from alerts.schedule import monitor_now  # noqa: PLC0415
    from xxgk.commands.archive import opened  # noqa: PLC0415

    how: Verdict = "acknowledged" if args.alerts_command == "ack" else "dismissed"
    with opened(args) as (archive, settings):
        try:
            with archive.write() as session:
                alert = outbox.close(session, args.alert_id, how, args.by, args.why, monitor_now(settings.as_of))
                line = say("alert.closed", id=alert.id, how=name("alert_state", how))
        except LookupError as exc:
            raise UsageError(str(exc.args[0])) from None
    print(line)
    return EXIT_OK


def register(sub: Any) -> None:
    p = sub.add_parser("alerts", help="提醒发件箱：列出、预览、发送、确认")
    verbs = p.add_subparsers(dest="alerts_command", required=True)

    ls = verbs.add_parser("list", help="待发送、已发送、发送失败、已确认和已排除的提醒")
    ls.add_argument("--state", action="append", default=[], choices=SHOWN_STATES, help="只列出这些状态（可重复）")
    ls.add_argument("--json", action="store_true", help="以 JSON 输出")
    ls.set_defaults(func=cmd_list)

    pv = verbs.add_parser("preview", help="把每封待发送的邮件写成 HTML 文件")
    pv.add_argument("--out", default="alerts-preview", metavar="DIR", help="文件保存的文件夹（默认 %(default)s）")
    pv.add_argument("--json", action="store_true", help="以 JSON 数组输出文件路径")
    pv.set_defaults(func=cmd_preview)

    sd = verbs.add_parser("send", help="发送到期的提醒邮件（发信服务器无法连接时退出码为 1）")
    sd.add_argument("--all", action="store_true", help="立即发送全部待发送的提醒，不论收件人设置的频率")
    sd.add_argument("--json", action="store_true", help="以 JSON 输出发送情况")
    sd.set_defaults(func=cmd_send)

    for verb, text in (("ack", "确认：已知道，正在处理"), ("dismiss", "排除：不是问题")):
        close = verbs.add_parser(verb, help=f"{text}；此后不再就此提醒")
        close.add_argument("alert_id", type=int, metavar="ID")
        close.add_argument("--by", metavar="NAME", help="由谁决定")
        close.add_argument("--why", metavar="TEXT", help="原因")
        close.set_defaults(func=cmd_close)

    for parser in (ls, pv, sd, *(verbs.choices[v] for v in ("ack", "dismiss"))):
        add_common_options(parser)
