"""`xxgk serve` (the web dashboard, web/) and `xxgk users add | list | passwd | remove` (its accounts)."""

from __future__ import annotations

import argparse
import getpass
import sys
from pathlib import Path
from typing import Any

from catalogue.cli import say
from config.settings import add_common_options
from xxgk.commands import EXIT_OK, UsageError, dump_json, values

ROLE_CHOICES = ("admin", "editor", "viewer")


def cmd_serve(args: argparse.Namespace) -> int:
    import uvicorn  # noqa: PLC0415

    from web.app import create_app  # noqa: PLC0415
    from xxgk.commands.archive import _monitoring, opened  # noqa: PLC0415

    with opened(args) as (archive, settings):
        with archive.read() as session:
            first_year, unreachable = _monitoring(settings, session)
        app = create_app(archive, settings, first_year=first_year, unreachable=frozenset(unreachable))
        print(say("serve.ready", url=f"http://{args.host}:{args.port}/"), flush=True)
        uvicorn.run(app, host=args.host, port=args.port, log_level="warning")
    return EXIT_OK


def _password(args: argparse.Namespace) -> str:
    """From stdin with --password-stdin (scripts, tests), else asked twice at the terminal."""
    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    if not _terminal():  # getpass would fall back to reading stdin with the password echoed, and warn of it
        raise UsageError(say("users.no_password"))
    try:
        first = getpass.getpass(say("users.password_prompt"))
        again = getpass.getpass(say("users.password_again"))
    except EOFError:  # no terminal, and nothing on stdin
        raise UsageError(say("users.no_password")) from None
    if again != first:
        raise UsageError(say("users.password_mismatch"))
    return first


def _terminal() -> bool:
    """Whether the process has a terminal to ask at (getpass asks at /dev/tty)."""
    try:
        with Path("/dev/tty").open("rb"):
            return True
    except OSError:
        return False


def cmd_users(args: argparse.Namespace) -> int:
    from catalogue import terms  # noqa: PLC0415
    from web import accounts  # noqa: PLC0415
    from xxgk.commands.archive import opened  # noqa: PLC0415

    verb = args.users_command
    with opened(args, create=verb == "add") as (archive, _):
        try:
            if verb == "list":
                with archive.read() as session:
                    users = accounts.listing(session)
                if args.json:
                    dump_json([{"username": u.username, "name": u.name, "role": u.role,
                                "regions": list(u.regions or [])} for u in users])
                for u in [] if args.json else users:
                    regions = "、".join(u.regions) if u.regions else say("users.all_regions")
                    print(f"{u.username}\t{u.name}\t{terms.name('role', u.role)}\t{regions}")
                return EXIT_OK
            password = _password(args) if verb in {"add", "passwd"} else ""
            with archive.write() as session:
                if verb == "add":
                    accounts.add(session, args.username, password, args.role, args.region, args.name)
                elif verb == "passwd":
                    accounts.set_password(session, args.username, password)
                else:
                    accounts.remove(session, args.username)
        except accounts.AccountError as exc:
            raise UsageError(str(exc)) from None
    print(say(f"users.{verb}", username=args.username))
    return EXIT_OK


def register(sub: Any) -> None:
    serve = sub.add_parser("serve", help="网页仪表板（总览、单位、报告、预警、检索）")
    serve.add_argument("--host", default="127.0.0.1", help="监听地址（默认 %(default)s）")
    serve.add_argument("--port", type=values.port, default=8000, help="端口（默认 %(default)s）")
    add_common_options(serve)
    serve.set_defaults(func=cmd_serve)

    users = sub.add_parser("users", help="仪表板账号：添加、列出、改密码、删除")
    verbs = users.add_subparsers(dest="users_command", required=True)
    add = verbs.add_parser("add", help="添加账号")
    add.add_argument("username", help="用户名（字母、数字和 _ . @ -）")
    add.add_argument("--role", choices=ROLE_CHOICES, default="viewer",
                     help="角色：admin 管理员、editor 编辑、viewer 只读（默认）")
    add.add_argument("--region", action="append", default=[], metavar="CODE",
                     help="可查看的行政区划代码前缀（可重复；不给则可查看全部地区）")
    add.add_argument("--name", help="显示的姓名（默认同用户名）")
    passwd = verbs.add_parser("passwd", help="修改密码（此前的登录全部失效）")
    passwd.add_argument("username")
    remove = verbs.add_parser("remove", help="删除账号")
    remove.add_argument("username")
    listing = verbs.add_parser("list", help="列出账号")
    listing.add_argument("--json", action="store_true", help="以 JSON 输出")
    for parser in (add, passwd):
        parser.add_argument("--password-stdin", action="store_true", help="从标准输入读取密码（一行）")
    for parser in (add, passwd, remove, listing):
        add_common_options(parser)
        parser.set_defaults(func=cmd_users)
