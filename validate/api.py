"""`validate(record, previous, meta)`: one report in, its findings out."""

from __future__ import annotations

from dataclasses import replace
from typing import Final

from catalogue.findings import SCANNED_NOTE
from extract.schema import Record
from validate.context import DEFAULT_SETTINGS, Context, Meta, Settings
from validate.finding import Finding
from validate.registry import ORDER, RULES

_SEVERITY_RANK: Final = {"error": 0, "warning": 1, "info": 2}


def validate(
    record: Record,
    previous: Record | None = None,
    meta: Meta | None = None,
    *,
    settings: Settings = DEFAULT_SETTINGS,
) -> list[Finding]:
    """Every finding of every rule on `record`: errors first, then warnings, then notes (info).

    `previous` is the same agency's record for the year before (cross-year rules run only with
    it); `meta` may carry `level`, `published`, `deadline`, `agency`, `region`, and `year`: the year the
    report was filed under, as its list entry states it.
    """
    ctx = Context(record, previous, meta or {}, settings)
    findings: list[Finding] = []
    for rule in RULES:
        if ctx.kind in rule.kinds and (ctx.prev is not None or not rule.needs_previous):
            findings.extend(rule.check(rule, ctx))
    if ctx.scanned:  # a digit or a word read from a scan may be misread: never a confident contradiction
        findings = [replace(f, severity="warning", message=f.message + SCANNED_NOTE) if f.severity == "error" else f
                    for f in findings]
    findings.sort(key=_order)
    return findings


def _order(finding: Finding) -> tuple[int, int]:
    return _SEVERITY_RANK[finding.severity], ORDER[finding.rule]
