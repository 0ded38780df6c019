"""From outbox to mail server: build the due digests, send each, record each outcome at once.

Digests are built in one read, then every digest is sent and its outcome committed in its own short
transaction, so that the database is never locked while the mail server thinks, and an accepted
digest is marked delivered before the next one is tried.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func, select

from alerts import outbox
from alerts.digest import Digest, compose
from alerts.routing import CADENCES, Letterhead
from alerts.smtp import Deferred, Refused, ServerUnavailable, connect
from config.settings import CHINA, SmtpSettings
from store.db import Archive
from store.models import Alert


@dataclass(slots=True)
class DeliveryReport:
    digests: int = 0  # digests the server accepted
    deliveries: int = 0  # alert × recipient pairs in them
    deferred: int = 0  # digests that wait for a retry
    refused: int = 0  # digests refused for good
    queued: int = 0  # alerts still waiting after this run
    error: str | None = None  # why the server could not be used at all
    configured: bool = True
    refusals: list[str] = field(default_factory=list)


def due_digests(archive: Archive, now: dt.datetime, cadences: Iterable[str], letterhead: Letterhead, *,
                ignore_backoff: bool = False) -> list[Digest]:
    as_of = now.astimezone(CHINA).date()
    with archive.read() as session:
        groups = outbox.pending(session, now, cadences, ignore_backoff=ignore_backoff)
        return [compose(recipient, cadence, alerts, as_of, letterhead)
                for (recipient, cadence), alerts in sorted(groups.items())]


def _queued(archive: Archive) -> int:
    with archive.read() as session:
        return session.scalar(select(func.count()).select_from(Alert).where(Alert.state == "queued")) or 0


def deliver(archive: Archive, smtp: SmtpSettings | None, now: dt.datetime, cadences: Iterable[str],
            letterhead: Letterhead, *, ignore_backoff: bool = False) -> DeliveryReport:
    """Send the digests due at `now`; without SMTP settings everything stays queued."""
    if smtp is None:
        return DeliveryReport(queued=_queued(archive), configured=False)
    report = DeliveryReport()
    outgoing = due_digests(archive, now, cadences, letterhead, ignore_backoff=ignore_backoff)
    deferred: dict[int, str] = {}
    done = 0
    if outgoing:
        try:
            with connect(smtp) as mailer:
                for digest in outgoing:
                    try:
                        mailer.send(digest.message(smtp.mail_from, now))
                    except Deferred as exc:
                        deferred.update(dict.fromkeys(digest.alert_ids, str(exc)))
                        report.deferred += 1
                    except Refused as exc:
                        _mark(archive, digest, outbox.mark_rejected, digest.recipient, str(exc), now)
                        report.refused += 1
                        report.refusals.append(f"{digest.recipient}: {exc}")
                    else:
                        _mark(archive, digest, outbox.mark_delivered, digest.recipient, now)
                        report.digests += 1
                        report.deliveries += len(digest.alert_ids)
                    done += 1
        except ServerUnavailable as exc:
            report.error = str(exc)
            for digest in outgoing[done:]:
                deferred.update(dict.fromkeys(digest.alert_ids, str(exc)))
                report.deferred += 1
    if deferred:
        with archive.write() as session:
            for alert in session.scalars(select(Alert).where(Alert.id.in_(deferred))):
                outbox.mark_deferred([alert], deferred[alert.id], now)
    report.queued = _queued(archive)
    return report


def _mark(archive: Archive, digest: Digest, mark: Callable[..., None], *args: object) -> None:
    """Record one digest's outcome on its alerts, in its own transaction."""
    with archive.write() as session:
        alerts = list(session.scalars(select(Alert).where(Alert.id.in_(digest.alert_ids)).order_by(Alert.id)))
        mark(alerts, *args)


def preview(archive: Archive, now: dt.datetime, letterhead: Letterhead, folder: Path) -> list[Path]:
    """Every pending e-mail, whatever its cadence or backoff, as an HTML file in `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for n, digest in enumerate(due_digests(archive, now, CADENCES, letterhead, ignore_backoff=True), 1):
        safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in digest.recipient)
        path = folder / f"{n:03d}-{safe}-{digest.cadence}.html"
        path.write_text(digest.html, encoding="utf-8")
        paths.append(path)
    return paths
