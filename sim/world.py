"""The simulated world: portals, their agencies, the reports and decoys they publish, their faults.

Everything here is plain data decided from the seed alone, and cheap: record contents, page
markup and URLs come later (`sim.content`, `sim.archetypes`). Portal i is drawn from its own
random stream (`seed:portal:i`), so a world of 10 portals is the first 10 portals of a world of
3,000, and the same seed always gives the same world whatever the as-of date: time travel only
filters what this module decided.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Final, Literal

from sim import gold as gold_records
from sim import places
from sim.render import narrative
from validate.deadlines import deadline_for
from validate.rules.structure import expected_format

Level = Literal["province", "city", "county", "township", "department"]

# The CMS families, in the order portals cycle through them (portal i has ARCHETYPES[i % 7]).
ARCHETYPES: Final = ("trs", "hanweb", "gkmlpt", "jpaas", "beijing", "js_only", "county")
MEDIA: Final = ("html", "text", "pdf", "docx", "image")
DECOY_KINDS: Final = ("interpretation", "work_points", "budget", "compile_notice", "old_report")
FAULT_KINDS: Final = (
    "latency",
    "timeout",
    "http_5xx",
    "challenge_412",
    "cookie_loop",
    "soft_404",
    "truncated",
    "oversized",
    "gbk_nocharset",
    "gzip_no_header",
    "truncated_files",
    "short_length",
    "cut_table",
)
# Content defects injected on purpose (the truth lists them under the validator's rule ids).
ARITHMETIC_DEFECTS: Final = (
    "requests.row_total",
    "requests.results_total",
    "requests.balance",
    "review_litigation.total",
)

DEFAULT_YEARS: Final = (2015, 2025)
OLD_REPORT_YEARS: Final = (2008, 2013)  # "last decade's" reports: decoys, outside the monitored years
POOL_SIZE: Final = 97  # distinct table contents per format (see sim.content)

# How often things happen (per agency-year report unless said otherwise).
_P_NEVER = 0.05
_P_LATE = 0.08
_P_REVISED = 0.06
_P_BODY_YEAR = 0.03  # the body copied from last year's report: title and list entry say this year, the text last
# Traps drawn from each portal's own trap stream (so that adding one leaves the rest of the world as it was):
_P_HYBRID = 0.04  # a 2021-template report keeping the 2019 single (六)其他处理 row
_P_BLANK_BLOCK = 0.04  # a whole block left blank: every 法人或其他组织 column, or the 复议后起诉 group
_P_SCOPE_TEXT = 0.3  # a government's text quotes its own office's count beside the region's tables
_P_GARBLED = 0.03  # the agency's name misread by one character (an OCR'd or mistyped title)
# Characters a scan or a hurried clerk turns into another (沭→沐 in real reports).
LOOKALIKES: Final = {"理": "埋", "政": "玫", "府": "腑", "局": "扃", "县": "昙", "镇": "慎", "区": "匹", "民": "氏",
                     "财": "材", "务": "努", "交": "父", "审": "宙", "计": "汁", "商": "啇", "教": "敎",
                     "育": "盲", "司": "同", "法": "汰", "水": "氺", "利": "剁", "街": "衔", "道": "遒", "乡": "多"}
_P_TEMPLATE = 0.04  # a 2019 template in a report on 2021 or later
_P_BLANK_TOTALS = 0.04
_P_ARITHMETIC = 0.06
_P_GOLD = 0.08
_MEDIUM_WEIGHTS: Final = {"html": 55, "text": 10, "pdf": 18, "docx": 10, "image": 7}
_P_PAGED = 0.5  # of image reports: one image per printed page on the report's page (the rest: one tall image)
_P_MARKED = 0.3  # of reports shown as pictures: the title says （图片版） (most portals never write it)
_P_PICTURED = 0.15  # of PDF reports: the page shows the PDF's pages as pictures too, above its link
# First year an agency's reports are still online: many portals lost older columns in a redesign.
_FIRST_YEARS: Final = {2015: 15, 2016: 5, 2017: 5, 2018: 10, 2019: 20, 2020: 20, 2021: 15, 2022: 10}
# Agencies per portal beside the government: (departments low, high), (townships low, high).
_SHAPE: Final[dict[str, tuple[tuple[int, int], tuple[int, int]]]] = {
    "county": ((2, 4), (1, 3)),
    "trs": ((1, 3), (0, 1)),
    "hanweb": ((0, 1), (1, 2)),
    "gkmlpt": ((1, 2), (1, 1)),
    "jpaas": ((1, 2), (0, 0)),
    "beijing": ((0, 1), (2, 2)),
    "js_only": ((0, 1), (0, 0)),
}


@dataclass(frozen=True, slots=True)
class Agency:
    name: str  # registry name, unique in the world
    level: Level
    region: str  # 行政区划代码: 6 digits, 9 for townships
    parent: str | None
    slug: str  # folder name of its sub-column
    printed: str  # how its own reports name it (`下各镇` for 仙居县下各镇人民政府)
    org_code: str  # 统一社会信用代码, the usual 索引号 prefix
    former: str | None = None  # its name before the 2018 reorganisation (reports on 2018 and before print it)

    @property
    def aliases(self) -> tuple[str, ...]:
        """What the registry lists besides the name: the former name, and a short name that is no
        abbreviation of the name (`盐城市政府办` for 盐城市人民政府办公室; `湘乡市人社局` is one)."""
        short = (self.printed,) if self.printed != self.name and self.printed[-1] != self.name[-1] else ()
        return (*((self.former,) if self.former else ()), *short)


@dataclass(slots=True)
class Report:
    """One agency's report on one year, as published (and maybe revised) on its portal.

    Not frozen only so that `key` can be set once the portal has ordered its items (copying
    100,000 frozen items to set it cost a tenth of the start-up time); nothing changes it after.
    """

    key: int  # position among the portal's articles, in publication order
    agency: Agency
    printed: str  # the name this report gives its agency (the usual one, the former one, or one misread)
    year: int
    title: str
    published: datetime
    revised: datetime | None
    medium: str
    style: str  # inline HTML markup: clean CMS editor output or a Word export
    fmt: str  # template the tables follow: "2021", "2019" or "legacy"
    source: str  # where the tables come from: "pool:<n>" or "gold:<name>"
    # deliberate defects and traps: "body_year", "template", "hybrid", "blank_totals", "blank_block",
    # "scope_text", "garbled", and the rule ids of broken sums
    injected: tuple[str, ...]
    seed: int

    @property
    def deadline(self) -> date:
        return deadline_for(self.agency.level, self.year)

    @property
    def paged(self) -> bool:
        """An image report shown as one image per printed page rather than one tall image: told by the
        report's own seed, so that deciding it moves no other draw of the world."""
        return self.medium == "image" and (self.seed >> 16) % 1000 < _P_PAGED * 1000

    @property
    def pictured(self) -> bool:
        """A PDF report whose page also shows the PDF's pages as pictures (one per printed page): the PDF
        is the report, the pictures are none. Told by the report's own seed, as `paged` is."""
        return _pictured(self.medium, self.seed)


def _drawn(seed: int, what: str, p: float) -> bool:
    """A report's property drawn from its seed in a stream of its own: deciding it moves no other draw."""
    return random.Random(f"{seed}:{what}").random() < p  # noqa: S311 - reproducible simulated data


def _pictured(medium: str, seed: int) -> bool:
    return medium == "pdf" and _drawn(seed, "pictured", _P_PICTURED)


@dataclass(slots=True)
class Decoy:
    """A page a careless crawler takes for a report: 解读, 工作要点, 预决算, a notice, an old report."""

    key: int
    agency: Agency
    kind: str
    title: str
    published: datetime
    year: int
    seed: int


Item = Report | Decoy


@dataclass(frozen=True, slots=True)
class Fault:
    kind: str
    value: float = 0.0  # latency: seconds; http_5xx: failing attempts per path


@dataclass(frozen=True, slots=True)
class Portal:
    index: int
    id: str
    name: str
    archetype: str
    address: str  # its own loopback address: per-host politeness and off-site filtering are real
    place: places.Place
    agencies: tuple[Agency, ...]  # the government first
    items: tuple[Item, ...]  # reports and decoys in publication order (key = position + 1)
    never: tuple[tuple[Agency, int], ...]  # agency-years whose report never appears
    fault: Fault | None
    seed: int

    @property
    def government(self) -> Agency:
        return self.agencies[0]

    @property
    def reports(self) -> tuple[Report, ...]:
        return tuple(i for i in self.items if isinstance(i, Report))

    @property
    def decoys(self) -> tuple[Decoy, ...]:
        return tuple(i for i in self.items if isinstance(i, Decoy))


@dataclass(frozen=True, slots=True)
class World:
    seed: int
    portals: tuple[Portal, ...]
    years: tuple[int, int] = DEFAULT_YEARS
    by_address: dict[str, Portal] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self.by_address.update((p.address, p) for p in self.portals)


def portal_address(index: int) -> str:
    """127.0.1.1, 127.0.1.2, … (127.0.0.x stays free for the control endpoint and other services)."""
    if index >= 254 * 254:
        raise ValueError("at most 64516 portals")
    return f"127.0.{1 + index // 254}.{1 + index % 254}"


def generate(
    *,
    seed: int = 0,
    portals: int = 14,
    faults: float = 0.0,
    fault_kinds: tuple[str, ...] = FAULT_KINDS,
    fault_plan: Mapping[int, str] | None = None,
    years: tuple[int, int] = DEFAULT_YEARS,
) -> World:
    """A world of `portals` portals. `faults` is the share of faulty portals (kinds drawn from
    `fault_kinds`); `fault_plan` maps portal indexes to a fault kind and overrides the draw."""
    unknown = set(fault_kinds) - set(FAULT_KINDS) | set((fault_plan or {}).values()) - set(FAULT_KINDS)
    if unknown:
        raise ValueError(f"unknown fault kind(s): {', '.join(sorted(unknown))}")
    plan = dict(fault_plan or {})
    gold = gold_records.formats()
    return World(
        seed,
        tuple(_portal(seed, i, years, _fault(seed, i, faults, fault_kinds, plan.get(i)), gold) for i in range(portals)),
        years,
    )


def _fault(seed: int, index: int, rate: float, kinds: tuple[str, ...], planned: str | None) -> Fault | None:
    rng = random.Random(f"{seed}:fault:{index}")  # noqa: S311 - reproducible simulated data
    kind = planned
    if kind is None:
        if not kinds or rng.random() >= rate:
            return None
        kind = rng.choice(kinds)
    if kind == "latency":
        return Fault(kind, rng.choice((0.2, 0.5, 1.0)))
    if kind == "http_5xx":
        return Fault(kind, float(rng.choice((1, 2))))
    return Fault(kind)


# ---- agencies ------------------------------------------------------------------------------


def _uscc(rng: random.Random, region: str) -> str:
    """An 18-character 统一社会信用代码 shape: 11 (机关) + region + 9 body characters + check."""
    chars = "0123456789ABCDEFGHJKLMNPQRTUWXY"
    return "11" + region[:6] + "".join(rng.choice(chars) for _ in range(10))


def _agencies(rng: random.Random, place: places.Place, archetype: str) -> tuple[Agency, ...]:
    gov_name = f"{place.name}人民政府"
    level: Level = "city" if place.city else "county"
    out = [Agency(gov_name, level, place.code, None, "bjzf", gov_name, _uscc(rng, place.code))]
    (dlo, dhi), (tlo, thi) = _SHAPE[archetype]
    for dept in rng.sample(places.DEPARTMENTS, rng.randint(dlo, dhi)):
        name = place.name + dept.name
        printed = place.name + dept.short if rng.random() < 0.2 else name
        former = place.name + dept.former if dept.former else None
        out.append(Agency(name, "department", place.code, gov_name, dept.slug, printed, _uscc(rng, place.code),
                          former))
    for k, (town, slug) in enumerate(rng.sample(places.TOWNS, rng.randint(tlo, thi))):
        name = places.township_name(place.name, town)
        region = f"{place.code}{101 + k:03d}"
        printed = rng.choice((town, town, name.removeprefix(place.name), name))
        out.append(Agency(name, "township", region, gov_name, slug, printed, _uscc(rng, place.code)))
    return tuple(out)


# ---- dates ---------------------------------------------------------------------------------


def _at(rng: random.Random, day: date) -> datetime:
    """A time of day in office hours."""
    return datetime.combine(day, time(rng.randint(8, 17), rng.randint(0, 59), rng.randint(0, 59)))


def _publication(rng: random.Random, deadline: date, year: int) -> tuple[datetime, datetime | None]:
    """Mostly in the weeks before the deadline, sometimes after it; now and then revised later."""
    if rng.random() < _P_LATE:
        day = deadline + timedelta(days=rng.randint(1, 150))
    else:
        window = (deadline - date(year + 1, 1, 5)).days
        day = deadline - timedelta(days=round(rng.triangular(0, window, window * 0.15)))
    published = _at(rng, day)
    revised = _at(rng, day + timedelta(days=rng.randint(15, 400))) if rng.random() < _P_REVISED else None
    return published, revised


# ---- reports and decoys ----------------------------------------------------------------------


def _title(rng: random.Random, printed: str, year: int) -> str:
    return narrative.title(printed, year, rng).replace("\n", "")


def _printed(traps: random.Random, agency: Agency, year: int) -> tuple[str, bool]:
    """The name a report prints: the former one for years before the rename, now and then misread."""
    if agency.former and year <= places.RENAMED_AFTER:
        return agency.former, False
    if agency.printed == agency.name and traps.random() < _P_GARBLED:
        spots = [i for i, c in enumerate(agency.name) if c in LOOKALIKES and LOOKALIKES[c] != c]
        if spots:
            i = traps.choice(spots)
            return agency.name[:i] + LOOKALIKES[agency.name[i]] + agency.name[i + 1 :], True
    return agency.printed, False


def _traps(traps: random.Random, agency: Agency, fmt: str, injected: list[str]) -> None:
    if fmt == "2021" and traps.random() < _P_HYBRID:
        injected.append("hybrid")
    clean_tables = not {"blank_totals", *ARITHMETIC_DEFECTS} & set(injected)
    if fmt != "legacy" and clean_tables and traps.random() < _P_BLANK_BLOCK:
        injected.append("blank_block")
    if agency.level in ("county", "city") and traps.random() < _P_SCOPE_TEXT:
        injected.append("scope_text")


def _report(rng: random.Random, traps: random.Random, agency: Agency, year: int, gold: Mapping[str, str]) -> Report:
    published, revised = _publication(rng, deadline_for(agency.level, year), year)
    fmt = expected_format(year)
    injected: list[str] = []
    if fmt == "2021" and rng.random() < _P_TEMPLATE:
        fmt = "2019"
        injected.append("template")
    golds = [name for name, gold_fmt in gold.items() if gold_fmt == fmt]
    if golds and rng.random() < _P_GOLD:
        source = f"gold:{rng.choice(golds)}"
    else:
        source = f"pool:{rng.randrange(POOL_SIZE)}"
        if fmt != "legacy":
            roll = rng.random()
            if roll < _P_BLANK_TOTALS:
                injected.append("blank_totals")
            elif roll < _P_BLANK_TOTALS + _P_ARITHMETIC:
                injected.append(rng.choice(ARITHMETIC_DEFECTS))
    if rng.random() < _P_BODY_YEAR:
        injected.append("body_year")
    medium = rng.choices(tuple(_MEDIUM_WEIGHTS), weights=tuple(_MEDIUM_WEIGHTS.values()))[0]
    printed, garbled = _printed(traps, agency, year)
    title = _title(rng, printed, year)
    style = rng.choice(("clean", "clean", "word"))
    seed = rng.getrandbits(48)
    if (medium == "image" or _pictured(medium, seed)) and _drawn(seed, "marked", _P_MARKED):
        title += "（图片版）"  # decided by the report's seed, so that no other draw moves
    if source.startswith("pool:"):
        _traps(traps, agency, fmt, injected)
    if garbled:
        injected.append("garbled")
    return Report(
        key=0,
        agency=agency,
        printed=printed,
        year=year,
        title=title,
        published=published,
        revised=revised,
        medium=medium,
        style=style,
        fmt=fmt,
        source=source,
        injected=tuple(injected),
        seed=seed,
    )


def _decoys(
    rng: random.Random, agencies: tuple[Agency, ...], reports: list[Report], years: tuple[int, int]
) -> list[Decoy]:
    gov = agencies[0]
    out: list[Decoy] = []

    def add(agency: Agency, kind: str, title: str, day: date, year: int) -> None:
        out.append(Decoy(0, agency, kind, title, _at(rng, day), year, rng.getrandbits(48)))

    for report in reports:
        if rng.random() < 0.15:
            shape = rng.choice(("《{}》解读", "{}解读", "图解：{}"))
            title = shape.format(report.title.removesuffix("（图片版）"))
            add(
                report.agency,
                "interpretation",
                title,
                report.published.date() + timedelta(days=rng.randint(0, 3)),
                report.year,
            )
    for year in range(years[0], years[1] + 1):
        if rng.random() < 0.25:
            day = date(year + 1, rng.randint(4, 6), rng.randint(1, 28))
            add(gov, "work_points", f"{gov.printed}{year + 1}年政务公开工作要点", day, year)
        if rng.random() < 0.2:
            day = date(year, 12, rng.randint(1, 31)) if rng.random() < 0.5 else date(year + 1, 1, rng.randint(2, 10))
            title = f"关于做好{year}年度政府信息公开工作年度报告编制和发布工作的通知"
            add(gov, "compile_notice", title, day, year)
        for dept in agencies[1:]:
            if dept.level == "department" and rng.random() < 0.1:
                budget, day = rng.choice(
                    (
                        (f"{dept.printed}{year + 1}年部门预算公开", date(year + 1, 2, rng.randint(1, 28))),
                        (f"{dept.printed}{year}年度部门决算公开", date(year + 1, 8, rng.randint(1, 31))),
                    )
                )
                add(dept, "budget", budget, day, year)
    for year in sorted(rng.sample(range(OLD_REPORT_YEARS[0], OLD_REPORT_YEARS[1] + 1), rng.randint(1, 2))):
        add(gov, "old_report", _title(rng, gov.printed, year), date(year + 1, 3, rng.randint(1, 31)), year)
    return out


def _portal(seed: int, index: int, years: tuple[int, int], fault: Fault | None, gold: Mapping[str, str]) -> Portal:
    rng = random.Random(f"{seed}:portal:{index}")  # noqa: S311 - reproducible simulated data
    traps = random.Random(f"{seed}:traps:{index}")  # noqa: S311
    archetype = ARCHETYPES[index % len(ARCHETYPES)]
    place = places.place(archetype, index // len(ARCHETYPES))
    agencies = _agencies(rng, place, archetype)
    reports: list[Report] = []
    never: list[tuple[Agency, int]] = []
    for agency in agencies:
        first = max(years[0], rng.choices(tuple(_FIRST_YEARS), weights=tuple(_FIRST_YEARS.values()))[0])
        for year in range(first, years[1] + 1):
            if rng.random() < _P_NEVER:
                never.append((agency, year))
            else:
                reports.append(_report(rng, traps, agency, year, gold))
    items: list[Item] = [*reports, *_decoys(rng, agencies, reports, years)]
    items.sort(key=lambda it: (it.published, it.title))
    for k, item in enumerate(items):
        item.key = k + 1
    name = f"{place.name}人民政府门户网站"
    return Portal(
        index=index,
        id=f"p{index:04d}-{archetype.replace('_', '')}",
        name=name,
        archetype=archetype,
        address=portal_address(index),
        place=place,
        agencies=agencies,
        items=tuple(items),
        never=tuple(never),
        fault=fault,
        seed=rng.getrandbits(48),
    )


def visible(item: Item, as_of: date) -> bool:
    """Published on or before `as_of` (a report published on D exists from D on)."""
    return item.published.date() <= as_of


def current_version(report: Report, as_of: date) -> int:
    """0 for the text as first published, 1 once the revision date has come."""
    return 1 if report.revised is not None and report.revised.date() <= as_of else 0
