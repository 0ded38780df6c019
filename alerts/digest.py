"""One e-mail per recipient and cadence, in Chinese, written the way a colleague would.

The subject counts agencies, the current report year first (“2025年度：3个单位未发布，2个单位逾期发布；
往年：5个单位未发布（截至4月20日）”), so that a mail client's list is enough to decide whether to open
it. The body greets the office by the name the registry gives it, lists the current year's agencies
with what each finding is about (its cells, its years), condenses earlier years to one line per
agency, and offers actions as links to the dashboard when there is one, else as a reply to the address
the operator set: never a command to type. The message is multipart/alternative (plain text first, then
HTML, rendered by Jinja2 with autoescaping), and carries one `X-XXGK-Alert` header per alert with its
dedupe key, for tests and for filters.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from functools import cache
from typing import Any, Final

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from alerts.outbox import base_key
from alerts.routing import Letterhead
from alerts.rules import KINDS
from catalogue import monitor as text
from store.models import Alert
from store.outbound import link_href

ALERT_HEADER: Final = "X-XXGK-Alert"
FINDINGS_SHOWN: Final = 8  # findings listed under one report; the rest are counted
# the dashboard's pages (web/): a report with its findings to review, an agency's years, the alerts to close
DASHBOARD_REPORT: Final = "{base}/report/{id}"
DASHBOARD_AGENCY: Final = "{base}/agency/{id}"
DASHBOARD_ALERTS: Final = "{base}/alerts"


@dataclass(frozen=True, slots=True)
class Digest:
    recipient: str
    cadence: str
    alert_ids: tuple[int, ...]
    alert_keys: tuple[str, ...]
    subject: str
    html: str
    text: str
    reply_to: str | None = None

    def message(self, mail_from: str, now: dt.datetime) -> EmailMessage:
        msg = EmailMessage()
        msg["Subject"] = self.subject
        msg["From"] = mail_from
        msg["To"] = self.recipient
        if self.reply_to:
            msg["Reply-To"] = self.reply_to
        msg["Date"] = format_datetime(now)
        msg["Message-ID"] = make_msgid(domain=mail_from.rpartition("@")[2] or None)
        msg["X-XXGK-Cadence"] = self.cadence
        for key in self.alert_keys:
            msg[ALERT_HEADER] = key
        msg.set_content(self.text)
        msg.add_alternative(self.html, subtype="html")
        return msg


@cache
def _templates() -> Environment:
    env = Environment(
        loader=PackageLoader("alerts", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html.j2",), default_for_string=False),
        undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
    )
    env.filters["href"] = link_href  # a URL is a link only when it is http(s) (store.outbound)
    return env


def _date(iso: str | None) -> str:
    return text.chinese_date(dt.date.fromisoformat(iso)) if iso else text.PUBLISHED_UNKNOWN


def _changes(diff: Mapping[str, Any]) -> str:
    parts = []
    if diff.get("cells"):
        parts.append(text.CHANGE_PARTS["cells"].format(n=len(diff["cells"])))
    if diff.get("text"):
        parts.append(text.CHANGE_PARTS["text"].format(n=len(diff["text"])))
    if diff.get("fields"):
        names = text.LIST_SEPARATOR.join(text.CHANGE_FIELDS.get(f["field"], f["field"]) for f in diff["fields"])
        parts.append(text.CHANGE_PARTS["fields"].format(names=names))
    return text.LIST_SEPARATOR.join(parts) or text.CHANGE_NOTHING


def reading_note(note: str | None) -> str:
    """Why a found report could not be read, in words (store.models.Report.reading_note)."""
    return text.READING_NOTES.get(note or "") or text.READING_NOTE_OTHER.format(note=note or "")


def detail(kind: str, fact: Mapping[str, Any]) -> str:
    """The table's "情况" cell: what happened, with its date and numbers."""
    words: dict[str, Any] = dict(fact)
    if kind == "missing_report":
        words["deadline"] = _date(fact["deadline"])
    elif kind == "late_report":
        words["published"] = _date(fact.get("published"))
    elif kind == "inconsistent_report":
        words["n"] = len(fact.get("failing", ()))
    elif kind == "changed_after_publication":
        words |= {"changed_on": _date(fact.get("changed_on")), "what": _changes(fact.get("diff") or {})}
    elif kind == "unreadable_report":
        words["reason"] = reading_note(fact.get("reason"))
    elif kind != "unregistered_agency":
        words |= {"since": _date(fact.get("since")), "kinds": text.failure_kinds(fact.get("kinds", []))}
    return text.DETAILS[kind].format(**words)


def _fact(alert: Alert) -> dict[str, Any]:
    fact: dict[str, Any] = alert.payload.get("fact") or {}
    return fact


def _for_supervisors(alert: Alert) -> bool:
    return KINDS[alert.kind].audience == "supervisors"


def _row(alert: Alert, letterhead: Letterhead) -> dict[str, Any]:
    fact = _fact(alert)
    reminder = int(alert.payload.get("reminder", 0))
    failing = fact.get("failing") or []
    base = letterhead.dashboard_url
    return {
        "id": alert.id,
        "name": fact.get("agency") or fact.get("portal_name") or fact.get("portal"),
        "year": fact.get("year"), "what": detail(alert.kind, fact), "url": fact.get("url"),
        "link": text.DIGEST["column_link"] if alert.kind == "missing_report" else text.DIGEST["open_link"],
        "action": _action(alert, base) if base else None,
        "reminder": text.REMINDER.format(n=reminder) if reminder else None,
        "failing": failing[:FINDINGS_SHOWN],
        "more": text.DIGEST["findings_more"].format(n=len(failing) - FINDINGS_SHOWN)
        if len(failing) > FINDINGS_SHOWN else None,
        "diff": fact.get("diff"),
    }


def _action(alert: Alert, base: str) -> str:
    """Where on the dashboard a person looks into an alert: its report, else its agency, else the alerts."""
    root = base.rstrip("/")
    if alert.report_id is not None:
        return DASHBOARD_REPORT.format(base=root, id=alert.report_id)
    if alert.agency_id is not None:
        return DASHBOARD_AGENCY.format(base=root, id=alert.agency_id)
    return DASHBOARD_ALERTS.format(base=root)


def current_year(alerts: Sequence[Alert]) -> int | None:
    """The report year the digest leads with: the latest one its agency facts are about."""
    years = [y for a in alerts if _for_supervisors(a) and isinstance(y := _fact(a).get("year"), int)]
    return max(years, default=None)


def _agencies(alerts: Sequence[Alert], kind: str) -> int:
    """How many agencies (or portals, reports) a kind of fact is about: a fact and its reminders count once,
    an agency with three missing years counts once."""
    alerts = [a for a in alerts if a.kind == kind]
    if KINDS[kind].audience == "supervisors":
        return len({_fact(a).get("agency") for a in alerts})
    return len({base_key(a.dedupe_key) for a in alerts})


def _counts(alerts: Sequence[Alert]) -> str:
    return text.SUBJECT_JOIN.join(
        text.SUBJECT_PARTS[kind].format(n=n) for kind in text.TITLES if (n := _agencies(alerts, kind)))


def subject(alerts: Sequence[Alert], as_of: dt.date) -> str:
    year = current_year(alerts)
    now = [a for a in alerts if _for_supervisors(a) and _fact(a).get("year") == year]
    before = [a for a in alerts if _for_supervisors(a) and _fact(a).get("year") != year]
    staff = [a for a in alerts if not _for_supervisors(a)]
    groups = []
    if now:
        groups.append(text.SUBJECT_YEAR.format(year=year, parts=_counts(now)))
    if before:
        groups.append(text.SUBJECT_HISTORY.format(parts=_counts(before)))
    if staff:
        groups.append(_counts(staff))
    reminder = text.SUBJECT_REMINDER if alerts and all(a.payload.get("reminder") for a in alerts) else ""
    as_of_text = text.SUBJECT_AS_OF.format(month=as_of.month, day=as_of.day)
    return f"{text.SUBJECT_PREFIX}{reminder}{text.SUBJECT_GROUPS.join(groups)}{as_of_text}"


def _history(alerts: Sequence[Alert]) -> list[dict[str, str]]:
    """Earlier years, one line per agency: “2016、2017年度未发布；2018年度逾期发布”."""
    by_agency: dict[str, dict[str, set[int]]] = {}
    for alert in alerts:
        fact = _fact(alert)
        years = by_agency.setdefault(str(fact.get("agency")), {})
        if isinstance(fact.get("year"), int):
            years.setdefault(alert.kind, set()).add(fact["year"])
    lines = []
    for agency, kinds in sorted(by_agency.items()):
        parts = [text.HISTORY_KINDS[kind].format(years=text.years_text(kinds[kind]))
                 for kind in text.HISTORY_KINDS if kind in kinds]
        lines.append({"name": agency, "what": text.HISTORY_JOIN.join(parts)})
    return lines


def _sections(alerts: Sequence[Alert], letterhead: Letterhead) -> tuple[list[dict[str, Any]], list[dict[str, str]]]:
    """The current year's rows by kind, then the staff's kinds; and the history lines."""
    year = current_year(alerts)
    sections = []
    for kind, title in text.TITLES.items():
        supervisors = KINDS[kind].audience == "supervisors"
        rows = [_row(a, letterhead) for a in alerts
                if a.kind == kind and (not supervisors or _fact(a).get("year") == year)]
        if rows:
            shown = text.YEAR_TITLES[kind].format(year=year) if supervisors else title
            sections.append({"title": shown, "rows": rows, "agencies": supervisors})
    history = _history([a for a in alerts if _for_supervisors(a) and _fact(a).get("year") != year])
    return sections, history


def _greeting(recipient: str, alerts: Sequence[Alert], letterhead: Letterhead) -> str:
    name = letterhead.names.get(recipient)
    if name:
        return text.DIGEST["greeting"].format(name=name)
    return text.DIGEST["greeting_supervisor" if any(map(_for_supervisors, alerts)) else "greeting_staff"]


def _footer(letterhead: Letterhead) -> list[str]:
    if letterhead.dashboard_url:
        return [text.DIGEST["footer_dashboard"].format(url=letterhead.dashboard_url), text.DIGEST["footer"]]
    if letterhead.reply_to:
        return [text.DIGEST["footer_reply"].format(address=letterhead.reply_to), text.DIGEST["footer"]]
    return [text.DIGEST["footer"]]


def compose(recipient: str, cadence: str, alerts: Sequence[Alert], as_of: dt.date,
            letterhead: Letterhead | None = None) -> Digest:
    """The digest of `alerts` for one recipient: the current year by kind, then earlier years condensed."""
    letterhead = letterhead or Letterhead()
    sections, history = _sections(alerts, letterhead)
    title = subject(alerts, as_of)
    view = {
        "t": text.DIGEST, "subject": title, "sections": sections, "history": history,
        "greeting": _greeting(recipient, alerts, letterhead),
        "intro": text.DIGEST["intro"].format(as_of=text.chinese_date(as_of)),
        "cadence": text.DIGEST.get(f"cadence.{cadence}", cadence),
        "footer": _footer(letterhead),
        "dashboard": DASHBOARD_ALERTS.format(base=letterhead.dashboard_url.rstrip("/"))
        if letterhead.dashboard_url else None,
    }
    env = _templates()
    return Digest(
        recipient=recipient, cadence=cadence, alert_ids=tuple(a.id for a in alerts),
        alert_keys=tuple(a.dedupe_key for a in alerts), subject=title,
        html=env.get_template("digest.html.j2").render(view), text=env.get_template("digest.txt.j2").render(view),
        reply_to=letterhead.reply_to,
    )
