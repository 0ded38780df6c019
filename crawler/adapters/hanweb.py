"""Hanweb 大汉 jcms: `<datastore>` XML embedded in `/col/colN/` pages and served by `dataproxy.jsp`."""

from __future__ import annotations

import re
from typing import ClassVar
from urllib.parse import urlencode, urljoin

from parsel import Selector

from crawler.adapters.base import Adapter, Fetch, ListPage, anchors, redirect_target

_RECORD = re.compile(r"<record>\s*<!\[CDATA\[(.*?)\]\]>\s*</record>", re.DOTALL)
_TOTAL_RECORD = re.compile(r"<totalrecord>\s*(\d+)\s*</totalrecord>")
_PARAM = {
    "columnid": re.compile(r"columnid\s*[:=]\s*['\"]?(\d+)"),
    "unitid": re.compile(r"unitid\s*[:=]\s*['\"]?(\d+)"),
    "webid": re.compile(r"webid\s*[:=]\s*['\"]?(\d+)"),
}
_PER_PAGE = re.compile(r"perpage\s*[:=]\s*['\"]?(\d+)")
_COL_ID = re.compile(r"/col/col(\d+)/")
MAX_RECORDS = 5000


class HanwebAdapter(Adapter):
    name: ClassVar[str] = "hanweb"
    fingerprint: ClassVar[re.Pattern[str]] = re.compile(r"<datastore>|dataproxy\.jsp|jpage\(|/col/col\d+/")

    def read(self, url: str, text: str) -> ListPage:
        """Records of the datastore (embedded or returned by dataproxy.jsp) are the list items."""
        records = _RECORD.findall(text)
        if not records:
            return super().read(url, text)
        page = ListPage(redirect=redirect_target(url, text))
        for html in records:
            page.links.extend(anchors(Selector(text=html, type="html"), url))
        if "dataproxy.jsp" not in url:
            page.more = self.pages(url, text)
        return page

    def pages(self, url: str, text: str) -> list[Fetch]:
        """The rest of the list from dataproxy.jsp, asked by record ranges (POST) as jpage does."""
        total_m = _TOTAL_RECORD.search(text)
        params = {k: m.group(1) for k, rx in _PARAM.items() if (m := rx.search(text))}
        if "columnid" not in params and (col := _COL_ID.search(url)):
            params["columnid"] = col.group(1)
        if not total_m or "columnid" not in params:
            return []
        total = min(int(total_m.group(1)), MAX_RECORDS)
        shown = len(_RECORD.findall(text))
        per_page = int(m.group(1)) if (m := _PER_PAGE.search(text)) else max(shown, 15)
        body = urlencode({"col": 1, "appid": 1, "webid": params.get("webid", 1), "path": "/",
                          "columnid": params["columnid"], "sourceContentType": 1,
                          "unitid": params.get("unitid", ""), "permissiontype": 0})
        proxy = urljoin(url, "/module/web/jpage/dataproxy.jsp")
        out = []
        for start in range(shown + 1, total + 1, per_page * 3):  # jpage asks three pages per call
            end = min(total, start + per_page * 3 - 1)
            query = urlencode({"startrecord": start, "endrecord": end, "perpage": per_page})
            out.append(Fetch(f"{proxy}?{query}", method="POST", body=body,
                             headers=(("Content-Type", "application/x-www-form-urlencoded"),
                                      ("Accept", "application/xml, text/xml, */*"))))
        return out
