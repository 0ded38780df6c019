"""What a monitor said about a simulated world, scored against the simulator's truth.

Two questions: did the archive store every report under its registered agency and stated year, and
nothing else (recall, misfiled, extra)? And is every alert a supervisor gets true — no false
"missing" (the report is online), no false "late" (published by its deadline), no false "inconsistent"
(its numbers agree)? The truth lists each report's defects by the validator's rule ids; numbers that
contradict each other are the sums of 表三 and 表四, and, across years, a carry-over that differs from
last year's report (derived here from the truth's own records).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final

from extract.schema import REQUEST_COLUMNS

Key = tuple[str, int]  # agency, year
# defects whose report has numbers that contradict each other: what "inconsistent" may be said of
CONTRADICTIONS: Final = frozenset({
    "requests.row_total", "requests.results_total", "requests.balance", "review_litigation.total",
    "requests.carry_link",
})


@dataclass(slots=True)
class ArchiveScore:
    expected: int  # agency-years the truth has reports for
    stored: int  # of those, stored under the registered agency and the stated year
    misfiled: list[tuple[Key, Key]] = field(default_factory=list)  # (truth, stored) where they differ
    extra: list[str] = field(default_factory=list)  # stored report URLs the truth does not know
    new_agencies: list[str] = field(default_factory=list)  # archive agencies the registry does not list

    @property
    def recall(self) -> float:
        return self.stored / self.expected if self.expected else 1.0

    @property
    def perfect(self) -> bool:
        return self.stored == self.expected and not (self.misfiled or self.extra or self.new_agencies)


@dataclass(slots=True)
class AlertScore:
    alerts: dict[str, int] = field(default_factory=dict)  # kind → alerts of it (reminders not counted)
    false: dict[str, list[Key]] = field(default_factory=dict)  # missing / late / inconsistent → false ones
    missed: dict[str, list[Key]] = field(default_factory=dict)  # true ones no alert says (not precision)

    @property
    def false_alarms(self) -> int:
        return sum(len(v) for v in self.false.values())


def contradictions(truth: Mapping[str, Any]) -> dict[Key, set[str]]:
    """Each truth report's defects that are contradicting numbers, with the cross-year carry-over added."""
    reports = {(r["agency"], r["year"]): r for r in truth["reports"]}
    out: dict[Key, set[str]] = {}
    for key, report in reports.items():
        found = set(CONTRADICTIONS & set(report["defects"]))
        before = reports.get((key[0], key[1] - 1))
        if before is not None and _carry_differs(before["record"], report["record"]):
            found.add("requests.carry_link")
        out[key] = found
    return out


def _carry_differs(before: Mapping[str, Any], now: Mapping[str, Any]) -> bool:
    forward = (before.get("requests") or {}).get("carry_forward") or {}
    carried = (now.get("requests") or {}).get("carried_over") or {}
    return any(forward.get(c) is not None and carried.get(c) is not None and forward[c] != carried[c]
               for c in REQUEST_COLUMNS)


def score_archive(truth: Mapping[str, Any], stored: Mapping[str, Key], agencies: Iterable[str]) -> ArchiveScore:
    """`stored`: report URL → (agency, year) as the archive files it; `agencies`: the archive's agencies."""
    registered = {a["name"] for a in truth["agencies"]}
    score = ArchiveScore(expected=len({(r["agency"], r["year"]) for r in truth["reports"]}), stored=0)
    filed: set[Key] = set()
    known_urls: set[str] = set()
    for report in truth["reports"]:
        key: Key = (report["agency"], report["year"])
        urls = [u for u in (report["url"], report.get("attachment")) if u]
        known_urls.update(urls)
        got = [stored[u] for u in urls if u in stored]
        if key in got:
            filed.add(key)
        score.misfiled += [(key, g) for g in got if g != key]
    score.stored = len(filed)
    score.extra = sorted(u for u in stored if u not in known_urls)
    score.new_agencies = sorted(set(agencies) - registered)
    return score


def score_alerts(truth: Mapping[str, Any], alerts: Iterable[tuple[str, Mapping[str, Any]]]) -> AlertScore:
    """`alerts`: (kind, fact payload) of every first notice. A missing alert is false when the report is
    online; late, when it was published by its deadline; inconsistent, when its numbers agree; unreadable,
    when the report is online (the simulator publishes none that cannot be read)."""
    reports = {(r["agency"], r["year"]): r for r in truth["reports"]}
    never = {(n["agency"], n["year"]) for n in truth["never_published"]}
    wrong = contradictions(truth)
    score = AlertScore(false={"missing": [], "late": [], "inconsistent": [], "unreadable": []})
    said: dict[str, set[Key]] = {"missing": set(), "late": set(), "inconsistent": set()}
    for kind, fact in alerts:
        score.alerts[kind] = score.alerts.get(kind, 0) + 1
        key: Key = (fact.get("agency"), fact.get("year"))  # type: ignore[assignment]
        said.get(kind.split("_")[0], set()).add(key)
        report = reports.get(key)
        if kind == "missing_report" and key not in never:
            score.false["missing"].append(key)
        elif kind == "late_report" and (report is None or "late_publication" not in report["defects"]):
            score.false["late"].append(key)
        elif kind == "inconsistent_report" and not wrong.get(key):
            score.false["inconsistent"].append(key)
        elif kind == "unreadable_report" and report is not None:
            score.false["unreadable"].append(key)
    late = {k for k, r in reports.items() if "late_publication" in r["defects"]}
    truly = {"missing": never, "late": late, "inconsistent": {k for k, found in wrong.items() if found}}
    score.missed = {kind: sorted(truly[kind] - said[kind]) for kind in truly}
    return score
