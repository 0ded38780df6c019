"""`xxgk sim serve`: generated government portals on loopback, with their registry and ground truth."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys
from pathlib import Path
from typing import Any

from catalogue.cli import say
from xxgk.commands import EXIT_OK, OperationalError, UsageError, values


def _rate(raw: str) -> float:
    value = float(raw)
    if not 0.0 <= value <= 1.0:
        raise argparse.ArgumentTypeError(say("sim.share", raw=raw))
    return value


def cmd_serve(args: argparse.Namespace) -> int:
    from config.settings import parse_date, today  # noqa: PLC0415
    from sim.server import Simulator  # noqa: PLC0415
    from sim.truth import write_registry, write_truth  # noqa: PLC0415
    from sim.world import FAULT_KINDS, generate  # noqa: PLC0415

    as_of = parse_date(args.as_of, "--as-of") if args.as_of else today()
    kinds = tuple(k.strip() for k in args.fault_kinds.split(",") if k.strip()) if args.fault_kinds else FAULT_KINDS
    if args.portals < 1:
        raise UsageError(say("sim.at_least_one"))
    try:
        world = generate(seed=args.seed, portals=args.portals, faults=args.faults, fault_kinds=kinds)
        host = "127.0.0.1" if args.host == "localhost" else args.host
        sim = Simulator(world, as_of=as_of, host=host, port=args.port, latency=args.latency)
    except ValueError as exc:
        raise UsageError(str(exc)) from None

    async def main() -> None:
        try:
            await sim.start()
        except OSError as exc:
            raise OperationalError(say("sim.cannot_listen", port=args.port, reason=exc.strerror or exc)) from None
        write_registry(Path(args.registry_out), world, sim.site, args.rate_limit)
        write_truth(Path(args.truth_out), world, sim.site, as_of)
        print(
            f"serving {len(world.portals)} portals on 127.0.1.1… port {sim.port}; "
            f"control http://{sim.host}:{sim.port}/__sim__/as_of",
            file=sys.stderr,
        )
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        print("ready", flush=True)
        await stop.wait()
        await sim.stop()

    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(main())
    return EXIT_OK


def register(sub: Any) -> None:
    p = sub.add_parser("sim", help="模拟政府门户网站（离线演示和测试）")
    simsub = p.add_subparsers(dest="sim_command", required=True)
    s = simsub.add_parser("serve", help="在本机回环地址上提供生成的门户网站，直到被中断")
    s.add_argument("--portals", type=int, default=14, metavar="N", help="门户数量（默认 14）")
    s.add_argument("--seed", type=int, default=0, metavar="S", help="随机种子（默认 0）")
    s.add_argument("--host", default="127.0.0.1", help="控制端点的回环地址")
    s.add_argument("--port", type=values.port, default=8080, metavar="P", help="各门户的端口（0：任一空闲端口）")
    s.add_argument("--as-of", metavar="DATE", help="模拟的“今天”（默认北京时间今天）")
    s.add_argument("--faults", type=_rate, default=0.0, metavar="RATE", help="有故障的门户比例（0–1）")
    s.add_argument("--fault-kinds", metavar="K1,K2", help="故障类型（默认全部）")
    s.add_argument("--latency", type=values.not_negative, default=0.0, metavar="SECONDS",
                   help="每个响应的延迟秒数，模拟真实网络（默认 0）")
    s.add_argument("--rate-limit", type=values.positive, default=5.0, metavar="RPS", help="写入登记表的 rate_limit")
    s.add_argument("--registry-out", required=True, metavar="FILE", help="门户登记表（YAML）写入此文件")
    s.add_argument("--truth-out", required=True, metavar="FILE", help="真实情况（JSON）写入此文件")
    s.set_defaults(func=cmd_serve)
