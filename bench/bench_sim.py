"""Simulator benchmark: start-up time and requests/s of one server process on one core.

    .venv/bin/python bench/bench_sim.py [--portals 3000] [--seconds 10] [--connections 64]

Starts `xxgk sim serve` as a subprocess pinned to CPU 0 and drives it from this process pinned
to CPU 1 with a keep-alive asyncio client over loopback. Two passes over the same URL sample:
cold (each report page rendered on first request) and warm (list pages and cached articles),
both mixing list pages, API calls and report articles across all portals. Targets: ready in
< 5 s and ≥ 1,000 requests/s on one core.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

import yaml


def start_server(portals: int, folder: Path) -> tuple[subprocess.Popen[str], float]:
    cmd = [
        sys.executable,
        "-m",
        "xxgk.cli",
        "sim",
        "serve",
        "--portals",
        str(portals),
        "--port",
        "0",
        "--as-of",
        "2026-06-01",
        "--registry-out",
        str(folder / "registry.yaml"),
        "--truth-out",
        str(folder / "truth.json"),
    ]
    began = time.perf_counter()
    process = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    os.sched_setaffinity(process.pid, {0})  # the server gets core 0 (this process stays on core 1)
    assert process.stdout is not None
    if process.stdout.readline().strip() != "ready":
        raise SystemExit("the simulator did not start")
    return process, time.perf_counter() - began


def sample_urls(folder: Path, count: int, rng: random.Random) -> list[str]:
    """What a crawl of every portal requests, sampled: column pages, every report and decoy article,
    every PDF/DOCX/image attachment, in their natural proportions."""
    registry = yaml.safe_load((folder / "registry.yaml").read_text(encoding="utf-8"))
    truth = json.loads((folder / "truth.json").read_text(encoding="utf-8"))
    urls = [c.split("#")[0] for p in registry["portals"] for c in p["columns"] + [p["base_url"] + "robots.txt"]]
    urls += [r["url"] for r in truth["reports"]] + [r["attachment"] for r in truth["reports"] if r["attachment"]]
    urls += [d["url"] for d in truth["decoys"]]
    return rng.sample(urls, min(count, len(urls)))


async def _worker(queue: asyncio.Queue[str], counts: list[int]) -> None:
    streams: dict[str, tuple[asyncio.StreamReader, asyncio.StreamWriter]] = {}
    while True:
        try:
            url = queue.get_nowait()
        except asyncio.QueueEmpty:
            break
        parts = urlsplit(url)
        if parts.netloc not in streams:
            if len(streams) > 8:  # keep a few connections per worker, as a crawler pool would
                _, writer = streams.pop(next(iter(streams)))
                writer.close()
            streams[parts.netloc] = await asyncio.open_connection(parts.hostname, parts.port)
        reader, writer = streams[parts.netloc]
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        writer.write(f"GET {target} HTTP/1.1\r\nHost: {parts.netloc}\r\n\r\n".encode())
        head = await reader.readuntil(b"\r\n\r\n")
        length = int(head.split(b"Content-Length: ", 1)[1].split(b"\r\n", 1)[0])
        await reader.readexactly(length)
        counts[0] += 1
    for _, writer in streams.values():
        writer.close()


async def drive(urls: list[str], connections: int) -> tuple[int, float]:
    queue: asyncio.Queue[str] = asyncio.Queue()
    for url in urls:
        queue.put_nowait(url)
    counts = [0]
    began = time.perf_counter()
    await asyncio.gather(*(_worker(queue, counts) for _ in range(connections)))
    return counts[0], time.perf_counter() - began


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--portals", type=int, default=3000)
    parser.add_argument("--requests", type=int, default=20000)
    parser.add_argument("--connections", type=int, default=64)
    args = parser.parse_args()
    os.sched_setaffinity(0, {1})
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        process, startup = start_server(args.portals, folder)
        try:
            size = (folder / "truth.json").stat().st_size
            print(f"start-up: ready after {startup:.2f} s for {args.portals} portals (truth {size / 1e6:.0f} MB)")
            urls = sample_urls(folder, args.requests, random.Random(1))
            for label in ("cold", "warm"):
                done, seconds = asyncio.run(drive(urls, args.connections))
                print(
                    f"{label}: {done} requests in {seconds:.2f} s = {done / seconds:.0f} requests/s (server on 1 core)"
                )
        finally:
            process.terminate()
            process.wait()


if __name__ == "__main__":
    main()
