"""Run one crawl in its own process (Twisted's reactor cannot restart; a child also frees the browser).

`python -m crawler.run --registry R [--portal ID]… [--region CODE] [--as-of DATE] [--db URL]
[--ledger FILE] [--jobdir DIR] [--lifeline FD]` runs the portal spider and prints one JSON line with
the crawl's statistics. `crawl(...)` starts that child with a hard timeout and returns the statistics;
the child dies with it (crawler.lifeline).

With a job directory (crawler.jobdir) a crawl that stopped, however it stopped — SIGTERM, a timeout,
kill -9, the OOM killer — is resumed by the next crawl with the same directory: the journal kept there
(crawler.journal) says what was done and what is to be fetched again. One process at a
time crawls with a directory; a finished crawl clears it, so the next one with it starts afresh.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from catalogue.cli import say
from crawler.jobdir import claim_job, clear_job, lock_job

DEFAULT_TIMEOUT = 3600.0
# after SIGTERM: the requests in flight finish (DOWNLOAD_TIMEOUT 30 s) and their documents are stored, which
# can take minutes when parsing lags behind; killed after it, a crawl loses only the work in flight
STOP_GRACE = 300.0
_POLL = 0.2


class CrawlError(RuntimeError):
    """The crawl process failed or ran out of time; the message says which, in one line."""


@dataclass(slots=True)
class CrawlResult:
    stats: dict[str, Any]
    portal_stats: dict[str, dict[str, int]] = field(default_factory=dict)

    @property
    def finished(self) -> bool:
        """False for a crawl that was stopped before its queue ran out (it can be resumed)."""
        return self.stats.get("finish_reason") == "finished"


def _arguments(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m crawler.run")
    parser.add_argument("--registry", required=True)
    parser.add_argument("--portal", action="append", default=[])
    parser.add_argument("--region")
    parser.add_argument("--as-of")
    parser.add_argument("--db")
    parser.add_argument("--ledger")
    parser.add_argument("--jobdir", help="the job directory: a stopped crawl resumes from it, a finished one clears it")
    parser.add_argument("--lifeline", type=int, help="a pipe's read end: the crawl dies when its parent does")
    parser.add_argument("--setting", action="append", default=[], help="NAME=VALUE, a Scrapy setting")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """The child: run the spider, then print its statistics as one JSON line on stdout."""
    args = _arguments(argv)
    if args.lifeline is not None:
        from crawler.lifeline import die_with_parent  # noqa: PLC0415

        die_with_parent(args.lifeline)
    from scrapy.crawler import CrawlerProcess  # noqa: PLC0415
    from scrapy.utils.project import get_project_settings  # noqa: PLC0415

    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawler.settings")
    settings = get_project_settings()
    settings.set("ITEM_PIPELINES", {"crawler.pipelines.LedgerPipeline": 200, "crawler.pipelines.ArchivePipeline": 300})
    for name, value in (("XXGK_DATABASE_URL", args.db), ("XXGK_CRAWL_LEDGER", args.ledger),
                        ("XXGK_AS_OF", args.as_of), ("XXGK_JOBDIR", args.jobdir)):
        if value:
            settings.set(name, value)
    for pair in args.setting:
        name, _, value = pair.partition("=")
        settings.set(name, _setting_value(value))
    process = CrawlerProcess(settings)
    crawler = process.create_crawler("portal")
    process.crawl(crawler, registry=args.registry, portals=",".join(args.portal), region=args.region,
                  as_of=args.as_of)
    process.start()
    stats = crawler.stats.get_stats() if crawler.stats else {}
    if args.jobdir and stats.get("finish_reason") == "finished":
        clear_job(Path(args.jobdir))
    portal_stats = stats.pop("xxgk/portal_stats", {})
    print(json.dumps({"stats": stats, "portal_stats": portal_stats}, ensure_ascii=False, default=str))
    return 0


def _setting_value(raw: str) -> Any:
    """A setting's JSON value (numbers, true, lists…), else the text itself (a job id that begins with a digit)."""
    if raw[:1] in "[{0123456789tfn":
        try:
            return json.loads(raw)
        except ValueError:
            pass
    return raw


def crawl(
    registry: str, *, portals: Sequence[str] = (), region: str | None = None, as_of: str | None = None,
    db: str | None = None, ledger: str | None = None, jobdir: str | None = None,
    settings: dict[str, Any] | None = None, timeout: float = DEFAULT_TIMEOUT, log: Any = None,
    stop: threading.Event | None = None, grace: float = STOP_GRACE,
) -> CrawlResult:
    """Run a crawl in a child process; its log goes to `log` (a file), else stderr.

    The crawl is stopped gracefully (SIGTERM, then SIGKILL after `grace` seconds) when `stop` is set
    (its statistics are returned: `finished` is False), on `timeout` (CrawlError) and on Ctrl-C
    (KeyboardInterrupt again). With `jobdir` a stopped crawl resumes where it stopped; a `jobdir`
    that holds another crawl (other registry, portals or region) is a ValueError, one that another
    process is crawling with a JobLockedError.
    """
    lock = lock_job(jobdir) if jobdir else None
    try:
        if jobdir:
            claim_job(jobdir, registry, portals, region)
        return _run(_command(registry, portals, region, as_of, db, ledger, jobdir, settings), lock, timeout, log,
                    stop, grace)
    finally:
        if lock is not None:
            os.close(lock)


def _command(registry: str, portals: Sequence[str], region: str | None, as_of: str | None, db: str | None,
             ledger: str | None, jobdir: str | None, settings: dict[str, Any] | None) -> list[str]:
    cmd = [sys.executable, "-m", "crawler.run", "--registry", registry]
    for p in portals:
        cmd += ["--portal", p]
    for flag, value in (("--region", region), ("--as-of", as_of), ("--db", db), ("--ledger", ledger),
                        ("--jobdir", jobdir)):
        if value:
            cmd += [flag, value]
    for name, value in (settings or {}).items():
        cmd += ["--setting", f"{name}={json.dumps(value) if not isinstance(value, str) else value}"]
    return cmd


def _run(cmd: list[str], lock: int | None, timeout: float, log: Any, stop: threading.Event | None,
         grace: float) -> CrawlResult:
    """Start the child (holding the job directory's lock with us, and the read end of its lifeline) and wait."""
    lifeline, alive = os.pipe()
    try:
        child = subprocess.Popen(  # noqa: S603 - our own module
            [*cmd, "--lifeline", str(lifeline)], stdout=subprocess.PIPE, stderr=log or None, text=True,
            start_new_session=True, pass_fds=(lifeline,) if lock is None else (lifeline, lock),
        )
    finally:
        os.close(lifeline)
    try:
        out = _outcome(child, timeout, stop, grace)
    finally:
        os.close(alive)
    if child.returncode != 0:
        raise CrawlError(say("crawl.child_failed", code=child.returncode))
    last = out.strip().splitlines()[-1] if out.strip() else "{}"
    data = json.loads(last)
    return CrawlResult(stats=data.get("stats", {}), portal_stats=data.get("portal_stats", {}))


def _outcome(child: subprocess.Popen[str], timeout: float, stop: threading.Event | None, grace: float) -> str:
    """The child's output once it ended by itself, or was stopped by `stop` (CrawlError on timeout)."""
    try:
        out = _wait(child, time.monotonic() + timeout, stop)
    except KeyboardInterrupt:
        _halt(child, grace)
        raise
    if out is None:
        out = _halt(child, grace)
        if stop is None or not stop.is_set():
            raise CrawlError(say("crawl.timed_out", seconds=f"{timeout:.0f}"))
    return out


def _wait(child: subprocess.Popen[str], deadline: float, stop: threading.Event | None) -> str | None:
    """The child's stdout once it exits; None when the deadline passes or `stop` is set first."""
    while True:
        try:
            out, _ = child.communicate(timeout=max(0.0, min(_POLL, deadline - time.monotonic())))
        except subprocess.TimeoutExpired:
            if time.monotonic() >= deadline or (stop is not None and stop.is_set()):
                return None
        else:
            return out


def _halt(child: subprocess.Popen[str], grace: float) -> str:
    """Stop the child as Ctrl-C stops Scrapy: the requests in flight finish and their documents are
    stored. Only the child gets SIGTERM: its browser driver, in the same process group, must live to
    close its pages. After `grace` seconds (or a second Ctrl-C) the whole group is killed: its journal
    loses nothing, the next crawl with the job directory fetches again what was left in flight."""
    child.send_signal(signal.SIGTERM)
    try:
        out, _ = child.communicate(timeout=grace)
    except (subprocess.TimeoutExpired, KeyboardInterrupt):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(child.pid, signal.SIGKILL)
        out, _ = child.communicate()
    return out


if __name__ == "__main__":
    sys.exit(main())
