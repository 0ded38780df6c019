"""The outbox: queued once per dedupe key, delivered once per recipient, retried with backoff, reminded, stopped."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select

from alerts import outbox
from alerts.routing import Route
from alerts.rules import Fact, make_fact
from config.settings import CHINA
from store.db import Archive
from store.models import Alert

T0 = dt.datetime(2026, 2, 2, 9, 0, tzinfo=CHINA)


@pytest.fixture
def archive(tmp_path: Path) -> Iterator[Archive]:
    with Archive.open(f"sqlite:///{tmp_path / 'outbox.sqlite3'}") as opened:
        yield opened


def missing(agency: str = "茅箭区司法局", year: int = 2025) -> Fact:
    return make_fact("missing_report", {"agency": agency, "year": year, "deadline": "2026-01-31", "days": 2})


def queue(archive: Archive, fact: Fact, route: Route, now: dt.datetime = T0) -> list[Alert]:
    with archive.write() as session:
        return outbox.queue(session, [(fact, route)], now)


def alerts(archive: Archive) -> list[Alert]:
    with archive.read() as session:
        return list(session.scalars(select(Alert).order_by(Alert.id)))


def pending(archive: Archive, now: dt.datetime, cadences: tuple[str, ...] = ("immediate", "daily"),
            **kw: bool) -> dict[tuple[str, str], list[int]]:
    with archive.read() as session:
        return {k: [a.id for a in v] for k, v in outbox.pending(session, now, cadences, **kw).items()}


def mark(archive: Archive, how: str, *args: object) -> None:
    """Record a delivery outcome on every queued alert."""
    with archive.write() as session:
        rows = list(session.scalars(select(Alert).where(Alert.state == "queued")))
        getattr(outbox, how)(rows, *args)


def test_the_same_fact_is_queued_once() -> None:
    assert missing().key == "missing_report:茅箭区司法局:2025"


def test_queueing_twice_stores_one_alert(archive: Archive) -> None:
    assert len(queue(archive, missing(), {"a@x.cn": "daily"})) == 1
    assert queue(archive, missing(), {"a@x.cn": "daily", "b@x.cn": "daily"}) == []
    [alert] = alerts(archive)
    assert (alert.state, alert.recipients, alert.payload["raised_on"]) == ("queued", ["a@x.cn"], "2026-02-02")


def test_an_alert_nobody_can_receive_is_failed_at_once(archive: Archive) -> None:
    queue(archive, missing(), {})
    [alert] = alerts(archive)
    assert alert.state == "failed"
    assert "nobody to tell" in (alert.last_error or "")


def test_digests_follow_each_recipients_cadence(archive: Archive) -> None:
    queue(archive, missing(), {"now@x.cn": "immediate", "day@x.cn": "daily", "week@x.cn": "weekly"})
    assert set(pending(archive, T0, ("immediate",))) == {("now@x.cn", "immediate")}
    assert set(pending(archive, T0)) == {("now@x.cn", "immediate"), ("day@x.cn", "daily")}
    assert ("week@x.cn", "weekly") in pending(archive, T0, ("weekly",))
    # a weekly alert that has waited a week goes out with any digest run: the weekly run was missed
    assert ("week@x.cn", "weekly") in pending(archive, T0 + dt.timedelta(days=7), ("immediate",))


def test_an_alert_is_sent_when_every_recipient_has_it(archive: Archive) -> None:
    queue(archive, missing(), {"a@x.cn": "daily", "b@x.cn": "daily"})
    mark(archive, "mark_delivered", "a@x.cn", T0)
    [alert] = alerts(archive)
    assert alert.state == "queued"
    assert set(pending(archive, T0)) == {("b@x.cn", "daily")}
    later = T0 + dt.timedelta(minutes=3)
    mark(archive, "mark_delivered", "b@x.cn", later)
    [alert] = alerts(archive)
    assert (alert.state, alert.sent_at) == ("sent", later)
    assert sorted(alert.payload["delivery"]["delivered"]) == ["a@x.cn", "b@x.cn"]
    assert pending(archive, later) == {}


def test_a_server_that_is_down_means_retries_with_growing_waits(archive: Archive) -> None:
    queue(archive, missing(), {"a@x.cn": "daily"})
    mark(archive, "mark_deferred", "connection refused", T0)
    [alert] = alerts(archive)
    assert (alert.state, alert.attempts, alert.last_error) == ("queued", 1, "connection refused")
    assert pending(archive, T0 + dt.timedelta(minutes=4)) == {}
    assert pending(archive, T0 + dt.timedelta(minutes=4), ignore_backoff=True) != {}
    # a retry goes out with the next digest run of any cadence
    assert pending(archive, T0 + dt.timedelta(minutes=5), ("immediate",)) == {("a@x.cn", "daily"): [alert.id]}
    assert [outbox.backoff(n) for n in (1, 2, 3)] == [dt.timedelta(minutes=m) for m in (5, 10, 20)]
    assert outbox.backoff(40) == dt.timedelta(hours=6)


def test_a_recipient_refused_for_good_ends_the_alert_as_failed(archive: Archive) -> None:
    queue(archive, missing(), {"a@x.cn": "daily"})
    mark(archive, "mark_rejected", "a@x.cn", "550 no such user", T0)
    [alert] = alerts(archive)
    assert (alert.state, alert.last_error) == ("failed", "a@x.cn: 550 no such user")


def remind(archive: Archive, fact: Fact, now: dt.datetime) -> list[str]:
    with archive.write() as session:
        return [a.dedupe_key for a in outbox.remind(session, [(fact, {"a@x.cn": "daily"})], now, every_days=14,
                                                   at_most=2)]


def test_reminders_come_every_interval_while_the_fact_holds_and_stop_at_the_limit(archive: Archive) -> None:
    fact = missing()
    queue(archive, fact, {"a@x.cn": "daily"})
    assert remind(archive, fact, T0 + dt.timedelta(days=30)) == []  # not sent yet: nothing to remind of
    mark(archive, "mark_delivered", "a@x.cn", T0)
    assert remind(archive, fact, T0 + dt.timedelta(days=13)) == []
    day14 = T0 + dt.timedelta(days=14)
    assert remind(archive, fact, day14) == [f"{fact.key}#1"]
    assert remind(archive, fact, day14) == []  # the reminder is queued, not yet sent
    mark(archive, "mark_delivered", "a@x.cn", day14)
    assert remind(archive, fact, day14 + dt.timedelta(days=14)) == [f"{fact.key}#2"]
    mark(archive, "mark_delivered", "a@x.cn", day14 + dt.timedelta(days=14))
    assert remind(archive, fact, day14 + dt.timedelta(days=60)) == []  # two reminders at most
    assert [a.payload["reminder"] for a in alerts(archive)] == [0, 1, 2]


def test_facts_that_are_past_events_are_not_reminded_of(archive: Archive) -> None:
    late = make_fact("late_report", {"agency": "茅箭区司法局", "year": 2025})
    queue(archive, late, {"a@x.cn": "daily"})
    mark(archive, "mark_delivered", "a@x.cn", T0)
    assert remind(archive, late, T0 + dt.timedelta(days=100)) == []


@pytest.mark.parametrize("how", outbox.VERDICTS)
def test_acknowledged_or_dismissed_alerts_stop(archive: Archive, how: outbox.Verdict) -> None:
    fact = missing()
    [alert] = queue(archive, fact, {"a@x.cn": "daily"})
    with archive.write() as session:
        outbox.close(session, alert.id, how, "王科长", "已督促", T0)
    assert pending(archive, T0) == {}  # not sent at all
    [closed] = alerts(archive)
    assert (closed.state, closed.closed_by, closed.close_reason, closed.closed_at) == (how, "王科长", "已督促", T0)
    assert remind(archive, fact, T0 + dt.timedelta(days=100)) == []
    with archive.read() as session:
        assert [row["state"] for row in outbox.listing(session)] == [how]


def test_acknowledging_a_reminder_ends_the_chain(archive: Archive) -> None:
    fact = missing()
    queue(archive, fact, {"a@x.cn": "daily"})
    mark(archive, "mark_delivered", "a@x.cn", T0)
    remind(archive, fact, T0 + dt.timedelta(days=14))
    mark(archive, "mark_delivered", "a@x.cn", T0 + dt.timedelta(days=14))
    with archive.write() as session:
        outbox.close(session, alerts(archive)[-1].id, "acknowledged", None, None, T0)
    assert remind(archive, fact, T0 + dt.timedelta(days=60)) == []


def test_closing_an_unknown_alert_says_so(archive: Archive) -> None:
    with archive.write() as session, pytest.raises(LookupError, match="没有编号为 #42 的提醒"):
        outbox.close(session, 42, "dismissed", None, None, T0)
