"""TRS WCM (拓尔思) county portals (portals.md §2.1, blueprint 1): GB2312 static pages.

URLs: column `/zwgk/zfxxgk/zfxxgknb/index.html`, pages `index_1.html` … (0-based), optional
year sub-columns `2023n_10001/`, articles `./202401/t20240117_100001.html` in the folder of the
(sub-)column, attachments `P0…pdf`/`P0…docx` and page images `W0…png` beside the article.
Each list page ends in one of the `createPageHTML` signatures (or only `var countPage`);
`index_N` past the end answers a meta refresh to `./` as mohrss does.
"""

from __future__ import annotations

import re
from datetime import date
from typing import ClassVar, Final

from sim.archetypes.base import Column, Site, list_item, page_count, page_slice
from sim.http import Request, Response
from sim.pagemeta import ArticleFacts, info_table, meta_tags
from sim.world import Item, Report

_ROOTS: Final = ("/zwgk/zfxxgk/zfxxgknb/", "/xxgk/xxgknb/", "/zfxxgk/zfxxgkndbg/")
_PAGE: Final = re.compile(r"^(?P<folder>/.*/)index(?:_(?P<n>\d+))?\.(?P<ext>s?html?)$")
_EDITOR_STYLE: Final = (
    '<style type="text/css">\n.TRS_Editor P{line-height:2;font-family:宋体;font-size:12pt;}'
    ".TRS_Editor DIV{line-height:2;font-family:宋体;font-size:12pt;}"
    ".TRS_Editor TD{line-height:2;font-family:宋体;font-size:12pt;}</style>"
)
SIGNATURES: Final = ("count_current", "div_name", "records_first", "count_var")


def pager_script(signature: str, count: int, current: int, ext: str, total: int) -> str:
    """The pagination call of one TRS template (portals.md §2.1 lists the four shapes)."""
    if signature == "div_name":
        call = f"createPageHTML('page_div',{count}, {current},'index','{ext}',{total});"
    elif signature == "records_first":
        call = f'createPageHTML({total},{count},{current},"index","{ext}");'
    elif signature == "count_var":
        call = f"var currentPage = {current};//所在页从0开始\nvar countPage = {count}//共多少页\nshowPageNav();"
    else:
        call = f'createPageHTML({count},{current}, "index","{ext}");'
    return f'<div class="page" id="page_div"><script type="text/javascript">{call}</script></div>'


class TrsSite(Site):
    cms: ClassVar[str] = "trs"
    charset: ClassVar[str] = "gb2312"

    def layout(self) -> None:
        rng = self.rng
        self.ext = rng.choice(("html", "shtml", "htm"))
        self.root = rng.choice(_ROOTS)
        self.size = rng.choice((15, 20))
        self.signature = rng.choice(SIGNATURES)
        self.by_year = rng.random() < 0.5
        self.editor = rng.choice(('<div class="TRS_Editor">' + _EDITOR_STYLE, '<div class="trs_editor_view">'))
        self.ids = rng.randint(100_000, 4_000_000)
        sub_base = rng.randint(10_000, 90_000)
        self.lists: dict[str, Column] = {self.root: Column("政府信息公开年报")}
        self.year_folders: dict[int, str] = {}
        for item in self.portal.items:
            folder = self.root
            if self.by_year:
                folder = self.year_folders.setdefault(item.year, f"{self.root}{item.year}n_{sub_base + item.year}/")
                self.lists.setdefault(folder, Column(f"{item.year}年"))
            self.lists[folder].add(item)
            day = item.published
            stem = f"{folder}{day:%Y%m}/"
            self.add_article(item, f"{stem}t{day:%Y%m%d}_{self.ids + item.key}.{self.ext}")
            if isinstance(item, Report) and item.medium in ("pdf", "docx", "image"):
                letter, ext = ("W", "png") if item.medium == "image" else ("P", item.medium)
                self.add_file(item, f"{stem}{letter}0{day:%Y%m%d}{item.seed % 10**9:09d}.{ext}")

    def columns(self) -> list[str]:
        return [self.url(f"{self.root}index.{self.ext}")]

    def dynamic(self, request: Request, as_of: date) -> Response | None:
        path = request.path
        if path in self.lists:
            path += f"index.{self.ext}"
        m = _PAGE.match(path)
        if not m or m["folder"] not in self.lists or m["ext"] != self.ext or m["n"] == "0":
            return None
        page = int(m["n"] or 0)
        if self.by_year and m["folder"] == self.root:
            return self.year_index(as_of) if page == 0 else None
        items = self.lists[m["folder"]].visible(as_of)
        count = page_count(len(items), self.size)
        if page >= count:
            return self.html(
                '<html><head><meta http-equiv="refresh" content="0;URL=./"></head><body></body></html>', page="list"
            )
        rows = "\n".join(list_item(self.relative(m["folder"], it), it) for it in page_slice(items, page, self.size))
        pager = pager_script(self.signature, count, page, self.ext, len(items))
        title = self.lists[m["folder"]].title
        return self.html(self.list_page(title, f'<ul class="list">\n{rows}\n</ul>', pager), page="list")

    def relative(self, folder: str, item: Item) -> str:
        return "./" + self.article_urls[item.key].removeprefix(self.url(folder))

    def year_index(self, as_of: date) -> Response:
        """The column root of a site with year sub-columns: one link per year that has reports."""
        links = [
            f'<li><a href="./{folder.removeprefix(self.root)}index.{self.ext}">{year}年</a></li>'
            for year, folder in sorted(self.year_folders.items(), reverse=True)
            if self.lists[folder].visible(as_of)
        ]
        body = '<ul class="sub-columns">\n' + "\n".join(links) + "\n</ul>"
        return self.html(self.list_page("政府信息公开年报", body), page="list")

    def article_html(self, item: Item, facts: ArticleFacts, body: str) -> str:  # noqa: ARG002 - the template shows the same for every item
        head = meta_tags(facts, self.pubdate_format, extra='<meta name="ColumnType" content="政府信息公开年报">\n')
        return self.article_frame(facts, head=head, info=info_table(facts), container=self.editor, body=body)
