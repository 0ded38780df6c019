"""Test-only walkers: follow each simulated CMS's own navigation from its registry column to its articles.

Deliberately naive and per-archetype (not the real crawler): each walker reads the list pages the
way that CMS's JavaScript or API consumer would, and returns every article URL it reached.
"""

from __future__ import annotations

import base64
import json
import re
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from html import unescape
from urllib.parse import urlencode, urljoin

from lxml import etree, html

_PAGER = re.compile(r"createPageHTML\((.*?)\);|var countPage = (\d+)")


@dataclass
class Fetched:
    status: int
    body: bytes
    headers: dict[str, str]

    @property
    def text(self) -> str:
        charset = re.search(r"charset=([\w-]+)", self.headers.get("content-type", ""))
        codec = charset.group(1) if charset else "utf-8"
        return self.body.decode("gb18030" if codec.lower() in ("gb2312", "gbk") else codec, "replace")


def fetch(
    url: str, *, data: bytes | None = None, headers: dict[str, str] | None = None, timeout: float = 10
) -> Fetched:
    request = urllib.request.Request(url, data=data, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return Fetched(response.status, response.read(), {k.lower(): v for k, v in response.headers.items()})
    except urllib.error.HTTPError as exc:
        return Fetched(exc.code, exc.read(), {k.lower(): v for k, v in exc.headers.items()})


def anchors(url: str, text: str, selector: str = "//a[@href]") -> list[str]:
    if not text.strip():
        return []
    tree = html.fromstring(text)
    return [urljoin(url, a.get("href")) for a in tree.xpath(selector)]


@dataclass
class Walk:
    articles: set[str] = field(default_factory=set)
    pages: list[str] = field(default_factory=list)

    def get(self, url: str, **kw: object) -> Fetched:
        self.pages.append(url)
        got = fetch(url, **kw)  # type: ignore[arg-type]
        assert got.status == 200, (url, got.status)
        return got


def pager_count(script: str) -> int:
    """Page count from any TRS signature: (count, cur, …), ('div', count, cur, …, total), (total, count, cur, …)."""
    m = _PAGER.search(script)
    assert m, "no TRS pager on a list page"
    if m.group(2):
        return int(m.group(2))
    args = [a.strip().strip("'\"") for a in m.group(1).split(",")]
    numbers = [int(a) for a in args if a.isdigit()]
    if not args[0].isdigit():
        return numbers[0]
    leading = next(i for i, a in enumerate(args) if not a.isdigit())
    return numbers[1] if leading >= 3 else numbers[0]


def walk_trs(column: str) -> Walk:
    walk = Walk()
    todo = [column]
    while todo:
        url = todo.pop()
        text = walk.get(url).text
        subs = anchors(url, text, "//ul[@class='sub-columns']//a[@href]")
        if subs:
            todo.extend(subs)
            continue
        count = pager_count(text)
        ext = url.rsplit(".", 1)[1]
        for n in range(count):
            page = url if n == 0 else urljoin(url, f"index_{n}.{ext}")
            walk.articles.update(anchors(page, walk.get(page).text if n else text, "//ul[@class='list']//a"))
        past = fetch(urljoin(url, f"index_{count}.{ext}"))
        assert b'http-equiv="refresh"' in past.body
        assert b"URL=./" in past.body
    return walk


def walk_hanweb(hub: str, *, post: bool = True) -> Walk:
    walk = Walk()
    for col in anchors(hub, walk.get(hub).text, "//ul[@class='bmlist']//a[@href]"):
        text = walk.get(col).text
        store = etree.fromstring(
            re.search(r'<script type="text/xml">(.*?)</script>', text, re.DOTALL).group(1).encode()
        )
        total = int(store.findtext("totalrecord"))
        walk.articles.update(urljoin(col, r) for r in _records(store))
        colid = re.search(r"columnid:(\d+)", text).group(1)
        unit = re.search(r"unitid:'(\d+)'", text).group(1)
        per = int(re.search(r"perpage:(\d+)", text).group(1))
        shown = len(store.findall(".//record"))
        proxy = urljoin(col, "/module/web/jpage/dataproxy.jsp")
        for start in range(shown + 1, total + 1, per * 3):
            end = min(total, start + per * 3 - 1)
            if post:
                body = urlencode({"col": 1, "appid": 1, "webid": 1, "path": "/", "columnid": colid, "unitid": unit})
                got = walk.get(f"{proxy}?startrecord={start}&endrecord={end}&perpage={per}", data=body.encode())
            else:
                got = walk.get(
                    f"{proxy}?page={(start - 1) // per + 1}&columnid={colid}&unitid={unit}&perpage={per * 3}"
                )
            walk.articles.update(urljoin(col, r) for r in _records(etree.fromstring(got.body)))
    return walk


def _records(store: etree._Element) -> list[str]:
    return [html.fromstring(r.text).xpath("//a/@href")[0] for r in store.iter("record")]


def walk_gkmlpt(index: str) -> Walk:
    walk = Walk()
    text = walk.get(index).text
    sid = re.search(r"SID:'(\d+)'", text).group(1)
    tree = json.loads(re.search(r"TREE:(\[.*\])\};", text).group(1))
    root = tree[0]["id"]
    page, seen = 1, 0
    while True:
        got = json.loads(walk.get(urljoin(index, f"/gkmlpt/api/all/{root}?page={page}&sid={sid}")).body)
        walk.articles.update(a["url"] for a in got["articles"])
        seen += len(got["articles"])
        if seen >= got["classify"]["post_count"] or not got["articles"]:
            return walk
        page += 1


def walk_jpaas(column: str) -> Walk:
    walk = Walk()
    text = walk.get(column).text
    m = re.search(r'queryData="([^"]*)" url="([^"]*)"', text)
    query, api = json.loads(unescape(m.group(1))), m.group(2)
    page = 1
    while True:
        params = {**query, "paramJson": json.dumps({"pageNo": page, "pageSize": 15})}
        got = json.loads(walk.get(urljoin(column, f"{api}?{urlencode(params)}")).body)
        assert got["success"] is True
        fragment = got["data"]["html"]
        walk.articles.update(anchors(column, fragment, "//li[@class='clearfix']/a"))
        rows, count = map(int, re.search(r'rows="(\d+)" count="(\d+)"', fragment).groups())
        if page * rows >= count:
            return walk
        page += 1


def walk_beijing(column: str) -> Walk:
    walk = Walk()
    todo = [column]
    while todo:
        url = todo.pop()
        text = walk.get(url).text
        target = re.search(r"location\.replace\('([^']+)'\)", text)
        if target:
            todo.append(urljoin(url, target.group(1)))
            continue
        assert "$('.default_news li')" in text
        walk.articles.update(anchors(url, text, "//ul[@class='default_news']//a"))
        todo.extend(anchors(url, text, "//div[@class='more']/a"))
    return walk


def walk_js_only(column: str) -> Walk:
    """What the page's script builds, done in Python (a browser test checks the script itself)."""
    walk = Walk()
    text = walk.get(column).text
    rows = json.loads(base64.b64decode(re.search(r'var _rows = "([^"]*)"', text).group(1)))
    for ident, _title, day in rows:
        d = day.replace("-", "")
        walk.articles.add(urljoin(column, f"./{d[:6]}/t{d}_{ident}.html"))
    return walk


def walk_county(column: str) -> Walk:
    walk = Walk()
    todo = [column]
    while todo:
        url = todo.pop()
        text = walk.get(url).text
        subs = anchors(url, text, "//ul[@class='sub-columns']//a[@href]")
        if subs:
            todo.extend(subs)
            continue
        count = int(re.search(r"共(\d+)页", text).group(1))
        for n in range(1, count + 1):
            page = f"{url}?page={n}"
            walk.articles.update(anchors(page, text if n == 1 else walk.get(page).text, "//ul[@class='list']//a"))
    return walk


WALKERS = {
    "trs": walk_trs,
    "hanweb": walk_hanweb,
    "gkmlpt": walk_gkmlpt,
    "jpaas": walk_jpaas,
    "beijing": walk_beijing,
    "js_only": walk_js_only,
    "county": walk_county,
}
