"""What changed between two versions of a report: fields, table cells and narrative sentences.

Only the spec fields of the record (docs/record.md) identify a version: `source` (file path,
parser name) and `parse` (diagnostics) change with who parsed it and how, not with what the agency
published, so they neither make a new version nor show up in a diff.
"""

from __future__ import annotations

import difflib
import hashlib
import json
import re
from typing import Any, Final

from catalogue.monitor import CHANGE_FIELDS, CHANGE_NOTHING, CHANGE_PARTS
from extract.schema import TABLES, Record, legacy_key, table_cells

SPEC_KEYS: Final = (
    "schema", "agency", "year", "format", "title", "sections",
    "active", "requests", "review_litigation", "legacy_stats", "narrative",
)
_SCALAR_KEYS: Final = ("agency", "year", "format", "title")
_SENTENCE_END = re.compile(r"(?<=[。；;！!？?])|\n+")


def spec_fields(record: Record) -> dict[str, Any]:
    return {k: record[k] for k in SPEC_KEYS if k in record}


def content_hash(record: Record) -> str:
    """sha256 of the spec fields as canonical JSON: equal records hash equal whatever their key order."""
    canonical = json.dumps(spec_fields(record), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _cells(record: Record) -> dict[tuple[str, str, str], Any]:
    out = {(t, r, c): v for t in TABLES for (r, c), v in table_cells(record, t).items()}
    seen: dict[str, int] = {}
    for entry in record.get("legacy_stats") or ():
        out["legacy_stats", legacy_key(str(entry.get("label")), seen), "value"] = entry.get("value")
    return out


def _sentences(text: object) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(text if isinstance(text, str) else "") if s.strip()]


def _text_changes(old: Record, new: Record) -> list[dict[str, Any]]:
    old_text, new_text = old.get("narrative") or {}, new.get("narrative") or {}
    out = []
    for section in dict.fromkeys([*old_text, *new_text]):
        a, b = _sentences(old_text.get(section)), _sentences(new_text.get(section))
        if a == b:
            continue
        removed, added = [], []
        for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
            if tag != "equal":
                removed.extend(a[i1:i2])
                added.extend(b[j1:j2])
        out.append({"section": section, "removed": removed, "added": added})
    return out


def record_diff(old: Record, new: Record) -> dict[str, Any]:
    """{"fields": [...], "cells": [...], "text": [...]}: each change with its old and new value."""
    fields = [
        {"field": k, "old": old.get(k), "new": new.get(k)} for k in _SCALAR_KEYS if old.get(k) != new.get(k)
    ]
    if (old.get("sections") or {}) != (new.get("sections") or {}):
        fields.append({"field": "sections", "old": old.get("sections"), "new": new.get("sections")})
    a, b = _cells(old), _cells(new)
    cells = [
        {"table": t, "row": r, "col": c, "old": a.get((t, r, c)), "new": b.get((t, r, c))}
        for t, r, c in dict.fromkeys([*a, *b])
        if a.get((t, r, c), "<absent>") != b.get((t, r, c), "<absent>")
    ]
    return {"fields": fields, "cells": cells, "text": _text_changes(old, new)}


def summary(diff: dict[str, Any]) -> str:
    """One line for a person: how much changed where (`单元格 3 个；文字：五、存在的主要问题及改进情况`)."""
    parts = []
    if diff.get("fields"):
        parts.append("、".join(CHANGE_FIELDS.get(f["field"], f["field"]) for f in diff["fields"]))
    if diff.get("cells"):
        parts.append(CHANGE_PARTS["cells"].format(n=len(diff["cells"])))
    if diff.get("text"):
        parts.append(CHANGE_PARTS["text"].format(n=len(diff["text"])))
    return "；".join(parts) or CHANGE_NOTHING
