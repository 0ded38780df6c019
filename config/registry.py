"""The portal registry (docs/registry.md): YAML → validated, typed configuration.

Errors name the file and the line of the offending value, because IT staff fix them in an editor.
Loading uses libyaml and pydantic; the line map is built only when something is wrong, so that
thousands of entries load in well under a second. The YAML is composed once and checked before it
is used: a key written twice is refused with its line (YAML would keep the last one silently), and
anchors and aliases may not expand into more than ALIAS_NODES nodes beyond what is written (a
"billion laughs" file is one line of error at once, not gigabytes of expansion).
"""

from __future__ import annotations

import re
from functools import cached_property
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic_core import InitErrorDetails, PydanticCustomError

from catalogue import registry as words
from config import hosts as sites

Level = Literal["province", "city", "county", "township", "department"]
Cadence = Literal["immediate", "daily", "weekly"]
CmsFamily = Literal["trs", "hanweb", "gkmlpt", "jpaas", "beijing", "generic"]

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_URL = re.compile(r"^https?://[^\s/]+(/\S*)?$")
_HOST = re.compile(r"^(?:[A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$")


def _crawlable(host: str) -> str:
    """A host the crawler could ever fetch (config.hosts): not an address of a refused kind, nor one
    written in an unusual form (`2852039166`) or inside an IPv6 one (`::ffff:169.254.169.254`)."""
    problem = sites.host_problem(host)
    if problem is None:
        return host
    ip = sites.literal_address(host)
    if problem in ("odd_form", "mapped"):
        raise ValueError(words.say(f"host.{problem}", host=host, address=ip and sites.embedded_ipv4(ip)))
    raise ValueError(words.say("host.refused", host=host, kind=words.ADDRESS_KINDS[problem]))


def _crawlable_url(url: str) -> str:
    where = sites.origin(url)
    if where is not None:
        _crawlable(where[0])
    return url


def _crawlable_entry(entry: str) -> str:
    where = sites.host_origin(entry)
    if where is not None:
        _crawlable(where[0])
    return entry.lower()


Email = Annotated[str, Field(pattern=_EMAIL.pattern)]
Url = Annotated[str, Field(pattern=_URL.pattern), AfterValidator(_crawlable_url)]
# another host a portal's requests may go to, beside its URLs' (an attachment CDN): `host` or `host:port`
Host = Annotated[str, Field(pattern=_HOST.pattern), AfterValidator(_crawlable_entry)]
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
    # minutes of OCR a cycle: page images stored unread while crawling are read before the sweep (0: never)
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
    hosts: list[Host] = []  # other hosts its reports and files are on (its URLs' hosts need no listing)
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
                raise ValueError(words.say("bad_regex", reason=exc)) from None
        return value

    @cached_property
    def origins(self) -> frozenset[sites.Origin]:
        """Where its requests may go (crawler.offsite): the hosts of its URLs and those it lists."""
        return sites.origins([self.base_url, *self.columns, *(u for a in self.agencies for u in a.columns)],
                             self.hosts)


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
        """Each problem at the value that has it (a duplicate at its second place, naming the first)."""
        errors: list[InitErrorDetails] = []

        def problem(loc: tuple[str | int, ...], key: str, **said: object) -> None:
            errors.append(InitErrorDetails(type=PydanticCustomError("registry", words.say(key, **said)), loc=loc,
                                           input=None))

        first_portal: dict[str, str] = {}
        first_agency: dict[str, str] = {}
        for i, portal in enumerate(self.portals):
            if portal.id in first_portal:
                problem(("portals", i, "id"), "duplicate_portal", id=portal.id, first=first_portal[portal.id])
            first_portal.setdefault(portal.id, f"portals[{i}]")
            named: set[str] = set()  # an alias names one agency of its portal
            names: set[str] = set()
            for j, agency in enumerate(portal.agencies):
                if agency.name in first_agency:
                    problem(("portals", i, "agencies", j, "name"), "duplicate_agency", name=agency.name,
                            first=first_agency[agency.name])
                first_agency.setdefault(agency.name, f"portals[{i}].agencies[{j}]")
                # (a name given twice is said above, as a duplicate agency)
                shared = sorted(({agency.name, *agency.aliases} & named) - (names & {agency.name}))
                if shared:
                    problem(("portals", i, "agencies", j, "aliases"), "shared_name", name="、".join(shared))
                named |= {agency.name, *agency.aliases}
                names.add(agency.name)
        for i, portal in enumerate(self.portals):
            for j, agency in enumerate(portal.agencies):
                if agency.parent and agency.parent not in first_agency:
                    problem(("portals", i, "agencies", j, "parent"), "unknown_parent", parent=agency.parent)
        if errors:
            raise ValidationError.from_exception_data(type(self).__name__, errors)
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

# how many nodes anchors and aliases may add to what the file writes out (a registry that lists the same
# supervisors under every agency adds a few per agency; a "billion laughs" adds 10^9)
ALIAS_NODES = 100_000
_MERGE = "tag:yaml.org,2002:merge"


class _CheckedError(ValueError):
    """A problem found in the composed YAML: its message key, line and words."""

    def __init__(self, message: str, line: int, **said: object) -> None:
        super().__init__(message)
        self.message, self.line, self.said = message, line, said


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [n for pair in node.value for n in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def _no_duplicate_keys(node: yaml.MappingNode) -> None:
    seen: dict[str, int] = {}
    for key, _ in node.value:
        if not isinstance(key, yaml.ScalarNode) or key.tag == _MERGE:
            continue
        line = key.start_mark.line + 1
        if key.value in seen:
            raise _CheckedError("duplicate_key", line, key=key.value, first=seen[key.value])
        seen[key.value] = line


def _check(root: yaml.Node) -> None:
    """Duplicate keys in every mapping; and when a mapping or list is met twice (through an alias), the
    nodes aliases add, counted over the graph of distinct nodes, never by expanding it."""
    seen: set[int] = set()
    again: list[yaml.Node] = []
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            again.append(node)
            continue
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            _no_duplicate_keys(node)
            stack.extend(v for _, v in node.value if not isinstance(v, yaml.ScalarNode))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(v for v in node.value if not isinstance(v, yaml.ScalarNode))
    if again and _expanded(root) > ALIAS_NODES:
        raise _CheckedError("aliases", min(n.start_mark.line for n in again) + 1, n=ALIAS_NODES)


def _expanded(root: yaml.Node) -> int:
    """How many nodes the aliases add: each node's size with its aliases expanded, computed once per node
    (depth first, without recursion); an alias inside the node it names is a _CheckedError."""
    sizes: dict[int, int] = {}
    on_path: set[int] = set()
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    while stack:
        node, finished = stack.pop()
        key = id(node)
        if finished:
            on_path.discard(key)
            sizes[key] = min(1 + sum(sizes[id(c)] for c in _children(node)), 2 * ALIAS_NODES + len(sizes))
        elif key in on_path:
            raise _CheckedError("recursive_alias", node.start_mark.line + 1)
        elif key not in sizes:
            on_path.add(key)
            stack.append((node, True))
            stack.extend((c, False) for c in _children(node))
    return sizes[id(root)] - len(sizes)


def _node_map(root: yaml.Node) -> dict[tuple[Any, ...], yaml.Node]:
    """Path of every value in the YAML document → its node (aliases expanded: _check bounded them)."""
    nodes: dict[tuple[Any, ...], yaml.Node] = {}
    stack: list[tuple[yaml.Node, tuple[Any, ...]]] = [(root, ())]
    while stack:
        node, path = stack.pop()
        nodes[path] = node
        if isinstance(node, yaml.MappingNode):
            stack.extend((value, (*path, key.value)) for key, value in node.value)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend((item, (*path, i)) for i, item in enumerate(node.value))
    return nodes


_RESOLVED = {"tag:yaml.org,2002:bool": "bool", "tag:yaml.org,2002:int": "number",
             "tag:yaml.org,2002:float": "number", "tag:yaml.org,2002:timestamp": "date"}


def _unquoted(node: yaml.Node | None, err: Any) -> str | None:
    """Why a value written as words is not text: YAML read a bare `off`, `no`, `1.10` or `2024-01-31` as
    a truth value, a number or a date (an IT person's most common slip, and a baffling message)."""
    if err["type"] != "string_type" or not isinstance(node, yaml.ScalarNode) or node.style not in (None, ""):
        return None
    kind = _RESOLVED.get(node.tag)
    return words.say("unquoted", raw=node.value, kind=words.say(f"yaml_{kind}")) if kind else None


def _message(loc: tuple[Any, ...], err: Any) -> str:
    if err["type"] == "registry":
        return str(err["msg"])
    if err["type"] == "value_error":
        return str(err["msg"]).removeprefix("Value error, ")
    if err["type"] == "string_pattern_mismatch":
        field = next((p for p in reversed(loc) if isinstance(p, str)), "")
        return words.PATTERN.format(hint=words.HINTS.get(field, words.PATTERN_DEFAULT))
    ctx = {k: str(v).replace(" or ", "、").replace(", ", "、") for k, v in (err.get("ctx") or {}).items()}
    template = words.TYPES.get(err["type"])
    return template.format(**ctx) if template else words.TYPE_DEFAULT.format(msg=err["msg"])


def _where(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or words.say("top_level")


def _problems(path: Path, root: yaml.Node, exc: ValidationError) -> list[str]:
    nodes = _node_map(root)
    out = []
    for err in exc.errors():
        loc = tuple(err["loc"])
        # the nearest enclosing value we know a line for
        probe = loc
        while probe and probe not in nodes:
            probe = probe[:-1]
        line = nodes[probe].start_mark.line + 1 if probe in nodes else 1
        what = _unquoted(nodes.get(loc), err) or _message(loc, err)
        out.append(words.say("problem", path=path, line=line, where=_where(loc), what=what))
    return out


def _compose(path: Path, text: str) -> tuple[yaml.Node | None, Any]:
    """The checked document's node graph and its data."""
    loader = yaml.CSafeLoader(text)
    try:
        root = loader.get_single_node()
        if root is None:
            return None, None
        _check(root)
        return root, loader.construct_document(root)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}:" if mark is not None else f"{path}:"
        problem = getattr(exc, "problem", None) or str(exc)
        raise RegistryError([words.say("not_yaml", where=where, problem=problem)]) from None
    except _CheckedError as exc:
        raise RegistryError([words.say(exc.message, path=path, line=exc.line, **exc.said)]) from None
    finally:
        loader.dispose()


def load_registry(path: Path) -> Registry:
    """Read and validate a registry file; RegistryError lists every problem with its line."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise RegistryError([words.say("no_file", path=path)]) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise RegistryError([words.say("unreadable", path=path, reason=exc)]) from None
    root, data = _compose(path, text)
    if root is None or data is None:
        return Registry()
    if not isinstance(data, dict):
        raise RegistryError([words.say("not_mapping", path=path)])
    try:
        return Registry.model_validate(data)
    except ValidationError as exc:
        raise RegistryError(_problems(path, root, exc)) from None
