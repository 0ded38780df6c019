"""Hanweb 大汉 jcms portals (portals.md §2.2, blueprint 2): `<datastore>` lists and dataproxy.jsp.

URLs: a hub `/col/col{hub}/index.html` linking one column per agency `/col/col{id}/index.html`
(浙江-style 10-digit ids); each column page embeds the first records in
`<script type="text/xml"><datastore>…` and `/module/web/jpage/dataproxy.jsp` serves the rest,
by GET `page=N` or by POST `startrecord/endrecord/perpage` (the jpage plugin's form).
Articles `/art/Y/M/D/art_{col}_{id}.html` with `<!--ZJEG_RSS.content.begin-->` markers;
attachments `/module/download/downfile.jsp?classid=0&filename=<hash>.pdf`.
"""

from __future__ import annotations

from datetime import date
from html import escape
from typing import ClassVar, Final
from urllib.parse import quote

from sim.archetypes.base import Column, Site, list_item
from sim.http import Request, Response
from sim.pagemeta import ArticleFacts, hanweb_block, meta_tags
from sim.world import Agency, Item, Report

PROXY: Final = "/module/web/jpage/dataproxy.jsp"
DOWNLOAD: Final = "/module/download/downfile.jsp"


class HanwebSite(Site):
    cms: ClassVar[str] = "hanweb"

    def layout(self) -> None:
        rng = self.rng
        self.per_page = rng.choice((15, 20))
        self.group = 3  # pages per datastore group, as jpage fetches them
        self.webid = rng.randint(1, 99)
        self.unitid = rng.randint(100_000, 999_999)
        self.split_dates = rng.random() < 0.25  # "2026-\n01-\n23" (HULELAN jiangsu.py)
        base = 1_229_000_000 + rng.randint(0, 999_000)
        self.hub = base
        self.col_of: dict[str, int] = {}
        self.lists: dict[int, Column] = {}
        for k, agency in enumerate(self.portal.agencies):
            col = base + 1 + k
            self.col_of[agency.name] = col
            self.lists[col] = Column(agency.name)
            self.routes[f"/col/col{col}/index.html"] = self.column_page
            self.routes[f"/col/col{col}/"] = self.column_page
        self.routes[f"/col/col{self.hub}/index.html"] = self.hub_page
        self.routes[f"/col/col{self.hub}/"] = self.hub_page
        self.routes[PROXY] = self.proxy
        self.ids = rng.randint(1_000_000, 9_000_000)
        for item in self.portal.items:
            col = self.col_of[item.agency.name]
            self.lists[col].add(item)
            d = item.published
            self.add_article(item, f"/art/{d.year}/{d.month}/{d.day}/art_{col}_{self.ids + item.key}.html")
            if isinstance(item, Report) and item.medium in ("pdf", "docx", "image"):
                ext = "png" if item.medium == "image" else item.medium
                self.add_file(item, DOWNLOAD, f"classid=0&filename={item.seed:012x}.{ext}")

    def columns(self) -> list[str]:
        return [self.url(f"/col/col{self.hub}/index.html")]

    def agency_columns(self, agency: Agency) -> list[str]:
        return [self.url(f"/col/col{self.col_of[agency.name]}/index.html")]

    def hub_page(self, request: Request, as_of: date) -> Response:  # noqa: ARG002 - the hub never changes
        links = "\n".join(
            f'<li><a href="/col/col{col}/index.html" target="_blank">{escape(column.title)}</a></li>'
            for col, column in self.lists.items()
        )
        return self.html(self.list_page("政府信息公开年报", f'<ul class="bmlist">\n{links}\n</ul>'), page="list")

    def record(self, item: Item) -> str:
        row = list_item(self.article_urls[item.key].removeprefix(self.origin), item)
        if self.split_dates:
            row = row.replace(f"<span>{item.published:%Y-%m-%d}</span>", f"<span>{item.published:%Y-\n%m-\n%d}</span>")
        return f"<record><![CDATA[{row}]]></record>"

    def datastore(self, col: int, items: list[Item], total: int, next_page: int | None) -> str:
        nextgroup = ""
        if next_page is not None:
            href = f"{PROXY}?page={next_page}&webid={self.webid}&path=/&columnid={col}&unitid={self.unitid}"
            nextgroup = f'<nextgroup><![CDATA[<a href="{href}"></a>]]></nextgroup>'
        records = "".join(self.record(it) for it in items)
        pages = -(-total // self.per_page)
        return (
            f"<datastore>{nextgroup}<recordset>{records}</recordset>"
            f"<totalrecord>{total}</totalrecord><totalpage>{pages}</totalpage></datastore>"
        )

    def column_page(self, request: Request, as_of: date) -> Response:
        col = int(request.path.split("/col/col", 1)[1].split("/", 1)[0])
        items = self.lists[col].visible(as_of)
        shown = items[: self.per_page * self.group]
        next_page = self.group + 1 if len(items) > len(shown) else None
        store = self.datastore(col, shown, len(items), next_page)
        title = escape(self.lists[col].title)
        webname = quote(self.portal.name)
        body = (
            f'<div id="{self.unitid}">\n<script type="text/xml">{store}</script>\n'
            f"<script>columnid:{col};unitid:'{self.unitid}';webid:'{self.webid}';webname:'{webname}';"
            f"perpage:{self.per_page};</script>\n</div>\n"
            f'<script type="text/javascript">$("#{self.unitid}").jpage('
            f"{{dataStore:$(\"#{self.unitid} script[type='text/xml']\")"
            f".html(),perPage:{self.per_page},totalRecord:{len(items)},proxyUrl:'{PROXY}'}});</script>"
        )
        return self.html(self.list_page(title + "政府信息公开年报", body), page="list")

    def proxy(self, request: Request, as_of: date) -> Response:
        """dataproxy.jsp: `page=N` (1-based) or `startrecord…endrecord` (1-based, inclusive) of a column."""
        form = request.form()
        try:
            col = int(form.get("columnid", ""))
            per_page = int(form.get("perpage") or self.per_page)
            if "startrecord" in form:
                start, end = int(form["startrecord"]), int(form.get("endrecord") or form["startrecord"])
            else:
                page = int(form.get("page") or 1)
                start, end = (page - 1) * per_page + 1, page * per_page
        except ValueError:
            return Response(400, b"bad request", "text/plain", page="api")
        column = self.lists.get(col)
        items = column.visible(as_of) if column is not None else []
        chosen = items[max(start, 1) - 1 : max(end, 0)]
        following = end // per_page + 1 if end < len(items) else None
        xml = '<?xml version="1.0" encoding="UTF-8"?>' + self.datastore(col, chosen, len(items), following)
        return Response(200, xml.encode(), "text/xml;charset=UTF-8", page="api")

    def article_html(self, item: Item, facts: ArticleFacts, body: str) -> str:
        col = self.col_of[item.agency.name]
        extra = (
            f'<meta name="i_columnid" content="{col}">\n<meta content="{self.ids + item.key}" name="i_articleid">\n'
            f"<meta name='Maketime' content='{item.published:%Y-%m-%d %H:%M:%S}'>\n"
        )
        head = meta_tags(facts, self.pubdate_format, extra=extra)
        wrapped = (
            f'<!--ZJEG_RSS.content.begin--><meta name="ContentStart">{body}'
            '<meta name="ContentEnd"><!--ZJEG_RSS.content.end-->'
        )
        container = '<div id="zoom">' if item.key % 2 else '<div id="ivs_content" class="infocontent">'
        return self.article_frame(facts, head=head, info=hanweb_block(facts), container=container, body=wrapped)
