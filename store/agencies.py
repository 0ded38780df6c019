"""Agencies and portals from plain data (the registry loader and the importer both call these).

An agency's level decides its deadline (format-spec §1.2), so an agency created without one gets a
level inferred from its region code (exact) or its name (a good guess, except for 县级市 whose names
look like cities: give `--level` or a region code for those).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from sqlalchemy import Connection, bindparam, literal, select, update
from sqlalchemy.orm import Session

from store.models import Agency, Portal
from store.sql import insert_ignore
from store.status import AgencyFacts
from store.terms import LEVELS

_GOVERNMENT: Final = ("人民政府", "政府")
_TOWNSHIP: Final = ("街道办事处", "街道", "民族乡", "镇", "乡", "苏木")
_COUNTY: Final = ("自治县", "自治旗", "特区", "林区", "县", "区", "旗")
_CITY: Final = ("自治州", "地区", "盟", "市")
_PROVINCE: Final = ("自治区", "省")
_MUNICIPALITIES: Final = frozenset({"北京市", "天津市", "上海市", "重庆市"})


def level_from_region(region: str) -> str | None:
    """行政区划代码: 12/9 digits a township, else XX0000 a province, XXYY00 a city, XXYYZZ a county."""
    code = region.strip()
    if not code.isdigit():
        return None
    if len(code) in {9, 12}:
        return "township"
    if len(code) != 6:
        return None
    if code.endswith("0000"):
        return "province"
    return "city" if code.endswith("00") else "county"


def infer_level(name: str, region: str | None = None) -> str:
    """The level of a publishing organ from its name (and region code, which settles 县级市).

    Anything that is not a people's government is a department or an organ treated like one
    (条例 第五十四条), so that is the answer when no place suffix matches.
    """
    stem = name.strip()
    is_government = stem.endswith(_GOVERNMENT)
    for suffix in _GOVERNMENT:
        stem = stem.removesuffix(suffix)
    if stem.endswith(_TOWNSHIP):
        return "township"
    if not is_government and not stem.endswith(_PROVINCE + _CITY + _COUNTY):
        return "department"
    return (level_from_region(region) if region else None) or _level_of_place(stem)


def _level_of_place(place: str) -> str:
    if place in _MUNICIPALITIES:
        return "province"
    # 自治区 before 区 and 地区 before 区: the longer suffix names the higher level
    for level, suffixes in (("province", _PROVINCE), ("city", _CITY), ("county", _COUNTY)):
        if place.endswith(suffixes):
            return level
    return "department"


def agency_key(name: str) -> str:
    """The name without the words a government may leave off (`楠木坪镇人民政府` → `楠木坪镇`)."""
    key = name.strip()
    for suffix in (*_GOVERNMENT, "办事处"):
        key = key.removesuffix(suffix)
    return key


def same_agency(a: str, b: str) -> bool:
    """Whether two names can denote one organ: equal keys, or one key the other with places in front.

    `湖南省湘乡市民政局` is `湘乡市民政局`; `湘乡市人民政府办公室` is not `湘乡市人民政府`.
    """
    ka, kb = agency_key(a), agency_key(b)
    return ka.endswith(kb) or kb.endswith(ka)


def find_agency(session: Session, name: str) -> Agency | None:
    """The agency called `name`, or the one agency that `same_agency` says it names.

    Reports often name themselves short (`楠木坪镇` for `楠木坪镇人民政府`, docs/record.md);
    a name that fits several agencies matches none rather than the wrong organ.
    """
    exact = session.scalars(select(Agency).where(Agency.name == name)).one_or_none()
    if exact is not None:
        return exact
    key = agency_key(name)
    if not key:
        return None
    contains = Agency.name.contains(key, autoescape=True)
    contained = literal(name).like(literal("%") + Agency.name + literal("%"))
    matches = [a for a in session.scalars(select(Agency).where(contains | contained)) if same_agency(a.name, name)]
    return matches[0] if len(matches) == 1 else None


class UnknownAgencyError(LookupError):
    """No agency of the archive is the one named, and the caller may not add one (the crawler files
    reports only under the registry's agencies)."""


def agency_of_report(conn: Connection, name: str, *, level: str | None, region: str | None,
                     resolved: dict[str, str], create: bool = True) -> AgencyFacts:
    """What `find_agency`, then `upsert_agency` with the level and region given, make of `name`: in one
    query when an agency has that name and already that level and region (the crawler's every document).
    Without `create`, a name no agency bears or stands for raises UnknownAgencyError.

    `resolved` remembers the agency that a name no agency bears was found to mean (`楠木坪镇` →
    `楠木坪镇人民政府`), so that the scan of every agency's name runs once per such name and process. An
    entry whose agency is gone is forgotten, and an agency that takes the name itself later wins.
    """
    _check_level(level)
    found = _named(conn, name) or _named(conn, resolved.get(name))
    if found is None:
        resolved.pop(name, None)
        with Session(conn) as session:  # joins the caller's transaction, and leaves it open
            agency = find_agency(session, name)
            if agency is None and not create:
                raise UnknownAgencyError(name)
            if agency is None or level or region:
                agency = upsert_agency(session, agency.name if agency else name, level=level, region=region)
            session.flush()
            facts = AgencyFacts(agency.id, agency.name, agency.level, agency.region, agency.deadline)
        if facts.name != name:
            resolved[name] = facts.name
        return facts
    wanted = found._replace(level=found.level if level is None else level,
                            region=found.region if region is None else region)
    if wanted != found:
        conn.execute(update(Agency).where(Agency.id == found.id).values(level=wanted.level, region=wanted.region))
    return wanted


_NAMED = select(*(getattr(Agency, f) for f in AgencyFacts._fields)).where(Agency.name == bindparam("name"))


def _named(conn: Connection, name: str | None) -> AgencyFacts | None:
    if name is None:
        return None
    row = conn.execute(_NAMED, {"name": name}).first()
    return AgencyFacts._make(row) if row else None


def _check_level(level: str | None) -> None:
    if level is not None and level not in LEVELS:
        raise ValueError(f"unknown level {level!r}; expected one of {', '.join(LEVELS)}")


def upsert_agency(
    session: Session,
    name: str,
    *,
    level: str | None = None,
    region: str | None = None,
    parent: str | None = None,
    deadline: str | None = None,
    supervisors: Sequence[str] | None = None,
    portal: str | None = None,
) -> Agency:
    """Create the agency or update the fields given (given data is authoritative; None leaves a field alone)."""
    _check_level(level)
    values = {"name": name, "level": level or infer_level(name, region), "supervisors": list(supervisors or [])}
    agency = insert_ignore(session, Agency, values, ["name"])
    updates: dict[str, object] = {
        "level": level,
        "region": region,
        "deadline": deadline,
        "supervisors": list(supervisors) if supervisors is not None else None,
        "parent_id": upsert_agency(session, parent).id if parent else None,
        "portal_id": session.scalars(select(Portal.id).where(Portal.key == portal)).one() if portal else None,
    }
    for field, value in updates.items():
        if value is not None and getattr(agency, field) != value:
            setattr(agency, field, value)
    return agency


def upsert_portal(
    session: Session,
    key: str,
    *,
    name: str,
    base_url: str,
    columns: Sequence[str] = (),
    cms: str | None = None,
    enabled: bool = True,
) -> Portal:
    values = {"key": key, "name": name, "base_url": base_url, "columns": list(columns), "cms": cms, "enabled": enabled}
    portal = insert_ignore(session, Portal, values, ["key"])
    for field, value in values.items():
        if getattr(portal, field) != value:
            setattr(portal, field, value)
    return portal
