"""Hostile input: the worst time and peak memory of each case, every one in its own child process.

The cases are what an attacker or a broken portal sends `xxgk parse`: a report with single bytes
flipped (100 flips of each seed), a 40 KB span bomb, /dev/zero, a FIFO nobody writes to, a 1 GiB
sparse file, DOCX and ODT files whose zip directory under-declares a member that inflates to
2 GiB, a blank 7000x7000 PNG, and HTML nested 100,000 deep (and tables 5,000 deep). Each child
runs the command line as a person would, under a 6 GiB address-space cap and a 120 s wall clock
(a child that hits either is reported so, not waited for). The time includes the interpreter's
start (about half a second); the peak is the child's maximum resident set.

Run: `.venv/bin/python bench/bench_hostile.py [--case NAME]…` (about a minute on an idle machine).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEEDS = sorted((ROOT / "tests" / "fixtures" / "seeds").glob("*.txt"))
CAP_BYTES = 6 << 30
CAP_SECONDS = 120.0

# flips of one seed, in one child: how many still read as the report, and the slowest flip
FLIPS = r"""
import json, random, sys, time
from pathlib import Path
from extract.errors import UnreadableInputError
from extract.parse import parse_bytes
from sim.hostile import flip
path = Path(sys.argv[1])
data, rejected, worst = path.read_bytes(), 0, 0.0
want = parse_bytes(data, name=path.name)["agency"]
for k in range(100):
    rng = random.Random(k)
    start = time.perf_counter()
    try:
        got = parse_bytes(flip(data, rng.randrange(len(data)), rng.randrange(256)), name=path.name)["agency"]
        rejected += got != want
    except UnreadableInputError:
        rejected += 1
    worst = max(worst, time.perf_counter() - start)
print(f"{rejected}/100 flips lost the report, slowest flip {worst:.2f} s")
"""


def _limit() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (CAP_BYTES, CAP_BYTES))


def run(argv: list[str]) -> tuple[str, float, float]:
    """One child: its last line of output (or why it was stopped), wall seconds, peak RSS in MB
    (the child's own, from wait4: the largest of it and the processes it waited for)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    start = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, preexec_fn=_limit,  # noqa: PLW1509
                            env=env, cwd=ROOT)
    chunks: list[bytes] = []
    reader = threading.Thread(target=lambda: chunks.append(proc.stdout.read() if proc.stdout else b""))
    reader.start()
    stopped = ""
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid:
            break
        if time.perf_counter() - start > CAP_SECONDS:
            proc.kill()
            pid, status, usage = os.wait4(proc.pid, 0)
            stopped = f"killed after {CAP_SECONDS:.0f} s"
            break
        time.sleep(0.02)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    reader.join()
    out = b"".join(chunks).decode("utf-8", "replace")
    lines = [x for x in out.splitlines() if x.strip()]
    said = stopped or (lines[-1] if lines else f"exit {proc.returncode}")
    if "MemoryError" in out:
        said = f"MemoryError at the {CAP_BYTES >> 30} GiB cap"
    return said[:110], wall, usage.ru_maxrss / 1024


def _cli(path: Path) -> list[str]:
    return [sys.executable, "-m", "xxgk.cli", "parse", str(path), "--json"]


def _file(name: str, make: Callable[[], bytes]) -> Callable[[Path], list[str]]:
    def prepare(work: Path) -> list[str]:
        path = work / name
        path.write_bytes(make())
        return _cli(path)

    return prepare


def _fifo(work: Path) -> list[str]:
    path = work / "report.txt"
    os.mkfifo(path)
    return _cli(path)


def _sparse(work: Path) -> list[str]:
    path = work / "sparse.txt"
    with path.open("wb") as fh:
        fh.truncate(1 << 30)
    return _cli(path)


def _docx() -> bytes:
    from extract.schema import SPEC_KEYS  # noqa: PLC0415
    from sim.hostile import underdeclared  # noqa: PLC0415
    from sim.media import docx_bytes  # noqa: PLC0415

    gold = json.loads((ROOT / "tests" / "fixtures" / "gold" / f"{SEEDS[0].stem}.json").read_text(encoding="utf-8"))
    return underdeclared(docx_bytes({k: gold[k] for k in SPEC_KEYS if k in gold}), "word/document.xml")


def _odt() -> bytes:
    from sim.hostile import odt, underdeclared  # noqa: PLC0415

    return underdeclared(odt(SEEDS[0].read_text(encoding="utf-8")), "content.xml")


def _seed_html(depth: int, tag: str) -> bytes:
    from sim.hostile import deep_nesting  # noqa: PLC0415

    text = SEEDS[0].read_text(encoding="utf-8").replace("\n", "<br>").encode()
    return deep_nesting(depth, tag, text)


def _cases() -> dict[str, Callable[[Path], list[str]]]:
    from sim.hostile import blank_png, span_bomb  # noqa: PLC0415

    return {
        **{f"flips {seed.name[:3]}": (lambda _w, s=seed: [sys.executable, "-c", FLIPS, str(s)]) for seed in SEEDS},
        "span bomb 40 KB": _file("bomb.html", span_bomb),
        "/dev/zero": lambda _w: _cli(Path("/dev/zero")),
        "FIFO": _fifo,
        "1 GiB sparse file": _sparse,
        "DOCX under-declared 2 GiB": _file("report.docx", _docx),
        "ODT under-declared 2 GiB": _file("report.odt", _odt),
        "blank PNG 7000x7000": _file("scan.png", lambda: blank_png(7000)),
        "div nested 100000": _file("deep.html", lambda: _seed_html(100_000, "div")),
        "table nested 5000": _file("tables.html", lambda: _seed_html(5_000, "table")),
    }


def main() -> None:
    sys.path.insert(0, str(ROOT))
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--case", action="append", help="only these cases (by name prefix)")
    args = parser.parse_args()
    cases = _cases()
    print(f"{'case':<28} {'time s':>7} {'peak MB':>8}  outcome")
    for name, prepare in cases.items():
        if args.case and not any(name.startswith(c) for c in args.case):
            continue
        with tempfile.TemporaryDirectory(prefix="xxgk-hostile-") as tmp:
            said, wall, peak = run(prepare(Path(tmp)))
        print(f"{name:<28} {wall:>7.1f} {peak:>8.0f}  {said}", flush=True)


if __name__ == "__main__":
    main()
