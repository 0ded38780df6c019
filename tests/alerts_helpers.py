"""A real SMTP server for the alert tests (aiosmtpd), which can be taken down and brought back on its port."""

from __future__ import annotations

import email
import socket
from collections import Counter
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import default
from typing import Any

from aiosmtpd.controller import Controller

from alerts.digest import ALERT_HEADER


def free_port() -> int:
    """aiosmtpd's Controller cannot take port 0: it connects to its port as a self-test (toolchain §7)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@dataclass
class Received:
    rcpt: list[str]
    message: EmailMessage
    raw: bytes

    @classmethod
    def parse(cls, rcpt: list[str], raw: bytes) -> Received:
        message = email.message_from_bytes(raw, policy=default)
        assert isinstance(message, EmailMessage)
        return cls(rcpt, message, raw)

    @property
    def keys(self) -> list[str]:
        return [str(v) for v in self.message.get_all(ALERT_HEADER) or []]


@dataclass
class Sink:
    """Collects every message it accepts, parsed; `reply` set to an SMTP reply makes DATA fail with it."""

    received: list[Received] = field(default_factory=list)
    reply: str | None = None

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 - aiosmtpd's hook
        if self.reply:
            return self.reply
        self.received.append(Received.parse(list(envelope.rcpt_tos), envelope.content))
        return "250 OK"

    def deliveries(self) -> Counter[tuple[str, str]]:
        """(recipient, dedupe key) → how many messages carried it."""
        return Counter((rcpt, key) for r in self.received for rcpt in r.rcpt for key in r.keys)


class MailServer:
    """An aiosmtpd server on a fixed port that can be stopped ("the mail server is down") and started again."""

    def __init__(self, sink: Sink | None = None, **controller: Any) -> None:
        self.sink = sink or Sink()
        self.port = free_port()
        self.options = controller
        self.controller: Controller | None = None

    def start(self) -> None:
        self.controller = Controller(self.sink, hostname="127.0.0.1", port=self.port, **self.options)
        self.controller.start()

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    def env(self) -> dict[str, str]:
        return {"XXGK_SMTP_HOST": "127.0.0.1", "XXGK_SMTP_PORT": str(self.port), "XXGK_SMTP_TLS": "none",
                "XXGK_MAIL_FROM": "monitor@xxgk.example.cn"}
