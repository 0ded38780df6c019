"""`xxgk demo`: the whole job end to end, offline — simulated portals, crawl, archive, deadlines, alerts.

It starts the simulator with its generated government portals, crawls every one into a SQLite
archive, checks every agency against its deadlines, queues the alerts a supervisor would get (to a
local folder of e-mails instead of a mail server), and leaves a project folder (`xxgk.toml` beside
the archive, the registry, the e-mails and the logs) that every other command can be pointed at.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import secrets
import shutil
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

from catalogue.cli import say
from catalogue.terms import name
from config.settings import write_project
from store.terms import STATUSES
from xxgk.commands import EXIT_OK, OperationalError, console, values

WORST = 10  # agencies listed under the summary


def cmd_demo(args: argparse.Namespace) -> int:
    from crawler.progress import CrawlProgress  # noqa: PLC0415
    from crawler.run import CrawlError, crawl  # noqa: PLC0415
    from sim.running import running_sim  # noqa: PLC0415
    from xxgk.commands.crawl import watch_progress  # noqa: PLC0415

    out = console()
    work = Path(args.workdir).resolve()
    if work.exists():
        shutil.rmtree(work)
    (work / "logs").mkdir(parents=True)
    as_of = dt.date.fromisoformat(args.as_of)
    # the demo's portals are the simulator's, on loopback: its crawls (and the operator's after it) may go there
    write_project(work, {"database": "sqlite:///xxgk.sqlite3", "registry": "registry.yaml", "as_of": args.as_of,
                         "allow_loopback": True})
    db_url = f"sqlite:///{work / 'xxgk.sqlite3'}"
    out.print(say("demo.step_sim", portals=args.portals, seed=args.seed, as_of=as_of))
    with running_sim(portals=args.portals, seed=args.seed, as_of=as_of, rate_limit=20, workdir=work) as sim:
        out.print(say("demo.step_crawl"))
        started = time.monotonic()
        ledger = work / "logs" / "ledger.jsonl"
        progress, done = CrawlProgress(ledger), threading.Event()
        watcher = threading.Thread(target=watch_progress, args=(progress, done), daemon=True)
        watcher.start()
        try:
            with (work / "logs" / "crawl.log").open("w", encoding="utf-8") as log:
                result = crawl(
                    str(sim.registry_path), as_of=as_of.isoformat(), db=db_url, ledger=str(ledger),
                    settings={"DOWNLOAD_DELAY": 0.05, "AUTOTHROTTLE_ENABLED": False, "CONCURRENT_REQUESTS": 64,
                              "XXGK_OCR": args.ocr, "XXGK_ALLOW_LOOPBACK": True},
                    timeout=args.timeout, log=log,
                )
        except CrawlError as exc:
            raise OperationalError(say("crawl.failed", reason=exc, log=work / "logs" / "crawl.log", hint="")) from None
        finally:
            done.set()
            watcher.join()
        stats = result.portal_stats
        out.print(say("demo.crawled", portals=len(stats), pages=sum(s.get("report_pages", 0) for s in stats.values()),
                      files=sum(s.get("attachments", 0) for s in stats.values()), seconds=time.monotonic() - started))
    year = as_of.year - 1
    out.print(say("demo.step_status", year=year))
    rows = _status(db_url, as_of)
    _print_summary(out, rows, year)
    out.print(say("demo.step_mail"))
    mails = _queue_alerts(db_url, work / "registry.yaml", as_of, work / "mail")
    out.print(say("demo.mails", n=mails, folder=_shown(work / "mail")))
    password = _dashboard_account(db_url, work / "logs" / "dashboard-login.txt")
    out.print()
    out.print(say("demo.where", project=_shown(work)))
    _print_next(out, work, rows, year)
    out.print(say("demo.dashboard", command=f"{_command()} serve --project {_shown(work)}", password=password,
                  file=_shown(work / "logs" / "dashboard-login.txt")), highlight=False)
    return EXIT_OK


def _dashboard_account(db_url: str, note: Path) -> str:
    """An administrator `admin` with a fresh password, so that the dashboard opens on the demo's
    archive at once; the password is printed and kept in `note`."""
    from store.db import Archive  # noqa: PLC0415
    from web import accounts  # noqa: PLC0415

    password = secrets.token_urlsafe(9)
    with Archive.open(db_url) as archive, archive.write() as session:
        accounts.add(session, "admin", password, "admin", [], name="演示管理员")
    note.write_text(say("demo.login_note", password=password) + "\n", encoding="utf-8")
    return password


def _shown(path: Path) -> str:
    """A path as a person would type it from here: relative when it lies below the working directory."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _command() -> str:
    """How to run xxgk from here: `xxgk` when it is on PATH, else the path of this one."""
    here = Path(sys.argv[0]).resolve()
    if shutil.which("xxgk") and Path(shutil.which("xxgk") or "").resolve() == here:
        return "xxgk"
    return _shown(here) if here.name == "xxgk" else f"{_shown(Path(sys.executable))} -m xxgk.cli"


def _status(db_url: str, as_of: dt.date) -> list[Any]:
    from store.db import Archive  # noqa: PLC0415
    from store.status import compliance  # noqa: PLC0415

    with Archive.open(db_url) as archive, archive.read() as session:
        return list(compliance(session, as_of))


def _worst(rows: list[Any]) -> list[Any]:
    """The agencies most in need of a look: unpublished first, then the most days late, then errors."""
    rank = {"missing": 0, "late": 1}
    pressing = [r for r in rows if r.status in rank or r.inconsistent]
    return sorted(pressing, key=lambda r: (rank.get(r.status, 2), -(r.days_late or 0), -(r.errors or 0), r.agency))


def _print_summary(out: Any, rows: list[Any], year: int) -> None:
    from rich.table import Table  # noqa: PLC0415

    this_year = [r for r in rows if r.year == year]
    counts = Counter(r.status for r in this_year)
    parts = "，".join(f"{name('status', s)} {counts[s]}" for s in STATUSES if counts[s])
    inconsistent = sum(bool(r.inconsistent) for r in this_year)
    out.print(say("demo.counts", year=year, agencies=len(this_year), parts=parts, inconsistent=inconsistent))
    unread = sum(r.reading == "unread" for r in this_year)
    if unread:
        out.print(say("demo.unread", n=unread))
    worst = _worst(this_year)[:WORST]
    if not worst:
        return
    table = Table(title=say("demo.worst_title", n=len(worst)), title_justify="left")
    for head in ("单位", "层级", "状态", "截止日期", "发布日期", "逾期天数", "错误"):
        table.add_column(head, justify="right" if head in {"逾期天数", "错误"} else "left")
    for r in worst:
        reading = f" · {name('reading', r.reading)}" if r.reading not in (None, "read") else ""
        status = name("status", r.status) + reading + (
            f" · {name('status', 'inconsistent')}" if r.inconsistent else "")
        table.add_row(r.agency, name("level", r.level), status, str(r.deadline), str(r.published or "—"),
                      str(r.days_late or ""), str(r.errors or ""))
    out.print(table)


def _queue_alerts(db_url: str, registry: Path, as_of: dt.date, folder: Path) -> int:
    """Queue the compliance alerts and write each e-mail as an HTML file (the local mail sink)."""
    from alerts.demo import preview_alerts  # noqa: PLC0415

    return preview_alerts(db_url, registry, as_of, folder)


def _print_next(out: Any, work: Path, rows: list[Any], year: int) -> None:
    """Commands to copy and paste, each naming the demo's own project folder and data."""
    xxgk, project = _command(), _shown(work)
    example = next((r for r in _worst([r for r in rows if r.year == year]) if r.report_id), None)
    example = example or next((r for r in rows if r.report_id), None)
    lines = [
        f"{xxgk} status --project {project} --year {year}",
        f"{xxgk} query --project {project} --status missing",
    ]
    if example is not None:
        lines.append(f"{xxgk} show --project {project} {example.agency} {example.year}")
    lines += [
        f"{xxgk} query --project {project} --year {year} --format xlsx --out {year}年报发布情况.xlsx",
        f"{xxgk} alerts list --project {project}",
    ]
    out.print(say("demo.next"))
    for line in lines:
        out.print(f"  {line}", markup=False, highlight=False, soft_wrap=True)
    out.print(say("demo.mail_hint", folder=_shown(work / "mail")))
    if "VIRTUAL_ENV" not in os.environ and xxgk != "xxgk":
        out.print(say("demo.path_hint"))


def register(sub: Any) -> None:
    p = sub.add_parser("demo", help="在模拟门户上离线演示全过程：抓取 → 归档 → 核对期限 → 提醒邮件")
    p.add_argument("--portals", type=values.at_least_one, default=50, help="模拟门户数量（默认 %(default)s）")
    p.add_argument("--seed", type=int, default=7, help="随机种子（默认 %(default)s）")
    p.add_argument("--as-of", type=values.day, default="2026-04-20",
                   help="模拟的“今天”（默认 %(default)s，已过两个法定期限）")
    p.add_argument("--workdir", default="demo", help="项目文件夹：归档、日志和邮件都放在这里（默认 %(default)s）")
    p.add_argument("--timeout", type=values.seconds, default=1800.0, help="抓取的时间上限（秒）")
    p.add_argument("--ocr", action="store_true", help="同时用文字识别读取图片版报告（较慢）")
    p.set_defaults(func=cmd_demo)
