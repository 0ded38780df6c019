"""All settings parsed once into one typed object (command-line options over environment over defaults)."""

from __future__ import annotations

import argparse
import datetime as dt
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo

CHINA = ZoneInfo("Asia/Shanghai")
DEFAULT_DATABASE_URL = "sqlite:///xxgk.sqlite3"


class SettingsError(ValueError):
    """A setting has a value we cannot use; the message names it."""


@dataclass(frozen=True, slots=True)
class SmtpSettings:
    host: str
    port: int
    user: str | None
    password: str | None
    tls: Literal["none", "starttls", "ssl"]
    mail_from: str


@dataclass(frozen=True, slots=True)
class Settings:
    database_url: str
    registry: Path
    as_of: dt.date
    smtp: SmtpSettings | None

    @classmethod
    def load(cls, args: argparse.Namespace | None = None, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        opt = vars(args) if args is not None else {}
        as_of_raw = opt.get("as_of") or env.get("XXGK_AS_OF")
        return cls(
            database_url=opt.get("db") or env.get("XXGK_DATABASE_URL") or DEFAULT_DATABASE_URL,
            registry=Path(opt.get("registry") or env.get("XXGK_REGISTRY") or "registry.yaml"),
            as_of=parse_date(as_of_raw, "--as-of/XXGK_AS_OF") if as_of_raw else today(),
            smtp=_smtp(env),
        )


def today() -> dt.date:
    """Today where the reports are published (deadlines are Chinese calendar dates)."""
    return dt.datetime.now(CHINA).date()


def parse_date(raw: str, what: str) -> dt.date:
    try:
        return dt.date.fromisoformat(raw.strip())
    except ValueError:
        raise SettingsError(f"{what}: {raw!r} is not a date (YYYY-MM-DD)") from None


def _smtp(env: Mapping[str, str]) -> SmtpSettings | None:
    host = env.get("XXGK_SMTP_HOST")
    if not host:
        return None
    tls = env.get("XXGK_SMTP_TLS", "none").lower()
    if tls not in {"none", "starttls", "ssl"}:
        raise SettingsError(f"XXGK_SMTP_TLS: {tls!r} is not one of none, starttls, ssl")
    port_raw = env.get("XXGK_SMTP_PORT") or {"ssl": "465", "starttls": "587"}.get(tls, "25")
    try:
        port = int(port_raw)
    except ValueError:
        raise SettingsError(f"XXGK_SMTP_PORT: {port_raw!r} is not a port number") from None
    return SmtpSettings(
        host=host,
        port=port,
        user=env.get("XXGK_SMTP_USER") or None,
        password=env.get("XXGK_SMTP_PASSWORD") or None,
        tls=tls,  # type: ignore[arg-type]
        mail_from=env.get("XXGK_MAIL_FROM") or f"xxgk@{host}",
    )


def add_common_options(parser: argparse.ArgumentParser) -> None:
    """--db, --registry and --as-of, accepted by every command that uses them (spec/cli.md)."""
    parser.add_argument("--db", metavar="URL", help="SQLAlchemy URL (env XXGK_DATABASE_URL; default sqlite:///xxgk.sqlite3)")
    parser.add_argument("--registry", metavar="FILE", help="portal registry (env XXGK_REGISTRY; default registry.yaml)")
    parser.add_argument(
        "--as-of", metavar="DATE", help="the date taken as today (env XXGK_AS_OF; default today, Asia/Shanghai)"
    )
