"""One e-mail per recipient and cadence: counts at the top, a table of agencies with links, in Chinese.

The subject says the biggest news in the words a supervisor would use (“3个单位未按期发布2025年度报告
（截至3月31日）”), so that a mail client's list is enough to decide whether to open it. The message is
multipart/alternative (plain text first, then HTML, rendered by Jinja2 with autoescaping), and carries
one `X-XXGK-Alert` header per alert with its dedupe key, for tests and for filters.
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
from alerts.rules import KINDS
from catalogue import monitor as text
from store.models import Alert

ALERT_HEADER: Final = "X-XXGK-Alert"
SUBJECT_KINDS: Final = 2  # kinds named in the subject; more become "等"


@dataclass(frozen=True, slots=True)
class Digest:
    recipient: str
    cadence: str
    alert_ids: tuple[int, ...]
    alert_keys: tuple[str, ...]
    subject: str
    html: str
    text: str

    def message(self, mail_from: str, now: dt.datetime) -> EmailMessage:
        msg = EmailMessage()
        msg["Subject"] = self.subject
        msg["From"] = mail_from
        msg["To"] = self.recipient
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
    return Environment(
        loader=PackageLoader("alerts", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html.j2",), default_for_string=False),
        undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True,
    )


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
    else:
        words |= {"since": _date(fact.get("since")), "kinds": text.failure_kinds(fact.get("kinds", []))}
    return text.DETAILS[kind].format(**words)


def _row(alert: Alert) -> dict[str, Any]:
    fact: dict[str, Any] = alert.payload.get("fact") or {}
    reminder = int(alert.payload.get("reminder", 0))
    is_agency = KINDS[alert.kind].audience == "supervisors"
    return {
        "id": alert.id, "name": fact.get("agency") if is_agency else fact.get("portal_name") or fact.get("portal"),
        "year": fact.get("year"), "what": detail(alert.kind, fact), "url": fact.get("url"),
        "link": text.DIGEST["column_link"] if alert.kind == "missing_report" else text.DIGEST["open_link"],
        "reminder": text.REMINDER.format(n=reminder) if reminder else None,
        "failing": fact.get("failing") or [], "diff": fact.get("diff"),
    }


def subject(alerts: Sequence[Alert], as_of: dt.date) -> str:
    by_kind: dict[str, list[Alert]] = {}
    for alert in alerts:
        by_kind.setdefault(alert.kind, []).append(alert)
    parts = []
    for kind in (k for k in text.TITLES if k in by_kind):
        years = {y for a in by_kind[kind] if isinstance(y := (a.payload.get("fact") or {}).get("year"), int)}
        facts = {base_key(a.dedupe_key) for a in by_kind[kind]}  # a fact and its reminder count once
        parts.append(text.SUBJECT_PARTS[kind].format(n=len(facts), years=text.years_text(years)))
    named = text.SUBJECT_JOIN.join(parts[:SUBJECT_KINDS]) + (text.SUBJECT_MORE if len(parts) > SUBJECT_KINDS else "")
    reminder = text.SUBJECT_REMINDER if alerts and all(a.payload.get("reminder") for a in alerts) else ""
    return f"{text.SUBJECT_PREFIX}{reminder}{named}{text.SUBJECT_AS_OF.format(month=as_of.month, day=as_of.day)}"


def compose(recipient: str, cadence: str, alerts: Sequence[Alert], as_of: dt.date,
            name: str | None = None) -> Digest:
    """The digest of `alerts` for one recipient: sections in the order of the catalogue, oldest first."""
    sections = []
    for kind, title in text.TITLES.items():
        rows = [_row(a) for a in alerts if a.kind == kind]
        if rows:
            sections.append({"title": title, "rows": rows, "agencies": KINDS[kind].audience == "supervisors"})
    title = subject(alerts, as_of)
    view = {
        "t": text.DIGEST, "subject": title, "sections": sections,
        "greeting": text.DIGEST["greeting"].format(name=name or recipient),
        "intro": text.DIGEST["intro"].format(as_of=text.chinese_date(as_of)),
        "cadence": text.DIGEST.get(f"cadence.{cadence}", cadence),
    }
    env = _templates()
    return Digest(
        recipient=recipient, cadence=cadence, alert_ids=tuple(a.id for a in alerts),
        alert_keys=tuple(a.dedupe_key for a in alerts), subject=title,
        html=env.get_template("digest.html.j2").render(view), text=env.get_template("digest.txt.j2").render(view),
    )
