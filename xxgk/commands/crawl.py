"""`xxgk crawl`: crawl portals in a child process, store what is found, print a summary per portal."""

from __future__ import annotations

import argparse
import contextlib
import json
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from catalogue.cli import say
from catalogue.terms import fault, name
from config.settings import Settings, add_common_options
from crawler.progress import CrawlProgress
from xxgk.commands import (
    EXIT_BAD_INPUT,
    EXIT_FAILURE,
    EXIT_OK,
    OperationalError,
    UsageError,
    check_database_url,
    console,
    dump_json,
    error,
    values,
)


def _portal_ids(args: argparse.Namespace, settings: Settings) -> list[str]:
    from config.registry import RegistryError, load_registry  # noqa: PLC0415

    try:
        registry = load_registry(settings.registry)
    except RegistryError as exc:
        for problem in exc.problems:
            error(problem)
        raise SystemExit(EXIT_BAD_INPUT) from None
    known = {p.id for p in registry.portals}
    unknown = [p for p in args.portal if p not in known]
    if unknown:
        error(say("crawl.unknown_portal", registry=settings.registry, ids="、".join(unknown)))
        raise SystemExit(EXIT_BAD_INPUT)
    if not (args.portal or args.region or args.all):
        error(say("crawl.which"))
        raise SystemExit(EXIT_BAD_INPUT)
    return list(args.portal)


def watch_progress(progress: CrawlProgress, done: threading.Event, every: float = 30.0) -> None:
    """On a terminal a live display (a bar for the portals, a line for each of the few active ones);
    elsewhere, a log line every `every` seconds."""
    if sys.stderr.isatty():
        from rich.console import Console  # noqa: PLC0415
        from rich.live import Live  # noqa: PLC0415

        # on stderr: stdout is the summary's, or the JSON's alone with --json
        with Live(_display(progress), refresh_per_second=4, transient=True, console=Console(stderr=True)) as live:
            while not done.wait(0.25):
                progress.poll()
                live.update(_display(progress))
    else:
        last = time.monotonic()
        while not done.wait(min(1.0, every)):
            progress.poll()
            if time.monotonic() - last >= every:
                print(say("crawl.progress", line=progress.line()), file=sys.stderr)
                last = time.monotonic()
    progress.poll()


def _display(progress: CrawlProgress) -> Any:
    from rich.console import Group  # noqa: PLC0415
    from rich.progress_bar import ProgressBar  # noqa: PLC0415
    from rich.table import Table  # noqa: PLC0415

    head = Table.grid(padding=(0, 1))
    head.add_row(ProgressBar(total=len(progress.portals) or None, completed=len(progress.done), width=30),
                 progress.line())
    active = Table(box=None, padding=(0, 1), show_edge=False)
    for column in ("正在抓取", "年报页面", "附件", "失败"):
        active.add_column(column, justify="left" if column == "正在抓取" else "right")
    for portal, counts in progress.active():
        active.add_row(portal, str(counts["pages"]), str(counts["attachments"]), str(counts["failures"]))
    return Group(head, active) if active.row_count else head


@contextlib.contextmanager
def _stopping_on_signals() -> Iterator[None]:
    """Ctrl-C and SIGTERM stop the crawl gracefully (the requests in flight finish and its state is
    saved, for --resume), which can take a while: say so; a second one ends it at once."""
    said = threading.Event()

    def interrupt(_signum: int, _frame: object) -> None:
        if not said.is_set():
            said.set()
            error(say("crawl.stopping"))
        raise KeyboardInterrupt

    previous = {signum: signal.signal(signum, interrupt) for signum in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def cmd_crawl(args: argparse.Namespace) -> int:
    from crawler.jobdir import JobLockedError, check_unlocked, claim_job  # noqa: PLC0415
    from crawler.run import CrawlError, crawl  # noqa: PLC0415

    settings = Settings.load(args)
    check_database_url(settings.database_url)
    portals = _portal_ids(args, settings)
    try:
        if args.resume:
            check_unlocked(args.resume)
        if args.resume and claim_job(args.resume, str(settings.registry), portals, args.region):
            print(say("crawl.resuming", dir=args.resume), file=sys.stderr)
    except JobLockedError as exc:
        raise OperationalError(str(exc)) from None
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    with tempfile.TemporaryDirectory(prefix="xxgk-crawl-") as tmp:
        ledger = Path(tmp) / "ledger.jsonl"
        log_path = Path(args.log) if args.log else Path(tmp) / "crawl.log"
        progress, done = CrawlProgress(ledger), threading.Event()
        watcher = threading.Thread(target=watch_progress, args=(progress, done), daemon=True)
        watcher.start()
        try:
            with log_path.open("w", encoding="utf-8") as log, _stopping_on_signals():
                result = crawl(
                    str(settings.registry), portals=portals, region=args.region, as_of=settings.as_of.isoformat(),
                    db=settings.database_url, ledger=str(ledger), jobdir=args.resume, timeout=args.timeout, log=log,
                    settings=settings.crawl_settings(),
                )
        except JobLockedError as exc:  # another crawl took the directory since it was checked
            raise OperationalError(str(exc)) from None
        except CrawlError as exc:
            hint = _resume_hint(args.resume)
            raise OperationalError(say("crawl.failed", reason=exc, log=log_path, hint=hint)) from None
        except KeyboardInterrupt:
            error(say("crawl.stopped", hint=_resume_hint(args.resume)))
            raise
        finally:
            done.set()
            watcher.join()
        faults = _faults(ledger)
    summary = [
        {"portal": p, **dict(sorted(s.items()))} for p, s in sorted(result.portal_stats.items())
    ]
    if args.json:
        dump_json({"portals": summary, "items": result.stats.get("item_scraped_count", 0), "faults": faults})
        return EXIT_OK
    _print_summary(summary)
    _print_faults(faults)
    failed = [row["portal"] for row in summary if not row.get("list_pages")]
    return EXIT_FAILURE if failed and len(failed) == len(summary) else EXIT_OK


def _resume_hint(jobdir: str | None) -> str:
    from crawler.jobdir import resumable  # noqa: PLC0415

    return say("crawl.resume_hint", dir=jobdir) if jobdir and resumable(jobdir) else ""


def _faults(ledger: Path) -> list[dict[str, Any]]:
    """Every page or file the crawl could not read, as the ledger has them."""
    if not ledger.exists():
        return []
    lines = (json.loads(line) for line in ledger.read_text(encoding="utf-8").splitlines() if line.strip())
    keys = ("portal", "url", "kind", "detail", "agency", "year", "list_page", "copy")
    return [{k: line.get(k) for k in keys} for line in lines if line.get("type") == "failure"]


def _counted(row: dict[str, Any], prefix: str, vocabulary: str) -> str:
    return ", ".join(f"{name(vocabulary, k.split(':', 1)[1])}×{v}" for k, v in row.items() if k.startswith(prefix))


def _print_summary(rows: list[dict[str, Any]]) -> None:
    from rich.table import Table  # noqa: PLC0415

    table = Table(title="抓取结果", title_justify="left")
    for head in ("网站", "栏目页", "年报链接", "年报页面", "附件", "未变化", "排除", "失败", "截断后重试"):
        table.add_column(head, justify="left" if head == "网站" else "right")
    for row in rows:
        table.add_row(
            row["portal"], str(row.get("list_pages", 0)), str(row.get("report_links", 0)),
            str(row.get("report_pages", 0)), str(row.get("attachments", 0)), str(row.get("not_modified", 0)),
            str(row.get("decoys_rejected", 0) + row.get("older_than_monitored", 0)),
            _counted(row, "failed:", "fault") or "—", _counted(row, "retried:", "cut") or "—",
        )
    console().print(table)


def _print_faults(faults: list[dict[str, Any]], limit: int = 20) -> None:
    """The pages and files the crawl could not read: while one may hide an agency's report, its absent years
    are `unconfirmed`, not `missing` (`xxgk status`, `xxgk show AGENCY YEAR`)."""
    if not faults:
        return
    out = console()
    out.print(say("crawl.faults", n=len(faults), unconfirmed=name("status", "unconfirmed"),
                  missing=name("status", "missing")), markup=False)
    for f in faults[:limit]:
        out.print("  " + say("crawl.fault", portal=f["portal"], fault=fault(f["kind"], f["detail"] or ""),
                             url=f["url"]), markup=False)
    if len(faults) > limit:
        out.print("  " + say("crawl.more_faults", n=len(faults) - limit), markup=False)


def register(sub: Any) -> None:
    p = sub.add_parser("crawl", help="抓取门户网站，并存入找到的年度报告")
    add_common_options(p)
    p.add_argument("--portal", action="append", default=[], metavar="ID", help="门户编号（可重复）")
    p.add_argument("--region", metavar="CODE", help="单位位于此区划的门户（区划代码前缀）")
    p.add_argument("--all", action="store_true", help="全部已启用的门户")
    p.add_argument("--timeout", type=values.seconds, default=3600.0, help="抓取的时间上限（秒）")
    p.add_argument("--log", metavar="FILE", help="抓取日志保存到此文件")
    p.add_argument(
        "--resume", metavar="DIR",
        help="抓取状态保存在 DIR：中途停止（Ctrl-C、SIGTERM、--timeout，或进程被杀）的抓取用同一个 DIR 再次运行"
             "即可接着抓取，未存入归档的文件会重新抓取；同一时间只能有一个抓取使用 DIR；抓取完成后清空 DIR",
    )
    p.add_argument("--json", action="store_true", help="以 JSON 输出抓取结果")
    p.set_defaults(func=cmd_crawl)
