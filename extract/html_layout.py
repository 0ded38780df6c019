"""HTML report pages → Document: the report's container, its lines and its table grids.

Portal pages wrap the report in menus, breadcrumbs and footers. We pick the container that
holds the report (scored by the template's headings, as KIROGOVCOMPARE does), walk it in
document order, and read every data table with lxml so that spans survive. When no container
carries the report, trafilatura's main-text extraction decides what is content.
"""

from __future__ import annotations

import re
from typing import Any

from lxml import etree

from extract.document import Block, Document, Grid, Line
from extract.grid import build_grid, mark_breaks, table_rows, text_of
from extract.limits import LIMITS, CellBudget, Limits
from extract.normalize import clean_line, is_page_number, nfkc
from extract.sheet import split_sheet

# Body containers of the CMS families (portals.md §2.8, KIROGOVCOMPARE's priority list).
_CONTAINER_IDS = frozenset({"ivs_content", "webeditorview", "zoom", "Zoom", "article", "articleContent",
                            "mainContent", "UCAP-CONTENT", "mainText", "content"})
_CONTAINER_CLASSES = frozenset({"TRS_Editor", "trs_editor_view", "Custom_UnionStyle", "view-content",
                                "webeditorview", "article-content", "detail-content", "xxgk_content",
                                "zw-content", "main-content", "wzzw-article", "news_cont_d_wrap",
                                "content_article", "article", "infocontent"})
_CONTAINER_TAGS = frozenset({"article", "main"})
_REPORT_WORDS = re.compile(
    r"总体情况|主动公开政府信息情况|收到和处理政府信息公开申请|行政复议|存在的主要问题|其他需要报告|"
    r"第二十条|本年新收|依申请公开|收到申请数|年度报告"
)
_NOISE = re.compile(r"繁體|无障碍|当前位置|分享到|网站地图|ICP备|主办单位|版权所有|返回顶部")
# elements whose text is no page content (a script, a form, the page's frame)
SKIP_TAGS = frozenset({"script", "style", "noscript", "nav", "select", "button", "iframe", "form",
                       "head", "object", "svg", "template", "footer", "header"})
_NAV = re.compile(r"(^|[\s_-])(nav|menu|footer|foot|header|top|breadcrumb|crumb|share|sidebar|"
                  r"toolbar|copyright|friendlink|links?|bottom)([\s_-]|$)", re.IGNORECASE)
_BLOCK_TAGS = frozenset({"p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "ul", "ol", "section",
                         "article", "blockquote", "pre", "dd", "dt", "dl", "tr", "td", "th", "center",
                         "main", "body", "caption", "figure", "figcaption", "address"})
_META_NAMES = ("ArticleTitle", "PubDate", "ContentSource", "ColumnName", "Maketime", "firstpublishedtime",
               "Description", "Keywords", "SiteName")


# huge_tree: libxml2 otherwise drops whatever is nested deeper than 256 elements (a Word page can be);
# with it the depth stops at 2,048, and the walk below needs no recursion. Nothing looks an element up by
# its id: libxml2 need not index them (collect_ids)
HTML_PARSER = etree.HTMLParser(remove_comments=True, remove_pis=True, huge_tree=True, collect_ids=False)


def _score(el: Any) -> int:
    text = text_of(el)
    return 10 * len(_REPORT_WORDS.findall(text)) - 5 * len(_NOISE.findall(text))


def _candidates(root: Any) -> list[Any]:
    """Elements that may hold the report: a body container's tag, id or class (one inline test per element)."""
    return [
        el for el in root.iter("div", "article", "main", "section", "td", "span")
        if el.tag in _CONTAINER_TAGS or el.get("id") in _CONTAINER_IDS
        or not _CONTAINER_CLASSES.isdisjoint((el.get("class") or "").split())
    ]


def _choose_container(root: Any) -> Any | None:
    best, best_score = None, 0
    for el in _candidates(root):
        s = _score(el)
        # prefer the innermost container that still holds the report (ties go to the later one)
        if s >= best_score:
            best, best_score = el, s
    return best if best_score >= 20 else None


def _is_layout_table(table: Any, grid: Grid) -> bool:
    """Tables that lay out a page (nested tables, long prose in a cell) are walked, not read as data."""
    if table.find(".//table") is not None:
        return True
    return any(len(slot.text) > 300 for row in grid.rows for slot in row)


class _Walker:
    def __init__(self, skip_nav: bool, budget: CellBudget, *, sheet: bool = False) -> None:
        self.blocks: list[Block] = []
        self.budget = budget  # a table too big to expand is walked as text
        self.buf: list[str] = []
        self.skip_nav = skip_nav
        self.sheet = sheet  # a spreadsheet saved as a web page: each table is a whole sheet

    def flush(self) -> None:
        if self.buf:
            for piece in "".join(self.buf).split("\n"):
                line = clean_line(piece)
                if line and not is_page_number(line):
                    self.blocks.append(Line(line))
            self.buf.clear()

    def walk(self, top: Any) -> None:
        """The element's lines and grids in document order, depth first without recursion: a page nested as
        deep as libxml2 reads (2,048 elements, `HTML_PARSER`) is read whole."""
        stack: list[tuple[str, Any]] = [("element", top)]
        while stack:
            step, item = stack.pop()
            if step == "tail":
                self.buf.append(item)
            elif step == "end":
                self.flush()
            elif (block := self._open(item)) is not None:
                if block:
                    stack.append(("end", None))
                for child in reversed(item):
                    if tail := child.tail:
                        stack.append(("tail", tail))
                    stack.append(("element", child))

    def _open(self, el: Any) -> bool | None:
        """Read what an element holds before its children; None when it is skipped or read whole (a data
        table), else whether it is a block (its end flushes the line)."""
        tag = el.tag
        if not isinstance(tag, str) or tag in SKIP_TAGS:
            return None
        if self.skip_nav:
            cls, ident = el.get("class"), el.get("id")
            if (cls or ident) and _NAV.search(f"{cls or ''} {ident or ''}"):
                return None
        if tag == "table":
            rows = table_rows(el)
            grid = build_grid(rows, self.budget) if rows else None
            if grid is not None and self.sheet:
                self.flush()
                self.blocks.extend(split_sheet(grid))
                return None
            if grid is not None and not _is_layout_table(el, grid):
                self.flush()
                self.blocks.append(grid)
                return None
        block = tag in _BLOCK_TAGS
        if block:
            self.flush()
        if tag == "br":
            self.buf.append("\n")
        if text := el.text:
            self.buf.append(text)
        return block


def _page_meta(root: Any) -> dict[str, str]:
    meta: dict[str, str] = {}
    for m in root.iter("meta"):
        name = (m.get("name") or "").strip()
        if name in _META_NAMES and m.get("content"):
            meta[name] = clean_line(m.get("content"))
    return meta


def _is_sheet(root: Any) -> bool:
    """Excel's and WPS ET's "save as web page": `<meta name="ProgId" content="Excel.Sheet">`."""
    return any(
        (m.get("name") or "").lower() == "progid" and "excel.sheet" in (m.get("content") or "").lower()
        for m in root.iter("meta")
    )


def _titles(root: Any, meta: dict[str, str]) -> list[str]:
    out = []
    if "ArticleTitle" in meta:
        out.append(meta["ArticleTitle"])
    for el in root.iter("h1", "h2", "title"):
        text = clean_line(text_of(el))
        if text:
            out.append(text)
    return out


def html_document(text: str, limits: Limits = LIMITS) -> Document:
    root = etree.fromstring(nfkc(text), HTML_PARSER)
    if root is None:
        root = etree.fromstring("<html><body></body></html>", HTML_PARSER)
    mark_breaks(root)
    meta = _page_meta(root)
    titles = _titles(root, meta)
    container = _choose_container(root)
    walker = _Walker(skip_nav=container is None, budget=CellBudget(limits), sheet=_is_sheet(root))
    body = root.find("body")
    walker.walk(container if container is not None else (body if body is not None else root))
    walker.flush()
    doc = Document(walker.blocks, "html:lxml", medium="html", title_candidates=titles, page_meta=meta)
    if container is None and not any(_REPORT_WORDS.search(line) for line in doc.prose()):
        return _trafilatura_fallback(text, doc)
    return doc


def _trafilatura_fallback(text: str, doc: Document) -> Document:
    """No container and no report words in our walk: let trafilatura say what the main text is."""
    import trafilatura  # noqa: PLC0415 - heavy import, only on this rare path

    extracted = trafilatura.extract(text, output_format="txt", include_tables=False, favor_recall=True) or ""
    lines: list[Block] = [Line(t) for t in (clean_line(nfkc(x)) for x in extracted.split("\n")) if t]
    doc.blocks = lines + [b for b in doc.blocks if not isinstance(b, Line)]
    doc.extractor = f"html:trafilatura-{trafilatura.__version__}"
    return doc
