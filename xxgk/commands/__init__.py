"""One module per command group; each exposes `register(subparsers)`. Heavy imports stay inside commands."""

from __future__ import annotations

import json
import sys
from typing import Any

EXIT_OK, EXIT_FAILURE, EXIT_BAD_INPUT = 0, 1, 2

# Listed here, registered in this order by xxgk.cli; a new command group is one more module name.
COMMAND_MODULES = (
    "xxgk.commands.reports",
    "xxgk.commands.portals",
    "xxgk.commands.archive",
    "xxgk.commands.analytics",
    "xxgk.commands.sim",
    "xxgk.commands.crawl",
    "xxgk.commands.alerts",
    "xxgk.commands.monitor",
    "xxgk.commands.demo",
    "xxgk.commands.web",
    "xxgk.commands.jobs",
)


class UsageError(Exception):
    """A user's mistake or unreadable input: one line on stderr, exit 2."""


class OperationalError(Exception):
    """The job could not be done (database, network, server down): one line on stderr, exit 1."""


def check_database_url(url: str) -> None:
    """UsageError when `url` cannot name a database at all (`--db 'not a url'`), for the commands that hand it
    to a child or a scheduler before opening it themselves; nothing is connected to."""
    from store.db import make_engine  # noqa: PLC0415
    from store.errors import WrongArchiveError  # noqa: PLC0415

    try:
        make_engine(url).dispose()
    except WrongArchiveError as exc:
        raise UsageError(str(exc)) from None


def error(message: str) -> None:
    print(f"xxgk: {message}", file=sys.stderr)


def dump_json(payload: Any) -> None:
    """Machine-readable output: JSON on stdout and nothing else there."""
    json.dump(payload, sys.stdout, ensure_ascii=False, indent=1, default=str)
    sys.stdout.write("\n")


def console() -> Any:
    """A rich console; 132 columns when piped so that tables stay readable in logs."""
    from rich.console import Console  # noqa: PLC0415

    return Console(width=None if sys.stdout.isatty() else 132)
