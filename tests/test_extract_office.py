"""DOC and WPS → record: LibreOffice's Word 97 files of every corpus record parse back to their
record, through antiword where its text reads the tables whole and through a LibreOffice
conversion to DOCX otherwise; a conversion that hangs is killed at its timeout."""

from __future__ import annotations

import re

import pytest
from media_corpus import differences, expected, names, path, record_of

from extract.errors import UnreadableInputError
from extract.limits import Limits
from extract.office import convert, unwrap_rows
from extract.parse import parse_bytes

CONVERTED = re.compile(r"^(doc|wps):libreoffice-\d+\.\d+→docx:python-docx-[\d.]+$")


# Word-style exports of every record (a LibreOffice conversion costs a second or two each)
DOCS = [n for n in names("doc") if ".html_word." in n]


@pytest.mark.parametrize("name", DOCS)
def test_doc_round_trip(name: str) -> None:
    record = parse_bytes(path("doc", name).read_bytes(), name=name)
    assert differences(record, expected(record_of(name))) == {}
    extractor = record["source"]["extractor"]
    assert extractor == "doc:antiword" or CONVERTED.match(extractor)


def test_antiword_is_the_fast_path_where_it_reads_the_tables_whole() -> None:
    legacy = parse_bytes(path("doc", "gold-004.html_clean.doc").read_bytes(), name="x.doc")
    template = parse_bytes(path("doc", "gold-000.html_word.doc").read_bytes(), name="x.doc")
    assert legacy["source"]["extractor"] == "doc:antiword"  # a 统计表 of three columns
    assert CONVERTED.match(template["source"]["extractor"])  # antiword drops 表三's merged header


def test_a_wps_file_is_recorded_as_wps() -> None:
    """A Kingsoft .wps holds the same `WordDocument` stream as a .doc; only the name tells."""
    name = "random-3-legacy.html_clean.doc"
    record = parse_bytes(path("doc", name).read_bytes(), name="report.wps")
    assert differences(record, expected(record_of(name))) == {}
    assert record["source"]["medium"] == "wps"
    assert record["source"]["extractor"].startswith("wps:")


def test_a_conversion_that_takes_too_long_is_killed() -> None:
    data = path("doc", "gold-000.html_word.doc").read_bytes()
    with pytest.raises(UnreadableInputError, match=r"^DOC：LibreOffice 转换超过 0 秒，已放弃$"):
        convert(data, "doc", "docx", Limits(convert_timeout=0.2))


def test_antiword_cells_wrapped_over_lines_are_joined() -> None:
    text = "|行政规范性文|3 |3 |9 |\n|件          |  |  |  |\n|申请答复数 |件|   |\n|(二)申请办结|件|2 |\n"
    assert unwrap_rows(text).splitlines() == [
        "|行政规范性文件|3|3|9|", "|申请答复数 |件|   |", "|(二)申请办结|件|2 |",
    ]
