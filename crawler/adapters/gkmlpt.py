"""Guangdong gkmlpt (政府信息公开目录管理平台): a Vue shell whose data comes from a JSON API."""

from __future__ import annotations

import json
import re
from typing import Any, ClassVar
from urllib.parse import urljoin

from crawler.adapters.base import Adapter, Fetch, Link, ListPage, list_date

_SID = re.compile(r"SID\s*:\s*['\"]?(\w+)")
_TREE = re.compile(r"TREE\s*:\s*\[")
_REPORT_CATEGORY = re.compile(r"年报|年度报告")
PAGE_SIZE = 100
MAX_PAGES = 50


def _balanced(text: str, start: int) -> str:
    """The bracketed JSON value that opens at `start` (nested brackets and strings respected)."""
    depth, quote, escaped = 0, "", False
    for i in range(start, len(text)):
        ch = text[i]
        if quote:
            escaped = ch == "\\" and not escaped
            if ch == quote and not escaped:
                quote = ""
            continue
        if ch in "\"'":
            quote = ch
        elif ch in "[{":
            depth += 1
        elif ch in "]}":
            depth -= 1
            if depth == 0:
                return text[start : i + 1]
    return ""


def _categories(tree: list[Any]) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for node in tree:
        if isinstance(node, dict):
            out.append((str(node.get("id", "")), str(node.get("name", ""))))
            out += _categories(node.get("children") or [])
    return out


class GkmlptAdapter(Adapter):
    name: ClassVar[str] = "gkmlpt"
    fingerprint: ClassVar[re.Pattern[str]] = re.compile(r"gkmlpt|SID\s*:\s*['\"]")

    def read(self, url: str, text: str) -> ListPage:
        if text.lstrip().startswith("{"):
            return self._api_page(url, text)
        page = ListPage()
        sid = _SID.search(text)
        tree_m = _TREE.search(text)
        if not sid:
            return super().read(url, text)
        cats: list[tuple[str, str]] = []
        if tree_m:
            try:
                cats = _categories(json.loads(_balanced(text, tree_m.end() - 1).replace("'", '"')))
            except json.JSONDecodeError:
                cats = []
        wanted = [cid for cid, name in cats if _REPORT_CATEGORY.search(name)] or ["all"]
        for cid in wanted:
            path = f"/gkmlpt/api/all/{cid}" if cid != "all" else "/gkmlpt/api/all/0"
            page.more.append(Fetch(urljoin(url, f"{path}?page=1&sid={sid.group(1)}")))
        return page

    def _api_page(self, url: str, text: str) -> ListPage:
        """`{"classify": {"post_count": N}, "articles": [{title, url, created_at, attachment…}]}`."""
        page = ListPage()
        try:
            data = json.loads(text)
        except json.JSONDecodeError:
            return page
        for art in data.get("articles") or []:
            if isinstance(art, dict) and art.get("url"):
                date = list_date(str(art.get("display_publish_time") or art.get("created_at") or art.get("date") or ""))
                page.links.append(Link(urljoin(url, str(art["url"])), str(art.get("title") or ""), date))
        total = int((data.get("classify") or {}).get("post_count") or data.get("total") or 0)
        m = re.search(r"[?&]page=(\d+)", url)
        current = int(m.group(1)) if m else 1
        per_page = len(data.get("articles") or []) or PAGE_SIZE
        pages = min(MAX_PAGES, int(data.get("pages") or -(-total // per_page)))
        if current == 1 and page.links:
            page.more = [Fetch(re.sub(r"([?&]page=)\d+", rf"\g<1>{n}", url)) for n in range(2, pages + 1)]
        return page
