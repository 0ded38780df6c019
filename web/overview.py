"""总览: the compliance matrix with its counts, filters in the URL, and exports of exactly its rows."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Final

from fastapi import APIRouter, Request
from sqlalchemy import select
from starlette.responses import Response

from catalogue import terms
from catalogue.web import t
from store import export
from store.matrix import MatrixQuery, all_cells, page, region_clause
from store.models import Agency
from store.status import Filters
from store.terms import FLAGS, LEVELS, STATUSES
from web.accounts import User
from web.core import Viewer, query_string, render, web

router = APIRouter()
PAGE_SIZE: Final = 100


@dataclass(frozen=True, slots=True)
class View:
    """The matrix's state, all of it in the URL."""

    region: str | None
    level: str | None
    year: int | None
    status: str | None
    agency: str | None
    page: int

    @classmethod
    def of(cls, request: Request) -> View:
        q = request.query_params
        year = q.get("year", "")
        page = q.get("page", "")
        level = q.get("level") or None
        region = (q.get("region") or "").strip() or None
        return cls(region=region if region and region.isdigit() else None, level=level if level in LEVELS else None,
                   year=int(year) if year.isdigit() else None, status=q.get("status") or None,
                   agency=(q.get("agency") or "").strip() or None, page=max(int(page), 1) if page.isdigit() else 1)

    def params(self) -> dict[str, Any]:
        return {"region": self.region, "level": self.level, "year": self.year, "status": self.status,
                "agency": self.agency, "page": self.page if self.page > 1 else None}

    def query(self, request: Request, user: User) -> MatrixQuery:
        state = web(request)
        return MatrixQuery(state.as_of, Filters(agency=self.agency, region=self.region, level=self.level,
                                                year=self.year), status=self.status, scope=user.regions,
                           unreachable=state.unreachable, first_year=state.first_year)


def statuses(counts: dict[str, int]) -> list[str]:
    """The statuses present, in the archive's order; one it does not list yet comes after, by its own id
    (named by the catalogue like every other)."""
    known = [s for s in STATUSES if s in counts]
    return known + sorted(s for s in counts if s not in known and s not in FLAGS)


def region_options(request: Request, user: User) -> list[tuple[str, str]]:
    """The regions a person may pick: the codes of the governments they see (province, city, county)."""
    with web(request).archive.read() as session:
        stmt = select(Agency.region, Agency.name).where(Agency.level.in_(("province", "city", "county")),
                                                        Agency.region.is_not(None)).order_by(Agency.region)
        if user.regions is not None:
            stmt = stmt.where(region_clause(Agency.region, user.regions))
        return [(str(code), name) for code, name in session.execute(stmt)]


@router.get("/")
def matrix(request: Request, user: Viewer) -> Response:
    view = View.of(request)
    state = web(request)
    with state.archive.read() as session:
        shown = page(session, view.query(request, user), view.page, PAGE_SIZE)
    pages = max((shown.total_agencies + PAGE_SIZE - 1) // PAGE_SIZE, 1)
    template = "matrix_part.html.j2" if request.headers.get("hx-target") == "matrix" else "matrix.html.j2"
    return render(request, template, user, view=view, shown=shown, pages=pages, statuses=statuses(shown.counts),
                  flags=FLAGS, levels=LEVELS, regions=region_options(request, user),
                  params=view.params(), qs=query_string, total_rows=sum(v for k, v in shown.counts.items()
                                                                       if k not in FLAGS),
                  first=(view.page - 1) * PAGE_SIZE + 1,
                  all_statuses=list(dict.fromkeys([*STATUSES, *statuses(shown.counts), *FLAGS])),
                  years_to_pick=range(state.as_of.year - 1, state.as_of.year - 12, -1), cell_text=cell_text)


def cell_text(cell: Any, as_of: dt.date) -> str:
    """What a matrix cell says beside its colour: days late, or the error count."""
    days = cell.days_late(as_of)
    if cell.status == "late" and days:
        return t("overview.days_late", days=days)
    if cell.status in {"missing", "unreachable", "unconfirmed"} and days:
        return t("overview.days_missing", days=days)
    if cell.inconsistent and cell.errors:
        return t("overview.errors", n=cell.errors)
    return terms.name("status", cell.status)


@router.get("/export.{fmt}")
def export_rows(request: Request, user: Viewer, fmt: str) -> Response:
    """Exactly the rows the matrix shows with the same filters (every page of them)."""
    if fmt not in {"csv", "xlsx"}:
        return Response(status_code=404)
    view = View.of(request)
    state = web(request)
    with state.archive.read() as session:
        rows = [c.to_dict(state.as_of) for c in all_cells(session, view.query(request, user))]
    title = t("overview.export_title")
    if fmt == "csv":
        body, media = export.to_csv(rows), "text/csv; charset=utf-8"
    else:
        body, media = export.to_xlsx(rows, title), "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    name = f"xxgk-{state.as_of.isoformat()}.{fmt}"
    return Response(body, media_type=media, headers={"content-disposition": f'attachment; filename="{name}"'})
