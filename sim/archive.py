"""A synthetic archive of report rows for the matrix: thousands of agencies × years in seconds.

The dashboard's matrix and lists read agencies and reports only; crawling or importing 33,000 reports
to measure them would take an hour. This writes those rows directly, with the spread a real province
shows (most on time, some late, some missing, a few inconsistent or revised, some agencies with their
own deadline), deterministically from a seed.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any, Final

from sqlalchemy import insert

from store.db import Archive
from store.models import Agency, Report
from store.status import deadline_of

_LEVELS: Final = (("department", 0.55), ("township", 0.3), ("county", 0.1), ("city", 0.04), ("province", 0.01))
_BATCH: Final = 2000
SEEN: Final = dt.datetime(2026, 4, 20, tzinfo=dt.UTC)


def _level(rng: random.Random) -> str:
    pick = rng.random()
    for level, share in _LEVELS:
        if pick < share:
            return level
        pick -= share
    return _LEVELS[0][0]


def agencies(count: int, seed: int = 7) -> list[dict[str, Any]]:
    """`count` agencies over counties of two provinces, names unique."""
    rng = random.Random(seed)  # noqa: S311 - a reproducible world, not a secret
    out = []
    for n in range(count):
        level = _level(rng)
        county = f"{43 + n % 2}{(n // 2) % 14 + 1:02d}{(n // 28) % 30 + 1:02d}"
        out.append({
            "name": f"模拟{county}第{n}号{'人民政府' if level in {'county', 'city', 'province'} else '局'}",
            "level": level, "region": county, "supervisors": [], "created_at": SEEN,
            "deadline": "02-20" if n % 97 == 0 else None,
        })
    return out


def report_row(rng: random.Random, agency_id: int, agency: dict[str, Any], year: int) -> dict[str, Any] | None:
    """One agency-year's report row, or None when the agency never published it."""
    if rng.random() < 0.06:
        return None
    deadline = deadline_of(agency["level"], agency["deadline"], year)
    late = rng.random() < 0.12
    published = deadline + dt.timedelta(days=rng.randint(1, 60) if late else -rng.randint(0, 40))
    errors = rng.choice((0, 0, 0, 0, 0, 1, 2, 5))
    return {
        "agency_id": agency_id, "year": year, "url": f"http://sim.invalid/{agency_id}/{year}.html",
        "title": f"{agency['name']}{year}年政府信息公开工作年度报告", "published": published,
        "published_source": "page", "first_seen_at": SEEN, "last_seen_at": SEEN, "current_version": 1,
        "errors": errors, "inconsistencies": errors, "warnings": rng.choice((0, 1, 3)),
        "revised_at": SEEN if rng.random() < 0.03 else None,
    }


def fill(archive: Archive, count: int, years: range, seed: int = 7) -> int:
    """Insert `count` agencies and their reports on `years` into an empty archive; returns the number of reports."""
    rng = random.Random(seed)  # noqa: S311
    made = agencies(count, seed)
    with archive.write_rows() as conn:
        for start in range(0, len(made), _BATCH):
            batch = made[start:start + _BATCH]
            conn.execute(insert(Agency), batch)
        ids = list(conn.execute(Agency.__table__.select().with_only_columns(Agency.id).order_by(Agency.id)).scalars())
        rows: list[dict[str, Any]] = []
        for agency_id, agency in zip(ids, made, strict=True):
            rows.extend(row for year in years if (row := report_row(rng, agency_id, agency, year)) is not None)
        for start in range(0, len(rows), _BATCH):
            conn.execute(insert(Report), rows[start:start + _BATCH])
        return len(rows)
