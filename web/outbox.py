"""预警: the alert outbox — queued, sent, failed, acknowledged, dismissed — and closing an alert with a reason."""

from __future__ import annotations

from typing import Final

from fastapi import APIRouter, Depends, Request
from sqlalchemy import ColumnElement, exists, or_, select
from sqlalchemy.orm import Session, aliased
from starlette.responses import Response

from alerts import outbox
from catalogue import monitor
from catalogue.web import t
from store import audit
from store.matrix import region_clause
from store.models import Agency, Alert, Portal, utcnow
from store.terms import ALERT_STATES
from web.accounts import User
from web.core import Editor, FormText, Viewer, back_to, check_csrf, is_htmx, not_found, query_string, render, web

router = APIRouter()
PAGE_SIZE: Final = 100


def _visible(user: User) -> list[ColumnElement[bool]]:
    """Alerts about an agency the person sees, or about a portal serving one."""
    if user.regions is None:
        return []
    served = aliased(Agency)
    portal_of_mine = exists().where(served.portal_id == Portal.id, region_clause(served.region, user.regions))
    return [or_(
        exists().where(Agency.id == Alert.agency_id, region_clause(Agency.region, user.regions)),
        # a portal's alert carries no agency; its fact names the portal
        Alert.agency_id.is_(None) & exists().where(Portal.key == Alert.payload["portal"].as_string(), portal_of_mine),
    )]


def visible_alert(session: Session, user: User, alert_id: int) -> Alert:
    alert = session.scalars(select(Alert).where(Alert.id == alert_id, *_visible(user))).one_or_none()
    if alert is None:
        raise not_found()
    return alert


@router.get("/alerts")
def alerts_page(request: Request, user: Viewer) -> Response:
    state_filter = request.query_params.get("state") or None
    page = request.query_params.get("page", "")
    number = max(int(page), 1) if page.isdigit() else 1
    with web(request).archive.read() as session:
        stmt = select(Alert).where(*_visible(user)).order_by(Alert.id.desc())
        if state_filter in ALERT_STATES:
            stmt = stmt.where(Alert.state == state_filter)
        rows = list(session.scalars(stmt.limit(PAGE_SIZE + 1).offset((number - 1) * PAGE_SIZE)))
    params = {"state": state_filter, "page": number if number > 1 else None}
    return render(request, "alerts.html.j2", user, alerts=rows[:PAGE_SIZE], more=len(rows) > PAGE_SIZE,
                  number=number, states=ALERT_STATES, state_filter=state_filter, titles=monitor.TITLES,
                  params=params, qs=query_string)


@router.post("/alerts/{alert_id}/close", dependencies=[Depends(check_csrf)])
def close(request: Request, user: Editor, alert_id: int, how: FormText = "", reason: FormText = "") -> Response:
    """Acknowledge (known, being handled) or dismiss (not a problem): no more e-mails or reminders."""
    if how not in outbox.VERDICTS:
        raise not_found()
    state = web(request)
    error = None
    with state.archive.write() as session:
        alert = visible_alert(session, user, alert_id)
        if not reason.strip():
            error = t("review.reason_needed")
        else:
            outbox.close(session, alert_id, how, user.username, reason.strip(), utcnow())
            audit.log(session.connection(), user.username, "alert", utcnow(), report_id=alert.report_id,
                      agency_id=alert.agency_id, detail={"alert": alert_id, "state": how, "why": reason.strip()})
    if is_htmx(request):
        with state.archive.read() as session:
            shown = visible_alert(session, user, alert_id)
            return render(request, "alert_row.html.j2", user, a=shown, titles=monitor.TITLES, error=error)
    return back_to(request, "/alerts")
