"""The canonical record behind each report, with its defects injected, and the truth about them.

A report's tables come from a pool of random valid records (a few dozen per template, drawn
from the world seed) or from a gold record; the agency, year and title are the report's own.
Pooling keeps 3,000 portals cheap: building a record is a copy, not a fresh generation, and a
pool entry's JSON is encoded once for the truth file.

Defects are injected into the record, never into the markup, so the record stays what a
perfect parser returns for the page. The defect list is then *measured* on the record by the
same relations the validator checks (format-spec §2.7: a blank cell leaves a sum undecided
unless the known part already exceeds the other side), so it names every arithmetic rule the
injection breaks, and the gold records' own errors too.
"""

from __future__ import annotations

import json
import random
from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache
from typing import Any, Final

from extract.schema import (
    ACTIVE_2019,
    ACTIVE_2021,
    APPLICANT_COLUMNS,
    OTHER_2019,
    OTHER_2021,
    REQUEST_COLUMNS,
    REVIEW_GROUPS,
    REVIEW_PARTS,
    SCHEMA,
    Record,
    request_rows,
    result_rows,
)
from sim import gold
from sim.render import random_record
from sim.world import POOL_SIZE, Report

TABLE_KEYS: Final = ("format", "sections", "active", "requests", "review_litigation", "legacy_stats")
# Keys of the canonical record the truth carries (what a parser must recover from the page).
TRUTH_KEYS: Final = ("schema", "agency", "year", *TABLE_KEYS, "title")
_LOW_LEVELS: Final = frozenset({"county", "department", "township"})  # no 规章 power below a city
_TOLERANCE: Final = 0.005  # 万元, as the validator compares money
_TOWNSHIP_FEE_CAP: Final = 1000  # 万元: a township's fees stay well below the P-R2 unit check


# ---- sources -------------------------------------------------------------------------------


@lru_cache(maxsize=4 * POOL_SIZE)
def _pool_entry(seed: int, fmt: str, n: int) -> Record:
    """One pool record; only its tables (and the cell notes the renderer prints) are used."""
    return random_record(random.Random(f"{seed}:pool:{fmt}:{n}"), fmt=fmt)  # noqa: S311 - reproducible simulated data


def _source(seed: int, fmt: str, source: str) -> Record:
    """The record a report's tables come from: `pool:<n>` of its template, or `gold:<name>`."""
    kind, _, name = source.partition(":")
    return gold.records()[name] if kind == "gold" else _pool_entry(seed, fmt, int(name))


def _copy(source: Record) -> Record:
    """The source's tables (and cell notes), copied two levels deep: rows → columns → values,
    legacy stats a list of small dicts. Its agency, year and title are not the report's."""
    out: Record = {}
    for key in (*TABLE_KEYS, "parse"):
        if key not in source:
            continue
        value = source[key]
        if isinstance(value, dict):
            out[key] = {k: dict(v) if isinstance(v, dict) else v for k, v in value.items()}
        elif isinstance(value, list):
            out[key] = [dict(v) for v in value]
        else:
            out[key] = value
    return out


# ---- the record ----------------------------------------------------------------------------


def build_record(seed: int, report: Report, version: int = 0) -> Record:
    """The canonical record of `report` as published (version 0) or as revised (version 1)."""
    record: Record = {"schema": SCHEMA, "agency": report.printed, "year": report.year}
    record.update(_copy(_source(seed, report.fmt, report.source)))
    record["title"] = report.title
    if report.source.startswith("pool:"):
        _tame(record, report.agency.level)
        _no_carry_over(record)
    rng = random.Random(report.seed)  # noqa: S311 - reproducible simulated data
    for defect in report.injected:
        _INJECT.get(defect, _no_op)(record, rng)
    _text_traps(record, report)
    if version:
        _revise(record, rng)
    return record


def truth_record(record: Record) -> Record:
    """The record without the renderer's cell notes: the fields a parser must return."""
    return {k: record[k] for k in TRUTH_KEYS if k in record}


def _tame(record: Record, level: str) -> None:
    """Pool tables are drawn for any organ; keep what a county organ could not report out of them."""
    active = record.get("active") or {}
    if level in _LOW_LEVELS and "rules" in active:
        active["rules"] = dict.fromkeys(active["rules"], 0)
        notes = record.get("parse", {}).get("notes", {})
        for key in [k for k in notes if k.startswith("active.rules.")]:
            del notes[key]
    if level == "township":
        for row in ("fees", "procurement"):
            cells = active.get(row) or {}
            amount = cells.get("amount")
            if isinstance(amount, int | float) and amount >= _TOWNSHIP_FEE_CAP:
                cells["amount"] = round(amount / 1000, 2)


def _no_carry_over(record: Record) -> None:
    """Pool tables are drawn year by year, so nothing carried over would match last year's report
    (requests.carry_link). Most small organs finish every request within the year: carry nothing
    over, either way, and count what was finished as this year's new requests (T3-R1 holds)."""
    requests = record.get("requests") or {}
    if not {"new", "carried_over", "total", "carry_forward"} <= requests.keys():
        return
    for col, done in requests["total"].items():
        requests["new"][col] = done
        requests["carried_over"][col] = 0 if done is not None else None
        requests["carry_forward"][col] = 0 if done is not None else None


def _no_op(record: Record, rng: random.Random) -> None:
    """Defects that live outside the tables (template, dates) or in the text alone (`_text_traps`)."""


def _text_traps(record: Record, report: Report) -> None:
    """What the renderer writes into the text and no table shows (sim.render reads `parse`): a body copied
    from last year's report, and a government's own office quoted beside the region's figures."""
    hints: dict[str, Any] = {}
    if "body_year" in report.injected:
        hints["body_year"] = report.year - 1
    new = ((record.get("requests") or {}).get("new") or {}).get("total")
    if "scope_text" in report.injected and isinstance(new, int) and new > 1:
        office = report.agency.name.removesuffix("人民政府") + "政府办"
        hints["sub_unit"] = {"name": office, "received": max(1, new // 3)}
    if hints:
        record.setdefault("parse", {}).update(hints)


def _hybrid(record: Record, rng: random.Random) -> None:  # noqa: ARG001 - one signature for all injections
    """A 2021-template report that keeps the 2019 single (六)其他处理 row: the three rows summed into one."""
    requests = record["requests"]
    merged = [requests.pop(row) for row in OTHER_2021]
    single = {col: None if any(m[col] is None for m in merged) else sum(m[col] for m in merged)
              for col in REQUEST_COLUMNS}
    rows = list(requests.items())
    at = next(i for i, (row, _) in enumerate(rows) if row == "total")
    record["requests"] = dict([*rows[:at], (OTHER_2019[0], single), *rows[at:]])


def _blank_block(record: Record, rng: random.Random) -> None:
    """A whole block left blank (real-world-forms §4): every 法人或其他组织 column of 表三, or 复议后起诉."""
    if rng.random() < 0.5:
        for row, cells in record["requests"].items():
            for col in APPLICANT_COLUMNS[1:]:
                cells[col] = None
                _drop_note(record, f"requests.{row}.{col}")
        return
    record["review_litigation"]["litigation_after_review"] = dict.fromkeys(
        record["review_litigation"]["litigation_after_review"])


def _drop_note(record: Record, key: str) -> None:
    notes = record.get("parse", {}).get("notes", {})
    notes.pop(key, None)


def _blank_totals(record: Record, rng: random.Random) -> None:
    """SH2019: the 总计 cells of some result rows left blank while the applicant columns are filled."""
    requests = record["requests"]
    for row in rng.sample(result_rows(single_other=_single_other(record)), rng.randint(1, 4)):
        requests[row]["total"] = None
        _drop_note(record, f"requests.{row}.total")


def _nudge(rng: random.Random, value: int) -> int:
    """A wrong but plausible value: off by 1…5, never negative."""
    delta = rng.choice((-3, -2, -1, 1, 1, 2, 3, 5))
    return value + delta if value + delta >= 0 else value + abs(delta)


def _break_row_total(record: Record, rng: random.Random) -> None:
    row = rng.choice(request_rows(single_other=_single_other(record)))
    cells = record["requests"][row]
    cells["total"] = _nudge(rng, cells["total"])


def _break_results_total(record: Record, rng: random.Random) -> None:
    """One result cell and its row total off by the same amount: rows add up, the columns do not."""
    row = rng.choice(result_rows(single_other=_single_other(record)))
    col = rng.choice(APPLICANT_COLUMNS)
    cells = record["requests"][row]
    new = _nudge(rng, cells[col])
    cells["total"] += new - cells[col]
    cells[col] = new


def _break_balance(record: Record, rng: random.Random) -> None:
    """结转下年度 off in one column (and its row total): new + carried ≠ done + carried forward."""
    col = rng.choice(APPLICANT_COLUMNS)
    cells = record["requests"]["carry_forward"]
    new = _nudge(rng, cells[col])
    cells["total"] += new - cells[col]
    cells[col] = new


def _break_review_total(record: Record, rng: random.Random) -> None:
    cells = record["review_litigation"][rng.choice(tuple(REVIEW_GROUPS))]
    part = rng.choice(REVIEW_PARTS)
    cells[part] = _nudge(rng, cells[part])


_INJECT: Final = {
    "hybrid": _hybrid,
    "blank_block": _blank_block,
    "blank_totals": _blank_totals,
    "requests.row_total": _break_row_total,
    "requests.results_total": _break_results_total,
    "requests.balance": _break_balance,
    "review_litigation.total": _break_review_total,
}


def _revise(record: Record, rng: random.Random) -> None:
    """The revised text reports k more granted requests (all sums kept): E2, changed after publication."""
    k = rng.randint(1, 3)
    if record["format"] == "legacy":
        stat = record["legacy_stats"][0]
        stat["value"] = (stat["value"] or 0) + k
        return
    requests = record["requests"]
    cols = [c for c in REQUEST_COLUMNS if all(requests[r][c] is not None for r in ("new", "granted", "total"))]
    col = "natural_person" if "natural_person" in cols else (cols or ["natural_person"])[0]
    for row in ("new", "granted", "total"):
        for c in (col, "total"):
            if requests[row][c] is not None:
                requests[row][c] += k


def _single_other(record: Record) -> bool:
    return "other_handling" in (record.get("requests") or {})


# ---- measured defects ----------------------------------------------------------------------


def _fails(left: Sequence[float | None], right: Sequence[float | None]) -> bool:
    """Σ left ≠ Σ right, blank-aware: a blank side fails only when its known part already exceeds.

    One tolerance for all: integer sums differ by at least 1, so it only matters for 万元 amounts.
    """
    lblank, rblank = None in left, None in right
    if not (lblank or rblank):
        return abs(sum(left) - sum(right)) > _TOLERANCE  # type: ignore[arg-type]
    lsum = sum(v for v in left if v is not None)
    rsum = sum(v for v in right if v is not None)
    return (lblank and not rblank and lsum > rsum + _TOLERANCE) or (rblank and not lblank and rsum > lsum + _TOLERANCE)


def _arithmetic(record: Record) -> Iterator[str]:
    requests = record.get("requests") or {}
    if requests:
        results = result_rows(single_other=_single_other(record))
        if any(_fails([cells["total"]], [cells[c] for c in APPLICANT_COLUMNS]) for cells in requests.values()):
            yield "requests.row_total"
        if any(_fails([requests["total"][c]], [requests[r][c] for r in results]) for c in REQUEST_COLUMNS):
            yield "requests.results_total"
        balance = (
            _fails(
                [requests["new"][c], requests["carried_over"][c]], [requests["total"][c], requests["carry_forward"][c]]
            )
            for c in REQUEST_COLUMNS
        )
        if any(balance):
            yield "requests.balance"
    review = record.get("review_litigation") or {}
    if any(_fails([cells["total"]], [cells[p] for p in REVIEW_PARTS]) for cells in review.values()):
        yield "review_litigation.total"


def _template_cells(record: Record) -> Iterable[Any]:
    active_layout = ACTIVE_2019 if record["format"] == "2019" else ACTIVE_2021
    active = record.get("active") or {}
    yield from (active.get(row, {}).get(col) for row, cols in active_layout.items() for col in cols)
    for table in ("requests", "review_litigation"):
        for cells in (record.get(table) or {}).values():
            yield from cells.values()


def content_defects(record: Record) -> list[str]:
    """Rule ids the record's own tables break: the four sums of 表三/表四 and blank template cells."""
    if record.get("format") == "legacy":
        return []
    out = list(_arithmetic(record))
    if any(v is None for v in _template_cells(record)):
        out.append("blank_cell")
    return out


def defects(report: Report, record: Record, version: int) -> list[str]:
    """Every defect of the report as served in `version`, by the validator's rule ids."""
    return _with_markers(report, version, content_defects(record))


def _with_markers(report: Report, version: int, found: Iterable[str]) -> list[str]:
    """Add the defects that live outside the tables: title year, template, dates, revision."""
    out = set(found)
    if "body_year" in report.injected:
        out.add("year_mismatch")
    if {"template", "hybrid"} & set(report.injected):
        out.add("template_mismatch")
    if report.published.date() > report.deadline:
        out.add("late_publication")
    if version:
        out.add("changed_after_publication")
    return sorted(out)


def _compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def truth_entry(seed: int, report: Report, version: int) -> tuple[list[str], str]:
    """(defects, the truth record as compact JSON) of the report as served in `version`.

    Reports whose tables are their source's, untouched (the common case), reuse the source's
    encoding and measured defects: that is what keeps a 3,000-portal truth file quick to write.
    """
    if version or any(d in _INJECT for d in report.injected):
        record = build_record(seed, report, version)
        return defects(report, record, version), _compact(truth_record(record))
    level = report.agency.level if report.source.startswith("pool:") else "-"
    tables, found = _source_tables(seed, report.fmt, report.source, level)
    agency, title = quoted(report.printed), _compact(report.title)
    text = f'{{"schema":"{SCHEMA}","agency":{agency},"year":{report.year},{tables},"title":{title}}}'
    return _with_markers(report, version, found), text


@lru_cache(maxsize=65536)
def quoted(text: str) -> str:
    """A JSON string, memoised: agency names recur in every entry of their reports."""
    return _compact(text)


@lru_cache(maxsize=16 * POOL_SIZE)
def _source_tables(seed: int, fmt: str, source: str, level: str) -> tuple[str, tuple[str, ...]]:
    """A source's tables (a pool entry tamed for `level`) as JSON members (`"format":…,…`) and their defects."""
    record = _copy(_source(seed, fmt, source))
    if source.startswith("pool:"):
        _tame(record, level)
        _no_carry_over(record)
    body = {k: record[k] for k in TABLE_KEYS if k in record}
    return _compact(body)[1:-1], tuple(content_defects(record))
