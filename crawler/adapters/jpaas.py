"""jpaas (集约化平台): the list page names an API that answers JSON carrying an HTML fragment."""

from __future__ import annotations

import html
import json
import re
from typing import ClassVar
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

from parsel import Selector

from crawler.adapters.base import Adapter, Fetch, ListPage, anchors

_QUERY_DATA = re.compile(r"""queryData\s*=\s*(['"])(.*?)\1""", re.DOTALL)
_API_URL = re.compile(r"""\burl\s*=\s*(['"])(/api-gateway/[^'"]+)\1""")
_PAGINATION = re.compile(r"""class=["']pagination["'][^>]*rows=["'](\d+)["'][^>]*count=["'](\d+)["']""")
MAX_PAGES = 100


class JpaasAdapter(Adapter):
    name: ClassVar[str] = "jpaas"
    fingerprint: ClassVar[re.Pattern[str]] = re.compile(r"queryData\s*=|jpaas-publish-server")

    def read(self, url: str, text: str) -> ListPage:
        if text.lstrip().startswith("{"):
            return self._api_page(url, text)
        page = super().read(url, text)
        qd, api = _QUERY_DATA.search(text), _API_URL.search(text)
        if qd and api:
            try:
                params = json.loads(html.unescape(qd.group(2)))
            except json.JSONDecodeError:
                params = {}
            query = urlencode({**{k: str(v) for k, v in params.items()},
                               "paramJson": json.dumps({"pageNo": 1, "pageSize": 15})})
            page.more = [Fetch(urljoin(url, f"{api.group(2)}?{query}"))]
        return page

    def _api_page(self, url: str, text: str) -> ListPage:
        """`{"success": true, "data": {"html": "<li class=clearfix>…<div class=pagination rows count>"}}`."""
        page = ListPage()
        try:
            fragment = str((json.loads(text).get("data") or {}).get("html") or "")
        except (json.JSONDecodeError, AttributeError):
            return page
        page.links = anchors(Selector(text=fragment, type="html"), url)
        m = _PAGINATION.search(fragment)
        query = dict(parse_qsl(urlsplit(url).query))
        try:
            current = json.loads(query.get("paramJson", "{}")).get("pageNo", 1)
        except json.JSONDecodeError:
            current = 1
        if m and current == 1:
            rows, count = int(m.group(1)), int(m.group(2))
            base = url.split("?", 1)[0]
            for n in range(2, min(MAX_PAGES, -(-count // max(rows, 1))) + 1):
                q = {**query, "paramJson": json.dumps({"pageNo": n, "pageSize": rows})}
                page.more.append(Fetch(f"{base}?{urlencode(q)}"))
        return page
