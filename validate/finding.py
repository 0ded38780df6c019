"""A finding: one thing the validator says about one report, at one place."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, fields
from typing import Any, Final, Literal

from extract.schema import in_order

Severity = Literal["error", "warning", "info"]
# "fail": the relation is broken; "uncertain": a blank part keeps us from deciding (never a finding of its
# own: the blank block's finding says it, see validate.rules.cells)
Status = Literal["fail", "uncertain"]


@dataclass(frozen=True, slots=True)
class Finding:
    rule: str
    severity: Severity
    message: str
    status: Status = "fail"
    table: str | None = None
    row: str | None = None
    col: str | None = None
    group: str | None = None
    expected: float | int | None = None
    actual: float | int | None = None
    # a narrative section (`overview`, `problems`, …) when the finding is about text, not a cell
    section: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def location(self) -> str:
        """Stable place of the finding inside a report, e.g. `requests/new/total`, `problems`."""
        parts = (self.table, self.section, self.group, self.row, self.col)
        return "/".join(p for p in parts if p) or "-"

    def fingerprint(self, report_key: str = "") -> str:
        """Same report, rule and place → same fingerprint, so a human's review survives re-validation."""
        raw = f"{report_key}|{self.rule}|{self.location}"
        return hashlib.sha1(raw.encode("utf-8"), usedforsecurity=False).hexdigest()[:16]

    def to_dict(self) -> dict[str, Any]:
        """The JSON shape of docs/record.md: location keys only where they apply."""
        # the fields' values are plain scalars: no need for asdict's deep copy
        d = {k: v for k in _PLAIN_FIELDS if (v := getattr(self, k)) is not None}
        d.update(self.extra)
        return d


_PLAIN_FIELDS: Final = tuple(f.name for f in fields(Finding) if f.name != "extra")


def in_finding_order(detail: dict[str, Any]) -> dict[str, Any]:
    """A stored finding's keys in `to_dict`'s order (a database may hand them back sorted otherwise)."""
    return in_order(detail, _PLAIN_FIELDS)
