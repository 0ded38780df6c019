"""The metric dictionary as a family: every metric named, explained, computable on the formats it claims,
documented; the dictionary's rules on blanks, marks and zero denominators."""

from __future__ import annotations

import datetime as dt

import pytest

from analytics.docs import DOC, render
from analytics.metrics import BY_KEY, METRICS, Cells, Metric, find_metric
from analytics.values import _Term, _value
from catalogue.analytics import METRIC_CAVEATS, METRIC_NAMES
from extract.schema import ACTIVE_2019, ACTIVE_2021, REQUEST_COLUMNS, REVIEW_COLUMNS, REVIEW_GROUPS, request_rows
from store.status import StatusRow

SCHEMAS = {
    "2021": {"active": ACTIVE_2021, "requests": dict.fromkeys(request_rows(single_other=False), tuple(REQUEST_COLUMNS)),
             "review_litigation": dict.fromkeys(REVIEW_GROUPS, tuple(REVIEW_COLUMNS))},
    "2019": {"active": ACTIVE_2019, "requests": dict.fromkeys(request_rows(single_other=True), tuple(REQUEST_COLUMNS)),
             "review_litigation": dict.fromkeys(REVIEW_GROUPS, tuple(REVIEW_COLUMNS))},
}


def _has(fmt: str, term: Cells) -> bool:
    table = SCHEMAS[fmt][term.table]
    return all(col in table.get(row, ()) for row, col in term.cells)


@pytest.mark.parametrize("metric", METRICS, ids=lambda m: m.key)
def test_every_metric_is_named_explained_and_computable_where_it_claims(metric: Metric) -> None:
    assert METRIC_NAMES[metric.key]
    assert METRIC_CAVEATS[metric.key]
    assert find_metric(metric.key) is metric
    assert find_metric(METRIC_NAMES[metric.key]) is metric
    if metric.cell_terms():
        for fmt in SCHEMAS:  # a format it claims has every cell; one it does not claim lacks some (格式不适用)
            assert all(_has(fmt, term) for term in metric.cell_terms()) == (fmt in metric.formats)
    if metric.is_ratio:
        assert metric.total == "pooled"
    assert set(METRIC_NAMES) == set(BY_KEY) == set(METRIC_CAVEATS)


def test_docs_are_current() -> None:
    assert DOC.read_text(encoding="utf-8") == render(), "run: .venv/bin/python -m analytics.docs"


def _row(status: str = "on_time", report_id: int | None = 1, days_late: int | None = 0) -> StatusRow:
    return StatusRow("某机关", "county", "430381", 2024, status, dt.date(2025, 3, 31), None, None, days_late,
                     errors=0, warnings=0, inconsistent=False, changed=False, versions=1 if report_id else 0,
                     report_id=report_id, url=None, title=None)


def _term(total: float, n: int, *, blank: int = 0, marked: int = 0, words: int = 0) -> _Term:
    return _Term(total, n, blank, marked, words)


def test_a_zero_denominator_has_no_value_never_0_or_100_percent() -> None:
    rate = BY_KEY["granted_rate"]
    none = _value(rate, _row(), [_term(0, 1), _term(0, 1)], None)
    assert (none.state, none.value) == ("zero_denominator", None)
    some = _value(rate, _row(), [_term(3, 1), _term(4, 1)], None)
    assert (some.state, some.value) == ("value", 0.75)


def test_blank_marked_and_words_are_not_zero() -> None:
    count = BY_KEY["licensing_decisions"]
    assert _value(count, _row(), [_term(0, 1, blank=1)], None).state == "blank"
    assert _value(count, _row(), [_term(0, 1, marked=1)], None).state == "not_applicable"
    assert _value(count, _row(), [_term(0, 1, words=1)], None).state == "text"
    assert _value(count, _row(), [_term(0, 0)], None).state == "other_format"  # a 2019 or legacy report
    assert _value(count, _row(), None, None).state == "other_format"
    assert _value(count, _row("missing", None, 30), None, None).state == "no_report"
    assert _value(count, _row("not_due", None, None), None, None).state == "not_due"
    zero = Metric("t", "count", BY_KEY["licensing_decisions"].numerator, blank="zero", not_applicable="zero")
    assert _value(zero, _row(), [_term(0, 1, blank=1)], None).value == 0
    assert _value(zero, _row(), [_term(5, 2, marked=1)], None).value == 5


def test_timeliness_facts() -> None:
    on_time, days = BY_KEY["on_time_rate"], BY_KEY["days_late"]
    assert _value(on_time, _row("late", 1, 12), None, None).value == 0
    assert _value(on_time, _row("missing", None, 40), None, None).value == 0
    assert _value(on_time, _row("on_time"), None, None).value == 1
    assert _value(on_time, _row("not_due", None, None), None, None).state == "not_due"
    assert _value(on_time, _row("unreachable", None, 40), None, None).state == "unreachable"
    assert _value(days, _row("late", 1, 12), None, None).value == 12
    assert _value(days, _row("missing", None, 40), None, None).state == "no_report"
