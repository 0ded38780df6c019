"""The dashboard application: `create_app(archive, settings)` → an ASGI app for uvicorn.

Nothing but the login page, the static files and `/healthz` answers without a session. Sessions are
signed cookies (itsdangerous, through Starlette's SessionMiddleware) holding the account id, the
password's timestamp (a new password ends every old session) and the CSRF token.
"""

from __future__ import annotations

import os
import secrets
import time
from pathlib import Path
from typing import Any, Final

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import HTTPException
from fastapi.staticfiles import StaticFiles
from sqlalchemy import text
from starlette.middleware.sessions import SessionMiddleware
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from catalogue.web import t
from config.settings import Settings
from store.db import Archive
from store.errors import StoreError
from web import accounts, agency, analytics, archive_pages, outbox, overview, report
from web.core import (
    SESSION_CSRF,
    SESSION_SINCE,
    SESSION_USER,
    FormText,
    LoginRequiredError,
    Web,
    check_csrf,
    csp_headers,
    render,
    web,
)

STATIC: Final = Path(__file__).parent / "static"
SESSION_HOURS: Final = 12


class Timing:
    """`Server-Timing: app;dur=…` on every response: the time the server spent, for the benchmark and a
    browser's network panel."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()

        async def timed(message: Message) -> None:
            if message["type"] == "http.response.start":
                spent = (time.perf_counter() - started) * 1000
                message.setdefault("headers", []).append((b"server-timing", f"app;dur={spent:.1f}".encode()))
            await send(message)

        await self.app(scope, receive, timed)


def session_secret() -> str:
    """XXGK_SESSION_SECRET keeps sessions across restarts; without it each start signs with a new key."""
    return os.environ.get("XXGK_SESSION_SECRET") or secrets.token_urlsafe(48)


def create_app(archive: Archive, settings: Settings, *, first_year: int | None = None,
               unreachable: frozenset[int] = frozenset(), secret: str | None = None) -> FastAPI:
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    app.state.web = Web(archive, settings, first_year, unreachable)
    app.add_middleware(SessionMiddleware, secret_key=secret or session_secret(), session_cookie="xxgk_session",
                       max_age=SESSION_HOURS * 3600, same_site="lax")
    app.add_middleware(Timing)

    @app.middleware("http")
    async def headers(request: Request, call_next: Any) -> Response:
        response: Response = await call_next(request)
        csp_headers(response)
        return response

    @app.exception_handler(LoginRequiredError)
    async def login_first(request: Request, _exc: LoginRequiredError) -> Response:
        if request.headers.get("hx-request") == "true":
            return Response(status_code=401, headers={"hx-redirect": "/login"})
        return RedirectResponse(f"/login?next={request.url.path}", status_code=303)

    @app.exception_handler(HTTPException)
    async def failed(request: Request, exc: HTTPException) -> Response:
        key = "error.csrf" if exc.detail == "csrf" else f"error.{exc.status_code}"
        message = t(key) if key in {"error.403", "error.404", "error.csrf"} else str(exc.detail)
        return render(request, "error.html.j2", None, status_code=exc.status_code, message=message)

    @app.exception_handler(StoreError)
    async def store_failed(request: Request, exc: StoreError) -> Response:
        return render(request, "error.html.j2", None, status_code=503, message=str(exc))

    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    @app.get("/healthz")
    def health(request: Request) -> JSONResponse:
        state = web(request)
        try:
            with state.archive.read() as session:
                session.execute(text("SELECT 1"))
        except StoreError:
            return JSONResponse({"status": "unavailable"}, status_code=503)
        return JSONResponse({"status": "ok"})

    @app.get("/login")
    def login_page(request: Request, next: str = "/") -> Response:  # noqa: A002 - the query's name
        return render(request, "login.html.j2", None, next=_local(next))

    @app.post("/login", dependencies=[Depends(check_csrf)])
    def login(request: Request, username: FormText = "", password: FormText = "",
              next: FormText = "/") -> Response:  # noqa: A002
        state = web(request)
        address = f"ip:{request.client.host if request.client else '?'}"
        keys = (f"user:{username}", address)
        if state.limiter.blocked(*keys):
            return render(request, "login.html.j2", None, status_code=429, next=_local(next),
                          error=t("login.throttled", minutes=int(state.limiter.window // 60)))
        with state.archive.read() as session:
            user = accounts.verify(session, username, password)
        if user is None:
            state.limiter.failed(*keys)
            return render(request, "login.html.j2", None, status_code=401, next=_local(next), error=t("login.failed"))
        state.limiter.succeeded(f"user:{username}")
        request.session.clear()
        request.session.update({SESSION_USER: user.id, SESSION_SINCE: user.since,
                                SESSION_CSRF: secrets.token_urlsafe(32)})
        return RedirectResponse(_local(next), status_code=303)

    @app.post("/logout", dependencies=[Depends(check_csrf)])
    def logout(request: Request) -> Response:
        request.session.clear()
        return RedirectResponse("/login", status_code=303)

    for module in (overview, agency, analytics, report, outbox, archive_pages):
        app.include_router(module.router)
    return app


def _local(target: str) -> str:
    """Only paths of this site are followed after logging in (no open redirect)."""
    return target if target.startswith("/") and not target.startswith("//") and "\\" not in target else "/"
