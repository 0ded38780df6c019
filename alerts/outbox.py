"""The outbox: alerts are rows before they are e-mails, each delivered to each recipient at most once.

A fact is queued under its dedupe key, and the unique constraint on that key (not a prior read) makes
a second queueing a no-op, whichever process tries. Delivery is recorded per recipient in the payload
right after the server accepted the digest that carried it, so a crash can at worst repeat the last
digest, and nothing is lost when the server is down: the alert stays queued, its `attempts` (failed
attempts so far) grows and the next try waits longer. A reminder is a new alert `<key>#<n>` queued
when the last one went out `reminder_days` ago and the fact is still true; acknowledging or
dismissing any alert of that chain ends it; the verdict is the alert's state, with who, when and why
in its own columns.

Payload shape: `fact` (what the e-mail shows), `raised_on` (the monitor's date), `reminder` (0 for the
first notice), `cadence` {recipient: immediate|daily|weekly}, `delivery` {`delivered`: {recipient:
time}, `rejected`: {recipient: reason}, `retry_at`: time or absent}.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any, Final, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from alerts.routing import Route
from alerts.rules import Fact
from catalogue.cli import say
from config.settings import CHINA
from store.models import Alert
from store.sql import insert_ignore

Verdict = Literal["acknowledged", "dismissed"]
VERDICTS: Final[tuple[Verdict, ...]] = ("acknowledged", "dismissed")
REMINDER_MARK: Final = "#"
FIRST_RETRY: Final = dt.timedelta(minutes=5)
LONGEST_WAIT: Final = dt.timedelta(hours=6)
WEEK: Final = dt.timedelta(days=7)


def backoff(attempts: int) -> dt.timedelta:
    """5 min, 10, 20, … doubling per failed attempt, at most 6 h: a server back up is used within hours."""
    return min(FIRST_RETRY * (1 << min(max(attempts - 1, 0), 16)), LONGEST_WAIT)


def base_key(dedupe_key: str) -> str:
    return dedupe_key.split(REMINDER_MARK, 1)[0]


def _payload(fact: Fact, route: Route, now: dt.datetime, reminder: int) -> dict[str, Any]:
    return {
        "fact": fact.payload, "raised_on": now.astimezone(CHINA).date().isoformat(), "reminder": reminder,
        "cadence": dict(route), "delivery": {"delivered": {}, "rejected": {}},
    }


def _insert(session: Session, fact: Fact, key: str, route: Route, now: dt.datetime, reminder: int) -> Alert:
    values: dict[str, Any] = {
        "kind": fact.kind, "dedupe_key": key, "agency_id": fact.agency_id, "report_id": fact.report_id,
        "recipients": sorted(route), "payload": _payload(fact, route, now, reminder), "state": "queued",
        "attempts": 0, "created_at": now,
    }
    if not route:
        values |= {"state": "failed", "last_error": "nobody to tell: the registry lists no recipient for it"}
    return insert_ignore(session, Alert, values, ["dedupe_key"])


def queue(session: Session, facts: Iterable[tuple[Fact, Route]], now: dt.datetime) -> list[Alert]:
    """Queue the facts not queued before; returns the new alerts."""
    known = set(session.scalars(select(Alert.dedupe_key)))
    new = []
    for fact, route in facts:
        if fact.key not in known:
            known.add(fact.key)
            new.append(_insert(session, fact, fact.key, route, now, 0))
    return new


def remind(session: Session, facts: Iterable[tuple[Fact, Route]], now: dt.datetime, *, every_days: int,
           at_most: int) -> list[Alert]:
    """Queue a reminder for each fact that is still true, `every_days` after its last notice went out."""
    open_facts = [(f, r) for f, r in facts if f.remindable]
    if every_days <= 0 or at_most <= 0 or not open_facts:
        return []
    chains: dict[str, list[Alert]] = {}
    kinds = {f.kind for f, _ in open_facts}
    for alert in session.scalars(select(Alert).where(Alert.kind.in_(kinds)).order_by(Alert.id)):
        chains.setdefault(base_key(alert.dedupe_key), []).append(alert)
    today = now.astimezone(CHINA).date()
    queued = []
    for fact, route in open_facts:
        chain = chains.get(fact.key, [])
        if not chain or any(a.state in VERDICTS for a in chain) or len(chain) > at_most:
            continue
        last = chain[-1]
        if last.state != "sent" or last.sent_at is None:
            continue
        if (today - last.sent_at.astimezone(CHINA).date()).days >= every_days:
            key = f"{fact.key}{REMINDER_MARK}{len(chain)}"
            queued.append(_insert(session, fact, key, route, now, len(chain)))
    return queued


# ---- delivery bookkeeping ------------------------------------------------------------------------


def _delivery(alert: Alert) -> dict[str, Any]:
    """A copy of the delivery record: changing the loaded one in place would change what SQLAlchemy compares
    the new value with, and the change would never be written."""
    delivery: dict[str, Any] = copy.deepcopy(alert.payload.get("delivery") or {})
    delivery.setdefault("delivered", {})
    delivery.setdefault("rejected", {})
    return delivery


def _update(alert: Alert, delivery: dict[str, Any]) -> None:
    alert.payload = {**alert.payload, "delivery": delivery}


def cadence_of(alert: Alert, recipient: str) -> str:
    cadence: str = (alert.payload.get("cadence") or {}).get(recipient, "daily")
    return cadence


def waiting(alert: Alert, delivery: dict[str, Any] | None = None) -> list[str]:
    """Recipients the alert has not reached yet (and who have not refused it for good)."""
    delivery = delivery if delivery is not None else _delivery(alert)
    done = set(delivery["delivered"]) | set(delivery["rejected"])
    return [r for r in alert.recipients if r not in done]


def pending(session: Session, now: dt.datetime, cadences: Iterable[str], *,
            ignore_backoff: bool = False) -> dict[tuple[str, str], list[Alert]]:
    """(recipient, cadence) → queued alerts due in this digest run.

    Due: the recipient's cadence is one of `cadences`; or the alert failed before (a retry goes out with the
    next run of any digest); or it is a weekly alert that has waited a week already (the weekly run was
    missed). An alert that failed waits for its backoff unless `ignore_backoff` (a person asked to send now).
    """
    wanted = set(cadences)
    out: dict[tuple[str, str], list[Alert]] = {}
    for alert in session.scalars(select(Alert).where(Alert.state == "queued").order_by(Alert.id)):
        retry_at = _delivery(alert).get("retry_at")
        if retry_at and not ignore_backoff and dt.datetime.fromisoformat(retry_at) > now:
            continue
        for recipient in waiting(alert):
            cadence = cadence_of(alert, recipient)
            overdue = cadence == "weekly" and alert.created_at <= now - WEEK
            if cadence in wanted or alert.attempts > 0 or overdue:
                out.setdefault((recipient, cadence), []).append(alert)
    return out


def _settle(alert: Alert, delivery: dict[str, Any], now: dt.datetime) -> None:
    """Sent once every recipient has it (or refused it for good); failed if nobody took it."""
    if waiting(alert, delivery):
        return
    delivered = delivery["delivered"]
    alert.state = "sent" if delivered else "failed"
    alert.sent_at = max((dt.datetime.fromisoformat(t) for t in delivered.values()), default=now)
    delivery.pop("retry_at", None)


def mark_delivered(alerts: Sequence[Alert], recipient: str, now: dt.datetime) -> None:
    for alert in alerts:
        delivery = _delivery(alert)
        delivery["delivered"][recipient] = now.isoformat()
        _settle(alert, delivery, now)
        _update(alert, delivery)


def mark_rejected(alerts: Sequence[Alert], recipient: str, reason: str, now: dt.datetime) -> None:
    """The server refused this recipient for good (5xx): telling them again will not help."""
    for alert in alerts:
        delivery = _delivery(alert)
        delivery["rejected"][recipient] = reason
        alert.last_error = f"{recipient}: {reason}"
        _settle(alert, delivery, now)
        _update(alert, delivery)


def mark_deferred(alerts: Sequence[Alert], reason: str, now: dt.datetime) -> None:
    """The server could not take it now: try again after the backoff."""
    for alert in alerts:
        alert.attempts += 1
        alert.last_error = reason
        delivery = _delivery(alert)
        delivery["retry_at"] = (now + backoff(alert.attempts)).isoformat()
        _update(alert, delivery)


# ---- people's verdicts and the listing -----------------------------------------------------------


def close(session: Session, alert_id: int, how: Verdict, by: str | None, why: str | None,
          now: dt.datetime) -> Alert:
    """Acknowledge or dismiss: the alert is not sent if it has not been, and its fact is not reminded of."""
    alert = session.get(Alert, alert_id)
    if alert is None:
        raise LookupError(say("alert.none", id=alert_id))
    alert.state, alert.closed_by, alert.closed_at, alert.close_reason = how, by, now, why
    return alert


def listing(session: Session, states: Sequence[str] = ()) -> list[dict[str, Any]]:
    """The outbox as rows for `xxgk alerts list` (JSON keys stable)."""
    rows = []
    for alert in session.scalars(select(Alert).order_by(Alert.id)):
        state = alert.state
        if states and state not in states:
            continue
        fact = alert.payload.get("fact") or {}
        delivery = _delivery(alert)
        rows.append({
            "id": alert.id, "kind": alert.kind, "state": state, "dedupe_key": alert.dedupe_key,
            "agency": fact.get("agency"), "portal": fact.get("portal"), "year": fact.get("year"),
            "reminder": alert.payload.get("reminder", 0), "recipients": list(alert.recipients),
            "delivered": sorted(delivery["delivered"]), "attempts": alert.attempts,
            "last_error": alert.last_error, "raised_on": alert.payload.get("raised_on"),
            "created_at": alert.created_at.isoformat(), "sent_at": alert.sent_at.isoformat() if alert.sent_at else None,
            "retry_at": delivery.get("retry_at"), "closed_by": alert.closed_by,
            "closed_at": alert.closed_at.isoformat() if alert.closed_at else None, "close_reason": alert.close_reason,
        })
    return rows
