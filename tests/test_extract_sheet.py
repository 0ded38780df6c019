"""Spreadsheets → record: LibreOffice's XLSX of every corpus page, an agency-style XLSX written
with openpyxl (paragraphs in column A, tables with merged cells, numbers as numbers), its Excel 97
copy, and a WPS/Excel "save as web page" export all parse back to their record."""

from __future__ import annotations

from importlib.metadata import version

import pytest
from media_corpus import RECORDS, differences, expected, names, path, record_of, sheet_html

from extract.parse import parse_bytes

OPENPYXL = f"xlsx:openpyxl-{version('openpyxl')}"


# Excel 97 copies are converted back by LibreOffice (a second or two each): one per template
XLS = ["gold-000.xls", "random-1-2019.xls", "gold-004.xls"]


@pytest.mark.parametrize(("kind", "name"), [(k, n) for k in ("xlsx", "pyxlsx") for n in names(k)] + [("xls", n) for n in XLS])
def test_sheet_round_trip(kind: str, name: str) -> None:
    record = parse_bytes(path(kind, name).read_bytes(), name=name)
    assert differences(record, expected(record_of(name))) == {}
    extractor = record["source"]["extractor"]
    if kind == "xls":
        assert record["source"]["medium"] == "xls"
        assert extractor.startswith("xls:libreoffice-")
        assert extractor.endswith(f"→{OPENPYXL}")
    else:
        assert (record["source"]["medium"], extractor) == ("xlsx", OPENPYXL)


@pytest.mark.parametrize("key", sorted(RECORDS))
def test_spreadsheet_saved_as_web_page(key: str) -> None:
    """`<meta name=ProgId content=Excel.Sheet>`, GB2312, served as `.xls`: one table for the sheet."""
    record = parse_bytes(sheet_html(RECORDS[key]), name="report.xls")
    assert differences(record, expected(RECORDS[key])) == {}
    assert record["source"]["medium"] == "html"
