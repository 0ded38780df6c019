"""`xxgk alerts list | preview | send | ack | dismiss`: the alert outbox (alerts/outbox.py)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

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
            raise UsageError(f"--out {args.out}: {exc.strerror or exc}") from None
    if args.json:
        dump_json([str(path) for path in paths])
        return EXIT_OK
    for path in paths:
        print(path)
    if not paths:
        print("no pending e-mail")
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
        message = f"no SMTP configured: {report.queued} alerts stay queued"
        if args.json:
            error(message)  # stdout holds the JSON alone
        else:
            print(message)
        return EXIT_OK
    if report.error:
        raise OperationalError(f"{report.error}; {report.queued} alerts stay queued")
    for refusal in report.refusals:
        error(f"refused for good: {refusal}")
    if not args.json:
        print(f"sent {report.digests} e-mail(s) carrying {report.deliveries} alert(s); "
              f"{report.deferred} deferred, {report.refused} refused; {report.queued} alerts still queued")
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
                line = f"alert #{alert.id} ({alert.dedupe_key}) is now {how}: no more e-mails or reminders about it"
        except LookupError as exc:
            raise UsageError(str(exc.args[0])) from None
    print(line)
    return EXIT_OK


def register(sub: Any) -> None:
    p = sub.add_parser("alerts", help="the alert outbox: list, preview, send, acknowledge")
    verbs = p.add_subparsers(dest="alerts_command", required=True)

    ls = verbs.add_parser("list", help="queued, sent, failed, acknowledged and dismissed alerts")
    ls.add_argument("--state", action="append", default=[], choices=SHOWN_STATES, help="only these (repeatable)")
    ls.add_argument("--json", action="store_true")
    ls.set_defaults(func=cmd_list)

    pv = verbs.add_parser("preview", help="write each pending e-mail as an HTML file")
    pv.add_argument("--out", default="alerts-preview", metavar="DIR", help="folder for the files (default %(default)s)")
    pv.add_argument("--json", action="store_true", help="print the files' paths as a JSON array")
    pv.set_defaults(func=cmd_preview)

    sd = verbs.add_parser("send", help="send the digests that are due (exit 1 when the mail server is unreachable)")
    sd.add_argument("--all", action="store_true", help="every pending alert now, whatever its recipient's cadence")
    sd.add_argument("--json", action="store_true", help="print what was sent as JSON")
    sd.set_defaults(func=cmd_send)

    for verb, text in (("ack", "acknowledge: known, being handled"), ("dismiss", "dismiss: not a problem")):
        close = verbs.add_parser(verb, help=f"{text}; stops the alert and its reminders")
        close.add_argument("alert_id", type=int, metavar="ID")
        close.add_argument("--by", metavar="NAME", help="who decided")
        close.add_argument("--why", metavar="TEXT", help="why")
        close.set_defaults(func=cmd_close)

    for parser in (ls, pv, sd, *(verbs.choices[v] for v in ("ack", "dismiss"))):
        add_common_options(parser)
