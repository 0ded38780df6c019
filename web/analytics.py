"""Benchmarks, trends and the generated reports on the dashboard (analytics/).

The agency page gets a panel: its key figures of last year beside its peers' quartiles, its trends
against the peers' median and P25–P75 band, and links to download its profile. The region report is
downloaded from `/region/{code}/report.{fmt}` (the overview links to it when a region is chosen).
Numbers, charts and files are the same the command line makes (`xxgk stats`, `xxgk report`).
"""

from __future__ import annotations

import datetime as dt
from typing import Final
from urllib.parse import quote

from fastapi import APIRouter, Request
from markupsafe import Markup
from sqlalchemy.orm import Session
from starlette.responses import Response

from analytics.agency import AgencyFacts, agency_document, agency_facts, agency_svg, peers_words
from analytics.document import Document, Num
from analytics.metrics import BY_KEY
from analytics.region import region_document, region_facts
from analytics.render import FORMATS, MEDIA_TYPES, render
from analytics.render.pdf import ConversionError
from analytics.values import Monitoring, NotFoundError
from catalogue.analytics import HEADS, METRIC_NAMES, UNITS, words
from store.models import Agency
from web.agency import AGENCY_PANELS, visible_agency
from web.core import Viewer, not_found, web

router = APIRouter()
PANEL_METRICS: Final = ("requests_new", "granted_rate", "withheld_rate", "review_correction_rate",
                        "licensing_decisions", "on_time_rate", "data_errors")
CHART_METRICS: Final = ("requests_new", "granted_rate")
_SVG_PROLOG: Final = "<svg "


def _year(request: Request) -> int:
    raw = request.query_params.get("year", "")
    return int(raw) if raw.isdigit() and 1990 <= int(raw) <= 2100 else web(request).as_of.year - 1


def _inline(svg: str) -> Markup:
    """matplotlib's SVG without its XML prolog and doctype, to sit inside the page (paths only, no text)."""
    return Markup(svg[svg.index(_SVG_PROLOG):])  # noqa: S704 - drawn by matplotlib from numbers; text as paths


def _profile_rows(facts: AgencyFacts) -> list[Markup]:
    rows = []
    for key in PANEL_METRICS:
        m = BY_KEY[key]
        point = next((p for p in facts.series(key) if p.year == facts.year), None)
        if point is None:
            continue
        own = point.value.value if point.value and point.value.state == "value" else None
        place = f"{point.rank}/{point.peers.n}" if point.rank else ""
        cells = [METRIC_NAMES[key], UNITS[m.unit], Num(own, m.unit).text("—"), place,
                 *(Num(q, m.unit, exact=True).text("—") for q in (point.peers.p25, point.peers.p50, point.peers.p75))]
        rows.append(Markup("<tr>{}</tr>").format(Markup("").join(Markup("<td>{}</td>").format(c) for c in cells)))
    return rows


def panel(session: Session, agency_id: int, as_of: dt.date) -> Markup | None:
    """The agency page's benchmark panel (web.agency.AGENCY_PANELS)."""
    agency = session.get(Agency, agency_id)
    if agency is None:
        return None
    year = as_of.year - 1
    facts = agency_facts(session, agency.name, year, Monitoring(as_of), [BY_KEY[k] for k in PANEL_METRICS])
    table = Markup("<table class='benchmark'><thead><tr>{}</tr></thead><tbody>{}</tbody></table>").format(
        Markup("").join(Markup("<th>{}</th>").format(h) for h in HEADS["panel"]), Markup("").join(_profile_rows(facts)))
    charts = Markup("").join(_inline(agency_svg(facts, key)) for key in CHART_METRICS)
    links = Markup(" ").join(
        Markup("<a href='/agency/{}/profile.{}?year={}' download>{}</a>").format(agency_id, fmt, year, fmt.upper())
        for fmt in FORMATS)
    return Markup("<section class='panel benchmark'><h2>{}</h2><p>{}</p>{}<div class='charts'>{}</div>"
                  "<p class='downloads'>{}{}</p></section>").format(
        words("web.panel", year=year), words("agency.figures", peers=peers_words(facts), n=_peers(facts)), table,
        charts, words("web.download_profile"), links)


def _peers(facts: AgencyFacts) -> int:
    point = next((p for p in facts.series(PANEL_METRICS[0]) if p.year == facts.year), None)
    return 0 if point is None else point.peers.n + sum(point.peers.states.values())


def _download(document: Document, fmt: str) -> Response:
    try:
        body = render(document, fmt)
    except ConversionError:
        return Response(words("report.no_office"), status_code=503, media_type="text/plain; charset=utf-8")
    name = quote(f"{document.title}.{fmt}")
    return Response(body, media_type=MEDIA_TYPES[fmt],
                    headers={"content-disposition": f"attachment; filename*=UTF-8''{name}"})


@router.get("/agency/{agency_id}/profile.{fmt}")
def agency_profile(request: Request, user: Viewer, agency_id: int, fmt: str) -> Response:
    if fmt not in FORMATS:
        raise not_found()
    state = web(request)
    with state.archive.read() as session:
        agency = visible_agency(session, user, agency_id)
        monitoring = Monitoring(state.as_of, state.unreachable, state.first_year)
        document = agency_document(agency_facts(session, agency.name, _year(request), monitoring))
    return _download(document, fmt)


@router.get("/region/{code}/report.{fmt}")
def region_report(request: Request, user: Viewer, code: str, fmt: str) -> Response:
    if fmt not in FORMATS or not code.isdigit() or not user.sees(code):
        raise not_found()
    state = web(request)
    with state.archive.read() as session:
        monitoring = Monitoring(state.as_of, state.unreachable, state.first_year)
        try:
            document = region_document(region_facts(session, code, _year(request), monitoring))
        except NotFoundError:
            raise not_found() from None
    return _download(document, fmt)


AGENCY_PANELS.append(panel)
