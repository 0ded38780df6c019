"""The renderers: every layout of every gold record is a well-formed document holding the
template's labels and the record's numbers; random records satisfy every relation."""

from __future__ import annotations

import random
import re
import unicodedata
from decimal import Decimal
from typing import Any

import lxml.html
import pytest
from conftest import GOLD

from extract.schema import (
    ACTIVE_2019,
    ACTIVE_2021,
    APPLICANT_COLUMNS,
    MONEY_CELLS,
    REVIEW_GROUPS,
    REVIEW_PARTS,
    SECTIONS,
    request_rows,
    result_rows,
)
from sim.render import EXTENSIONS, FORMATS, LAYOUTS, labels, random_record, render_html, render_text
from sim.render.model import Cell, Table

HTML_LAYOUTS = sorted(n for n, ext in EXTENSIONS.items() if ext == "html")
TEXT_LAYOUTS = sorted(n for n, ext in EXTENSIONS.items() if ext != "html")

_NUMBER = re.compile(r"[+-]?\d+(?:\.\d+)?")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3})")


@pytest.fixture(scope="module")
def rendered() -> dict[tuple[str, str], bytes]:
    return {(layout, name): render(GOLD[name]) for layout, render in LAYOUTS.items() for name in GOLD}


def decode(layout: str, data: bytes) -> str:
    return data.decode("gb18030" if "gbk" in layout else "utf-8")


def spaced_text(layout: str, data: bytes) -> str:
    """The document's text, NFKC-normalised, text nodes separated by spaces."""
    text = decode(layout, data)
    if EXTENSIONS[layout] == "html":
        root = lxml.html.fromstring(text)
        for junk in root.xpath("//script|//style"):
            junk.drop_tree()
        text = " ".join(root.itertext())
    return unicodedata.normalize("NFKC", text)


def visible_text(layout: str, data: bytes) -> str:
    """The document's text without whitespace (labels may be spaced or split over nodes)."""
    return re.sub(r"\s+", "", spaced_text(layout, data))


def numbers_in(text: str) -> set[Decimal]:
    return {Decimal(m) for m in _NUMBER.findall(_THOUSANDS.sub("", text))}


def row_labels(record: dict[str, Any]) -> list[str]:
    """Printed labels every rendering must carry (header cells may lose a line, rows may not)."""
    if record["format"] == "legacy":
        return [row.printed for row in labels.LEGACY_ROWS]
    out = [*labels.REQUEST_LEVEL1.values(), labels.RESULTS_LABEL]
    rows = record["requests"]
    out += [text for key, text in labels.REQUEST_LEVEL2.items() if key in rows]
    out += [text for group in labels.REQUEST_GROUPS.values() for key, text in group.rows if key in rows]
    blocks = labels.ACTIVE_BLOCKS_2019 if record["format"] == "2019" else labels.ACTIVE_BLOCKS_2021
    out += [block.header for block in blocks]
    out += [text for block in blocks for key, text in block.rows if key != "normative_documents"]
    out += [labels.NORMATIVE_OLD_LABEL, labels.REVIEW, labels.LITIGATION, *labels.LITIGATION_GROUPS.values()]
    return out


def record_values(record: dict[str, Any]) -> list[int | float]:
    if record["format"] == "legacy":
        return [s["value"] for s in record["legacy_stats"] if s["value"] is not None]
    return [
        v
        for table in ("active", "requests", "review_litigation")
        for cells in record[table].values()
        for v in cells.values()
        if v is not None
    ]


# ---- every layout × every gold record ----------------------------------------


@pytest.mark.parametrize("name", sorted(GOLD))
@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_layout_carries_labels_and_numbers(layout: str, name: str, rendered: dict[tuple[str, str], bytes]) -> None:
    record = GOLD[name]
    text = visible_text(layout, rendered[layout, name])
    norm = [re.sub(r"\s+", "", unicodedata.normalize("NFKC", label)) for label in row_labels(record)]
    assert [label for label in norm if label not in text] == []
    found = numbers_in(spaced_text(layout, rendered[layout, name]))
    assert {Decimal(str(v)) for v in record_values(record)} - found == set()
    if record["agency"] is not None:
        assert record["agency"] in text
    else:
        assert "民政局" not in text  # seed 001 never names itself in full: neither may its rendering


@pytest.mark.parametrize("name", sorted(GOLD))
@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_layout_is_deterministic(layout: str, name: str, rendered: dict[tuple[str, str], bytes]) -> None:
    assert LAYOUTS[layout](GOLD[name]) == rendered[layout, name]


@pytest.mark.parametrize("name", sorted(GOLD))
@pytest.mark.parametrize("layout", HTML_LAYOUTS)
def test_html_parses_with_template_spans(layout: str, name: str, rendered: dict[tuple[str, str], bytes]) -> None:
    root = lxml.html.fromstring(decode(layout, rendered[layout, name]))
    spans = {(td.get("rowspan", "1"), td.get("colspan", "1"), td.text_content().strip()) for td in root.iter("td")}
    cells = {re.sub(r"\s+", "", t) for _, _, t in spans}
    if GOLD[name]["format"] == "legacy":
        assert "统计数" in cells
        return
    rows_in_results = "20" if "other_handling" in GOLD[name]["requests"] else "22"
    assert (rows_in_results, "1", labels.RESULTS_LABEL) in spans
    assert ("3", "3", labels.REQUESTS_NOTE) in spans
    assert ("1", "7", labels.APPLICANTS) in spans
    assert ("1", "5", labels.REVIEW) in spans
    assert ("1", "10", labels.LITIGATION) in spans


@pytest.mark.parametrize("name", sorted(GOLD))
def test_gbk_pages_decode_as_gb18030_and_nocharset_declares_none(
    name: str, rendered: dict[tuple[str, str], bytes]
) -> None:
    bare = rendered["html_gbk_nocharset", name]
    with pytest.raises(UnicodeDecodeError):
        bare.decode("utf-8")
    assert "charset" not in bare.decode("gb18030").lower()
    declared = rendered["html_gbk", name].decode("gb18030")
    assert "charset=gb2312" in declared


@pytest.mark.parametrize("name", sorted(GOLD))
def test_portal_page_has_chrome_around_the_report(name: str, rendered: dict[tuple[str, str], bytes]) -> None:
    page = rendered["html_portal", name].decode("utf-8")
    for marker in (
        'name="ArticleTitle"',
        'name="PubDate"',
        "当前位置",
        "索 引 号",
        "发布机构",
        "网站地图",
        "ICP备",
        "<script",
    ):
        assert marker in page
    first_table_label = "统计数" if GOLD[name]["format"] == "legacy" else "第二十条"
    assert page.index("发布机构") < page.index(first_table_label)  # the metadata table sits above the report


_T20_LINE = re.compile(r"^(?:\||[^|]*[^ |] \||\|+)$")


@pytest.mark.parametrize("name", sorted(GOLD))
def test_trafilatura20_table_lines_follow_the_seed_shape(name: str, rendered: dict[tuple[str, str], bytes]) -> None:
    lines = rendered["txt_trafilatura20", name].decode("utf-8").splitlines()
    table_lines = [line for line in lines if "|" in line]
    assert table_lines
    assert all(_T20_LINE.match(line) for line in table_lines)
    # every row starts with a lone "|" and a label cell
    starts = [i for i, line in enumerate(lines) if line == "|" and i + 1 < len(lines) and lines[i + 1].endswith(" |")]
    assert len(starts) >= (len(labels.LEGACY_ROWS) if GOLD[name]["format"] == "legacy" else 40)


@pytest.mark.parametrize("name", sorted(GOLD))
def test_tabs_rows_are_tab_lines_separated_by_blank_lines(name: str, rendered: dict[tuple[str, str], bytes]) -> None:
    text = rendered["txt_tabs", name].decode("utf-8")
    cells = [line for line in text.splitlines() if line.startswith("\t")]
    record = GOLD[name]
    if record["format"] != "legacy":
        # 表三: every data row has a label + 7 values; placeholders fill the spanned label columns
        start = text.index("\t" + labels.REQUEST_LEVEL1["new"])
        row = text[start:].split("\n\n", 1)[0].split("\n")
        assert len(row) == 8
        assert "\t\n\t\n\t" in text  # two placeholders before a (三) sub-row
    assert len(cells) > 50


@pytest.mark.parametrize("name", sorted(GOLD))
def test_markdown_rows_have_the_table_width(name: str, rendered: dict[tuple[str, str], bytes]) -> None:
    lines = rendered["markdown", name].decode("utf-8").splitlines()
    widths = {line.count("|") - 1 for line in lines if line.startswith("|")}
    expected = {3} if GOLD[name]["format"] == "legacy" else {4, 10, 15}
    assert widths == expected
    assert any(re.fullmatch(r"\|(?:---\|)+", line) for line in lines)


# ---- the shared table model ----------------------------------------------------


def test_table_model_views_agree_on_spans() -> None:
    a, b, c = Cell(("a",), rowspan=2), Cell(("b",), colspan=2), Cell(("c",))
    table = Table("t", ((a, b), (c, Cell(("d",)))))
    assert table.width == 3
    assert table.expanded() == [[a, b, None], [None, c, table.rows[1][1]]]
    assert table.with_placeholders() == [[a, b], [None, c, table.rows[1][1]]]


@pytest.mark.parametrize("style", ["clean", "word", "portal"])
def test_notes_render_inside_their_cell(style: str) -> None:
    record = random_record(random.Random(7), fmt="2021")
    record["active"]["normative_documents"]["repealed"] = 3
    record["parse"] = {"notes": {"active.normative_documents.repealed": "到期自动废止"}}
    text = visible_text("html_clean", render_html(record, style=style).encode())
    assert "3(到期自动废止)" in text


def test_unknown_styles_are_rejected() -> None:
    record = random_record(random.Random(1))
    with pytest.raises(ValueError, match="unknown"):
        render_text(record, style="docx")
    with pytest.raises(ValueError, match="unknown"):
        render_html(record, style="pdf")
    with pytest.raises(ValueError, match="unknown format"):
        random_record(random.Random(1), fmt="1999")


# ---- random records ------------------------------------------------------------


def check_record(record: dict[str, Any], fmt: str) -> None:
    """Every relation of format-spec §2.7/§4.3 that a complete record must satisfy."""
    assert record["schema"] == "xxgk.report/1"
    assert record["agency"] in record["title"]
    assert str(record["year"]) in record["title"]
    if fmt == "legacy":
        check_legacy(record)
        return
    assert record["format"] == ("2019" if fmt == "2019" else "2021")
    assert record["sections"] == dict.fromkeys(SECTIONS, True)
    layout = ACTIVE_2019 if fmt == "2019" else ACTIVE_2021
    assert {row: tuple(cols) for row, cols in record["active"].items()} == layout
    for row, cols in record["active"].items():
        for col, value in cols.items():
            if (row, col) in MONEY_CELLS:
                assert value >= 0
                assert Decimal(str(value)).as_tuple().exponent >= -2
            else:
                assert isinstance(value, int)
                assert value >= 0 or col == "change"
    single = fmt != "2021"
    req = record["requests"]
    assert list(req) == list(request_rows(single_other=single))
    for row, cells in req.items():
        assert list(cells) == [*APPLICANT_COLUMNS, "total"]
        assert all(isinstance(v, int) and v >= 0 for v in cells.values())
        assert cells["total"] == sum(cells[c] for c in APPLICANT_COLUMNS), row
    for col in (*APPLICANT_COLUMNS, "total"):
        assert req["total"][col] == sum(req[r][col] for r in result_rows(single_other=single)), col
        assert req["new"][col] + req["carried_over"][col] == req["total"][col] + req["carry_forward"][col], col
    assert list(record["review_litigation"]) == list(REVIEW_GROUPS)
    for group, cells in record["review_litigation"].items():
        assert cells["total"] == sum(cells[p] for p in REVIEW_PARTS), group
    overview = record["narrative"]["overview"]
    assert f"本年新收政府信息公开申请{req['new']['total']}件" in overview
    assert f"结转下年度{req['carry_forward']['total']}件" in overview
    assert f"行政复议{record['review_litigation']['review']['total']}件" in overview


def check_legacy(record: dict[str, Any]) -> None:
    assert record["format"] == "legacy"
    assert [s["label"] for s in record["legacy_stats"]] == list(labels.LEGACY_LABELS)
    values = [s["value"] for s in record["legacy_stats"]]
    v = dict(zip(labels.LEGACY_LABELS, values, strict=True))  # first occurrence wins below via index
    i = list(labels.LEGACY_LABELS).index
    assert all(x >= 0 for x in values)
    assert v["收到申请数"] == v["当面申请数"] + v["传真申请数"] + v["网络申请数"] + v["信函申请数"]
    assert v["申请办结数"] == v["按时办结数"] + v["延期办结数"]
    assert v["从事政府信息公开工作人员数"] == v["专职人员数"] + v["兼职人员数"]
    review = i("行政复议数量")
    assert values[review] == sum(values[review + 1 : review + 4])
    litigation = i("行政诉讼数量")
    assert values[litigation] == sum(values[litigation + 1 : litigation + 4])
    answers = values[i("申请答复数") + 1 : i("申请答复数") + 15]
    assert values[i("申请答复数")] == sum(answers[:4]) + sum(answers[10:])
    assert values[i("不同意公开答复数")] == sum(answers[4:10])
    for part, parent in (
        ("主动公开规范性文件数", "主动公开政府信息数"),
        ("主要负责同志参加新闻发布会次数", "参加或举办新闻发布会总次数"),
        ("主要负责同志参加政府网站在线访谈次数", "政府网站在线访谈次数"),
    ):
        assert v[part] <= v[parent]


@pytest.mark.parametrize("fmt", FORMATS)
def test_random_records_satisfy_every_relation(fmt: str) -> None:
    for seed in range(60):
        check_record(random_record(random.Random(seed), fmt=fmt), fmt)


def test_random_records_are_deterministic_and_varied() -> None:
    a = random_record(random.Random(5), fmt="2021")
    assert a == random_record(random.Random(5), fmt="2021")
    records = [random_record(random.Random(s)) for s in range(200)]
    totals = [r["requests"]["new"]["total"] for r in records]
    assert totals.count(0) > 20
    assert max(totals) >= 100
    assert len({r["agency"] for r in records}) > 50
    assert any("\n" in r["title"] for r in records)
    assert any(r["title"].startswith(str(r["year"])) for r in records)


def test_blanks_leave_that_fraction_of_cells_empty() -> None:
    record = random_record(random.Random(3), fmt="2019", year=2020, agency="湘乡市民政局", blanks=0.3)
    assert (record["year"], record["agency"]) == (2020, "湘乡市民政局")
    cells = [v for t in ("active", "requests", "review_litigation") for row in record[t].values() for v in row.values()]
    assert 0.2 < sum(v is None for v in cells) / len(cells) < 0.4
    legacy = random_record(random.Random(3), fmt="legacy", blanks=1.0)
    assert all(s["value"] is None for s in legacy["legacy_stats"])


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_random_records_render_in_every_layout(fmt: str, layout: str) -> None:
    record = random_record(random.Random(11), fmt=fmt, blanks=0.05)
    data = LAYOUTS[layout](record)
    assert record["agency"] in visible_text(layout, data)
    assert {Decimal(str(v)) for v in record_values(record)} - numbers_in(spaced_text(layout, data)) == set()
