"""Archive benchmarks (issue 4), on SQLite and on PostgreSQL.

1. `xxgk import` of 10,000 generated reports (mixed formats and layouts): reports/s and the
   importing process's peak memory.
2. `status` and `query` over 50,000 reports of 3,000 agencies, rows generated straight into the
   tables: median latency of each question, target < 200 ms.
3. Storing alone, as the crawler calls it (parsed already, with URL, level, dates, validators):
   ms per document for a new report, an unchanged one, a new version, and bytes kept without a report.

Run: `.venv/bin/python bench/bench_store.py [--reports N] [--jobs N] [--only import|query|ingest] [--backend …]`.
PostgreSQL is XXGK_BENCH_PG (default: the local server's `test` database), in a scratch schema
dropped at the end.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import insert, text

from extract.parse import parse_bytes
from extract.schema import Record
from sim.render import EXTENSIONS, LAYOUTS, random_record
from store.agencies import infer_level
from store.db import Archive
from store.ingest import Source, ingest, keep_document
from store.models import Agency, Document, Finding, Report, ReportVersion
from store.queries import query
from store.status import EVERYTHING, Filters, compliance, deadline_of

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from store_helpers import pg_schema

PG = os.environ.get("XXGK_BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
AS_OF = dt.date(2026, 4, 15)
TARGET_MS = 200
FAST_LAYOUTS = [name for name in LAYOUTS if name != "txt_trafilatura_live"]  # that one runs trafilatura per call


@contextmanager
def database(backend: str, workdir: Path) -> Iterator[str]:
    """A fresh, empty database URL on `backend`."""
    if backend == "sqlite":
        yield f"sqlite:///{workdir / f'bench-{uuid.uuid4().hex[:8]}.sqlite3'}"
        return
    with pg_schema(PG) as url:
        yield url


# ---- 1. import ---------------------------------------------------------------------


def render_reports(directory: Path, count: int, seed: int = 2026) -> float:
    rng = random.Random(seed)
    start = time.perf_counter()
    for i in range(count):
        record = random_record(rng, fmt=rng.choice(("2021", "2021", "2019", "legacy")))
        layout = rng.choice(FAST_LAYOUTS)
        (directory / f"{i:05d}.{EXTENSIONS[layout]}").write_bytes(LAYOUTS[layout](record))
    return time.perf_counter() - start


def bench_import(backend: str, reports: Path, count: int, workdir: Path, jobs: int) -> None:
    with database(backend, workdir) as url:
        env = {**os.environ, "XXGK_SNAPSHOTS": str(workdir / f"snapshots-{backend}")}
        command = [sys.executable, "-m", "xxgk.cli", "import", str(reports), "--json", "--jobs", str(jobs), "--db", url]
        start = time.perf_counter()
        proc = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        out = proc.stdout.read() if proc.stdout else b""
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - start
        outcomes = json.loads(out or b"[]")
        changes = {c: sum(o["change"] == c for o in outcomes) for c in ("new_report", "new_version", "unchanged")}
        print(f"import {backend:<10} --jobs {jobs}  {count} files in {seconds:6.1f} s = "
              f"{count / seconds:4.0f} reports/s   "
              f"peak RSS {usage.ru_maxrss / 1024:5.0f} MB (the storing process)   "
              f"exit {os.waitstatus_to_exitcode(status)}   {changes}")


# ---- 2. status and query over 50,000 reports -------------------------------------------

LEVEL_MIX = (("province", 1), ("city", 14), ("county", 120), ("township", 1200))
RULES = ("blank_cell", "requests.row_total", "requests.balance", "missing_section", "late_publication")


_SUFFIX = {"province": "省人民政府", "city": "市人民政府", "county": "县人民政府", "township": "镇人民政府"}


def _region(level: str, i: int) -> str:
    city, county = f"{i % 14 + 1:02d}", f"{i % 99 + 1:02d}"
    return {"province": "430000", "city": f"43{i + 1:02d}00", "county": f"43{city}{county}",
            "township": f"43{city}{county}{i:03d}", "department": f"43{city}{county}"}[level]


def _agencies(count: int) -> list[dict[str, Any]]:
    rows = [
        {"name": f"测试{level}{i}{_SUFFIX[level]}", "level": level, "region": _region(level, i)}
        for level, n in LEVEL_MIX for i in range(n)
    ]
    rows += [{"name": f"测试第{i}局", "level": "department", "region": _region("department", i)}
             for i in range(count - len(rows))]
    now = dt.datetime.now(dt.UTC)
    return [{**r, "supervisors": [], "created_at": now} for r in rows[:count]]


def fill(url: str, n_agencies: int, n_reports: int, seed: int = 5) -> float:
    """Generate the rows directly (no parsing): agencies, reports over 2009–2025, one version each, findings."""
    rng = random.Random(seed)
    start = time.perf_counter()
    now = dt.datetime.now(dt.UTC)
    with Archive.open(url) as archive, archive.write() as session:
        session.execute(insert(Agency), _agencies(n_agencies))
        levels = dict(session.execute(text("SELECT id, level FROM agency")).all())
        doc = {"url": "", "sha256": "0" * 64, "name": "bench.txt", "size": 1, "fetched_at": now, "last_seen_at": now}
        doc_id = session.execute(insert(Document).returning(Document.id), [doc]).scalar_one()
        pairs = [(a, y) for a in levels for y in range(2009, 2026)]
        pairs = rng.sample(pairs, n_reports)
        reports, versions, findings = [], [], []
        for report_id, (agency_id, year) in enumerate(pairs, start=1):
            deadline = deadline_of(levels[agency_id], None, year)
            published = deadline + dt.timedelta(days=rng.randint(-40, 20)) if rng.random() < 0.9 else None
            errors = rng.choice((0, 0, 0, 1, 3))
            reports.append({
                "id": report_id, "agency_id": agency_id, "year": year, "url": f"http://x/{report_id}.html",
                "title": f"{year}年报告", "published": published, "published_source": "page" if published else None,
                "first_seen_at": now, "last_seen_at": now, "current_version": 1, "errors": errors,
                "inconsistencies": errors, "warnings": 0, "revised_at": now if rng.random() < 0.02 else None,
            })
            versions.append({
                "id": report_id, "report_id": report_id, "number": 1, "document_id": doc_id,
                "content_hash": f"{report_id:064x}", "record": {}, "parser_version": "bench", "errors": errors,
                "warnings": 0, "created_at": now,
            })
            findings.extend({
                "version_id": report_id, "rule": rng.choice(RULES), "severity": "error", "status": "fail",
                "location": f"requests/{k}", "fingerprint": f"{report_id}-{k}", "message": "…", "detail": {},
                "review_state": "open",
            } for k in range(errors))
        for model, rows in ((Report, reports), (ReportVersion, versions), (Finding, findings)):
            for i in range(0, len(rows), 5000):
                session.execute(insert(model), rows[i:i + 5000])
        if session.get_bind().dialect.name == "postgresql":
            for table in ("report", "report_version", "finding"):
                session.execute(text(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                                     f"(SELECT max(id) FROM {table}))"))
    with Archive.open(url) as archive, archive.engine.begin() as conn:
        conn.execute(text("ANALYZE"))
    return time.perf_counter() - start


def timed(archive: Archive, ask: Callable[[Any], list[Any]], runs: int = 5) -> tuple[float, int]:
    """Median wall time in ms of `ask` in a fresh session (after one warm-up), and how many rows it gave."""
    samples, rows = [], 0
    for i in range(runs + 1):
        start = time.perf_counter()
        with archive.read() as session:
            rows = len(ask(session))
        if i:
            samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples), rows


QUESTIONS: list[tuple[str, Callable[[Any], list[Any]]]] = [
    ("status --year 2024", lambda s: compliance(s, AS_OF, Filters(year=2024))),
    ("status (all 17 years)", lambda s: compliance(s, AS_OF, EVERYTHING)),
    ("status --region 4301", lambda s: compliance(s, AS_OF, Filters(region="4301"))),
    ("query --year 2024 --level township", lambda s: query(s, AS_OF, Filters(year=2024, level="township"))),
    ("query --status late --year 2024", lambda s: query(s, AS_OF, Filters(year=2024), status="late")),
    ("query --status missing --year 2024", lambda s: query(s, AS_OF, Filters(year=2024), status="missing")),
    ("query --rule blank_cell --year 2024", lambda s: query(s, AS_OF, Filters(year=2024), rule="blank_cell")),
    ("query --agency 测试第12", lambda s: query(s, AS_OF, Filters(agency="测试第12"))),
    ("query (all 50,000 reports)", lambda s: query(s, AS_OF, EVERYTHING)),
]


def bench_queries(backend: str, workdir: Path, n_agencies: int, n_reports: int) -> None:
    with database(backend, workdir) as url:
        seconds = fill(url, n_agencies, n_reports)
        print(f"query  {backend:<10} {n_reports} reports of {n_agencies} agencies generated in {seconds:.1f} s")
        with Archive.open(url) as archive:
            for name, ask in QUESTIONS:
                ms, rows = timed(archive, ask)
                verdict = "ok" if ms < TARGET_MS else "SLOW"
                print(f"  {name:<38} {ms:7.1f} ms  {rows:6d} rows  {verdict}")
        start = time.perf_counter()
        cli = subprocess.run([sys.executable, "-m", "xxgk.cli", "status", "--year", "2024", "--json", "--db", url,
                              "--as-of", AS_OF.isoformat()], capture_output=True, check=True)
        print(f"  {'CLI `xxgk status --year 2024 --json`':<38} {(time.perf_counter() - start) * 1000:7.1f} ms  "
              f"{len(json.loads(cli.stdout)):6d} rows  (whole process, interpreter start-up included)")


# ---- 3. ms per stored document -----------------------------------------------------

Revision = tuple[bytes, Record, bytes, Record]  # a report's bytes and record, then those of a corrected copy


def revisions(agencies: int, years: range, seed: int = 4) -> list[Revision]:
    """Each agency's reports over `years` (so that cross-year rules run), parsed, with a corrected copy of each."""
    rng = random.Random(seed)
    out = []
    for a in range(agencies):
        agency = f"测试{a}县民政局"
        for year in years:
            record = random_record(rng, fmt=rng.choice(("2021", "2019")), year=year, agency=agency)
            corrected = json.loads(json.dumps(record))
            corrected["requests"]["new"]["total"] += 1
            pair: list[Any] = []
            for version in (record, corrected):
                data = LAYOUTS["txt_tabs"](version)
                pair += [data, {**parse_bytes(data, name="report.txt"), "agency": agency, "year": year}]
            out.append((pair[0], pair[1], pair[2], pair[3]))
    rng.shuffle(out)
    return out


def crawled(i: int, data: bytes, record: Record, day: int) -> Source:
    """What the crawler passes for a document found on a portal's list page."""
    published = dt.date(record["year"] + 1, 1, 20)
    return Source(
        data=data, name="report.txt", url=f"http://bench.gov.cn/xxgk/{published:%Y%m}/t{published:%Y%m%d}_{i}.html",
        agency=record["agency"], level=infer_level(record["agency"]), region="430381", year=record["year"],
        dates={"list": published}, seen_at=dt.datetime.now(dt.UTC) + dt.timedelta(days=day),
        http_status=200, content_type="text/plain", etag=f'"{i}-{day}"',
    )


def bench_ingest(backend: str, workdir: Path, documents: list[Revision]) -> None:
    phases: list[tuple[str, Callable[[Archive, int, Revision], object]]] = [
        ("new report", lambda a, i, d: ingest(a, crawled(i, d[0], d[1], 0), d[1])),
        ("unchanged", lambda a, i, d: ingest(a, crawled(i, d[0], d[1], 1), d[1])),
        ("new version", lambda a, i, d: ingest(a, crawled(i, d[2], d[3], 2), d[3])),
        ("kept bytes", lambda a, i, d: keep_document(a, crawled(i, d[0] + b"\n", d[1], 3))),
    ]
    cells = []
    with database(backend, workdir) as url, Archive.open(url) as archive:
        for name, store in phases:
            start = time.perf_counter()
            for i, document in enumerate(documents):
                store(archive, i, document)
            cells.append(f"{name} {(time.perf_counter() - start) * 1000 / len(documents):5.1f}")
    print(f"ingest {backend:<10} ms per document ({len(documents)} each): " + "   ".join(cells))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--reports", type=int, default=10_000, help="files to import")
    parser.add_argument("--jobs", type=int, default=1, help="`xxgk import --jobs`: parsing processes")
    parser.add_argument("--only", choices=("import", "query", "ingest"))
    parser.add_argument("--agencies", type=int, default=50, help="ingest: agencies of 6 reports each")
    parser.add_argument("--backend", choices=("sqlite", "postgresql"), action="append")
    args = parser.parse_args()
    backends = args.backend or ["sqlite", "postgresql"]
    with tempfile.TemporaryDirectory(prefix="xxgk-bench-") as tmp:
        workdir = Path(tmp)
        if args.only in {None, "import"}:
            reports = workdir / "reports"
            reports.mkdir()
            print(f"rendered {args.reports} report files in {render_reports(reports, args.reports):.1f} s")
            for backend in backends:
                bench_import(backend, reports, args.reports, workdir, args.jobs)
        if args.only in {None, "query"}:
            for backend in backends:
                bench_queries(backend, workdir, 3_000, 50_000)
        if args.only in {None, "ingest"}:
            documents = revisions(args.agencies, range(2019, 2025))
            for backend in backends:
                bench_ingest(backend, workdir, documents)


if __name__ == "__main__":
    main()
