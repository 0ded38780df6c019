"""`xxgk portals check`: validate the registry before a crawl does."""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any

from config.settings import Settings, add_common_options
from xxgk.commands import EXIT_BAD_INPUT, EXIT_OK, dump_json


def cmd_check(args: argparse.Namespace) -> int:
    from config.registry import RegistryError, load_registry  # noqa: PLC0415

    settings = Settings.load(args)
    start = time.perf_counter()
    try:
        registry = load_registry(settings.registry)
    except RegistryError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return EXIT_BAD_INPUT
    elapsed = time.perf_counter() - start
    portals = registry.portals
    summary = {
        "registry": str(settings.registry),
        "portals": len(portals),
        "enabled": sum(p.enabled for p in portals),
        "agencies": sum(len(p.agencies) for p in portals),
        "browser_portals": sum(p.fetcher == "browser" for p in portals),
        "supervisors": len(registry.supervisors),
        "load_seconds": round(elapsed, 3),
    }
    if args.json:
        dump_json(summary)
    else:
        print(
            f"{settings.registry}: OK — {summary['portals']} portals ({summary['enabled']} enabled), "
            f"{summary['agencies']} agencies, {summary['supervisors']} supervisors; loaded in {elapsed:.2f} s"
        )
    return EXIT_OK


def register(sub: Any) -> None:
    portals = sub.add_parser("portals", help="the portal registry")
    verbs = portals.add_subparsers(dest="verb", required=True)
    check = verbs.add_parser("check", help="validate the registry; errors name the file and line")
    add_common_options(check)
    check.add_argument("--json", action="store_true")
    check.set_defaults(func=cmd_check)
