"""Guangdong gkmlpt (政府信息公开目录管理平台, portals.md §2.3, blueprint 3): a Vue shell + JSON API.

URLs: `/gkmlpt/index` (the shell: `window._CONFIG = {SID:'755043', TREE:[…]}`, no list in the
HTML), the API `/gkmlpt/api/all/{category}?page=N&sid=S` (`classify.post_count`, `articles[]`
with the survey's fields; page 0 and page 1 are the same page; some instances 404 every page
after the first), content pages `/gkmlpt/content/9/9103/post_9103540.html` with
`_CONFIG.DETAIL`, attachments `/attachment/0/88/88389/963149.pdf` (`nfw-cms-attachment` links).
The annual-report category has one child per level: 本级, 区政府工作部门, 镇（街道）.
"""

from __future__ import annotations

import json
import re
from datetime import date
from typing import Any, ClassVar, Final

from sim.archetypes.base import Column, Site, page_count
from sim.http import Request, Response
from sim.pagemeta import ArticleFacts, gkmlpt_table, meta_tags
from sim.world import Item, Report

_API: Final = re.compile(r"^/gkmlpt/api/all/(\d+)$")
_LEVEL_NAMES: Final = {"county": "本级", "city": "本级", "department": "区政府工作部门", "township": "镇（街道）"}


class GkmlptSite(Site):
    cms: ClassVar[str] = "gkmlpt"

    def layout(self) -> None:
        rng = self.rng
        self.sid = str(rng.randint(700_000, 799_999))
        self.size = rng.choice((100, 100, 10))
        self.first_page_only = self.size == 100 and rng.random() < 0.3  # 肇庆: 404 after page 1
        self.root = rng.randint(2000, 9000)
        self.children: dict[str, int] = {}
        self.lists: dict[int, Column] = {self.root: Column("政府信息公开年报")}
        for item in self.portal.items:
            name = _LEVEL_NAMES[item.agency.level]
            cat = self.children.setdefault(name, self.root + 1 + len(self.children))
            self.lists.setdefault(cat, Column(name)).add(item)
            self.lists[self.root].add(item)
            pid = self.post_id(item)
            self.add_article(item, f"/gkmlpt/content/{pid // 1_000_000}/{pid // 1000}/post_{pid}.html")
            if isinstance(item, Report) and item.medium in ("pdf", "docx", "image"):
                ext = "png" if item.medium == "image" else item.medium
                self.add_file(item, f"/attachment/0/{pid // 100_000}/{pid // 100}/{pid}.{ext}")
        self.routes["/gkmlpt/index"] = self.shell
        self.routes["/gkmlpt/index.html"] = self.shell

    def post_id(self, item: Item) -> int:
        return 9_000_000 + self.portal.index * 1000 + item.key

    def columns(self) -> list[str]:
        return [self.url("/gkmlpt/index")]

    def tree(self) -> list[dict[str, Any]]:
        kids = [{"id": cat, "name": name, "children": []} for name, cat in self.children.items()]
        return [{"id": self.root, "name": "政府信息公开年报", "children": kids}]

    def shell(self, request: Request, as_of: date) -> Response:  # noqa: ARG002 - data comes from the API
        config = f"window._CONFIG = {{SID:'{self.sid}', TREE:{json.dumps(self.tree(), ensure_ascii=False)}}};"
        body = (
            '<div id="app"></div>\n'
            f"<script>{config}</script>\n"
            '<script src="/gkmlpt/static/js/manifest.js"></script><script src="/gkmlpt/static/js/app.js"></script>'
        )
        return self.html(self.list_page("政府信息公开目录", body), page="list")

    def dynamic(self, request: Request, as_of: date) -> Response | None:
        m = _API.match(request.path)
        if not m:
            return None
        query = request.query
        column = self.lists.get(int(m[1]))
        if column is None or query.get("sid") != self.sid:
            return Response(404, b'{"code":404,"msg":"not found"}', "application/json", page="api")
        try:
            page = max(int(query.get("page") or 1), 1)  # page 0 and page 1 are the same page
        except ValueError:
            page = 1
        items = column.visible(as_of)
        if page > 1 and self.first_page_only:
            return Response(404, b'{"code":404,"msg":"not found"}', "application/json", page="api")
        chosen = items[(page - 1) * self.size : page * self.size]
        payload = {
            "classify": {"id": int(m[1]), "name": column.title, "post_count": len(items)},
            "total": len(items),
            "page": page,
            "pages": page_count(len(items), self.size),
            "articles": [self.article_json(it) for it in chosen],
        }
        return Response(
            200, json.dumps(payload, ensure_ascii=False).encode(), "application/json;charset=UTF-8", page="api"
        )

    def article_json(self, item: Item) -> dict[str, Any]:
        pid = self.post_id(item)
        stamp = int(item.published.timestamp())
        facts = self.facts(item)
        attachments = []
        if item.key in self.file_urls:
            url = self.file_urls[item.key]
            ext = url.rsplit(".", 1)[1]
            attachments.append(
                {"id": pid, "name": f"{item.title}.{ext}", "type": ext, "mime": ext, "size": 0, "url": url}
            )
        return {
            "id": pid,
            "title": item.title,
            "document_number": "",
            "publisher": item.agency.name,
            "keywords": "年度报告",
            "date": stamp,
            "created_at": f"{item.published:%Y-%m-%d %H:%M:%S}",
            "display_publish_time": stamp,
            "create_time": stamp,
            "identifier": facts.index_no,
            "classify_main_name": "政府信息公开年报",
            "classify_genre_name": "报告",
            "classify_theme_name": "综合政务",
            "url": self.article_urls[item.key],
            "post_url": self.article_urls[item.key],
            "attachment": attachments,
            "abstract": "",
            "relation": [],
            "is_expired": False,
            "is_abolished": False,
        }

    def attachment_link(self, url: str, name: str) -> str:
        return f'<a class="nfw-cms-attachment" href="{url}" alt="{name}">{name}</a>'

    def article_html(self, item: Item, facts: ArticleFacts, body: str) -> str:
        detail = json.dumps(
            {
                "id": self.post_id(item),
                "title": item.title,
                "publisher": item.agency.name,
                "identifier": facts.index_no,
            },
            ensure_ascii=False,
        )
        head = (
            meta_tags(facts, self.pubdate_format)
            + f"<script>window._CONFIG = {{SID:'{self.sid}', DETAIL:{detail}}};</script>\n"
        )
        return self.article_frame(
            facts, head=head, info=gkmlpt_table(facts), container='<div class="article-content">', body=body
        )
