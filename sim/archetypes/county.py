"""A county portal on an unbranded CMS with per-department and per-township sub-columns (portals.md §1.1).

URLs: `/xxgk/xxgknb/index.html` lists the sub-columns 本级政府 `bjzf/`, 政府部门 `zfbm/` and
乡镇（街道） `xzjd/`; `zfbm/` and `xzjd/` list one sub-column per agency (`zfbm/mzj/` …). Leaf
columns page with `?page=N` (1-based, “共N页 下一页”). Articles use the 32-hex form
`…/202401/0f235d…33.shtml` or the 19-digit timestamp form `…/2024013110470592735/index.html`;
attachments `/uploadfiles/YYYYMM/<hex>.pdf`.
"""

from __future__ import annotations

import hashlib
from datetime import date
from html import escape
from typing import ClassVar, Final

from sim.archetypes.base import Column, Site, list_item, page_count, page_slice
from sim.http import Request, Response
from sim.pagemeta import BYLINES, ArticleFacts, byline, meta_tags
from sim.world import Agency, Item, Report

ROOT: Final = "/xxgk/xxgknb/"
_GROUPS: Final = {"department": ("zfbm/", "政府部门"), "township": ("xzjd/", "乡镇（街道）")}


class CountySite(Site):
    cms: ClassVar[str] = "generic"

    def layout(self) -> None:
        rng = self.rng
        self.size = rng.choice((10, 15))
        self.hex_ids = rng.random() < 0.5
        self.byline = rng.choice(BYLINES)
        self.leaf_of: dict[str, str] = {}
        self.lists: dict[str, Column] = {}
        self.indexes: dict[str, list[tuple[str, str]]] = {ROOT: [("bjzf/", "本级政府")]}
        for agency in self.portal.agencies:
            group = _GROUPS.get(agency.level)
            if group is None:
                leaf = f"{ROOT}bjzf/"
            else:
                folder, title = group
                if (folder, title) not in self.indexes[ROOT]:
                    self.indexes[ROOT].append((folder, title))
                self.indexes.setdefault(f"{ROOT}{folder}", []).append((f"{agency.slug}/", agency.name))
                leaf = f"{ROOT}{folder}{agency.slug}/"
            self.leaf_of[agency.name] = leaf
            self.lists.setdefault(leaf, Column(agency.name))
        for item in self.portal.items:
            leaf = self.leaf_of[item.agency.name]
            self.lists[leaf].add(item)
            self.add_article(item, self.article_path(leaf, item))
            if isinstance(item, Report) and item.medium in ("pdf", "docx", "image"):
                ext = "png" if item.medium == "image" else item.medium
                self.add_file(item, f"/uploadfiles/{item.published:%Y%m}/{self.digest(item)[:20]}.{ext}")
        for folder in (*self.indexes, *self.lists):
            self.routes[folder] = self.folder_page
            self.routes[f"{folder}index.html"] = self.folder_page

    def digest(self, item: Item) -> str:
        return hashlib.md5(f"{self.portal.id}:{item.key}".encode(), usedforsecurity=False).hexdigest()

    def article_path(self, leaf: str, item: Item) -> str:
        d = item.published
        if self.hex_ids:
            return f"{leaf}{d:%Y%m}/{self.digest(item)}.shtml"
        return f"{leaf}{d:%Y%m%d%H%M%S}{item.key % 100_000:05d}/index.html"

    def columns(self) -> list[str]:
        return [self.url(f"{ROOT}index.html")]

    def agency_columns(self, agency: Agency) -> list[str]:
        return [self.url(self.leaf_of[agency.name])]

    def folder_page(self, request: Request, as_of: date) -> Response:
        folder = request.path.removesuffix("index.html")
        if folder in self.lists:
            return self.leaf_page(folder, request, as_of)
        links = "\n".join(f'<li><a href="./{sub}">{escape(title)}</a></li>' for sub, title in self.indexes[folder])
        return self.html(self.list_page("政府信息公开年报", f'<ul class="sub-columns">\n{links}\n</ul>'), page="list")

    def leaf_page(self, folder: str, request: Request, as_of: date) -> Response:
        items = self.lists[folder].visible(as_of)
        try:
            page = int(request.query.get("page") or 1)
        except ValueError:
            page = 1
        count = page_count(len(items), self.size)
        rows = "\n".join(
            list_item(self.article_urls[it.key].removeprefix(self.origin), it)
            for it in page_slice(items, page - 1, self.size)
        )
        nav = [f"共{count}页 当前第{page}页", '<a href="?page=1">首页</a>']
        if page > 1:
            nav.append(f'<a href="?page={page - 1}">上一页</a>')
        if page < count:
            nav.append(f'<a href="?page={page + 1}">下一页</a>')
        nav.append(f'<a href="?page={count}">尾页</a>')
        pager = '<div class="pagination">' + " ".join(nav) + "</div>"
        title = f"{self.lists[folder].title}政府信息公开年报"
        return self.html(self.list_page(title, f'<ul class="list">\n{rows}\n</ul>', pager), page="list")

    def article_html(self, item: Item, facts: ArticleFacts, body: str) -> str:  # noqa: ARG002 - the template shows the same for every item
        return self.article_frame(
            facts,
            head=meta_tags(facts, self.pubdate_format),
            info=byline(facts, self.byline),
            container='<div class="article-content">',
            body=body,
        )
