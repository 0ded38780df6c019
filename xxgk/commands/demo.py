"""`xxgk demo`: the whole job end to end, offline — simulated portals, crawl, archive, deadlines, alerts.

It starts the simulator with its generated government portals, crawls every one into a SQLite
archive, checks every agency against its deadlines, queues the alerts a supervisor would get (to a
local folder of e-mails instead of a mail server), and says where to look next.
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import time
from collections import Counter
from pathlib import Path
from typing import Any

from xxgk.commands import EXIT_OK, OperationalError, console

STATUS_NAMES = {"on_time": "按时发布", "late": "逾期发布", "missing": "未发布", "not_due": "未到期",
                "unreachable": "无法访问"}


def cmd_demo(args: argparse.Namespace) -> int:
    from crawler.run import CrawlError, crawl  # noqa: PLC0415
    from sim.running import running_sim  # noqa: PLC0415

    out = console()
    work = Path(args.workdir).resolve()
    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    db_url = f"sqlite:///{work / 'xxgk.sqlite3'}"
    as_of = dt.date.fromisoformat(args.as_of)
    out.print(f"[bold]1/4[/] 启动模拟门户网站：{args.portals} 个（种子 {args.seed}，日期 {as_of}）…")
    with running_sim(portals=args.portals, seed=args.seed, as_of=as_of, rate_limit=20, workdir=work) as sim:
        out.print(f"      门户登记表：{sim.registry_path}")
        out.print("[bold]2/4[/] 抓取全部门户，解析、校验并存入归档库…（需几分钟）")
        started = time.monotonic()
        try:
            with (work / "crawl.log").open("w", encoding="utf-8") as log:
                result = crawl(
                    str(sim.registry_path), as_of=as_of.isoformat(), db=db_url, ledger=str(work / "ledger.jsonl"),
                    settings={"DOWNLOAD_DELAY": 0.05, "AUTOTHROTTLE_ENABLED": False, "CONCURRENT_REQUESTS": 64,
                              "XXGK_OCR": args.ocr},
                    timeout=args.timeout, log=log,
                )
        except CrawlError as exc:
            raise OperationalError(f"{exc} (log: {work / 'crawl.log'})") from None
        stats = result.portal_stats
        out.print(
            f"      {len(stats)} 个门户，年报页面 {sum(s.get('report_pages', 0) for s in stats.values())} 个，"
            f"附件 {sum(s.get('attachments', 0) for s in stats.values())} 个，"
            f"用时 {time.monotonic() - started:.0f} 秒"
        )
        if not args.ocr:
            out.print("      图片版报告已按“已发布 · 待识别”存档，文字识别由 xxgk monitor 在两次抓取之间完成"
                      "（--ocr 在抓取时识别；每页约需数十秒）")
    out.print(f"[bold]3/4[/] 按法定期限核对 {as_of.year - 1} 年度报告…")
    rows = _status(db_url, as_of)
    _print_summary(out, rows, as_of.year - 1)
    out.print("[bold]4/4[/] 生成提醒邮件（写入本地文件夹，不发送）…")
    mails = _queue_alerts(db_url, sim.registry_path, as_of, work / "mail")
    out.print(f"      {mails}")
    out.print()
    out.print("[bold]接下来可以：[/]")
    for line in (
        f"xxgk status --db {db_url} --as-of {as_of} --year {as_of.year - 1}",
        f"xxgk query --db {db_url} --as-of {as_of} --status inconsistent",
        f"xxgk show --db {db_url} REPORT_ID",
        f"浏览器打开 {work / 'mail'} 中的提醒邮件（HTML）",
    ):
        out.print(f"  {line}")
    return EXIT_OK


def _status(db_url: str, as_of: dt.date) -> list[Any]:
    from store.db import Archive  # noqa: PLC0415
    from store.status import compliance  # noqa: PLC0415

    with Archive.open(db_url) as archive, archive.read() as session:
        return list(compliance(session, as_of))


def _print_summary(out: Any, rows: list[Any], year: int) -> None:
    from rich.table import Table  # noqa: PLC0415

    from catalogue.terms import name  # noqa: PLC0415

    this_year = [r for r in rows if r.year == year]
    counts = Counter(r.status for r in this_year)
    inconsistent = sum(bool(r.inconsistent) for r in this_year)
    table = Table(title=f"{year} 年度报告发布情况（{len(this_year)} 个单位）", title_justify="left")
    for head in ("单位", "层级", "状态", "截止日期", "发布日期", "逾期天数", "错误"):
        table.add_column(head)
    for r in sorted(this_year, key=lambda r: (r.status, r.agency)):
        reading = f" · {name('reading', r.reading)}" if r.reading not in (None, "read") else ""
        shown = STATUS_NAMES.get(r.status, r.status) + reading + (" · 数据不一致" if r.inconsistent else "")
        table.add_row(
            r.agency, r.level, shown,
            str(r.deadline), str(r.published or "—"), str(r.days_late or ""), str(r.errors or 0),
        )
    out.print(table)
    summary = "，".join(f"{STATUS_NAMES.get(k, k)} {v}" for k, v in sorted(counts.items()))
    out.print(f"      合计：{summary}；表格数据不一致 {inconsistent}")


def _queue_alerts(db_url: str, registry: Path, as_of: dt.date, folder: Path) -> str:
    """Queue the compliance alerts and write each e-mail as an HTML file (the local mail sink)."""
    try:
        from alerts.demo import preview_alerts  # noqa: PLC0415
    except ImportError:
        return "（提醒模块尚未安装）"
    written = preview_alerts(db_url, registry, as_of, folder)
    return f"{written} 封提醒邮件已写入 {folder}"


def register(sub: Any) -> None:
    p = sub.add_parser("demo", help="the whole job end to end on simulated portals (offline)")
    p.add_argument("--portals", type=int, default=50)
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--as-of", default="2026-04-20", help="the simulated today (after both legal deadlines)")
    p.add_argument("--workdir", default="demo", help="where the archive, logs and e-mails go")
    p.add_argument("--timeout", type=float, default=1800.0)
    p.add_argument("--ocr", action="store_true", help="also read image-only reports by OCR (slow)")
    p.set_defaults(func=cmd_demo)
