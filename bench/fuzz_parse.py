"""Fuzzing decode → parse → validate: `make fuzz` (100,000 inputs).

Each input is a report of the corpus (`sim.hostile.corpus`: the seeds, the gold records in several
layouts and every real-world form, a DOCX, the real reports beside the repository) with one to
three mutations of `sim.hostile.MUTATIONS` (byte flips, truncation, span bombs, nesting, other
encodings, junk, repeats), chosen by the input's number: `--show N` replays input N. An input
must end in a record (which the validator then checks) or in one line of `UnreadableInputError`;
anything else is an unhandled exception. Each is timed in CPU seconds of its worker (so that a busy
machine does not inflate it; the wall time is printed beside), and its peak memory taken as the worker's
resident high-water mark, reset before every input (/proc/self/clear_refs), so it includes the
interpreter's own (about 100 MB). A worker that falls silent for a minute is killed, its input
counted as a hang, and the run goes on after it; each worker runs under a 4 GiB address-space cap.

Run: `.venv/bin/python bench/fuzz_parse.py [--inputs 100000] [--jobs 2] [--first 0]`. Exit 0 when
no input raised, hung, or went over the budget (2 s, 300 MB).
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import re
import resource
import subprocess
import sys
import threading
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SILENT = 60.0  # s without a word from a worker: its input hangs
CAP_BYTES = 4 << 30


def _hwm_kib() -> int:
    with Path("/proc/self/status").open(encoding="ascii") as fh:
        match = re.search(r"VmHWM:\s+(\d+)", fh.read())
    return int(match.group(1)) if match else 0


def _reset_hwm() -> None:
    with Path("/proc/self/clear_refs").open("w", encoding="ascii") as fh:
        fh.write("5")


def one(number: int, items: list[tuple[str, bytes]]) -> dict[str, Any]:
    """Input `number`: which report, which mutations, and how its reading ended."""
    from extract.errors import UnreadableInputError  # noqa: PLC0415
    from extract.parse import parse_bytes  # noqa: PLC0415
    from sim.hostile import mutate  # noqa: PLC0415
    from validate import validate  # noqa: PLC0415

    name, data = items[number % len(items)]
    how, data = mutate(data, number)
    _reset_hwm()
    start, cpu = time.perf_counter(), time.process_time()
    try:
        validate(parse_bytes(data, name=name))
        outcome, detail = "record", ""
    except UnreadableInputError as exc:
        outcome, detail = ("refused", exc.key) if "\n" not in str(exc) else ("crash", f"two lines: {exc!r}")
    except Exception as exc:  # noqa: BLE001 - what the fuzzer looks for
        outcome, detail = "crash", "".join(traceback.format_exception_only(exc)).strip()[:300]
    return {"n": number, "name": name, "how": how, "size": len(data), "outcome": outcome, "detail": detail,
            "seconds": time.process_time() - cpu, "wall": time.perf_counter() - start, "kib": _hwm_kib()}


def worker(first: int, last: int) -> None:
    """Inputs first … last - 1, one JSON line each (and a line before each, so a hang is placed)."""
    import trafilatura  # noqa: F401, PLC0415 - warm up: a first import is not the input's time

    from extract.parse import parse_bytes  # noqa: PLC0415
    from sim.hostile import corpus  # noqa: PLC0415

    items = corpus(ROOT)
    for name, data in items:  # warm up: every reader imported, every cache filled
        parse_bytes(data, name=name)
    for number in range(first, last):
        print(json.dumps({"start": number}), flush=True)
        print(json.dumps(one(number, items), ensure_ascii=False), flush=True)


@dataclass
class Tally:
    budget_seconds: float
    budget_kib: int
    done: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)
    problems: list[dict[str, Any]] = field(default_factory=list)
    over: list[dict[str, Any]] = field(default_factory=list)
    slowest: dict[str, Any] = field(default_factory=dict)
    largest: dict[str, Any] = field(default_factory=dict)

    def add(self, result: dict[str, Any]) -> None:
        self.done += 1
        self.outcomes[result["outcome"]] = self.outcomes.get(result["outcome"], 0) + 1
        if result["outcome"] in {"crash", "hang"}:
            self.problems.append(result)
        if result["outcome"] == "hang":
            return
        if result["seconds"] > self.budget_seconds or result["kib"] > self.budget_kib:
            self.over.append(result)
        if result["seconds"] > self.slowest.get("seconds", -1):
            self.slowest = result
        if result["kib"] > self.largest.get("kib", -1):
            self.largest = result


def _limit() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (CAP_BYTES, CAP_BYTES))


def _spawn(first: int, last: int, lines: queue.Queue[tuple[int, str | None]], slot: int) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [sys.executable, __file__, "--worker", str(first), str(last)], stdout=subprocess.PIPE, text=True,
        preexec_fn=_limit, env={**os.environ, "PYTHONPATH": str(ROOT)}, cwd=ROOT,  # noqa: PLW1509
    )

    def pump() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.put((slot, line))
        lines.put((slot, None))

    threading.Thread(target=pump, daemon=True).start()
    return proc


def run(inputs: int, jobs: int, first: int, tally: Tally) -> None:
    """Share the inputs between `jobs` workers; restart one after its input hangs or kills it."""
    step = -(-inputs // jobs)
    ranges = [(a, min(a + step, first + inputs)) for a in range(first, first + inputs, step)]
    lines: queue.Queue[tuple[int, str | None]] = queue.Queue()
    procs = {k: _spawn(a, b, lines, k) for k, (a, b) in enumerate(ranges)}
    current = {k: a for k, (a, _) in enumerate(ranges)}
    heard = dict.fromkeys(procs, time.monotonic())
    while procs:
        try:
            slot, line = lines.get(timeout=1.0)
        except queue.Empty:
            slot, line = -1, ""
        now = time.monotonic()
        if slot >= 0 and line is not None:
            heard[slot] = now
            message = json.loads(line)
            if "start" in message:
                current[slot] = message["start"]
            else:
                tally.add(message)
                if message["outcome"] == "crash":
                    print("  " + _describe(message), flush=True)
                current[slot] = message["n"] + 1
                if tally.done % 5000 == 0:
                    print(f"  {tally.done} inputs, {len(tally.problems)} problems", flush=True)
            continue
        for k in [k for k in procs if (k == slot and line is None) or now - heard[k] > SILENT]:
            proc = procs.pop(k)
            proc.kill()
            proc.wait()
            end = ranges[k][1]
            if current[k] < end:  # died or fell silent inside an input: that input is the problem
                tally.add({"n": current[k], "outcome": "hang", "detail": f"exit {proc.returncode}", "seconds": 0,
                           "kib": 0, "name": "", "how": "", "size": 0})
                ranges[k] = (current[k] + 1, end)
                if current[k] + 1 < end:
                    procs[k] = _spawn(current[k] + 1, end, lines, k)
                    current[k], heard[k] = current[k] + 1, now


def _describe(result: dict[str, Any]) -> str:
    return (f"#{result['n']} {result['name']} [{result['how']}] {result['size']} B: {result['seconds']:.2f} s CPU "
            f"({result.get('wall', 0):.2f} s wall), "
            f"{result['kib'] / 1024:.0f} MB, {result['outcome']} {result['detail']}")


def main() -> int:
    sys.path.insert(0, str(ROOT))
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--inputs", type=int, default=100_000)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--first", type=int, default=0, help="number of the first input")
    parser.add_argument("--seconds", type=float, default=2.0, help="time budget of one input")
    parser.add_argument("--mb", type=int, default=300, help="memory budget of one input (peak resident)")
    parser.add_argument("--show", type=int, metavar="N", help="replay input N and print how it ended")
    parser.add_argument("--worker", type=int, nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        worker(*args.worker)
        return 0
    if args.show is not None:
        from sim.hostile import corpus  # noqa: PLC0415

        print(_describe(one(args.show, corpus(ROOT))))
        return 0
    tally = Tally(args.seconds, args.mb * 1024)
    start = time.monotonic()
    run(args.inputs, max(1, args.jobs), args.first, tally)
    print(f"{tally.done} inputs in {time.monotonic() - start:.0f} s: "
          + ", ".join(f"{k} {v}" for k, v in sorted(tally.outcomes.items())))
    print(f"unhandled exceptions and hangs: {len(tally.problems)}")
    for result in tally.problems[:20]:
        print("  " + _describe(result))
    if tally.slowest:
        print("worst time:  " + _describe(tally.slowest))
        print("peak memory: " + _describe(tally.largest))
    print(f"over the budget ({args.seconds:.0f} s, {args.mb} MB): {len(tally.over)}")
    for result in tally.over[:20]:
        print("  " + _describe(result))
    return 1 if tally.problems or tally.over else 0


if __name__ == "__main__":
    sys.exit(main())
