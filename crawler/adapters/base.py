"""What a CMS adapter reads from a column page: article links, more list pages, sub-columns.

Adapters are pure: (URL, page text) in, a ListPage out. Spiders do the fetching; tests feed saved
pages. A portal on a known platform needs only YAML; a new platform is one small adapter class.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import ClassVar
from urllib.parse import urljoin, urlsplit

from parsel import Selector

from crawler.titles import classify_title
from extract.normalize import clean_line, nfkc

_DATE_TEXT = re.compile(r"((?:19|20)\d{2})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})")
_INDEX_NUMBER = re.compile(r"\d{4}-\d{2}-\d{5}")  # 索引号 fragments look like dates; they are not
_YEAR_COLUMN = re.compile(r"^((?:19|20)\d{2})\s*年?度?$|^((?:19|20)\d{2})年(?:度)?(?:报告|年报)?$")
_SKIP_SCHEMES = ("javascript:", "mailto:", "tel:", "#")
ATTACHMENT_SUFFIXES = (".pdf", ".doc", ".docx", ".wps", ".xls", ".xlsx", ".et", ".png", ".jpg", ".jpeg", ".gif",
                       ".tif", ".tiff", ".bmp", ".zip", ".rar")


@dataclass(frozen=True, slots=True)
class Link:
    url: str
    title: str
    date: str | None = None  # the date printed beside the link on the list page


@dataclass(frozen=True, slots=True)
class Fetch:
    """A follow-up request for more of the list (a page, an API call)."""

    url: str
    method: str = "GET"
    body: str | None = None
    headers: tuple[tuple[str, str], ...] = ()


@dataclass(slots=True)
class ListPage:
    links: list[Link] = field(default_factory=list)
    more: list[Fetch] = field(default_factory=list)
    columns: list[Link] = field(default_factory=list)
    redirect: str | None = None  # a JS / meta-refresh shell pointing elsewhere


def list_date(text: str) -> str | None:
    """The publication date printed beside a link: `2024-01-17`, `2024年1月17日`; not a 索引号."""
    text = _INDEX_NUMBER.sub("", nfkc(text).replace("\n", ""))
    m = _DATE_TEXT.search(text)
    return f"{int(m.group(1)):04d}-{int(m.group(2)):02d}-{int(m.group(3)):02d}" if m else None


def is_year_column(title: str) -> bool:
    return bool(_YEAR_COLUMN.match(clean_line(nfkc(title))))


def same_site(url: str, base: str) -> bool:
    return urlsplit(url).netloc == urlsplit(base).netloc


def anchors(sel: Selector, base: str) -> list[Link]:
    """Every `<a href>` with its title (title attribute, else text) and the date printed next to it:
    in the link's own element, or else in the cell that follows it."""
    out: list[Link] = []
    for a in sel.css("a[href]"):
        href = (a.attrib.get("href") or "").strip()
        if not href or href.startswith(_SKIP_SCHEMES):
            continue
        title = clean_line(nfkc(a.attrib.get("title") or " ".join(a.css("::text").getall())))
        parent_text = " ".join(a.xpath("./parent::*//text()").getall())
        date = list_date(parent_text)
        if date is None:  # `<td><a>…</a></td><td>2024-01-17</td>`, `<dd>` likewise: the cell beside the link's
            date = list_date(" ".join(a.xpath("./parent::*/following-sibling::*[1]//text()").getall()))
        out.append(Link(urljoin(base, href), title, date))
    return out


class Adapter:
    """One CMS family. Subclasses set `name` and `fingerprint` and override `read`."""

    name: ClassVar[str] = "generic"
    fingerprint: ClassVar[re.Pattern[str]] = re.compile(r"$^")

    def read(self, url: str, text: str) -> ListPage:
        """The article links and sub-columns of a static list page (the generic behaviour)."""
        sel = Selector(text=text, type="html")
        page = ListPage(redirect=redirect_target(url, text))
        more: list[Fetch] = []
        for link in anchors(sel, url):
            if not same_site(link.url, url):
                continue
            if _PAGER.match(link.title) and _same_list(link.url, url):
                more.append(Fetch(link.url))
            elif (is_year_column(link.title) or looks_like_column(link.url, url)) and not _is_article(link):
                page.columns.append(link)
            else:
                page.links.append(link)
        page.more = self.pages(url, text) or list(dict.fromkeys(more))
        return page

    def pages(self, url: str, text: str) -> list[Fetch]:  # noqa: ARG002 - the generic list has one page
        """Further list pages; the generic adapter knows none."""
        return []


_COLUMN_URL = re.compile(r"(/|/index(?:_\d+)?\.s?html?|/list(?:_\d+)?\.s?html?|/col/col\d+/(?:index\.html)?)$")
_REDIRECT = re.compile(
    r"""location\.(?:replace|href)\s*(?:=|\()\s*['"]([^'"]+)['"]|http-equiv=["']?refresh["']?[^>]*url=([^"'>\s]+)""",
    re.IGNORECASE,
)


# pager links of generic lists: `下一页`, `尾页`, page numbers (`?page=2`, `index_3.html`, `list_2.shtml`)
_PAGER = re.compile(r"^(?:下一页|下页|尾页|末页|最后一页|上一页|首页|>|>>|»|\d{1,3})$")


def _same_list(link: str, page: str) -> bool:
    """A pager link stays in the same list: same folder, and a page parameter or an index_N name."""
    a, b = urlsplit(link), urlsplit(page)
    folder = b.path.rsplit("/", 1)[0]
    return a.path.rsplit("/", 1)[0] == folder and (a.query != b.query or a.path != b.path)


def _is_article(link: Link) -> bool:
    """A list item dated beside its link, or titled as a year's report (or its decoy), is an article even
    where its URL looks like a folder (`…/sfj/2026012310444700064/index.html` on some county sites)."""
    return link.date is not None or classify_title(link.title).year is not None


def looks_like_column(link: str, page: str) -> bool:
    """A link to another list below this one (year, department or township sub-column)."""
    path, here = urlsplit(link).path, urlsplit(page).path.rsplit("/", 1)[0] + "/"
    return bool(_COLUMN_URL.search(path)) and path.startswith(here) and path != urlsplit(page).path


def redirect_target(url: str, text: str) -> str | None:
    """`location.replace('./jbxx/')` and meta-refresh shells: where the real page is."""
    if len(text) > 4000:
        return None
    m = _REDIRECT.search(text)
    if not m:
        return None
    target = urljoin(url, m.group(1) or m.group(2))
    return None if target.rstrip("/") == url.rstrip("/") else target
