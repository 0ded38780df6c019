"""Random canonical records (`xxgk.report/1`) in which every arithmetic relation holds.

`random_record` feeds round-trip tests (render → parse → compare) and the simulated
portals. Magnitudes follow real reports: most cells are 0, a few agencies handle
hundreds of requests, fees are small decimals in 万元.
"""

from __future__ import annotations

import copy
import random
from collections import Counter
from typing import Any, Final

from extract.schema import (
    ACTIVE_2019,
    ACTIVE_2021,
    APPLICANT_COLUMNS,
    REVIEW_GROUPS,
    REVIEW_PARTS,
    SCHEMA,
    SECTIONS,
    Record,
    request_rows,
    result_rows,
)
from sim.render import narrative
from sim.render.labels import LEGACY_VALUE_ROWS
from sim.render.names import random_agency

FORMATS: Final = ("2021", "2019", "hybrid", "legacy")

_YEARS: Final[dict[str, tuple[int, int]]] = {
    "2021": (2021, 2025),
    "2019": (2019, 2020),
    "hybrid": (2021, 2023),
    "legacy": (2008, 2018),
}

# How often each applicant type files, and how requests end (a request lands in one result row).
_APPLICANT_WEIGHTS: Final = (80, 8, 1, 2, 3, 6)
_RESULT_WEIGHTS: Final[dict[str, float]] = {
    "granted": 40,
    "partly_granted": 10,
    "withheld_state_secret": 0.5,
    "withheld_prohibited": 1,
    "withheld_security": 0.5,
    "withheld_third_party": 3,
    "withheld_internal": 1,
    "withheld_process": 2,
    "withheld_enforcement_file": 1,
    "withheld_inquiry": 1,
    "unavailable_not_held": 25,
    "unavailable_needs_creation": 3,
    "unavailable_unclear": 3,
    "rejected_petition": 4,
    "rejected_duplicate": 3,
    "rejected_publication": 1,
    "rejected_excessive": 1,
    "rejected_reconfirm": 1,
    "other_no_correction": 3,
    "other_unpaid_fee": 0.5,
    "other_other": 4,
    "other_handling": 7,
}


def random_record(
    rng: random.Random,
    *,
    fmt: str = "2021",
    year: int | None = None,
    agency: str | None = None,
    blanks: float = 0.0,
) -> Record:
    """A valid record of format `fmt` ("2021", "2019", "hybrid" or "legacy").

    "hybrid" is a 2021-format record whose 表三 keeps the 2019 single (六) row.
    With `blanks` > 0 that fraction of cells is None (left blank in the source); the
    narrative and title still describe the complete numbers.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; expected one of {FORMATS}")
    year = year if year is not None else rng.randint(*_YEARS[fmt])
    agency = agency if agency is not None else random_agency(rng)
    volume = _volume(rng)
    record: Record = {"schema": SCHEMA, "agency": agency, "year": year}
    if fmt == "legacy":
        record["format"] = "legacy"
        record["legacy_stats"] = _legacy_stats(rng, volume)
    else:
        record["format"] = "2019" if fmt == "2019" else "2021"
        record["sections"] = dict.fromkeys(SECTIONS, True)
        record["active"] = _active(rng, ACTIVE_2019 if fmt == "2019" else ACTIVE_2021)
        record["requests"] = _requests(rng, volume, single_other=fmt != "2021")
        record["review_litigation"] = _review(rng)
        notes = _notes(rng, record["active"])
        if notes:
            record["parse"] = {"notes": notes}
    record["title"] = narrative.title(agency, year, rng)
    record["narrative"] = narrative.write(record, rng)
    if blanks > 0:
        _blank_out(record, rng, blanks)
    return record


def last_year_of(record: Record) -> Record:
    """The agency's report on the year before, as the template's links across years want it: its 结转下年度
    is this year's 上年结转, its 现行有效 this year's less 制发 plus 废止, its 上一年项目数量 (with no 增/减)
    this year's, its 历年累计 this year's less 本年度. The rest is this year's again."""
    last = copy.deepcopy(record)
    last["year"] = record["year"] - 1
    last["title"] = str(record.get("title") or "").replace(str(record["year"]), str(last["year"]))
    requests = last.get("requests") or {}
    if "carried_over" in requests:
        requests["carry_forward"] = dict(requests["carried_over"])
    for cells in (last.get("active") or {}).values():
        if all(isinstance(cells.get(k), int) for k in ("in_force", "issued", "repealed")):
            cells["in_force"] += cells["repealed"] - cells["issued"]
        if isinstance(cells.get("change"), int | float):
            cells["change"] = 0
    for entry in last.get("legacy_stats") or ():
        if isinstance(entry.get("cumulative"), int | float) and isinstance(entry.get("value"), int | float):
            entry["cumulative"] -= entry["value"]
    return last


# ---- magnitudes --------------------------------------------------------------


def _volume(rng: random.Random) -> int:
    """Requests received in the year: none, a handful, dozens or hundreds."""
    low, high = rng.choices(((0, 0), (1, 9), (10, 60), (100, 900)), weights=(35, 35, 20, 10))[0]
    return rng.randint(low, high)


def _count(rng: random.Random, *, zero: float = 0.5, high: int = 60) -> int:
    """A 表二 count: often 0, usually small, sometimes hundreds or thousands."""
    roll = rng.random()
    if roll < zero:
        return 0
    if roll < zero + (1 - zero) * 0.7:
        return rng.randint(1, high)
    if roll < zero + (1 - zero) * 0.95:
        return rng.randint(high, 900)
    return rng.randint(1000, 25000)


def _money(rng: random.Random, *, zero: float = 0.7) -> int | float:
    """An amount in 万元 with at most two decimals; integral amounts stay ints."""
    if rng.random() < zero:
        return 0
    cents = rng.randint(*rng.choice(((1, 999), (100, 99_999), (100, 2_000_000))))
    if rng.random() < 0.3:
        cents -= cents % 100
    return cents // 100 if cents % 100 == 0 else round(cents / 100, 2)


def _split(rng: random.Random, total: int, weights: tuple[float, ...]) -> list[int]:
    """Distribute `total` items over len(weights) bins (a multinomial draw)."""
    counts = Counter(rng.choices(range(len(weights)), weights=weights, k=total))
    return [counts[i] for i in range(len(weights))]


# ---- 表二 ------------------------------------------------------------------


def _active(rng: random.Random, layout: dict[str, tuple[str, ...]]) -> dict[str, dict[str, Any]]:
    table: dict[str, dict[str, Any]] = {}
    for row, cols in layout.items():
        if row == "procurement":  # no project costs nothing, and a project costs something: 0 together
            items, amount = _count(rng, zero=0.6, high=20), _money(rng, zero=0.6)
            table[row] = {"items": max(items, 1) if amount else 0, "amount": amount}
        elif "issued" in cols:
            table[row] = _documents_2021(rng, rules=row == "rules")
        elif "new_made" in cols:
            table[row] = _documents_2019(rng, rules=row == "rules")
        elif cols == ("amount",):
            table[row] = {"amount": _money(rng)}
        else:
            table[row] = _items_2019(rng, cols) if "prior_items" in cols else {"decisions": _count(rng)}
    return table


def _documents_2021(rng: random.Random, *, rules: bool) -> dict[str, int]:
    if rules and rng.random() < 0.9:
        return {"issued": 0, "repealed": 0, "in_force": 0}
    issued = min(_count(rng, zero=0.5, high=6), 40)
    return {"issued": issued, "repealed": rng.choice((0, 0, 0, 1, 2, 3)), "in_force": issued + rng.randint(0, 40)}


def _documents_2019(rng: random.Random, *, rules: bool) -> dict[str, int]:
    if rules and rng.random() < 0.9:
        return {"new_made": 0, "new_published": 0, "total_published": 0}
    made = rng.choice((0, 0, 1, 2, 3, rng.randint(4, 30)))
    published = rng.randint(0, made)
    return {"new_made": made, "new_published": published, "total_published": published + rng.randint(0, 60)}


def _items_2019(rng: random.Random, cols: tuple[str, ...]) -> dict[str, int]:
    prior = rng.choice((0, 0, rng.randint(1, 20), rng.randint(20, 300)))
    row = {"prior_items": prior, "change": rng.choice((0, 0, 0, rng.randint(-min(prior, 5), 8)))}
    if "decisions" in cols:
        row["decisions"] = _count(rng)
    return row


def _notes(rng: random.Random, active: dict[str, dict[str, Any]]) -> dict[str, str]:
    """Remarks some publishers write into a cell (`3(到期自动废止)`), keyed `table.row.col`."""
    docs = active.get("normative_documents", {})
    if docs.get("repealed") and rng.random() < 0.3:
        return {"active.normative_documents.repealed": rng.choice(("到期自动废止", "含宣布失效", "清理废止"))}
    return {}


# ---- 表三 ------------------------------------------------------------------


def _requests(rng: random.Random, volume: int, *, single_other: bool) -> dict[str, dict[str, int]]:
    results = result_rows(single_other=single_other)
    table: dict[str, dict[str, int]] = {row: {} for row in request_rows(single_other=single_other)}
    new_by_col = _split(rng, volume, _APPLICANT_WEIGHTS)
    weights = tuple(_RESULT_WEIGHTS[row] for row in results)
    for col, new in zip(APPLICANT_COLUMNS, new_by_col, strict=True):
        carried = 0 if rng.random() < 0.75 else rng.randint(0, max(1, new // 8))
        open_items = new + carried
        forward = 0 if rng.random() < 0.7 else rng.randint(0, open_items // 5)
        done = open_items - forward
        for row, n in zip(results, _split(rng, done, weights), strict=True):
            table[row][col] = n
        table["new"][col] = new
        table["carried_over"][col] = carried
        table["total"][col] = done
        table["carry_forward"][col] = forward
    for cells in table.values():
        cells["total"] = sum(cells[c] for c in APPLICANT_COLUMNS)
    return {row: {col: cells[col] for col in (*APPLICANT_COLUMNS, "total")} for row, cells in table.items()}


# ---- 表四 ------------------------------------------------------------------


def _review(rng: random.Random) -> dict[str, dict[str, int]]:
    table: dict[str, dict[str, int]] = {}
    for group in REVIEW_GROUPS:
        busy = rng.random() < 0.25
        parts = {p: (rng.choice((0, 0, 1, 1, 2, rng.randint(3, 12))) if busy else 0) for p in REVIEW_PARTS}
        table[group] = {**parts, "total": sum(parts.values())}
    return table


# ---- legacy 统计表 ------------------------------------------------------------


def _legacy_stats(rng: random.Random, volume: int) -> list[dict[str, Any]]:
    """The §4.2 indicator list with its sums and 其中 bounds satisfied, in printed order."""

    def some(high: int, zero: float = 0.4) -> int:
        return 0 if rng.random() < zero else rng.randint(1, high)

    published = rng.randint(20, 1500)
    press = some(6)
    interviews = some(4)
    received = _split(rng, volume, (5, 1, 12, 3))
    done = sum(received)
    delayed = rng.randint(0, done // 10) if done else 0
    answers = _split(rng, done, (10, 30, 8, 6, 6, 10, 3, 3))
    reasons = _split(rng, answers[3], (1, 2, 4, 2, 3, 1))
    review = [some(2, 0.8) for _ in range(3)]
    litigation = [some(2, 0.9) for _ in range(3)]
    full_time = rng.randint(0, 3)
    part_time = rng.randint(1, 6)
    values: list[int | float] = [
        published,
        rng.randint(0, min(published, 40)),
        some(20),
        *(some(60, 0.6), some(published), some(200, 0.6), some(1000, 0.5), some(200, 0.5)),
        some(5, 0.7),
        some(10, 0.6),
        press,
        rng.randint(0, press),
        interviews,
        rng.randint(0, interviews),
        some(20),
        some(1000, 0.6),
        some(1000, 0.6),
        done,
        *received,
        done,
        done - delayed,
        delayed,
        done,
        *answers[:4],
        *reasons,
        *answers[4:],
        sum(review),
        *review,
        sum(litigation),
        *litigation,
        some(5, 0.7),
        _money(rng, zero=0.9),
        1,
        rng.randint(1, 3),
        full_time + part_time,
        full_time,
        part_time,
        _money(rng, zero=0.6),
        some(4, 0.3),
        some(4, 0.3),
        some(120, 0.3),
    ]
    return [
        {"label": row.label, "unit": row.unit, "value": value}
        for row, value in zip(LEGACY_VALUE_ROWS, values, strict=True)
    ]


# ---- blanks ----------------------------------------------------------------


def _blank_out(record: Record, rng: random.Random, fraction: float) -> None:
    """Set about `fraction` of the cells to None (blank in the source); drop notes on them."""
    notes: dict[str, str] = record.get("parse", {}).get("notes", {})
    for item in record.get("legacy_stats", ()):
        if rng.random() < fraction:
            item["value"] = None
    for table in ("active", "requests", "review_litigation"):
        for row, cells in record.get(table, {}).items():
            for col in cells:
                if rng.random() < fraction:
                    cells[col] = None
                    notes.pop(f"{table}.{row}.{col}", None)
    if "parse" in record and not notes:
        del record["parse"]
