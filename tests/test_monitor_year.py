"""Half a year of monitoring in accelerated time: the simulator's calendar moves, `xxgk monitor --once` runs.

On thirteen Mondays from 5 January to the end of June (every week or two around the deadlines, monthly
after), the simulator's date is moved and `xxgk monitor --once --as-of DAY` runs (in this process; its
crawls run in child processes against the simulated portals), delivering to a real SMTP server
(aiosmtpd) that is down for two of the steps. One portal never answers (a timeout fault), another answers only with a 412 challenge page
for three steps in April and May. The alerts are then compared with what the simulator's truth
implies, step by step:

* each agency-year the truth calls unpublished after its deadline, on a portal we could reach, gets
  exactly one `missing_report`, raised at the first step after the deadline, none before and none twice,
  with reminders every 14 days while it stays missing, two at most;
* a report published after its deadline gets `late_report`, a report revised after we saw it gets
  `changed_after_publication` with the cells that changed, old → new, as in the truth;
* the operator hears of a portal that does not answer only at the third failed crawl in a row, the
  maintainer of the challenge page that appeared where there was none; nobody hears of missing
  reports on a portal we could not look at;
* every alert reaches every recipient exactly once, although the server was down when some were due,
  and every e-mail is valid multipart/alternative MIME with a Chinese subject.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import fcntl
import html.parser
import json
import shutil
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from alerts_helpers import MailServer, Received, Sink
from sqlalchemy import select

from sim.testing import running_sim
from sim.world import Fault
from store.db import Archive
from store.diff import record_diff
from store.models import Alert
from validate.deadlines import deadline_for
from xxgk.cli import main

SEED = 203  # 2025 reports as HTML, text or Word; a late one, three revised in March, three never published
FAULTY = 1  # this portal never answers (timeout)
CHALLENGED = 4  # this one answers only with a 412 challenge page on the steps in CHALLENGE
FIRST_YEAR = 2025
STEPS = [dt.date(2026, 1, 5) + dt.timedelta(weeks=w) for w in (0, 2, 4, 5, 6, 8, 10, 12, 13, 14, 17, 21, 25)]
SMTP_DOWN = {dt.date(2026, 2, 2), dt.date(2026, 2, 9)}
CHALLENGE = {dt.date(2026, 4, 6), dt.date(2026, 4, 13), dt.date(2026, 5, 4)}
THRESHOLD, EVERY, AT_MOST = 3, 14, 2
CRAWL_SETTINGS = ("DOWNLOAD_DELAY=0", "AUTOTHROTTLE_ENABLED=false", "DOWNLOAD_TIMEOUT=3", "RETRY_TIMES=0")


@dataclasses.dataclass
class Step:
    day: dt.date
    exit_code: int
    reachable: set[str]  # portal ids we could look at that day
    never: set[tuple[str, int]]  # the truth's unpublished agency-years past their deadline
    reports: dict[tuple[str, int], dict[str, Any]]  # the truth's visible reports


@dataclasses.dataclass
class Year:
    steps: list[Step]
    alerts: list[Alert]
    received: list[Received]
    portal_of: dict[str, str]
    levels: dict[str, str]
    portal_ids: list[str]

    def kind(self, kind: str, *, reminders: bool = False) -> list[Alert]:
        return [a for a in self.alerts if a.kind == kind and (reminders or not a.payload["reminder"])]

    def first_step(self, test: Any) -> dt.date | None:
        return next((s.day for s in self.steps if test(s)), None)

    def deliveries(self) -> Counter[tuple[str, str]]:
        return Sink(self.received).deliveries()


def _write_registry(source: Path, target: Path) -> None:
    registry = yaml.safe_load(source.read_text(encoding="utf-8"))
    registry["first_year"] = FIRST_YEAR
    registry["monitor"] = {"unreachable_after": THRESHOLD, "reminder_days": EVERY, "reminders": AT_MOST}
    target.write_text(yaml.safe_dump(registry, allow_unicode=True), encoding="utf-8")


def _live(folder: Path) -> None:
    """Run the half year; leave in `folder` the archive, every e-mail received and what the truth said each step."""
    shutil.rmtree(folder, ignore_errors=True)
    (folder / "mail").mkdir(parents=True)
    db = f"sqlite:///{folder / 'xxgk.sqlite3'}"
    registry = folder / "registry.yaml"
    server = MailServer()
    steps = []
    with running_sim(portals=5, seed=SEED, as_of=STEPS[0], rate_limit=50, fault_plan={FAULTY: "timeout"}) as sim, \
            pytest.MonkeyPatch.context() as env:
        _write_registry(sim.registry_path, registry)
        for name, value in server.env().items():
            env.setenv(name, value)
        healthy = sim.world.portals[CHALLENGED]
        challenged = dataclasses.replace(healthy, fault=Fault("challenge_412"))
        ids = [p.id for p in sim.world.portals]
        for day in STEPS:
            sim.set_as_of(day)
            sim.world.by_address[healthy.address] = challenged if day in CHALLENGE else healthy
            if day in SMTP_DOWN:
                server.stop()
            elif server.controller is None:
                server.start()
            argv = ["monitor", "--once", "--as-of", day.isoformat(), "--db", db, "--registry", str(registry),
                    "--log-dir", str(folder / "logs"), *(f"--crawl-setting={s}" for s in CRAWL_SETTINGS)]
            code = main(argv)
            truth = sim.current_truth()
            steps.append({
                "day": day.isoformat(), "exit_code": code,
                "reachable": [p for i, p in enumerate(ids) if i != FAULTY and not (i == CHALLENGED and day in CHALLENGE)],
                "never": [[n["agency"], n["year"]] for n in truth["never_published"] if n["year"] >= FIRST_YEAR],
                "reports": [r for r in truth["reports"] if r["year"] >= FIRST_YEAR],
            })
    server.stop()
    for n, received in enumerate(server.sink.received):
        (folder / "mail" / f"{n:04d}.eml").write_bytes(received.raw)
    world = {
        "steps": steps, "rcpt": [r.rcpt for r in server.sink.received], "portal_ids": ids,
        "portal_of": {a["name"]: a["portal"] for a in truth["agencies"]},
        "levels": {a["name"]: a["level"] for a in truth["agencies"]},
    }
    (folder / "year.json").write_text(json.dumps(world, ensure_ascii=False), encoding="utf-8")


def _load(folder: Path) -> Year:
    world = json.loads((folder / "year.json").read_text(encoding="utf-8"))
    steps = [
        Step(dt.date.fromisoformat(s["day"]), s["exit_code"], set(s["reachable"]), {(a, y) for a, y in s["never"]},
             {(r["agency"], r["year"]): r for r in s["reports"]})
        for s in world["steps"]
    ]
    received = [Received.parse(rcpt, (folder / "mail" / f"{n:04d}.eml").read_bytes())
                for n, rcpt in enumerate(world["rcpt"])]
    with Archive.open(f"sqlite:///{folder / 'xxgk.sqlite3'}") as archive, archive.read() as session:
        alerts = list(session.scalars(select(Alert).order_by(Alert.id)))
    return Year(steps, alerts, received, world["portal_of"], world["levels"], world["portal_ids"])


@contextlib.contextmanager
def _exclusive(lock: Path) -> Iterator[None]:
    with lock.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@pytest.fixture(scope="module")
def year(tmp_path_factory: pytest.TempPathFactory, worker_id: str) -> Year:
    """The half year, lived once per test session: with `pytest -n`, the first worker to get here lives it and
    the others read what it left (xdist_group does not keep a module on one worker with pytest 9.2)."""
    base = tmp_path_factory.getbasetemp()
    shared = base if worker_id == "master" else base.parent
    with _exclusive(shared / "monitor-year.lock"):
        if not (shared / "monitor-year" / "year.json").exists():
            _live(shared / "monitor-year")
    return _load(shared / "monitor-year")


def _raised(alert: Alert) -> dt.date:
    return dt.date.fromisoformat(alert.payload["raised_on"])


def _chain(year: Year, base: str) -> list[dt.date]:
    keys = [a for a in year.alerts if a.dedupe_key.split("#")[0] == base]
    return [_raised(a) for a in sorted(keys, key=lambda a: a.payload["reminder"])]


def _expected_chain(opened: dt.date, still_open: Any) -> list[dt.date]:
    """First notice and reminders as configured: every EVERY days after the last one went out, AT_MOST times,
    while the fact holds; a notice goes out at the first step the mail server is up."""
    def sent(day: dt.date) -> dt.date:
        return next(s for s in STEPS if s >= day and s not in SMTP_DOWN)

    raised, last_sent = [opened], sent(opened)
    for day in STEPS:
        if day <= last_sent or not still_open(day):
            continue
        if len(raised) <= AT_MOST and (day - last_sent).days >= EVERY:
            raised.append(day)
            last_sent = sent(day)
    return raised


# ---- compliance -----------------------------------------------------------------------------------


def test_the_monitor_exits_1_only_while_the_mail_server_is_down(year: Year) -> None:
    assert [s.day for s in year.steps if s.exit_code != 0] == sorted(SMTP_DOWN)


def test_each_unpublished_agency_year_gets_exactly_one_missing_report_after_its_deadline(year: Year) -> None:
    expected: dict[tuple[str, int], dt.date] = {}
    for step in year.steps:
        for agency, y in sorted(step.never):
            if year.portal_of[agency] in step.reachable:
                expected.setdefault((agency, y), step.day)
    assert expected, "the world should have unpublished reports"
    got = {(a.payload["fact"]["agency"], a.payload["fact"]["year"]): _raised(a)
           for a in year.kind("missing_report")}
    assert got == expected
    assert len(year.kind("missing_report")) == len(got)
    for (agency, y), raised in got.items():
        assert raised > deadline_for(year.levels[agency], y)


def test_missing_reports_are_reminded_every_14_days_twice_at_most(year: Year) -> None:
    for alert in year.kind("missing_report"):
        fact = alert.payload["fact"]
        key = (fact["agency"], fact["year"])

        def missing(day: dt.date, key: tuple[str, int] = key) -> bool:
            step = next(s for s in year.steps if s.day == day)
            return key in step.never

        assert _chain(year, alert.dedupe_key) == _expected_chain(_raised(alert), missing), alert.dedupe_key
    assert any(len(_chain(year, a.dedupe_key)) == 1 + AT_MOST for a in year.kind("missing_report"))


def test_nothing_is_called_missing_on_a_portal_we_could_not_look_at(year: Year) -> None:
    faulty = year.portal_ids[FAULTY]
    assert all(year.portal_of[a.payload["fact"]["agency"]] != faulty for a in year.kind("missing_report"))
    unpublished = {(ag, y) for s in year.steps for ag, y in s.never if year.portal_of[ag] == faulty}
    assert unpublished, "the faulty portal should have an unpublished report for the test to mean something"


def test_late_publishers_get_late_report(year: Year) -> None:
    last = year.steps[-1]
    expected = {}
    for (agency, y), report in last.reports.items():
        published = dt.date.fromisoformat(report["published"])
        if published > deadline_for(year.levels[agency], y):
            expected[agency, y] = year.first_step(
                lambda s, k=(agency, y): k in s.reports and year.portal_of[k[0]] in s.reachable)
    assert expected
    got = {(a.payload["fact"]["agency"], a.payload["fact"]["year"]): _raised(a) for a in year.kind("late_report")}
    assert got == expected
    for alert in year.kind("late_report"):
        report = last.reports[alert.payload["fact"]["agency"], alert.payload["fact"]["year"]]
        assert alert.payload["fact"]["published"] == report["published"]
        assert alert.payload["fact"]["url"] in {report["url"], report["attachment"]}


def _cells(diff: dict[str, Any]) -> set[tuple[str, str, str, Any, Any]]:
    return {(c["table"], c["row"], c["col"], c["old"], c["new"]) for c in diff["cells"]}


def test_a_report_revised_after_we_saw_it_gets_changed_after_publication_with_its_diff(year: Year) -> None:
    expected = {}
    for key, report in year.steps[-1].reports.items():
        if not report["revised"]:
            continue
        revised = dt.date.fromisoformat(report["revised"])
        reachable = [s for s in year.steps if key in s.reports and year.portal_of[key[0]] in s.reachable]
        before = [s for s in reachable if s.day < revised]
        after = [s for s in reachable if s.day >= revised]
        if before and after:
            old, new = before[-1].reports[key]["record"], after[0].reports[key]["record"]
            expected[key] = (after[0].day, _cells(record_diff(old, new)))
    assert len(expected) >= 2
    got = {
        (a.payload["fact"]["agency"], a.payload["fact"]["year"]): (_raised(a), _cells(a.payload["fact"]["diff"]))
        for a in year.kind("changed_after_publication")
    }
    assert got == expected
    assert all(cells for _, cells in got.values())


CONTRADICTIONS = {"requests.row_total", "requests.results_total", "requests.balance", "review_litigation.total"}


def test_only_tables_that_do_not_add_up_are_reported_inconsistent(year: Year) -> None:
    # a blank block, another template or a late date is not inconsistent data (this world has those in 2025)
    reports = year.steps[-1].reports
    assert {d for r in reports.values() for d in r["defects"]} >= {"blank_cell", "template_mismatch"}
    expected = {k for k, r in reports.items() if CONTRADICTIONS & set(r["defects"])
                and year.portal_of[k[0]] != year.portal_ids[FAULTY]}
    got = {(a.payload["fact"]["agency"], a.payload["fact"]["year"]) for a in year.kind("inconsistent_report")}
    assert got == expected
    assert all(a.payload["fact"]["failing"] for a in year.kind("inconsistent_report"))


# ---- fetch and spider health ----------------------------------------------------------------------


def test_the_operator_hears_of_an_unreachable_portal_only_after_three_failed_crawls(year: Year) -> None:
    challenged_steps = sorted(CHALLENGE)
    expected = {year.portal_ids[FAULTY]: STEPS[THRESHOLD - 1], year.portal_ids[CHALLENGED]: challenged_steps[2]}
    got = {a.payload["fact"]["portal"]: _raised(a) for a in year.kind("portal_unreachable")}
    assert got == expected
    assert all(a.recipients == ["ops@sim.example.cn"] for a in year.kind("portal_unreachable", reminders=True))
    # still down: reminded as configured; back up: no more reminders
    faulty_key = next(a.dedupe_key for a in year.kind("portal_unreachable")
                      if a.payload["fact"]["portal"] == year.portal_ids[FAULTY])
    assert _chain(year, faulty_key) == _expected_chain(STEPS[THRESHOLD - 1], lambda _day: True)
    challenged_key = next(a.dedupe_key for a in year.kind("portal_unreachable")
                          if a.payload["fact"]["portal"] == year.portal_ids[CHALLENGED])
    assert len(_chain(year, challenged_key)) == 1


def test_the_maintainer_hears_of_the_challenge_page_that_appeared(year: Year) -> None:
    got = [(a.payload["fact"]["portal"], _raised(a), a.recipients) for a in year.kind("spider_challenge", reminders=True)]
    assert got == [(year.portal_ids[CHALLENGED], sorted(CHALLENGE)[2], ["dev@sim.example.cn"])]
    assert not year.kind("spider_no_reports", reminders=True)
    assert not year.kind("crawl_failed", reminders=True)


# ---- delivery -------------------------------------------------------------------------------------


def test_every_alert_reaches_every_recipient_exactly_once(year: Year) -> None:
    expected = {(rcpt, a.dedupe_key) for a in year.alerts for rcpt in a.recipients}
    delivered = year.deliveries()
    assert set(delivered) == expected
    assert set(delivered.values()) == {1}
    assert {a.state for a in year.alerts} == {"sent"}
    assert any(a.attempts >= 2 for a in year.alerts), "some alerts should have waited for the mail server"


class _Links(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.links += [v for k, v in attrs if tag == "a" and k == "href" and v]


def test_emails_are_valid_mime_with_a_readable_chinese_subject(year: Year) -> None:
    assert year.received
    for received in year.received:
        msg = received.message
        assert msg.get_content_type() == "multipart/alternative"
        plain, rich = msg.get_body(("plain",)), msg.get_body(("html",))
        assert plain is not None
        assert rich is not None
        assert msg["To"] == received.rcpt[0]
        assert len(received.rcpt) == 1
        assert msg["Message-ID"]
        assert msg["Date"]
        subject = str(msg["Subject"])
        assert subject.startswith("【政务公开监测】")
        assert "截至" in subject
        assert subject in plain.get_content()
        page = rich.get_content()
        links = _Links()
        links.feed(page)
        fact_urls = {a.payload["fact"]["url"] for a in year.alerts if a.dedupe_key in received.keys}
        assert fact_urls - {None, ""} <= set(links.links)
