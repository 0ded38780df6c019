"""The CMS families the simulated portals run, one module each, in one registry.

`ARCHETYPES[name]` builds a portal's `Site`; tests iterate the registry as a family (every
archetype must list its reports, serve them, and answer past its last page).
"""

from __future__ import annotations

from typing import Final

from sim.archetypes.base import Site
from sim.archetypes.beijing import BeijingSite
from sim.archetypes.county import CountySite
from sim.archetypes.gkmlpt import GkmlptSite
from sim.archetypes.hanweb import HanwebSite
from sim.archetypes.jpaas import JpaasSite
from sim.archetypes.js_only import JsOnlySite
from sim.archetypes.trs import TrsSite
from sim.world import ARCHETYPES as NAMES
from sim.world import Portal

ARCHETYPES: Final[dict[str, type[Site]]] = {
    "trs": TrsSite,
    "hanweb": HanwebSite,
    "gkmlpt": GkmlptSite,
    "jpaas": JpaasSite,
    "beijing": BeijingSite,
    "js_only": JsOnlySite,
    "county": CountySite,
}
if tuple(ARCHETYPES) != NAMES:
    raise RuntimeError("sim.world.ARCHETYPES and the archetype registry disagree")


def build_site(seed: int, portal: Portal, origin: str) -> Site:
    """The portal's site, served from `origin` (`http://127.0.1.5:8080`)."""
    return ARCHETYPES[portal.archetype](seed, portal, origin)


__all__ = ["ARCHETYPES", "Site", "build_site"]
