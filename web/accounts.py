"""Dashboard accounts: argon2 password hashes, roles and the regions each person may see.

A person sees the agencies whose region code starts with one of their prefixes (a county's
supervisor `430381`, a city's `4303`: its counties too); an account without prefixes sees the whole
archive. Roles grow: 只读 reads, 编辑 also reviews findings, corrects cells and closes alerts,
管理员 also does everything else.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Final

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from store.models import Account, utcnow
from store.terms import ROLES

_HASHER: Final = PasswordHasher()
_USERNAME: Final = re.compile(r"^[A-Za-z0-9_.@-]{2,100}$")
_REGION: Final = re.compile(r"^\d{2,12}$")
MIN_PASSWORD: Final = 8
# verified against when the username is unknown, so that a wrong name costs as long as a wrong password
_DUMMY: Final = _HASHER.hash("xxgk-no-such-account")


class AccountError(ValueError):
    """An account cannot be made or changed so; the message says why (in Chinese, from the catalogue)."""


@dataclass(frozen=True, slots=True)
class User:
    """The person behind a request."""

    id: int
    username: str
    name: str
    role: str
    regions: tuple[str, ...] | None  # None: every region
    since: float  # the password's timestamp: a session from before a password change is void

    @property
    def can_edit(self) -> bool:
        return self.role in {"editor", "admin"}

    def sees(self, region: str | None) -> bool:
        if self.regions is None:
            return True
        return region is not None and region.startswith(self.regions)


def _user(account: Account) -> User:
    return User(account.id, account.username, account.display_name, account.role,
                tuple(account.regions) if account.regions else None, account.password_changed_at.timestamp())


def check_username(username: str) -> str:
    if not _USERNAME.match(username):
        raise AccountError(f"用户名 {username!r} 无效：只能用字母、数字和 _ . @ -，2 至 100 个字符")
    return username


def check_password(password: str) -> str:
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"密码至少需要 {MIN_PASSWORD} 个字符")
    return password


def check_regions(regions: list[str]) -> list[str]:
    for region in regions:
        if not _REGION.match(region):
            raise AccountError(f"地区代码 {region!r} 无效：应为 2 至 12 位数字（行政区划代码或其前缀）")
    return sorted(set(regions))


def add(session: Session, username: str, password: str, role: str, regions: list[str], name: str | None = None,
        now: dt.datetime | None = None) -> User:
    if role not in ROLES:
        raise AccountError(f"角色 {role!r} 无效：应为 {'、'.join(ROLES)} 之一")
    check_username(username)
    if session.scalar(select(Account.id).where(Account.username == username)) is not None:
        raise AccountError(f"用户 {username} 已存在")
    when = now or utcnow()
    account = Account(username=username, display_name=name or username, password_hash=_HASHER.hash(
        check_password(password)), role=role, regions=check_regions(regions), created_at=when,
        password_changed_at=when)
    session.add(account)
    session.flush()
    return _user(account)


def set_password(session: Session, username: str, password: str, now: dt.datetime | None = None) -> None:
    account = _find(session, username)
    account.password_hash = _HASHER.hash(check_password(password))
    account.password_changed_at = now or utcnow()


def remove(session: Session, username: str) -> None:
    _find(session, username)
    session.execute(delete(Account).where(Account.username == username))


def listing(session: Session) -> list[User]:
    return [_user(a) for a in session.scalars(select(Account).order_by(Account.username))]


def _find(session: Session, username: str) -> Account:
    account = session.scalars(select(Account).where(Account.username == username)).one_or_none()
    if account is None:
        raise AccountError(f"没有用户 {username}")
    return account


def verify(session: Session, username: str, password: str) -> User | None:
    """The account if the password is right; None otherwise (taking as long either way)."""
    account = session.scalars(select(Account).where(Account.username == username)).one_or_none()
    try:
        _HASHER.verify(account.password_hash if account else _DUMMY, password)
    except (VerificationError, InvalidHashError):
        return None
    return _user(account) if account else None


def load(session: Session, account_id: int) -> User | None:
    account = session.get(Account, account_id)
    return _user(account) if account else None
