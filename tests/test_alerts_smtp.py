"""Delivery over a real SMTP server (aiosmtpd): plain, STARTTLS and SSL with a login; down, busy, refusing."""

from __future__ import annotations

import shutil
import ssl
import subprocess
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.smtp import AuthResult, LoginPassword
from alerts_helpers import MailServer, free_port

from alerts.smtp import Deferred, Refused, ServerUnavailable, connect
from config.settings import SmtpSettings

USER, PASSWORD = "monitor", "s3cret"


def settings(port: int, tls: str = "none", user: str | None = None, password: str | None = None) -> SmtpSettings:
    return SmtpSettings(host="127.0.0.1", port=port, user=user, password=password, tls=tls,  # type: ignore[arg-type]
                        mail_from="xxgk@monitor.example.cn")


def message(to: str = "gkb@hunan.example.cn") -> EmailMessage:
    msg = EmailMessage()
    msg["Subject"] = "【政务公开监测】1个单位未按期发布2025年度报告（截至2月1日）"
    msg["From"], msg["To"] = "xxgk@monitor.example.cn", to
    msg.set_content("正文")
    return msg


@pytest.fixture
def server() -> Iterator[MailServer]:
    running = MailServer()
    running.start()
    yield running
    running.stop()


def test_plain_delivery(server: MailServer) -> None:
    with connect(settings(server.port)) as mailer:
        mailer.send(message())
    [received] = server.sink.received
    assert received.rcpt == ["gkb@hunan.example.cn"]
    assert str(received.message["Subject"]).startswith("【政务公开监测】")


def test_a_server_that_is_down_is_unavailable_in_one_line() -> None:
    port = free_port()
    with pytest.raises(ServerUnavailable, match=rf"^无法连接发信服务器 127\.0\.0\.1:{port}：") as info, \
            connect(settings(port)):
        pass
    assert "\n" not in str(info.value)


@pytest.mark.parametrize(("reply", "error"), [("451 4.3.0 try later", Deferred), ("554 5.7.1 rejected", Refused)])
def test_busy_and_refusing_servers_are_told_apart(server: MailServer, reply: str, error: type[Exception]) -> None:
    server.sink.reply = reply
    with connect(settings(server.port)) as mailer, pytest.raises(error, match=reply.split(maxsplit=1)[0]):
        mailer.send(message())


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make a test certificate")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
         "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True,
    )
    return cert, key


def _login(_server: Any, _session: Any, _envelope: Any, mechanism: str, data: Any) -> AuthResult:
    ok = isinstance(data, LoginPassword) and (data.login, data.password) == (USER.encode(), PASSWORD.encode())
    return AuthResult(success=ok and mechanism in {"LOGIN", "PLAIN"}, handled=False)  # handled=False: reply 535


@pytest.mark.parametrize("tls", ["starttls", "ssl"])
def test_tls_with_a_login(certificate: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch, tls: str) -> None:
    cert, key = certificate
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)
    # aiosmtpd does not count implicit TLS as TLS for `auth_require_tls`; the connection is encrypted all the same
    options: dict[str, Any] = {"authenticator": _login, "auth_require_tls": tls == "starttls"}
    options |= {"tls_context": context, "require_starttls": True} if tls == "starttls" else {"ssl_context": context}
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # the client trusts our test certificate like a CA's
    server = MailServer(**options)
    server.start()
    try:
        with connect(settings(server.port, tls, USER, PASSWORD)) as mailer:
            mailer.send(message())
        assert len(server.sink.received) == 1
        with pytest.raises(ServerUnavailable, match="拒绝了 monitor 的登录：535"), \
                connect(settings(server.port, tls, USER, "wrong")):
            pass
    finally:
        server.stop()
