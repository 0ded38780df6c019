"""Beijing platform districts (portals.md §2.4, blueprint 5): every row in page 0, JS slices pages of 15.

URLs: `/{unit}/zfxxgknb/list.shtml` (unit = the district's code) holds all of the district's and
its departments' rows in `.default_news li`, with the `var $list = $('.default_news li')` slicer;
the township column is reachable only through a JS shell `/{unit}/xzjd/` whose
`location.replace('./jbxx/')` leads to `/{unit}/xzjd/jbxx/`. Articles `…/YYYYMM/t{date}_{id}.html`,
bodies in `div.view-content` or `#mainText`.
"""

from __future__ import annotations

from datetime import date
from typing import ClassVar, Final

from sim.archetypes.base import Column, Site, list_item
from sim.http import Request, Response
from sim.pagemeta import BYLINES, ArticleFacts, byline, meta_tags
from sim.world import Agency, Item, Report

_SLICER: Final = """<script type="text/javascript">
var $list = $('.default_news li');
var pageSize = 15, pageCount = Math.ceil($list.length / pageSize);
function showPage(n) { $list.hide().slice(n * pageSize, (n + 1) * pageSize).show(); }
showPage(0);
</script>"""


class BeijingSite(Site):
    cms: ClassVar[str] = "beijing"

    def layout(self) -> None:
        unit = f"/{self.portal.place.code}"
        self.main = f"{unit}/zfxxgknb/"
        self.shell_path = f"{unit}/xzjd/"
        self.towns = f"{unit}/xzjd/jbxx/"
        self.byline = self.rng.choice(BYLINES)
        self.container = self.rng.choice(('<div class="view-content">', '<div id="mainText">'))
        self.lists = {self.main: Column("政府信息公开年报"), self.towns: Column("乡镇（街道）政府信息公开年报")}
        for item in self.portal.items:
            folder = self.towns if item.agency.level == "township" else self.main
            self.lists[folder].add(item)
            d = item.published
            stem = f"{folder}{d:%Y%m}/"
            self.add_article(item, f"{stem}t{d:%Y%m%d}_{item.key + 2_000_000}.html")
            if isinstance(item, Report) and item.medium in ("pdf", "docx", "image"):
                ext = "png" if item.medium == "image" else item.medium
                self.add_file(item, f"{stem}P0{d:%Y%m%d}{item.seed % 10**6:06d}.{ext}")
        for folder in self.lists:
            self.routes[f"{folder}list.shtml"] = self.column_page
            self.routes[folder] = self.column_page
        self.routes[self.shell_path] = self.shell
        self.routes[f"{self.shell_path}index.shtml"] = self.shell

    def columns(self) -> list[str]:
        return [self.url(f"{self.main}list.shtml")]

    def agency_columns(self, agency: Agency) -> list[str]:
        return [self.url(self.shell_path)] if agency.level == "township" else []

    def shell(self, request: Request, as_of: date) -> Response:  # noqa: ARG002 - a fixed redirect shell
        return self.html(
            "<html><head><script>location.replace('./jbxx/');</script></head><body></body></html>", page="list"
        )

    def column_page(self, request: Request, as_of: date) -> Response:
        folder = request.path.removesuffix("list.shtml")
        column = self.lists[folder]
        rows = "\n".join(
            list_item("./" + self.article_urls[it.key].removeprefix(self.url(folder)), it)
            for it in column.visible(as_of)
        )
        more = ""
        if folder == self.main and self.lists[self.towns].items:
            more = '<div class="more"><a href="../xzjd/">乡镇（街道）政府信息公开年报</a></div>'
        body = f'<ul class="default_news">\n{rows}\n</ul>\n<div class="page" id="page"></div>\n{more}\n{_SLICER}'
        return self.html(self.list_page(column.title, body), page="list")

    def article_html(self, item: Item, facts: ArticleFacts, body: str) -> str:  # noqa: ARG002 - the template shows the same for every item
        head = meta_tags(facts, self.pubdate_format)
        return self.article_frame(
            facts, head=head, info=byline(facts, self.byline), container=self.container, body=body
        )
