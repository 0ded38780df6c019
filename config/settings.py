"""All settings parsed once into one typed object: command-line options over environment over the
project file (`xxgk.toml` in the project folder) over defaults.

The project folder is `--project DIR`, else `XXGK_PROJECT`, else the working directory. Paths in
the project file (the SQLite database, the registry) are relative to the folder that holds it, so
`xxgk --project demo status` and `cd demo && xxgk status` read the same archive.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, Literal
from zoneinfo import ZoneInfo

from catalogue.cli import say

CHINA = ZoneInfo("Asia/Shanghai")
DEFAULT_DATABASE_URL = "sqlite:///xxgk.sqlite3"
PROJECT_FILE: Final = "xxgk.toml"
_SQLITE: Final = "sqlite:///"
_BROKERS: Final = ("redis://", "rediss://", "amqp://", "amqps://", "pyamqp://")
# what a project file may hold: top-level keys and the keys of its tables
_FILE_KEYS: Final[dict[str, frozenset[str]]] = {
    "": frozenset({"database", "registry", "as_of", "dashboard_url", "broker_url", "allow_loopback"}),
    "smtp": frozenset({"host", "port", "user", "password", "tls", "from", "reply_to"}),
}
_SMTP_ENV: Final = {
    "host": "XXGK_SMTP_HOST", "port": "XXGK_SMTP_PORT", "user": "XXGK_SMTP_USER",
    "password": "XXGK_SMTP_PASSWORD", "tls": "XXGK_SMTP_TLS", "from": "XXGK_MAIL_FROM",
    "reply_to": "XXGK_MAIL_REPLY_TO",
}


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
    reply_to: str | None = None


@dataclass(frozen=True, slots=True)
class Settings:
    database_url: str
    registry: Path
    as_of: dt.date
    smtp: SmtpSettings | None
    # the folder whose xxgk.toml was read, or None when there is none
    project: Path | None = None
    # where a supervisor opens the dashboard: digests link there instead of asking for commands
    dashboard_url: str | None = None
    # distributed mode: a Celery broker (redis://…, amqp://…); None runs everything in one process
    broker_url: str | None = None
    # whether the crawler may fetch loopback addresses (the simulator's portals; crawler.offsite)
    allow_loopback: bool = False

    @classmethod
    def load(cls, args: argparse.Namespace | None = None, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        opt = vars(args) if args is not None else {}
        folder = Path(opt.get("project") or env.get("XXGK_PROJECT") or ".")
        found = read_project(folder)
        project = folder.resolve() if found is not None else None
        file = found or {}
        as_of_raw = opt.get("as_of") or env.get("XXGK_AS_OF") or file.get("as_of")
        database = opt.get("db") or env.get("XXGK_DATABASE_URL")
        registry = opt.get("registry") or env.get("XXGK_REGISTRY")
        settings = cls(
            database_url=database or _beside(project, file.get("database"), DEFAULT_DATABASE_URL),
            registry=Path(registry) if registry else _file_path(project, file.get("registry") or "registry.yaml"),
            as_of=parse_date(str(as_of_raw), "--as-of") if as_of_raw else today(),
            smtp=_smtp(env, file.get("smtp") or {}),
            project=project,
            dashboard_url=env.get("XXGK_DASHBOARD_URL") or file.get("dashboard_url"),
            broker_url=env.get("XXGK_BROKER_URL") or file.get("broker_url"),
            allow_loopback=allows_loopback(env) or file.get("allow_loopback") is True,
        )
        _check_broker(settings)
        return settings

    def crawl_settings(self) -> dict[str, Any]:
        """What the crawl child must be told that it does not read from its environment."""
        return {"XXGK_ALLOW_LOOPBACK": True} if self.allow_loopback else {}


def _check_broker(settings: Settings) -> None:
    """Distributed mode's one archive is PostgreSQL: workers on several machines cannot share a SQLite file."""
    broker = settings.broker_url
    if not broker:
        return
    if not broker.startswith(_BROKERS):
        raise SettingsError(say("settings.bad_broker", url=repr(broker)))
    if settings.database_url.startswith("sqlite"):
        raise SettingsError(say("settings.sqlite_broker"))


_TRUE: Final = frozenset({"1", "true", "yes", "on"})


def allows_loopback(env: Mapping[str, str]) -> bool:
    """XXGK_ALLOW_LOOPBACK: the crawler may fetch loopback addresses, where the simulator and the tests
    serve their portals. Never on by default: a portal's name that resolves to 127.0.0.1 is refused."""
    return env.get("XXGK_ALLOW_LOOPBACK", "").strip().lower() in _TRUE


def read_project(folder: Path) -> dict[str, Any] | None:
    """The project file in `folder` checked key by key, or None when the folder has none."""
    path = folder / PROJECT_FILE
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise SettingsError(say("settings.unreadable", path=path, reason=exc.strerror)) from None
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise SettingsError(say("settings.not_toml", path=path, reason=exc)) from None
    for key, value in data.items():
        if isinstance(value, dict) and key in _FILE_KEYS:
            unknown = sorted(set(value) - _FILE_KEYS[key])
            if unknown:
                keys = "、".join(f"{key}.{u}" for u in unknown)
                raise SettingsError(say("settings.unknown_key", path=path, keys=keys))
        elif key not in _FILE_KEYS[""]:
            raise SettingsError(say("settings.unknown_key", path=path, keys=key))
    if not isinstance(data.get("allow_loopback", False), bool):
        raise SettingsError(say("settings.not_bool", path=path, name="allow_loopback"))
    return data


def write_project(folder: Path, values: Mapping[str, str | bool]) -> Path:
    """A project file holding `values` (top-level keys), for `xxgk demo` and new projects."""
    path = folder / PROJECT_FILE
    lines = [say("settings.project_header")]
    lines += [f"{key} = {_toml_value(value)}" for key, value in values.items()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _toml_value(value: str | bool) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _file_path(project: Path | None, value: str) -> Path:
    path = Path(value)
    return path if project is None or path.is_absolute() else project / path


def _beside(project: Path | None, url: str | None, default: str) -> str:
    """A SQLite URL of the project file with its relative path taken from the project folder."""
    url = url or default
    if project is None or not url.startswith(_SQLITE):
        return url
    path = url.removeprefix(_SQLITE)
    if not path or path.startswith(("/", ":memory:", "file:")):
        return url
    return _SQLITE + str(project / path)


def today() -> dt.date:
    """Today where the reports are published (deadlines are Chinese calendar dates)."""
    return dt.datetime.now(CHINA).date()


def parse_date(raw: str, what: str) -> dt.date:
    try:
        return dt.date.fromisoformat(raw.strip())
    except ValueError:
        raise SettingsError(say("settings.not_date", what=what, raw=repr(raw))) from None


def _smtp(env: Mapping[str, str], file: Mapping[str, Any]) -> SmtpSettings | None:
    """Outgoing mail from XXGK_SMTP_* over the project file's [smtp] table; None without a host."""

    def get(key: str) -> str | None:
        value = env.get(_SMTP_ENV[key]) or file.get(key)
        return None if value is None or value == "" else str(value)

    host = get("host")
    if not host:
        return None
    tls = (get("tls") or "none").lower()
    if tls not in {"none", "starttls", "ssl"}:
        raise SettingsError(say("settings.bad_tls", value=repr(tls)))
    port_raw = get("port") or {"ssl": "465", "starttls": "587"}.get(tls, "25")
    try:
        port = int(port_raw)
    except ValueError:
        raise SettingsError(say("settings.bad_port", value=repr(port_raw))) from None
    return SmtpSettings(
        host=host,
        port=port,
        user=get("user"),
        password=get("password"),
        tls=tls,  # type: ignore[arg-type]
        mail_from=get("from") or f"xxgk@{host}",
        reply_to=get("reply_to"),
    )


def add_common_options(parser: argparse.ArgumentParser) -> None:
    """--project, --db, --registry and --as-of, accepted by every command that uses them (docs/cli.md)."""
    parser.add_argument(
        "--project", metavar="DIR", help="项目文件夹（读取其中的 xxgk.toml；环境变量 XXGK_PROJECT；默认当前文件夹）"
    )
    parser.add_argument(
        "--db", metavar="URL", help="数据库地址（SQLAlchemy URL；环境变量 XXGK_DATABASE_URL；默认 sqlite:///xxgk.sqlite3）"
    )
    parser.add_argument("--registry", metavar="FILE", help="门户登记表（环境变量 XXGK_REGISTRY；默认 registry.yaml）")
    parser.add_argument("--as-of", metavar="DATE", help="视为“今天”的日期（环境变量 XXGK_AS_OF；默认北京时间今天）")
