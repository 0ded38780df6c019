"""Who hears of a fact, and how often (docs/registry.md): supervisors by region and level, operators, maintainers.

A supervisor oversees every agency whose region code starts with one of theirs (a province's office
sees its cities, counties and townships) and, if they list levels, only those levels; an agency's own
`supervisors` are added. A person reached twice gets the faster cadence. Operators and maintainers are
told at once: a portal that is down or a spider that broke is worth fixing today. A compliance fact
that no supervisor covers goes to the operators, and a spider fact to them when no maintainer is
listed, because a fact that nobody reads is a registry gap someone must see.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Final

from alerts.rules import KINDS, Fact
from config.registry import Cadence, Registry

CADENCES: Final[tuple[Cadence, ...]] = ("immediate", "daily", "weekly")
AGENCY_SUPERVISOR_CADENCE: Final[Cadence] = "daily"
STAFF_CADENCE: Final[Cadence] = "immediate"

Route = dict[str, Cadence]


@dataclass(frozen=True, slots=True)
class Letterhead:
    """How the digests address their readers and what they offer them to do (never a command to type)."""

    names: Mapping[str, str] = field(default_factory=dict)  # recipient → the office's name, from the registry
    dashboard_url: str | None = None  # actions are links there, when it exists
    reply_to: str | None = None  # else a reader replies to this address to close an alert


def _add(route: Route, email: str, cadence: Cadence) -> None:
    current = route.get(email)
    if current is None or CADENCES.index(cadence) < CADENCES.index(current):
        route[email] = cadence


def route(registry: Registry, fact: Fact) -> Route:
    """Recipient → cadence for one fact."""
    audience = KINDS[fact.kind].audience
    out: Route = {}
    if audience == "supervisors" and fact.agency is not None:
        for supervisor in registry.supervisors:
            if supervisor.oversees(fact.agency.region, fact.agency.level):
                _add(out, supervisor.email, supervisor.cadence)
        for email in fact.agency.supervisors:
            _add(out, email, AGENCY_SUPERVISOR_CADENCE)
    staff = (registry.maintainers or registry.operators) if audience == "maintainers" else registry.operators
    if not out:
        for email in staff:
            _add(out, email, STAFF_CADENCE)
    return out


def letterhead(registry: Registry, *, dashboard_url: str | None = None, reply_to: str | None = None) -> Letterhead:
    """How the digests greet each reader — the office's name the registry gives a supervisor, the agency
    an agency's own recipient belongs to — and what they offer them to do."""
    greet = {email: agency.name for _, agency in reversed(registry.agencies.values()) for email in agency.supervisors}
    greet |= {s.email: s.name for s in registry.supervisors if s.name}
    return Letterhead(greet, dashboard_url=dashboard_url, reply_to=reply_to)
