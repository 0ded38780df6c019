"""Sending e-mail with smtplib: plain, STARTTLS or SSL, credentials from the environment (docs/cli.md).

Failures are sorted by what the outbox should do next: `ServerUnavailable` (cannot connect, log in
or keep the connection; every digest waits for the backoff), `Deferred` (this message got a 4xx:
try it again later) and `Refused` (a 5xx for this message or recipient: trying again will not help).
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import EmailMessage
from typing import Final

from catalogue.cli import say
from config.settings import SmtpSettings

TIMEOUT_S: Final = 30.0


class ServerUnavailable(Exception):  # noqa: N818 - reads as the situation, like ConnectionRefused
    """The mail server cannot be used now; the message is one line naming it."""


class Deferred(Exception):  # noqa: N818
    """The server said "not now" (4xx) to this message."""


class Refused(Exception):  # noqa: N818
    """The server refused this message or its recipient for good (5xx)."""


def _text(reply: bytes | str) -> str:
    return reply.decode(errors="replace") if isinstance(reply, bytes) else reply


def _where(settings: SmtpSettings) -> str:
    return f"{settings.host}:{settings.port}"


class Mailer:
    """One open SMTP connection."""

    def __init__(self, connection: smtplib.SMTP, settings: SmtpSettings) -> None:
        self.connection = connection
        self.settings = settings

    def send(self, message: EmailMessage) -> None:
        try:
            self.connection.send_message(message)
        except smtplib.SMTPRecipientsRefused as exc:
            codes = [code for code, _ in exc.recipients.values()]
            reason = "; ".join(f"{who}: {code} {_text(reply)}" for who, (code, reply) in exc.recipients.items())
            raise (Deferred if all(400 <= c < 500 for c in codes) else Refused)(reason) from None
        except (smtplib.SMTPDataError, smtplib.SMTPSenderRefused) as exc:
            reason = f"{exc.smtp_code} {_text(exc.smtp_error)}"
            raise (Deferred if 400 <= exc.smtp_code < 500 else Refused)(reason) from None
        except (smtplib.SMTPException, OSError) as exc:
            raise ServerUnavailable(say("smtp.dropped", server=_where(self.settings), reason=exc)) from None


@contextmanager
def connect(settings: SmtpSettings, timeout: float = TIMEOUT_S) -> Iterator[Mailer]:
    """An SMTP session as configured (none / starttls / ssl, optional login); ServerUnavailable if not."""
    try:
        if settings.tls == "ssl":
            connection: smtplib.SMTP = smtplib.SMTP_SSL(
                settings.host, settings.port, timeout=timeout, context=ssl.create_default_context()
            )
        else:
            connection = smtplib.SMTP(settings.host, settings.port, timeout=timeout)
    except (smtplib.SMTPException, OSError) as exc:
        raise ServerUnavailable(say("smtp.unreachable", server=_where(settings), reason=exc)) from None
    try:
        try:
            if settings.tls == "starttls":
                connection.starttls(context=ssl.create_default_context())
            if settings.user:
                connection.login(settings.user, settings.password or "")
        except smtplib.SMTPAuthenticationError as exc:
            reason = f"{exc.smtp_code} {_text(exc.smtp_error)}"
            message = say("smtp.login", server=_where(settings), user=settings.user, reason=reason)
            raise ServerUnavailable(message) from None
        except (smtplib.SMTPException, OSError) as exc:
            raise ServerUnavailable(say("smtp.unusable", server=_where(settings), reason=exc)) from None
        yield Mailer(connection, settings)
    finally:
        try:
            connection.quit()
        except (smtplib.SMTPException, OSError):
            connection.close()
