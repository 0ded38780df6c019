"""`xxgk crawl`: crawl portals in a child process, store what is found, print a summary per portal."""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

from xxgk.commands import EXIT_BAD_INPUT, EXIT_FAILURE, EXIT_OK, OperationalError, console, dump_json, error
from xxgk.settings import Settings, add_common_options


def _portal_ids(args: argparse.Namespace, settings: Settings) -> list[str]:
    from xxgk.registry import RegistryError, load_registry  # noqa: PLC0415

    try:
        registry = load_registry(settings.registry)
    except RegistryError as exc:
        for problem in exc.problems:
            error(problem)
        raise SystemExit(EXIT_BAD_INPUT) from None
    known = {p.id for p in registry.portals}
    unknown = [p for p in args.portal if p not in known]
    if unknown:
        error(f"no such portal in {settings.registry}: {', '.join(unknown)}")
        raise SystemExit(EXIT_BAD_INPUT)
    if not (args.portal or args.region or args.all):
        error("say which portals: --portal ID (repeatable), --region CODE or --all")
        raise SystemExit(EXIT_BAD_INPUT)
    return list(args.portal)


class _Progress:
    """Reads the crawl ledger while the child runs: documents, reports, failures so far."""

    def __init__(self, ledger: Path) -> None:
        self.ledger = ledger
        self.counts: Counter[str] = Counter()
        self.portals: set[str] = set()
        self._offset = 0

    def poll(self) -> None:
        if not self.ledger.exists():
            return
        with self.ledger.open(encoding="utf-8") as f:
            f.seek(self._offset)
            for line in f:
                if not line.endswith("\n"):
                    break
                self._offset += len(line.encode("utf-8"))
                item = json.loads(line)
                self.portals.add(item["portal"])
                self.counts["failures" if item["type"] == "failure" else f"{item['kind']}s"] += 1

    def line(self) -> str:
        c = self.counts
        return (f"portals {len(self.portals)} · report pages {c['pages']} · attachments {c['attachments']} · "
                f"failures {c['failures']}")


def _watch(progress: _Progress, done: threading.Event) -> None:
    if sys.stderr.isatty():
        from rich.live import Live  # noqa: PLC0415

        with Live(progress.line(), refresh_per_second=4, transient=True) as live:
            while not done.wait(0.5):
                progress.poll()
                live.update(progress.line())
    else:
        last = time.monotonic()
        while not done.wait(1.0):
            progress.poll()
            if time.monotonic() - last >= 30:
                print(f"crawl: {progress.line()}", file=sys.stderr)
                last = time.monotonic()
    progress.poll()


def cmd_crawl(args: argparse.Namespace) -> int:
    from crawler.run import CrawlError, crawl  # noqa: PLC0415

    settings = Settings.load(args)
    portals = _portal_ids(args, settings)
    with tempfile.TemporaryDirectory(prefix="xxgk-crawl-") as tmp:
        ledger = Path(tmp) / "ledger.jsonl"
        log_path = Path(args.log) if args.log else Path(tmp) / "crawl.log"
        progress, done = _Progress(ledger), threading.Event()
        watcher = threading.Thread(target=_watch, args=(progress, done), daemon=True)
        watcher.start()
        try:
            with log_path.open("w", encoding="utf-8") as log:
                result = crawl(
                    str(settings.registry), portals=portals, region=args.region, as_of=settings.as_of.isoformat(),
                    db=settings.database_url, ledger=str(ledger), timeout=args.timeout, log=log,
                )
        except CrawlError as exc:
            raise OperationalError(f"{exc} (log: {log_path})") from None
        finally:
            done.set()
            watcher.join()
    summary = [
        {"portal": p, **dict(sorted(s.items()))} for p, s in sorted(result.portal_stats.items())
    ]
    if args.json:
        dump_json({"portals": summary, "items": result.stats.get("item_scraped_count", 0)})
        return EXIT_OK
    _print_summary(summary)
    failed = [row["portal"] for row in summary if not row.get("list_pages")]
    return EXIT_FAILURE if failed and len(failed) == len(summary) else EXIT_OK


def _print_summary(rows: list[dict[str, Any]]) -> None:
    from rich.table import Table  # noqa: PLC0415

    table = Table(title="抓取结果", title_justify="left")
    for head in ("网站", "栏目页", "年报链接", "年报页面", "附件", "未变化", "排除", "失败"):
        table.add_column(head, justify="left" if head == "网站" else "right")
    for row in rows:
        failures = ", ".join(f"{k.split(':', 1)[1]}×{v}" for k, v in row.items() if k.startswith("failed:"))
        table.add_row(
            row["portal"], str(row.get("list_pages", 0)), str(row.get("report_links", 0)),
            str(row.get("report_pages", 0)), str(row.get("attachments", 0)), str(row.get("not_modified", 0)),
            str(row.get("decoys_rejected", 0) + row.get("older_than_monitored", 0)), failures or "—",
        )
    console().print(table)


def register(sub: Any) -> None:
    p = sub.add_parser("crawl", help="crawl portals and store the reports found")
    add_common_options(p)
    p.add_argument("--portal", action="append", default=[], metavar="ID", help="a portal id (repeatable)")
    p.add_argument("--region", metavar="CODE", help="portals whose agencies are in this region (code prefix)")
    p.add_argument("--all", action="store_true", help="every enabled portal")
    p.add_argument("--timeout", type=float, default=3600.0, help="hard time limit of the crawl, seconds")
    p.add_argument("--log", metavar="FILE", help="keep the crawl's log in this file")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_crawl)
