"""Run one crawl in its own process (Twisted's reactor cannot restart; a child also frees the browser).

`python -m crawler.run --registry R [--portal ID]… [--region CODE] [--as-of DATE] [--db URL]
[--ledger FILE]` runs the portal spider and prints one JSON line with the crawl's statistics.
`crawl(...)` starts that child with a hard timeout and returns the statistics.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

DEFAULT_TIMEOUT = 3600.0


class CrawlError(RuntimeError):
    """The crawl process failed or ran out of time; the message says which, in one line."""


@dataclass(slots=True)
class CrawlResult:
    stats: dict[str, Any]
    portal_stats: dict[str, dict[str, int]] = field(default_factory=dict)


def _arguments(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m crawler.run")
    parser.add_argument("--registry", required=True)
    parser.add_argument("--portal", action="append", default=[])
    parser.add_argument("--region")
    parser.add_argument("--as-of")
    parser.add_argument("--db")
    parser.add_argument("--ledger")
    parser.add_argument("--setting", action="append", default=[], help="NAME=VALUE, a Scrapy setting")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """The child: run the spider, then print its statistics as one JSON line on stdout."""
    args = _arguments(argv)
    from scrapy.crawler import CrawlerProcess  # noqa: PLC0415
    from scrapy.utils.project import get_project_settings  # noqa: PLC0415

    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawler.settings")
    settings = get_project_settings()
    settings.set("ITEM_PIPELINES", {"crawler.pipelines.LedgerPipeline": 200, "crawler.pipelines.ArchivePipeline": 300})
    for name, value in (("XXGK_DATABASE_URL", args.db), ("XXGK_CRAWL_LEDGER", args.ledger),
                        ("XXGK_AS_OF", args.as_of)):
        if value:
            settings.set(name, value)
    for pair in args.setting:
        name, _, value = pair.partition("=")
        settings.set(name, json.loads(value) if value[:1] in "[{0123456789tfn" else value)
    process = CrawlerProcess(settings)
    crawler = process.create_crawler("portal")
    process.crawl(crawler, registry=args.registry, portals=",".join(args.portal), region=args.region,
                  as_of=args.as_of)
    process.start()
    stats = crawler.stats.get_stats() if crawler.stats else {}
    portal_stats = stats.pop("xxgk/portal_stats", {})
    print(json.dumps({"stats": stats, "portal_stats": portal_stats}, ensure_ascii=False, default=str))
    return 0


def crawl(
    registry: str, *, portals: Sequence[str] = (), region: str | None = None, as_of: str | None = None,
    db: str | None = None, ledger: str | None = None, settings: dict[str, Any] | None = None,
    timeout: float = DEFAULT_TIMEOUT, log: Any = None,
) -> CrawlResult:
    """Run a crawl in a child process with a hard timeout; its log goes to `log` (a file), else stderr."""
    cmd = [sys.executable, "-m", "crawler.run", "--registry", registry]
    for p in portals:
        cmd += ["--portal", p]
    for flag, value in (("--region", region), ("--as-of", as_of), ("--db", db), ("--ledger", ledger)):
        if value:
            cmd += [flag, value]
    for name, value in (settings or {}).items():
        cmd += ["--setting", f"{name}={json.dumps(value) if not isinstance(value, str) else value}"]
    child = subprocess.Popen(  # noqa: S603 - our own module
        cmd, stdout=subprocess.PIPE, stderr=log or None, text=True, start_new_session=True
    )
    try:
        out, _ = child.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(child.pid, signal.SIGKILL)
        child.wait()
        raise CrawlError(f"the crawl did not finish within {timeout:.0f} s and was stopped") from None
    if child.returncode != 0:
        raise CrawlError(f"the crawl process failed (exit {child.returncode}); see its log")
    last = out.strip().splitlines()[-1] if out.strip() else "{}"
    data = json.loads(last)
    return CrawlResult(stats=data.get("stats", {}), portal_stats=data.get("portal_stats", {}))


if __name__ == "__main__":
    sys.exit(main())
