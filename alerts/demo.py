"""What `xxgk demo` asks of the monitor after its own crawl: the alerts the archive implies, as e-mail files."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from alerts.delivery import preview
from alerts.routing import letterhead
from alerts.schedule import monitor_now, sweep, sync_agencies
from config.registry import load_registry
from store.db import Archive


def preview_alerts(database_url: str, registry_path: Path, as_of: dt.date, folder: Path) -> int:
    """Queue every alert due at `as_of` and write each pending e-mail to `folder` (the demo's mail sink);
    returns how many e-mails were written."""
    registry = load_registry(registry_path)
    now = monitor_now(as_of)
    with Archive.open(database_url) as archive:
        sync_agencies(archive, registry)
        sweep(archive, registry, as_of, now)
        return len(preview(archive, now, letterhead(registry), folder))
