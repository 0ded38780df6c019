"""The portal registry (docs/registry.md): YAML → validated, typed configuration.

Errors name the file and the line of the offending value, because IT staff fix them in an editor.
Loading uses libyaml and pydantic; the line map is built only when something is wrong, so that
thousands of entries load in well under a second.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

Level = Literal["province", "city", "county", "township", "department"]
Cadence = Literal["immediate", "daily", "weekly"]
CmsFamily = Literal["trs", "hanweb", "gkmlpt", "jpaas", "beijing", "generic"]

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_URL = re.compile(r"^https?://[^\s/]+(/\S*)?$")
Email = Annotated[str, Field(pattern=_EMAIL.pattern)]
Url = Annotated[str, Field(pattern=_URL.pattern)]
RegionCode = Annotated[str, Field(pattern=r"^\d{2}(\d{2}(\d{2}(\d{3}(\d{3})?)?)?)?$")]
MonthDay = Annotated[str, Field(pattern=r"^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$")]
# a crontab line's five fields (minute hour day month weekday); the scheduler parses the values themselves
Cron = Annotated[str, Field(pattern=r"^\s*\S+(\s+\S+){4}\s*$")]
ClockTime = Annotated[str, Field(pattern=r"^([01]\d|2[0-3]):[0-5]\d$")]
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]


class RegistryError(ValueError):
    """The registry cannot be used; `problems` lists `file:line: where: what` lines."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("\n".join(problems))
        self.problems = problems


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Supervisor(_Model):
    email: Email
    name: str | None = None
    regions: list[RegionCode] = []
    levels: list[Level] = []
    cadence: Cadence = "daily"

    def oversees(self, region: str, level: str) -> bool:
        in_region = not self.regions or any(region.startswith(r) for r in self.regions)
        return in_region and (not self.levels or level in self.levels)


class DeadlineRule(_Model):
    regions: list[RegionCode]
    level: Level | None = None
    deadline: MonthDay


class Monitor(_Model):
    """How `xxgk monitor` runs: crawl cadence, when an outage is worth a mail, reminders, digest times."""

    crawl: Cron | None = None  # every portal's crawl; default: daily 1 Jan–15 Apr, weekly otherwise
    crawl_at: ClockTime = "06:00"  # time of day of the default crawls
    crawl_timeout: Annotated[float, Field(gt=0)] = 3600.0  # seconds; a crawl still running then is stopped
    parallel_crawls: Annotated[int, Field(ge=1, le=16)] = 2
    unreachable_after: Annotated[int, Field(ge=1)] = 3  # consecutive failed crawls before anyone is told
    reminder_days: Annotated[int, Field(ge=0)] = 14  # remind while an alert stays open (0: never)
    reminders: Annotated[int, Field(ge=0)] = 3  # at most this many reminders per alert
    digest_at: ClockTime = "08:30"  # daily and weekly digests
    weekly_on: Weekday = "mon"
    # minutes of OCR between cycles: page images stored unread while crawling are read then (0: never)
    ocr_minutes: Annotated[int, Field(ge=0)] = 30


class Agency(_Model):
    name: Annotated[str, Field(min_length=2)]
    # other names its reports use: a short name that is no abbreviation (政府办), a former name (before a
    # reorganisation); abbreviations (人社局) and a misread character are matched without being listed
    aliases: list[Annotated[str, Field(min_length=2)]] = []
    level: Level
    region: RegionCode
    parent: str | None = None
    supervisors: list[Email] = []
    columns: list[Url] = []
    deadline: MonthDay | None = None


class Portal(_Model):
    id: Annotated[str, Field(pattern=r"^[A-Za-z0-9_.-]+$")]
    name: str
    base_url: Url
    cms: CmsFamily | None = None
    columns: list[Url] = []
    fetcher: Literal["http", "browser"] = "http"
    encoding: str | None = None
    rate_limit: Annotated[float, Field(gt=0, le=50)] = 1.0
    robots: bool = True
    enabled: bool = True
    list_selector: str | None = None
    link_pattern: str | None = None
    crawl: Cron | None = None  # this portal's own crawl schedule (overrides monitor.crawl)
    agencies: list[Agency] = []

    @field_validator("link_pattern")
    @classmethod
    def _compiles(cls, value: str | None) -> str | None:
        if value is not None:
            try:
                re.compile(value)
            except re.error as exc:
                raise ValueError(f"not a valid regular expression: {exc}") from None
        return value


class Registry(_Model):
    version: Literal[1] = 1
    first_year: Annotated[int, Field(ge=2007, le=2100)] | None = None  # oldest report year monitored
    supervisors: list[Supervisor] = []
    operators: list[Email] = []
    maintainers: list[Email] = []
    deadlines: list[DeadlineRule] = []
    monitor: Monitor = Monitor()
    portals: list[Portal] = []

    @model_validator(mode="after")
    def _consistent(self) -> Registry:
        dup_ids = [i for i, n in Counter(p.id for p in self.portals).items() if n > 1]
        if dup_ids:
            raise ValueError(f"portal id used more than once: {', '.join(dup_ids)}")
        names = Counter(a.name for p in self.portals for a in p.agencies)
        dup_names = [n for n, k in names.items() if k > 1]
        if dup_names:
            raise ValueError(f"agency listed more than once: {', '.join(dup_names[:5])}")
        for portal in self.portals:  # an alias names one agency of its portal
            called = Counter(n for a in portal.agencies for n in {a.name, *a.aliases})
            shared = [n for n, k in called.items() if k > 1]
            if shared:
                raise ValueError(f"portal {portal.id}: name or alias of more than one agency: {', '.join(shared[:5])}")
        unknown = sorted({a.parent for p in self.portals for a in p.agencies if a.parent and a.parent not in names})
        if unknown:
            raise ValueError(f"parent agency not in the registry: {', '.join(unknown[:5])}")
        return self

    @cached_property
    def agencies(self) -> dict[str, tuple[Portal, Agency]]:
        """Every agency by name, with the portal that publishes its reports."""
        return {a.name: (p, a) for p in self.portals for a in p.agencies}

    def deadline_of(self, agency: Agency) -> str | None:
        """The agency's own MM-DD deadline, else the most specific `deadlines` rule that covers it, else None
        (the legal one). Longer region prefixes are more specific; at equal length a rule naming the level wins."""
        if agency.deadline:
            return agency.deadline
        covering = [
            (len(prefix), rule.level is not None, rule.deadline)
            for rule in self.deadlines if rule.level in (None, agency.level)
            for prefix in rule.regions if agency.region.startswith(prefix)
        ]
        return max(covering)[2] if covering else None

    def portal(self, portal_id: str) -> Portal:
        for p in self.portals:
            if p.id == portal_id:
                return p
        raise KeyError(portal_id)


# ---------------------------------------------------------------------------- loading

def _line_map(text: str) -> dict[tuple[Any, ...], int]:
    """Path of every value in the YAML document → its 1-based line."""
    lines: dict[tuple[Any, ...], int] = {}

    def walk(node: yaml.Node, path: tuple[Any, ...]) -> None:
        lines[path] = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                k = key.value
                lines[(*path, k)] = key.start_mark.line + 1
                walk(value, (*path, k))
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                walk(item, (*path, i))

    root = yaml.compose(text, Loader=yaml.CSafeLoader)
    if root is not None:
        walk(root, ())
    return lines


# What a value must look like, said plainly instead of as a regular expression.
_PATTERN_HINTS = {
    "region": 'a 行政区划代码 of 2, 4, 6, 9 or 12 digits, quoted ("430381")',
    "regions": "行政区划代码 prefixes of 2, 4, 6, 9 or 12 digits, quoted",
    "email": "an e-mail address", "supervisors": "e-mail addresses", "operators": "e-mail addresses",
    "maintainers": "e-mail addresses",
    "base_url": "an http:// or https:// URL", "columns": "http:// or https:// URLs",
    "deadline": 'a month-day such as "01-31"', "id": "letters, digits, `_`, `-` or `.`",
    "crawl": 'a crontab line of five fields, such as "0 6 * * mon"',
    "crawl_at": 'a time of day such as "06:00"', "digest_at": 'a time of day such as "08:30"',
}


def _message(loc: tuple[Any, ...], err_type: str, msg: str) -> str:
    if err_type == "string_pattern_mismatch":
        field = next((p for p in reversed(loc) if isinstance(p, str)), "")
        return f"must be {_PATTERN_HINTS.get(field, 'in the documented format')}"
    return msg.removeprefix("Value error, ")


def _where(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def _problems(path: Path, text: str, exc: ValidationError) -> list[str]:
    lines = _line_map(text)
    out = []
    for err in exc.errors():
        loc = tuple(err["loc"])
        # the nearest enclosing value we know a line for
        probe = loc
        while probe and probe not in lines:
            probe = probe[:-1]
        line = lines.get(probe, 1)
        out.append(f"{path}:{line}: {_where(loc)}: {_message(loc, err['type'], err['msg'])}")
    return out


def load_registry(path: Path) -> Registry:
    """Read and validate a registry file; RegistryError lists every problem with its line."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise RegistryError([f"{path}: no such file (set --registry or XXGK_REGISTRY)"]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise RegistryError([f"{path}: cannot read: {exc}"]) from None
    try:
        data = yaml.load(text, Loader=yaml.CSafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f"{mark.line + 1}:" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise RegistryError([f"{path}:{line} not valid YAML: {problem}"]) from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise RegistryError([f"{path}:1: the registry must be a mapping with a `portals:` list"])
    try:
        return Registry.model_validate(data)
    except ValidationError as exc:
        raise RegistryError(_problems(path, text, exc)) from None
