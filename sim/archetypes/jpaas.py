"""jpaas 集约化 city portals (portals.md §2.2 “jpaas”, blueprint 4): the list arrives as JSON-wrapped HTML.

URLs: column `/col/col{N}/index.html` whose list container carries `queryData="{…}"` and
`url="/api-gateway/jpaas-publish-server/front/page/build/unit"`; the API answers GET with the
queryData parameters plus `paramJson={"pageNo":n,"pageSize":rows}` as
`{"success":true,"data":{"html":"<li class=\\"clearfix\\">…<div class=\\"pagination\\" rows count>"}}`.
Articles `/art/Y/M/D/art_{col}_{id}.html` with a `.wzzw-article` body; attachments `/attach/…`.
"""

from __future__ import annotations

import json
from datetime import date
from html import escape
from typing import ClassVar, Final

from sim.archetypes.base import Column, Site, page_slice
from sim.http import Request, Response
from sim.pagemeta import BYLINES, ArticleFacts, byline, meta_tags
from sim.world import Item, Report

API: Final = "/api-gateway/jpaas-publish-server/front/page/build/unit"


class JpaasSite(Site):
    cms: ClassVar[str] = "jpaas"

    def layout(self) -> None:
        rng = self.rng
        self.col = rng.randint(10_000, 99_999)
        self.rows = rng.choice((10, 15))
        self.query = {
            "webId": str(rng.randint(1, 200)),
            "pageId": str(self.col),
            "parseType": "bulidstatic",
            "pageType": "column",
            "tagId": "信息列表",
            "tplSetId": f"{rng.getrandbits(64):016x}",
        }
        self.byline = rng.choice(BYLINES)
        self.list = Column("政府信息公开年报")
        for item in self.portal.items:
            self.list.add(item)
            d = item.published
            self.add_article(item, f"/art/{d.year}/{d.month}/{d.day}/art_{self.col}_{item.key + 50_000}.html")
            if isinstance(item, Report) and item.medium in ("pdf", "docx", "image"):
                ext = "png" if item.medium == "image" else item.medium
                self.add_file(item, f"/attach/{d:%Y%m}/{item.seed:016x}.{ext}")
        self.routes[f"/col/col{self.col}/index.html"] = self.column_page
        self.routes[API] = self.api

    def columns(self) -> list[str]:
        return [self.url(f"/col/col{self.col}/index.html")]

    def column_page(self, request: Request, as_of: date) -> Response:  # noqa: ARG002 - the list is in the API
        query = escape(json.dumps(self.query, ensure_ascii=False), quote=True)
        body = f'<div class="xxgk-zcnr"><div id="list" queryData="{query}" url="{API}"></div></div>'
        return self.html(self.list_page("政府信息公开年报", body), page="list")

    def api(self, request: Request, as_of: date) -> Response:
        query = request.query
        if query.get("pageId") != self.query["pageId"]:
            payload: dict[str, object] = {"success": False, "data": None, "message": "页面不存在"}
            return Response(200, json.dumps(payload, ensure_ascii=False).encode(), "application/json", page="api")
        try:
            params = json.loads(query.get("paramJson") or "{}")
            page, rows = int(params.get("pageNo", 1)), int(params.get("pageSize", self.rows))
        except (ValueError, TypeError, AttributeError):
            page, rows = 1, self.rows
        items = self.list.visible(as_of)
        lis = "".join(
            f'<li class="clearfix"><a href="{self.article_urls[it.key].removeprefix(self.origin)}" target="_blank" '
            f'title="{escape(it.title)}">{escape(it.title)}</a><span>{it.published:%Y-%m-%d}</span></li>'
            for it in page_slice(items, page - 1, max(rows, 1))
        )
        html = f'<ul class="xxgk-list">{lis}</ul><div class="pagination" rows="{rows}" count="{len(items)}"></div>'
        payload = {"success": True, "data": {"html": html}, "message": None}
        return Response(
            200, json.dumps(payload, ensure_ascii=False).encode(), "application/json;charset=UTF-8", page="api"
        )

    def article_html(self, item: Item, facts: ArticleFacts, body: str) -> str:  # noqa: ARG002 - the template shows the same for every item
        head = meta_tags(facts, self.pubdate_format)
        return self.article_frame(
            facts, head=head, info=byline(facts, self.byline), container='<div class="wzzw-article">', body=body
        )
