"""报告: one report's tables as the template lays them out, its findings beside them, the archived source
shown safely, its versions with their differences; reviewing findings and correcting cells.

The archived source is served from its own URL under a Content-Security-Policy `sandbox` with
`default-src 'none'` and shown in an `<iframe sandbox>`: its scripts do not run, it cannot reach
any other server, and it has no access to the dashboard's cookies or pages. A PDF is shown as a
picture of its page, drawn on the server.
"""

from __future__ import annotations

import io
from typing import Annotated, Any, Final

from fastapi import APIRouter, Depends, Form, Request
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.responses import Response

from catalogue.web import t
from store import audit, corrections
from store.corrections import Cell, CorrectionError
from store.diff import summary
from store.errors import SnapshotMissingError
from store.findings import review_finding
from store.models import Finding, Report, ReportVersion, utcnow
from store.terms import REVIEW_STATES
from web import layout
from web.accounts import User
from web.core import Editor, FormText, Viewer, back_to, check_csrf, is_htmx, not_found, render, web

router = APIRouter()
SANDBOX_CSP: Final = ("sandbox; default-src 'none'; img-src data:; style-src 'unsafe-inline'; "
                      "font-src data:; frame-ancestors 'self'")
PDF_SCALE: Final = 1.4
_CORRECTION_ERRORS: Final = {"not a number": "correct.not_number", "nothing changes": "correct.nothing",
                             "a correction needs a reason": "correct.no_reason"}


def visible_report(session: Session, user: User, report_id: int) -> Report:
    report = session.get(Report, report_id)
    if report is None or not user.sees(report.agency.region):
        raise not_found()
    return report


def _version(report: Report, number: int | None) -> ReportVersion:
    wanted = number or report.current_version
    for version in report.versions:
        if version.number == wanted:
            return version
    raise not_found()


def _finding_view(f: Finding) -> dict[str, Any]:
    return {"id": f.id, "rule": f.rule, "severity": f.severity, "message": f.message, "review_state": f.review_state,
            "reviewed_by": f.reviewed_by, "reviewed_at": f.reviewed_at, "review_note": f.review_note, **{
                k: f.detail.get(k) for k in ("table", "row", "col", "group", "label", "parent", "child")}}


def _medium(version: ReportVersion) -> str:
    """html, pdf, text, or other: how the archived bytes can be shown."""
    name = (version.document.name or version.document.url or "").lower().split("?", 1)[0]
    kind = (version.document.content_type or "").lower()
    medium = str((version.record.get("source") or {}).get("medium") or "")
    if "pdf" in kind or name.endswith(".pdf") or medium == "pdf":
        return "pdf"
    if "html" in kind or name.endswith((".html", ".htm", ".shtml")) or medium == "html":
        return "html"
    if kind.startswith("text/") or name.endswith((".txt", ".md")) or medium == "text":
        return "text"
    return "other"


@router.get("/report/{report_id}")
def report_page(request: Request, user: Viewer, report_id: int, v: int | None = None, page: int = 1) -> Response:
    state = web(request)
    with state.archive.read() as session:
        report = visible_report(session, user, report_id)
        version = _version(report, v)
        findings = [_finding_view(f) for f in version.findings]
        fixes = version.corrections or []
        record = version.record
        view: dict[str, Any] = {
            "report": report, "agency": report.agency, "version": version, "record": record,
            "findings": findings, "tables": layout.tables(record, findings, fixes) if record.get("format") != "legacy"
            else [], "legacy": layout.legacy(record, findings, fixes), "medium": _medium(version),
            "versions": [(ver, summary(ver.diff) if ver.diff is not None else None) for ver in report.versions],
            "pdf_page": max(page, 1), "findings_by_id": {f["id"]: f for f in findings},
        }
    return render(request, "report.html.j2", user, review_states=REVIEW_STATES, **view)


@router.get("/report/{report_id}/source/{number}")
def source(request: Request, user: Viewer, report_id: int, number: int) -> Response:
    """The archived bytes, sandboxed: no script runs, nothing is fetched from anywhere."""
    state = web(request)
    with state.archive.read() as session:
        version = _version(visible_report(session, user, report_id), number)
        sha, encoding, medium, name = version.document.sha256, version.document.encoding, _medium(version), \
            version.document.name
    try:
        data = state.archive.snapshots.get(sha)
    except SnapshotMissingError:
        raise not_found() from None
    headers = {"content-security-policy": SANDBOX_CSP, "x-content-type-options": "nosniff",
               "cache-control": "private, max-age=3600"}
    if medium == "html":
        charset = f"; charset={encoding}" if encoding else ""
        return Response(data, media_type=f"text/html{charset}", headers=headers)
    if medium == "text":
        text = data.decode(encoding or "utf-8", errors="replace")
        return Response(text.encode("utf-8"), media_type="text/plain; charset=utf-8", headers=headers)
    filename = (name or f"report-{report_id}-v{number}").replace('"', "")
    return Response(data, media_type="application/octet-stream", headers={
        **headers, "content-disposition": f'attachment; filename="{filename.encode("ascii", "ignore").decode()}"'})


@router.get("/report/{report_id}/page/{number}/{page}.png")
def pdf_page(request: Request, user: Viewer, report_id: int, number: int, page: int) -> Response:
    """One page of an archived PDF as a picture."""
    import pypdfium2 as pdfium  # noqa: PLC0415 - only this picture needs it

    state = web(request)
    with state.archive.read() as session:
        version = _version(visible_report(session, user, report_id), number)
        sha = version.document.sha256
    try:
        pdf = pdfium.PdfDocument(state.archive.snapshots.get(sha))
    except (SnapshotMissingError, pdfium.PdfiumError):
        raise not_found() from None
    try:
        if not 1 <= page <= len(pdf):
            raise not_found()
        image = pdf[page - 1].render(scale=PDF_SCALE).to_pil()
    finally:
        pdf.close()
    out = io.BytesIO()
    image.save(out, format="PNG")
    return Response(out.getvalue(), media_type="image/png", headers={"cache-control": "private, max-age=3600"})


@router.post("/finding/{finding_id}/review", dependencies=[Depends(check_csrf)])
def review(request: Request, user: Editor, finding_id: int, state_: Annotated[str, Form(alias="state")] = "",
           reason: FormText = "") -> Response:
    """已核实 / 已排除 with a reason (or back to open); carried to later versions by fingerprint."""
    state = web(request)
    if state_ not in REVIEW_STATES:
        raise not_found()
    with state.archive.read() as session:
        finding = session.get(Finding, finding_id)
        if finding is None:
            raise not_found()
        report_id = finding.version.report_id
        visible_report(session, user, report_id)
    error = None
    if state_ != "open" and not reason.strip():
        error = t("review.reason_needed")
    else:
        with state.archive.write() as session:
            done = review_finding(session, finding_id, state_, user.username, reason.strip() or None)
            audit.log(session.connection(), user.username, "review", utcnow(), report_id=report_id,
                      detail={"finding": finding_id, "rule": done.rule, "state": state_, "why": reason.strip()})
    if is_htmx(request):
        with state.archive.read() as session:
            found = session.get(Finding, finding_id)
            assert found is not None  # reviewing never deletes
            item = _finding_view(found)
        return render(request, "finding.html.j2", user, f=item, report_id=report_id, error=error,
                      review_states=REVIEW_STATES, editable=True)
    return back_to(request, f"/report/{report_id}")


def _cell_of(request: Request) -> Cell:
    q = request.query_params
    return Cell(q.get("table", ""), q.get("row", ""), q.get("col", ""))


@router.get("/report/{report_id}/correct")
def correction_form(request: Request, user: Editor, report_id: int) -> Response:
    state = web(request)
    cell = _cell_of(request)
    with state.archive.read() as session:
        report = visible_report(session, user, report_id)
        version = _version(report, None)
        if not corrections.is_cell(version.record, cell):
            raise not_found()
        machine = next((c["machine"] for c in version.corrections or []
                        if (c["table"], c["row"], c["col"]) == cell.key()), corrections.read_cell(version.record, cell))
        current = corrections.read_cell(version.record, cell)
    template = "correct_part.html.j2" if is_htmx(request) else "correct.html.j2"
    return render(request, template, user, report=report, cell=cell, machine=machine, current=current, error=None,
                  value="" if current is None else current, reason="")


@router.post("/report/{report_id}/correct", dependencies=[Depends(check_csrf)])
def correct(request: Request, user: Editor, report_id: int, table: FormText = "", row: FormText = "",
            col: FormText = "", value: FormText = "", reason: FormText = "") -> Response:
    """A new version of kind 人工更正: the validator runs again on it."""
    state = web(request)
    cell = Cell(table, row, col)
    with state.archive.read() as session:
        report = visible_report(session, user, report_id)
        version = _version(report, None)
        if not corrections.is_cell(version.record, cell):
            raise not_found()
        machine = corrections.read_cell(version.record, cell)
    try:
        number = corrections.parse_value(value)
        with state.archive.write_rows() as conn:
            done = corrections.correct(conn, report_id, {cell: number}, user.username, reason.strip(), utcnow())
    except CorrectionError as exc:
        template = "correct_part.html.j2" if is_htmx(request) else "correct.html.j2"
        return render(request, template, user, status_code=422, report=report, cell=cell, machine=machine,
                      current=machine, value=value, reason=reason,
                      error=t(_CORRECTION_ERRORS.get(str(exc), "correct.bad_cell")))
    target = f"/report/{report_id}?v={done.version}"
    if is_htmx(request):
        return Response(status_code=204, headers={"hx-redirect": target})
    return Response(status_code=303, headers={"location": target})


@router.post("/report/{report_id}/checked", dependencies=[Depends(check_csrf)])
def correction_checked(request: Request, user: Editor, report_id: int) -> Response:
    """A person looked at a correction whose source changed since: the flag goes."""
    state = web(request)
    with state.archive.read() as session:
        visible_report(session, user, report_id)
    with state.archive.write() as session:
        report = session.scalars(select(Report).where(Report.id == report_id)).one()
        report.correction_stale = False
        audit.log(session.connection(), user.username, "correction_checked", utcnow(), report_id=report_id)
    return back_to(request, f"/report/{report_id}")
