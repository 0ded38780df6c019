"""What every page shares: the archive, templates, who is asking, what they may do, CSRF and login limits.

Everything a page shows passes through Jinja2 with autoescaping, so agency names, titles and report
text (all from outside) are text, never markup. Every form carries the session's CSRF token, which
every POST must present (as a field, or as the `X-CSRF-Token` header htmx sends). A person who may
not see an agency gets 404 for its pages, as if it did not exist; a person who may see but not
change gets 403 for every change.
"""

from __future__ import annotations

import datetime as dt
import secrets
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Final

from fastapi import Depends, Form, HTTPException, Request
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup
from starlette.responses import HTMLResponse, RedirectResponse, Response

from catalogue import findings as finding_words
from catalogue import terms
from catalogue.web import t
from config.settings import CHINA, Settings
from store.db import Archive
from store.outbound import link_href
from web import accounts
from web.accounts import User

TEMPLATES: Final = Path(__file__).parent / "templates"
CSRF_HEADER: Final = "x-csrf-token"
SESSION_USER: Final = "uid"
SESSION_SINCE: Final = "since"
SESSION_CSRF: Final = "csrf"


class LoginLimiter:
    """At most `attempts` failed logins per account name, and four times as many per address (an office
    behind one address), in `window` seconds."""

    def __init__(self, attempts: int = 5, window: float = 300.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.attempts, self.window, self.clock = attempts, window, clock
        self.per_address = 4 * attempts
        self._failures: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str) -> deque[float]:
        seen = self._failures.setdefault(key, deque())
        while seen and seen[0] <= self.clock() - self.window:
            seen.popleft()
        return seen

    def blocked(self, *keys: str) -> bool:
        with self._lock:
            return any(len(self._recent(k)) >= (self.per_address if k.startswith("ip:") else self.attempts)
                       for k in keys)

    def failed(self, *keys: str) -> None:
        with self._lock:
            for key in keys:
                self._recent(key).append(self.clock())

    def succeeded(self, username: str) -> None:
        with self._lock:
            self._failures.pop(username, None)


@dataclass
class Web:
    """The application's state: one per process."""

    archive: Archive
    settings: Settings
    first_year: int | None = None  # the registry's monitoring (store.matrix): first year, unreachable agencies
    unreachable: frozenset[int] = frozenset()
    limiter: LoginLimiter = field(default_factory=LoginLimiter)
    env: Environment = field(init=False)

    def __post_init__(self) -> None:
        self.env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(default=True),
                               trim_blocks=True, lstrip_blocks=True)
        self.env.globals.update(t=t, name=terms.name, cell_name=finding_words.cell_name, table_name=table_name,
                                local=local_time, terms=terms)
        self.env.filters["href"] = link_href  # a URL is a link only when it is http(s) (store.outbound)

    @property
    def as_of(self) -> dt.date:
        return self.settings.as_of


def table_name(table: str) -> str:
    return terms.name("table", table)


def local_time(value: dt.datetime | str | None) -> str:
    """A stored moment as a supervisor reads it: Beijing time, to the minute."""
    if value is None:
        return t("common.none")
    moment = dt.datetime.fromisoformat(value) if isinstance(value, str) else value
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(CHINA).strftime("%Y-%m-%d %H:%M")


def web(request: Request) -> Web:
    state: Web = request.app.state.web
    return state


def csrf_token(request: Request) -> str:
    token = request.session.get(SESSION_CSRF)
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        request.session[SESSION_CSRF] = token
    return token


class LoginRequiredError(Exception):
    """No valid session: the page answers with the login page."""


def current_user(request: Request) -> User:
    """The logged-in person, else LoginRequiredError (a redirect to the login page)."""
    account_id = request.session.get(SESSION_USER)
    if not isinstance(account_id, int):
        raise LoginRequiredError
    state = web(request)
    with state.archive.read() as session:
        user = accounts.load(session, account_id)
    if user is None or request.session.get(SESSION_SINCE) != user.since:
        request.session.pop(SESSION_USER, None)
        raise LoginRequiredError
    return user


def editor(request: Request) -> User:
    """The logged-in person, who must be allowed to change things (403 otherwise)."""
    user = current_user(request)
    if not user.can_edit:
        raise HTTPException(status_code=403)
    return user


async def check_csrf(request: Request) -> None:
    """Every POST presents the session's token (a form field or the htmx header)."""
    expected = request.session.get(SESSION_CSRF)
    form = await request.form()
    given = request.headers.get(CSRF_HEADER) or form.get("csrf")
    if not isinstance(expected, str) or not isinstance(given, str) or not secrets.compare_digest(expected, given):
        raise HTTPException(status_code=403, detail="csrf")


Viewer = Annotated[User, Depends(current_user)]
Editor = Annotated[User, Depends(editor)]
FormText = Annotated[str, Form()]


def not_found() -> HTTPException:
    return HTTPException(status_code=404)


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"


def render(request: Request, template: str, user: User | None, status_code: int = 200, **context: Any) -> HTMLResponse:
    state = web(request)
    html = state.env.get_template(template).render(
        request=request, user=user, csrf=csrf_token(request), as_of=state.as_of, htmx=is_htmx(request), **context)
    return HTMLResponse(html, status_code=status_code)


def back_to(request: Request, default: str) -> RedirectResponse:
    """After a form post without htmx: back to the page it came from (same site only)."""
    target = request.headers.get("referer") or default
    base = str(request.base_url)
    return RedirectResponse(target if target.startswith(base) else default, status_code=303)


def query_string(params: Mapping[str, Any], **changes: Any) -> Markup:
    """The page's state as a URL query, with `changes` (None drops a key)."""
    from urllib.parse import urlencode  # noqa: PLC0415

    merged = {k: v for k, v in {**params, **changes}.items() if v not in {None, ""}}
    return Markup("?" + urlencode(merged)) if merged else Markup("?")  # noqa: S704 - urlencode escapes


def csp_headers(response: Response) -> None:
    """The app's own pages: its scripts and styles only, nothing from outside, not framed by others."""
    response.headers.setdefault(
        "content-security-policy",
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-src 'self'; "
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'self'",
    )
    response.headers.setdefault("x-content-type-options", "nosniff")
    response.headers.setdefault("referrer-policy", "same-origin")
