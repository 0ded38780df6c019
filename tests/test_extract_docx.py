"""DOCX → record: LibreOffice's DOCX of every corpus record and a DOCX written with python-docx
(merged cells made with `cell.merge`) parse back to the record they were made from."""

from __future__ import annotations

from importlib.metadata import version

import pytest
from media_corpus import differences, docx_bytes, expected, names, path, record_of

from extract.document import Grid
from extract.parse import load, parse_bytes

EXTRACTOR = f"docx:python-docx-{version('python-docx')}"


@pytest.mark.parametrize(("kind", "name"), [("docx", n) for n in names("docx")] + [("pydocx", n) for n in names("pydocx")])
def test_docx_round_trip(kind: str, name: str) -> None:
    record = parse_bytes(path(kind, name).read_bytes(), name=name)
    assert differences(record, expected(record_of(name))) == {}
    assert (record["source"]["medium"], record["source"]["extractor"]) == ("docx", EXTRACTOR)


def test_merged_cells_are_counted_once() -> None:
    """表三's header: `申请人情况` spans seven columns and three header rows share the 勾稽 note;
    each merged cell is one cell of the grid, its copies share its origin."""
    from media_corpus import RECORDS  # noqa: PLC0415

    doc = load(docx_bytes(RECORDS["gold-000"]), name="x.docx")
    requests = next(g for g in doc.blocks if isinstance(g, Grid) and "自然人" in "".join(g.texts()))
    texts = requests.texts()
    assert texts.count("申请人情况") == 1
    assert sum("勾稽" in t for t in texts) == 1
    first = requests.rows[0]
    assert len({s.origin for s in first if s.text == "申请人情况"}) == 1
