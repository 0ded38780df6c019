"""A column whose list exists only after JavaScript runs (portals.md §3.3): a crawler needs a browser.

The page holds the rows base64-encoded in a script and builds every link in JavaScript, so no
URL, title or API endpoint appears in the HTML source; the registry marks the portal
`fetcher: browser`. URLs: column `/xxgk/ndbg/index.html`, articles
`/xxgk/ndbg/YYYYMM/t{date}_{id}.html` (ordinary server-side pages), attachments beside them.
"""

from __future__ import annotations

import base64
import json
from datetime import date
from typing import ClassVar, Final

from sim.archetypes.base import Column, Site
from sim.http import Request, Response
from sim.pagemeta import ArticleFacts, info_table, meta_tags
from sim.world import Item, Report

COLUMN: Final = "/xxgk/ndbg/"
# Builds `./YYYYMM/tYYYYMMDD_ID.html` from [id, title, "YYYY-MM-DD"] rows; tests mirror it in Python.
RENDERER: Final = """<script type="text/javascript">
(function () {
  var rows = JSON.parse(decodeURIComponent(escape(window.atob(_rows))));
  var ul = document.createElement('ul');
  ul.className = 'list';
  rows.forEach(function (r) {
    var d = r[2].replace(/-/g, '');
    var li = document.createElement('li');
    var a = document.createElement('a');
    a.setAttribute('href', './' + d.slice(0, 6) + '/t' + d + '_' + r[0] + '.html');
    a.setAttribute('title', r[1]);
    a.textContent = r[1];
    var span = document.createElement('span');
    span.textContent = r[2];
    li.appendChild(a); li.appendChild(span); ul.appendChild(li);
  });
  document.getElementById('list').innerHTML = '';
  document.getElementById('list').appendChild(ul);
})();
</script>"""


class JsOnlySite(Site):
    fetcher: ClassVar[str] = "browser"

    def layout(self) -> None:
        self.list = Column("政府信息公开年度报告")
        self.ids = self.rng.randint(10_000, 90_000)
        for item in self.portal.items:
            self.list.add(item)
            d = item.published
            stem = f"{COLUMN}{d:%Y%m}/"
            self.add_article(item, f"{stem}t{d:%Y%m%d}_{self.ids + item.key}.html")
            if isinstance(item, Report) and item.medium in ("pdf", "docx", "image"):
                ext = "png" if item.medium == "image" else item.medium
                self.add_file(item, f"{stem}P0{d:%Y%m%d}{item.seed % 10**7:07d}.{ext}")
        self.routes[COLUMN] = self.column_page
        self.routes[f"{COLUMN}index.html"] = self.column_page

    def columns(self) -> list[str]:
        return [self.url(f"{COLUMN}index.html")]

    def column_page(self, request: Request, as_of: date) -> Response:  # noqa: ARG002 - one page, no parameters
        rows = [[self.ids + it.key, it.title, f"{it.published:%Y-%m-%d}"] for it in self.list.visible(as_of)]
        packed = base64.b64encode(json.dumps(rows, ensure_ascii=False).encode()).decode()
        data = f'<script type="text/javascript">var _rows = "{packed}";</script>'
        body = f'<div id="list">正在加载……</div>\n{data}\n{RENDERER}'
        return self.html(self.list_page(self.list.title, body), page="list")

    def article_html(self, item: Item, facts: ArticleFacts, body: str) -> str:  # noqa: ARG002 - the template shows the same for every item
        return self.article_frame(
            facts,
            head=meta_tags(facts, self.pubdate_format),
            info=info_table(facts),
            container='<div id="zoom">',
            body=body,
        )
