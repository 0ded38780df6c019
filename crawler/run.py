"""Run one crawl in its own process (Twisted's reactor cannot restart; a child also frees the browser).

`python -m crawler.run --registry R [--portal ID]… [--region CODE] [--as-of DATE] [--db URL]
[--ledger FILE] [--jobdir DIR]` runs the portal spider and prints one JSON line with the crawl's
statistics. `crawl(...)` starts that child with a hard timeout and returns the statistics.

With a job directory (Scrapy's JOBDIR) a stopped crawl can be resumed: SIGTERM makes the child
finish the requests in flight and save its queue, seen requests and spider state there, and the
next crawl with the same directory goes on from them. A finished crawl clears the directory, so
the next one with it starts afresh.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
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

DEFAULT_TIMEOUT = 3600.0
# after SIGTERM: the requests in flight finish (DOWNLOAD_TIMEOUT 30 s) and their documents are stored, which
# can take minutes when parsing lags behind; a crawl killed before it saved its state cannot be resumed
STOP_GRACE = 300.0
_POLL = 0.2
_JOB_FILE = "xxgk-crawl.json"  # which crawl a job directory holds
_SCRAPY_JOB_FILES = ("requests.queue", "requests.seen", "spider.state")


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
    parser.add_argument("--jobdir", help="Scrapy's JOBDIR: a stopped crawl resumes from it, a finished one clears it")
    parser.add_argument("--setting", action="append", default=[], help="NAME=VALUE, a Scrapy setting")
    return parser.parse_args(argv)


def die_with_parent(parent: int | None = None) -> None:
    """Ask Linux to SIGKILL this process when its parent dies: a crawl whose worker was killed (or whose
    machine died) must not crawl on, unseen, beside the crawl of the job delivered again."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes  # noqa: PLC0415

    pr_set_pdeathsig = 1
    ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL)
    if parent is not None and os.getppid() != parent:  # the parent died before we asked
        os.kill(os.getpid(), signal.SIGKILL)


def main(argv: Sequence[str] | None = None) -> int:
    """The child: run the spider, then print its statistics as one JSON line on stdout."""
    die_with_parent(int(os.environ["XXGK_CRAWL_PARENT"]) if "XXGK_CRAWL_PARENT" in os.environ else None)
    args = _arguments(argv)
    from scrapy.crawler import CrawlerProcess  # noqa: PLC0415
    from scrapy.utils.project import get_project_settings  # noqa: PLC0415

    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "crawler.settings")
    settings = get_project_settings()
    settings.set("ITEM_PIPELINES", {"crawler.pipelines.LedgerPipeline": 200, "crawler.pipelines.ArchivePipeline": 300})
    for name, value in (("XXGK_DATABASE_URL", args.db), ("XXGK_CRAWL_LEDGER", args.ledger),
                        ("XXGK_AS_OF", args.as_of), ("JOBDIR", args.jobdir)):
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
        _clear_job(Path(args.jobdir))
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
    that holds another crawl (other registry, portals or region) is a ValueError.
    """
    if jobdir:
        claim_job(jobdir, registry, portals, region)
    cmd = [sys.executable, "-m", "crawler.run", "--registry", registry]
    for p in portals:
        cmd += ["--portal", p]
    for flag, value in (("--region", region), ("--as-of", as_of), ("--db", db), ("--ledger", ledger),
                        ("--jobdir", jobdir)):
        if value:
            cmd += [flag, value]
    for name, value in (settings or {}).items():
        cmd += ["--setting", f"{name}={json.dumps(value) if not isinstance(value, str) else value}"]
    child = subprocess.Popen(  # noqa: S603 - our own module
        cmd, stdout=subprocess.PIPE, stderr=log or None, text=True, start_new_session=True,
        env={**os.environ, "XXGK_CRAWL_PARENT": str(os.getpid())},
    )
    try:
        out = _wait(child, time.monotonic() + timeout, stop)
    except KeyboardInterrupt:
        _halt(child, grace, jobdir)
        raise
    if out is None:
        out = _halt(child, grace, jobdir)
        if stop is None or not stop.is_set():
            raise CrawlError(say("crawl.timed_out", seconds=f"{timeout:.0f}"))
    if child.returncode != 0:
        raise CrawlError(say("crawl.child_failed", code=child.returncode))
    last = out.strip().splitlines()[-1] if out.strip() else "{}"
    data = json.loads(last)
    return CrawlResult(stats=data.get("stats", {}), portal_stats=data.get("portal_stats", {}))


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


def _halt(child: subprocess.Popen[str], grace: float, jobdir: str | None = None) -> str:
    """Stop the child as Ctrl-C stops Scrapy: the requests in flight finish, the queue is saved.
    Only the child gets SIGTERM: its browser driver, in the same process group, must live to close
    its pages. After `grace` seconds (or a second Ctrl-C) the whole group is killed, and its job
    directory, saved halfway if at all, is cleared: the next crawl with it starts afresh."""
    child.send_signal(signal.SIGTERM)
    try:
        out, _ = child.communicate(timeout=grace)
    except (subprocess.TimeoutExpired, KeyboardInterrupt):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(child.pid, signal.SIGKILL)
        out, _ = child.communicate()
    if jobdir and child.returncode != 0:
        _clear_job(Path(jobdir))
    return out


def claim_job(jobdir: str, registry: str, portals: Sequence[str] = (), region: str | None = None) -> bool:
    """Mark the job directory as this crawl's. True when it holds this crawl, stopped before it finished;
    a ValueError when it holds another one (its queue would mix portals)."""
    crawl = {"registry": str(Path(registry).resolve()), "portals": sorted(portals), "region": region}
    path = Path(jobdir) / _JOB_FILE
    if path.exists():
        if json.loads(path.read_text(encoding="utf-8")) != crawl:
            raise ValueError(say("crawl.other_job", dir=jobdir))
        return True
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(crawl, ensure_ascii=False), encoding="utf-8")
    return False


def resumable(jobdir: str) -> bool:
    """Whether the job directory holds a stopped crawl to go on with."""
    return (Path(jobdir) / _JOB_FILE).exists()


def _clear_job(jobdir: Path) -> None:
    """A finished crawl leaves nothing to resume (only what Scrapy and we put there is removed)."""
    for name in (*_SCRAPY_JOB_FILES, _JOB_FILE):
        path = jobdir / name
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink(missing_ok=True)


if __name__ == "__main__":
    sys.exit(main())
