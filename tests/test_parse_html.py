"""HTML reports: spans, `<br>` headers, `&nbsp;` blanks, GBK with and without a charset, portal chrome."""

from __future__ import annotations

import gzip
import json
import random
import re
import unicodedata

import pytest
from conftest import FIXTURES, assert_matches

from extract.normalize import nfkc
from extract.parse import parse_bytes

SH2019 = FIXTURES / "html" / "sh2019_like.html"
EXPECTED = json.loads((FIXTURES / "html" / "sh2019_like.json").read_text(encoding="utf-8"))


def test_2019_page_with_irregular_spans_parses_exactly() -> None:
    record = parse_bytes(SH2019.read_bytes(), name="t20200131_1.html")
    assert_matches(record, EXPECTED)


@pytest.mark.parametrize("field", ["format", "year", "agency"])
def test_2019_page_field(field: str) -> None:
    record = parse_bytes(SH2019.read_bytes(), name="a.html")
    assert record[field] == {"format": "2019", "year": 2019, "agency": "上海市人民政府办公厅"}[field]


def test_blank_total_cells_stay_null() -> None:
    record = parse_bytes(SH2019.read_bytes(), name="a.html")
    assert record["requests"]["granted"]["total"] is None
    assert record["requests"]["withheld_state_secret"]["commercial"] is None


def test_money_in_yuan_is_converted_to_wanyuan_with_a_note() -> None:
    record = parse_bytes(SH2019.read_bytes(), name="a.html")
    assert record["active"]["procurement"]["amount"] == pytest.approx(25.1)
    assert record["parse"]["notes"]["active.procurement.amount"] == "251000元"


def test_signed_change_cells() -> None:
    active = parse_bytes(SH2019.read_bytes(), name="a.html")["active"]
    assert (active["licensing"]["change"], active["fees"]["change"]) == (1, -1)


def test_gbk_without_any_charset_decodes() -> None:
    raw = SH2019.read_bytes()
    stripped = re.sub(rb"<meta[^>]*charset[^>]*>", b"", raw)
    assert b"charset" not in stripped
    assert_matches(parse_bytes(stripped, name="a.html"), EXPECTED)


def test_utf8_page_with_header_charset() -> None:
    text = SH2019.read_bytes().decode("gb18030").replace("charset=gb2312", "charset=utf-8")
    assert_matches(parse_bytes(text.encode("utf-8"), name="a.html", charset="utf-8"), EXPECTED)


def test_gzip_without_content_encoding() -> None:
    assert_matches(parse_bytes(gzip.compress(SH2019.read_bytes()), name="a.html"), EXPECTED)


WORD_TABLE = """<html><body><div class=WordSection1>
<p class=MsoNormal><span style='font-family:黑体'>一、总体情况<o:p></o:p></span></p>
<p class=MsoNormal>2023年，某某县教育局认真落实条例。</p>
<p class=MsoNormal>二、主动公开政府信息情况</p>
<table class=MsoTableGrid border=1 cellspacing=0 style='border-collapse:collapse;border:none'>
<tr><td colspan=4 style='border:solid windowtext 1.0pt'><p class=MsoNormal align=center><span>第二十条第（一）项</span></p></td></tr>
<tr><td><p class=MsoNormal><span>信息内容</span></p></td><td><p class=MsoNormal><span>本年</span><span>制发件数</span></p></td>
<td><p class=MsoNormal>本年<br>废止件数</p></td><td><p class=MsoNormal>现行有效件数</p></td></tr>
<tr><td><p class=MsoNormal>规章</p></td><td><p class=MsoNormal align=center><span lang=EN-US>0<o:p></o:p></span></p></td>
<td><p class=MsoNormal>&nbsp;<span lang=EN-US>0</span>&nbsp;</p></td><td><p class=MsoNormal><span lang=EN-US>0</span></p></td></tr>
<tr><td><p class=MsoNormal>行政规范性文件</p></td><td><p class=MsoNormal><span style='mso-spacerun:yes'>&nbsp;</span>2</p></td>
<td><p class=MsoNormal>1</p></td><td><p class=MsoNormal>1,204</p></td></tr>
</table></div></body></html>"""


def test_word_export_markup() -> None:
    record = parse_bytes(WORD_TABLE.encode(), name="a.htm")
    assert record["active"]["rules"] == {"issued": 0, "repealed": 0, "in_force": 0}
    assert record["active"]["normative_documents"] == {"issued": 2, "repealed": 1, "in_force": 1204}
    assert record["agency"] == "某某县教育局"
    assert record["year"] == 2023
    assert "active.licensing" in record["parse"]["missing_rows"]


@pytest.mark.parametrize("depth", [300, 2000])
def test_a_page_nested_deep_is_read_whole(depth: int) -> None:
    """libxml2 drops what is nested deeper than 256 elements unless told otherwise; the walk is not recursive."""
    html = SH2019.read_bytes()  # GB2312, as declared
    start = html.index(b">", html.index(b"<body")) + 1
    end = html.rindex(b"</body>")
    nested = html[:start] + b"<div>" * depth + html[start:end] + b"</div>" * depth + html[end:]
    assert_matches(parse_bytes(nested, name="t20200131_1.html"), EXPECTED)


def test_a_long_page_is_folded_as_one_nfkc_call_folds_it() -> None:
    """`nfkc` folds a long text in pieces cut before ASCII characters: what follows a cut (a combining
    mark, a Hangul vowel, a full-width form) must fold as it does in one piece."""
    tricky = [*"a<>=\n 0", "\u0301", "\u0338", "\u0327\u0300", "\u1100", "\u1161", "\u11a8", "\uac00",
              "\uff10", "\uff1c", "\u3000", "\uff9e", "\u304b\u3099", "\ufb01", "\u2474", "总体情况", "\u0f73",
              "\ufdfa", "\U0001d15e\U0001d165"]
    rng = random.Random(0)
    for _ in range(200):
        text = "".join(rng.choice(tricky) for _ in range(rng.randrange(1500, 6000)))
        assert nfkc(text) == unicodedata.normalize("NFKC", text)
    page = SH2019.read_bytes().decode("gb18030") * 4
    assert nfkc(page) == unicodedata.normalize("NFKC", page)
