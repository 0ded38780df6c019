"""The ground truth and the registry the simulator writes (docs/cli.md, docs/registry.md).

The truth is streamed as JSON text: a 3,000-portal world has tens of thousands of reports,
and building one dict of them first would double the time and memory. Shape:

    {"as_of", "agencies": [{"name", "level", "region", "portal"}],
     "reports": [{"agency", "year", "url", "published", "revised", "medium", "attachment", "pages", "pictures",
                  "defects", "record"}],
     "decoys": [{"url", "title", "kind"}], "faults": [{"portal", "kind"}], "never_published": [{"agency", "year"}]}

`reports` are the reports visible at `as_of`, each with the record of the version served that
day (`revised` is set once the revision date has come). `attachment` is the PDF/DOCX/image URL
for reports that are not inline HTML; an image report shown one image per printed page lists them
all in `pages` (its first is `attachment`), and is the report page at `url`; most image reports' titles
(the record's `title`) do not say （图片版）. A PDF report whose page also shows its printed pages as
pictures lists them in `pictures`: they are no report, the PDF at `attachment` is. `never_published`
lists the agency-years that are due by `as_of` (deadline passed) and have no report online that
day — the "missing" a monitor must find, whether the report never appears or appears late, after
`as_of`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any, Final

from sim.archetypes import Site
from sim.content import quoted, truth_entry
from sim.places import PROVINCES
from sim.world import Portal, Report, World, current_version, visible
from validate.deadlines import deadline_for

SiteOf = Callable[[Portal], Site]
OPERATORS: Final = ["ops@sim.example.cn"]
MAINTAINERS: Final = ["dev@sim.example.cn"]
DEFAULT_RATE_LIMIT: Final = 5.0


def _j(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _report(seed: int, site: Site, report: Report, as_of: date) -> str:
    version = current_version(report, as_of)
    found, record = truth_entry(seed, report, version)
    revised = f'"{report.revised:%Y-%m-%d}"' if version and report.revised else "null"
    attachment = site.file_urls.get(report.key)
    pages = ",".join(_url(u) for u in site.page_urls(report, version))
    pictures = ",".join(_url(u) for u in site.picture_urls(report, version)) if report.pictured else ""
    defects = ",".join(f'"{d}"' for d in found)  # rule ids: plain ASCII
    return (
        f'{{"agency":{quoted(report.agency.name)},"year":{report.year},"url":{_url(site.article_urls[report.key])},'
        f'"published":"{report.published:%Y-%m-%d}","revised":{revised},"medium":"{report.medium}",'
        f'"attachment":{_url(attachment) if attachment else "null"},"pages":[{pages}],"pictures":[{pictures}],'
        f'"defects":[{defects}],'
        f'"record":{record}}}'
    )


def _url(url: str) -> str:
    """Our URLs are ASCII without quotes or backslashes: a JSON string as they are (else encoded)."""
    return f'"{url}"' if url.isascii() and '"' not in url and "\\" not in url else _j(url)


def _never(portal: Portal, as_of: date) -> Iterator[dict[str, Any]]:
    online = {(r.agency.name, r.year) for r in portal.reports if visible(r, as_of)}
    due = [(a, y) for a, y in portal.never] + [(r.agency, r.year) for r in portal.reports]
    for agency, year in sorted(due, key=lambda ay: (ay[0].name, ay[1])):
        if deadline_for(agency.level, year) < as_of and (agency.name, year) not in online:
            yield {"agency": agency.name, "year": year}


def truth_chunks(world: World, site_of: SiteOf, as_of: date) -> Iterator[str]:
    """The truth file's JSON text, in pieces."""
    agencies = [
        {"name": a.name, "level": a.level, "region": a.region, "portal": p.id}
        for p in world.portals
        for a in p.agencies
    ]
    yield f'{{"as_of":{_j(as_of.isoformat())},"agencies":{_j(agencies)},"reports":['
    first = True
    for portal in world.portals:
        site = site_of(portal)
        for report in portal.reports:
            if visible(report, as_of):
                yield ("" if first else ",") + _report(world.seed, site, report, as_of)
                first = False
    decoys = [
        {"url": site_of(p).article_urls[d.key], "title": d.title, "kind": d.kind}
        for p in world.portals
        for d in p.decoys
        if visible(d, as_of)
    ]
    faults = [{"portal": p.id, "kind": p.fault.kind} for p in world.portals if p.fault is not None]
    never = [n for p in world.portals for n in _never(p, as_of)]
    yield f'],"decoys":{_j(decoys)},"faults":{_j(faults)},"never_published":{_j(never)}}}\n'


def write_truth(path: Path, world: World, site_of: SiteOf, as_of: date) -> None:
    """Write the truth file atomically: readers never see half a file."""
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("w", encoding="utf-8") as out:
        out.writelines(truth_chunks(world, site_of, as_of))
    tmp.replace(path)


# ---- the registry ------------------------------------------------------------------------------


def registry(world: World, site_of: SiteOf, rate_limit: float = DEFAULT_RATE_LIMIT) -> dict[str, Any]:
    """docs/registry.md: supervisors by province, every portal with its columns and agencies."""
    provinces = sorted({p.place.province for p in world.portals})
    portals = []
    for portal in world.portals:
        site = site_of(portal)
        agencies = [
            {
                "name": a.name,
                "aliases": list(a.aliases),
                "level": a.level,
                "region": a.region,
                "parent": a.parent,
                "supervisors": [f"gk@{portal.id}.sim.example.cn"] if a.parent else [],
                "columns": site.agency_columns(a),
            }
            for a in portal.agencies
        ]
        portals.append(
            {
                "id": portal.id,
                "name": portal.name,
                "base_url": site.url("/"),
                "cms": site.cms,
                "columns": site.columns(),
                "fetcher": site.fetcher,
                "encoding": None,
                "rate_limit": rate_limit,
                "robots": True,
                "enabled": True,
                "agencies": agencies,
            }
        )
    return {
        "version": 1,
        "supervisors": [
            {
                "email": f"gkb@{code}.sim.example.cn",
                "name": f"{PROVINCES[code]}政务公开办",
                "regions": [code],
                "cadence": "daily",
            }
            for code in provinces
        ],
        "operators": OPERATORS,
        "maintainers": MAINTAINERS,
        "portals": portals,
    }


def registry_yaml(world: World, site_of: SiteOf, rate_limit: float = DEFAULT_RATE_LIMIT) -> str:
    """Block-style YAML with JSON scalars, written directly: PyYAML's dumper took a second for 3,000 portals."""
    lines = ["# Written by `xxgk sim serve`: the simulated portals (docs/registry.md)."]
    _yaml(registry(world, site_of, rate_limit), 0, lines)
    return "\n".join(lines) + "\n"


def _yaml(value: Any, depth: int, out: list[str]) -> None:
    """Mappings and sequences as YAML blocks; every scalar as JSON (a valid YAML flow scalar)."""
    pad = "  " * depth
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, dict | list) and item:
                out.append(f"{pad}{key}:")
                _yaml(item, depth + 1, out)
            else:
                out.append(f"{pad}{key}: {_j(item)}")
        return
    for item in value:
        if isinstance(item, dict) and item:
            block: list[str] = []
            _yaml(item, depth + 1, block)
            out.append(f"{pad}- {block[0].lstrip()}")
            out.extend(block[1:])
        else:
            out.append(f"{pad}- {_j(item)}")


def write_registry(path: Path, world: World, site_of: SiteOf, rate_limit: float = DEFAULT_RATE_LIMIT) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(registry_yaml(world, site_of, rate_limit), encoding="utf-8")
    tmp.replace(path)
