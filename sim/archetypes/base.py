"""What every simulated portal shares: the article store, attachments, time travel, encodings.

A `Site` is one portal laid out by its CMS family. Subclasses decide the URL shapes, draw
the list pages and wrap the article body in their template; this class keeps the item ↔ URL
maps, answers article and attachment requests as of a date (an item exists from its
publication date; a revised report shows its revised text from the revision date on), and
encodes pages the way the portal does (GB2312 on TRS sites, GBK without a charset when that
fault is on).
"""

from __future__ import annotations

import functools
import random
from bisect import bisect_right
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from html import escape
from typing import ClassVar, Final

from sim import content, decoys, media
from sim.http import Request, Response, not_found
from sim.pagemeta import PUBDATE_FORMATS, ArticleFacts, index_number
from sim.world import Agency, Decoy, Item, Portal, Report, current_version, visible

Handler = Callable[[Request, date], Response]

ATTACHMENT_EXT: Final = {"pdf": "pdf", "docx": "docx", "image": "png"}
MAX_PAGES: Final = 12  # page images a paged report may have (the simulator's reports print on 2–4 pages)
_PAGE_BUDGET: Final = 512 * 1024 * 1024  # article pages: a 3,000-portal world's HTML reports fit
_FILE_BUDGET: Final = 256 * 1024 * 1024


class _Lru(OrderedDict[tuple[object, ...], bytes]):
    """Rendered bytes shared by all sites, bounded by total size (rendering is the expensive part)."""

    def __init__(self, budget: int) -> None:
        super().__init__()
        self.budget = budget
        self.used = 0

    def get_or_make(self, key: tuple[object, ...], make: Callable[[], bytes]) -> bytes:
        if key in self:
            self.move_to_end(key)
            return self[key]
        value = self[key] = make()
        self.used += len(value)
        while self.used > self.budget and len(self) > 1:
            self.used -= len(self.popitem(last=False)[1])
        return value


PAGES: Final = _Lru(_PAGE_BUDGET)
FILES: Final = _Lru(_FILE_BUDGET)


@dataclass(slots=True)
class Column:
    """A list of items in publication order; what it shows depends on the as-of date."""

    title: str
    items: list[Item] = field(default_factory=list)
    days: list[date] = field(default_factory=list)

    def add(self, item: Item) -> None:
        self.items.append(item)
        self.days.append(item.published.date())

    def visible(self, as_of: date) -> list[Item]:
        """Items published by `as_of`, newest first (how every portal lists them)."""
        return self.items[: bisect_right(self.days, as_of)][::-1]


@dataclass(frozen=True, slots=True)
class Attachment:
    report: Report
    kind: str  # pdf, docx, image
    page: int = 0  # of a report shown one image per printed page: which (from 1); 0: the whole report


def _page_key(key: str, page: int) -> str:
    """`W0….png` → `W0…_2.png` (a query's `filename=….png` too); a PDF's pictures: `W0….pdf` → `W0…_2.png`."""
    stem, _ = key.rsplit(".", 1)
    return f"{stem}_{page}.png"


def list_item(href: str, item: Item) -> str:
    """`<li><a href title>title</a><span>date</span></li>`, the list row of most CMSs."""
    title = escape(item.title)
    return (
        f'<li><a href="{href}" target="_blank" title="{title}">{title}</a><span>{item.published:%Y-%m-%d}</span></li>'
    )


def page_slice(items: list[Item], page: int, size: int) -> list[Item]:
    return items[page * size : (page + 1) * size] if page >= 0 else []


def page_count(total: int, size: int) -> int:
    return max(1, -(-total // size))


class Site:
    """One portal. Subclasses set `cms` and implement `layout`, `article_html` and the list routes."""

    cms: ClassVar[str] = "generic"  # registry `cms`
    fetcher: ClassVar[str] = "http"  # registry `fetcher`
    charset: ClassVar[str] = "utf-8"  # what the CMS declares

    def __init__(self, seed: int, portal: Portal, origin: str) -> None:
        self.seed = seed
        self.portal = portal
        self.origin = origin.rstrip("/")
        self.rng = random.Random(portal.seed)  # noqa: S311 - reproducible simulated data
        gbk_fault = portal.fault is not None and portal.fault.kind == "gbk_nocharset"
        self.codec = "gbk" if gbk_fault or self.charset == "gb2312" else "utf-8"
        self.declared: str | None = None if gbk_fault else self.charset
        self.html_type = f"text/html; charset={self.declared}" if self.declared else "text/html"
        self.pubdate_format = self.rng.choice(PUBDATE_FORMATS)
        self.index_shape = self.rng.choice(("uscc", "uscc", "org9", "site"))
        self.articles: dict[str, Item] = {}
        self.files: dict[str, Attachment] = {}
        self.file_urls: dict[int, str] = {}  # report key → attachment URL
        self.article_urls: dict[int, str] = {}  # item key → article URL
        self.routes: dict[str, Handler] = {"/": self.home, "/index.html": self.home, "/robots.txt": self.robots}
        # path prefixes robots.txt disallows; none by default, set per portal (`sim.site(portal).disallow`)
        self.disallow: list[str] = []
        self.layout()

    # ---- what subclasses provide ----------------------------------------------------------

    def layout(self) -> None:
        """Place every item (`add_article`, `add_file`) and register list routes."""
        raise NotImplementedError

    def columns(self) -> list[str]:
        """The report column URLs the registry lists for the portal."""
        raise NotImplementedError

    def agency_columns(self, agency: Agency) -> list[str]:  # noqa: ARG002 - most CMSs have one column
        """An agency's own sub-column URLs, where the CMS gives it one."""
        return []

    def article_html(self, item: Item, facts: ArticleFacts, body: str) -> str:
        """The whole article page around `body` (the report, or the decoy's text)."""
        raise NotImplementedError

    # ---- building ---------------------------------------------------------------------------

    def url(self, path: str) -> str:
        return self.origin + path

    def add_article(self, item: Item, path: str) -> None:
        self.articles[path] = item
        self.article_urls[item.key] = self.url(path)

    def add_file(self, report: Report, path: str, query: str = "") -> None:
        """An attachment at `path` (with `query` when the CMS addresses files by query string)."""
        key = f"{path}?{query}" if query else path
        if report.paged or report.pictured:  # page k at `…_k.png`; the page shows as many as its version prints on
            self.files.update((_page_key(key, k), Attachment(report, "image", k)) for k in range(1, MAX_PAGES + 1))
        if report.paged:
            key = _page_key(key, 1)
        else:
            self.files[key] = Attachment(report, report.medium)
        self.file_urls[report.key] = self.url(key)

    def page_urls(self, report: Report, version: int) -> list[str]:
        """The page images a paged report's page shows in `version` (none for any other report)."""
        return self.picture_urls(report, version) if report.paged else []

    def picture_urls(self, report: Report, version: int) -> list[str]:
        """The pictures of its printed pages a report's page shows in `version`: a paged report's pages, or
        the pages of a pictured PDF report beside its link (none for any other report)."""
        if not (report.paged or report.pictured):
            return []
        first = self.file_urls[report.key]
        first = _page_key(first, 1) if report.pictured else first
        pages = media.png_pages(content.build_record(self.seed, report, version))
        return [first.removesuffix("_1.png") + f"_{k}.png" for k in range(1, pages + 1)]

    def file_name(self, report: Report) -> str:
        return f"{report.title.removesuffix('（图片版）')}.{ATTACHMENT_EXT[report.medium]}"

    # ---- serving ------------------------------------------------------------------------------

    def handle(self, request: Request, as_of: date) -> Response:
        path = request.path
        route = self.routes.get(path)
        if route is not None:
            return route(request, as_of)
        item = self.articles.get(path)
        if item is not None:
            return self.article(item, as_of) if visible(item, as_of) else not_found()
        attachment = self.files.get(request.target) or self.files.get(path)
        if attachment is not None and visible(attachment.report, as_of):
            return self.attachment(attachment, as_of)
        return self.dynamic(request, as_of) or not_found()

    def dynamic(self, request: Request, as_of: date) -> Response | None:  # noqa: ARG002 - few CMSs need it
        """Pages whose paths cannot be listed in advance (`index_7.html`); None when there is none."""
        return None

    def page_head(self, title: str, extra: str = "") -> str:
        """`<!DOCTYPE …><head>` with the charset as the CMS declares it (or not at all)."""
        return f"<!DOCTYPE html>\n<html>\n<head>\n{self.charset_meta()}<title>{escape(title)}</title>\n{extra}</head>\n"

    def article_frame(self, facts: ArticleFacts, *, head: str, info: str, container: str, body: str) -> str:
        """The page every CMS wraps an article in: crumbs, title, metadata, the body container, footer.

        `container` is the opening tag of the body's container (`<div class="TRS_Editor">`, `<div id="zoom">`).
        """
        title = escape(facts.title)
        return (
            f"{self.page_head(facts.title, head)}<body>\n"
            f'<div class="crumbs">当前位置：<a href="/">首页</a> &gt; 政务公开 &gt; {facts.column}</div>\n'
            f'<div class="detail">\n<h1 class="title">{title}</h1>\n{info}\n{container}\n{body}\n</div>\n</div>\n'
            f'<div class="footer"><a href="/">网站地图</a> 主办单位：{escape(self.portal.name)} '
            f"ICP备{10_000_000 + self.portal.index}号</div>\n</body>\n</html>\n"
        )

    def list_page(self, title: str, items: str, pager: str = "", extra_head: str = "") -> str:
        """A column page: crumbs, the list markup, the pager."""
        return (
            f"{self.page_head(title, extra_head)}<body>\n"
            f'<div class="crumbs">当前位置：<a href="/">首页</a> &gt; 政务公开 &gt; {escape(title)}</div>\n'
            f'<div class="main">\n{items}\n{pager}\n</div>\n</body>\n</html>\n'
        )

    def html(self, text: str, *, page: str, status: int = 200) -> Response:
        return Response(status, self.encode(text), self.html_type, page=page)

    def encode(self, text: str) -> bytes:
        return text.encode(self.codec, errors="xmlcharrefreplace")

    def charset_meta(self) -> str:
        if self.declared is None:
            return ""
        return f'<meta http-equiv="Content-Type" content="text/html; charset={self.declared}">\n'

    def facts(self, item: Item) -> ArticleFacts:
        serial = 100 + item.key
        year = item.published.year
        index_no = index_number(item.agency.org_code, year, serial, self.index_shape)
        return ArticleFacts(item.title, item.agency.name, item.published, index_no)

    def article(self, item: Item, as_of: date) -> Response:
        version = current_version(item, as_of) if isinstance(item, Report) else 0
        key = (self.origin, self.seed, item.key, version, self.codec)
        data = PAGES.get_or_make(
            key, lambda: self.encode(self.article_html(item, self.facts(item), self.body(item, version)))
        )
        return Response(200, data, self.html_type, page="article")

    def body(self, item: Item, version: int) -> str:
        if isinstance(item, Decoy):
            return decoys.body(item)
        if item.medium in ATTACHMENT_EXT:
            return self.attachment_body(item, version)
        record = content.build_record(self.seed, item, version)
        return media.text_fragment(record) if item.medium == "text" else media.html_fragment(record, item.style)

    def attachment_body(self, report: Report, version: int) -> str:
        """An article that only links (or shows) the report: the PDF/DOCX link, or the image(s) of its pages."""
        link = self.file_urls[report.key]
        pictures = [f'<p style="text-align:center;"><img src="{url}" alt="" style="width:100%;"></p>'
                    for url in self.picture_urls(report, version) or ([link] if report.medium == "image" else [])]
        if report.medium == "image":
            return "\n".join(pictures)
        name = escape(self.file_name(report))
        return "\n".join([
            *pictures,  # a pictured PDF report's pages, above its link
            f"<p>\u3000\u3000现将{escape(report.title)}予以公开。</p>\n<p>附件：{self.attachment_link(link, name)}</p>",
        ])

    def attachment_link(self, url: str, name: str) -> str:
        return f'<a href="{url}" target="_blank">{name}</a>'

    def attachment(self, attachment: Attachment, as_of: date) -> Response:
        report = attachment.report
        version = current_version(report, as_of)
        make = {"pdf": media.pdf_bytes, "docx": media.docx_bytes, "image": media.png_bytes}[attachment.kind]
        if attachment.page:
            record = content.build_record(self.seed, report, version)
            if attachment.page > media.png_pages(record):
                return not_found()  # past the pages this version prints on
            make = functools.partial(media.png_page, number=attachment.page)
        data = FILES.get_or_make(
            (self.seed, self.portal.id, report.key, version, attachment.page),
            lambda: make(content.build_record(self.seed, report, version)),
        )
        ext = ATTACHMENT_EXT[attachment.kind]
        headers = [("Content-Disposition", f'attachment; filename="{report.key}.{ext}"')]
        return Response(200, data, media.ATTACHMENT_TYPES[ext], headers, page="attachment")

    # ---- common pages ---------------------------------------------------------------------------

    def home(self, request: Request, as_of: date) -> Response:  # noqa: ARG002 - same home page every day
        links = "\n".join(f'<li><a href="{escape(u)}">政府信息公开年报</a></li>' for u in self.columns())
        name = escape(self.portal.name)
        return self.html(
            f'{self.page_head(self.portal.name)}<body>\n<div class="header"><h1>{name}</h1></div>\n'
            f'<div class="nav"><ul>\n<li><a href="/">首页</a></li>\n'
            f"{links}\n</ul></div>\n</body>\n</html>\n",
            page="other",
        )

    def robots(self, request: Request, as_of: date) -> Response:  # noqa: ARG002
        rules = "".join(f"Disallow: {path}\n" for path in self.disallow) or "Allow: /\n"
        return Response(200, f"User-agent: *\n{rules}".encode(), "text/plain", page="other")
