"""`xxgk portals check`: validate the registry before a crawl does."""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any

from catalogue.cli import say
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
        print(say("portals.ok", registry=settings.registry, portals=summary["portals"], enabled=summary["enabled"],
                  agencies=summary["agencies"], supervisors=summary["supervisors"]))
    return EXIT_OK


def register(sub: Any) -> None:
    portals = sub.add_parser("portals", help="门户登记表")
    verbs = portals.add_subparsers(dest="verb", required=True)
    check = verbs.add_parser("check", help="检查登记表；错误指明文件和行号")
    add_common_options(check)
    check.add_argument("--json", action="store_true", help="以 JSON 输出检查结果")
    check.set_defaults(func=cmd_check)
