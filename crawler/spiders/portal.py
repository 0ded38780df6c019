"""The one config-driven spider: every portal of the registry, read through its CMS adapter.

    scrapy crawl portal -a registry=registry.yaml -a name=xiangxiang
    xxgk crawl --portal xiangxiang          # the same spider, in a child process per crawl

From each report column (or, without one, from the portal's home page by discovery) it reads the
list pages with the portal's adapter, follows pagination, year and per-agency sub-columns, keeps the
links whose titles are annual reports (decoys are counted and left), fetches the report pages and
their attachments, and hands them to the pipeline: extract → parse → validate → store.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter, defaultdict
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urljoin, urlsplit

import scrapy
from lxml import etree
from parsel import Selector
from scrapy.http import Response

from config.hosts import origin
from config.registry import Agency, Portal, Registry, load_registry
from config.settings import today
from crawler.adapters import ADAPTERS, Adapter, Fetch, Link, detect
from crawler.adapters.base import ATTACHMENT_SUFFIXES, anchors, is_year_column
from crawler.agencies import resolve, score
from crawler.browser import REFUSED as BROWSER_REFUSED
from crawler.dates import candidates
from crawler.discovery import PROBE_PATHS, score_link
from crawler.failures import classify_response, failure_kind, garbled
from crawler.items import FetchedDocument, FetchFailure
from crawler.journal import Journal, Past
from crawler.known import Known
from crawler.progress import PortalTracker
from crawler.settle import Settlement, Settling, settles
from crawler.titles import classify_title
from extract.normalize import clean_line, nfkc
from extract.page_images import is_image_file, page_images, shows_pictures_only
from store.terms import UNREGISTERED

PAGE_MAXSIZE = 16 * 1024 * 1024  # an HTML list or report page larger than this is `oversized`; files may be larger
MAX_DEPTH = 6  # list → sub-column → year → page …: deeper is a crawler trap
MAX_DISCOVERY_DEPTH = 2
_ATTACHMENT_HINT = re.compile(r"downfile\.jsp|/attachment/|/P0\d+|[?&]filename=", re.IGNORECASE)
# what a file the page offers beside its report is called (a form, a guide): no report
_FORM = re.compile(r"申请表|申请书|登记表|表格下载|办事指南|服务指南|流程图|格式文本|委托书")
# the page itself carries a report's tables (表三, or a legacy 统计表): its attachments are copies
_REPORT_TABLE = re.compile(r"本年新收|自然人\s*法人|收到申请数|申请答复数")
_YEAR = re.compile(r"(?:19|20)\d{2}")


@dataclass(frozen=True, slots=True)
class Hint:
    """What the way to a list page says about the reports on it."""

    agency: str | None = None
    year: int | None = None
    depth: int = 0
    discovery: bool = False
    continuation: bool = False  # a further page of a list: past the end, a 404 just ends the list


class PortalSpider(scrapy.Spider):
    name = "portal"

    def __init__(
        self,
        registry: str | None = None,
        name: str | None = None,
        portals: str | None = None,
        region: str | None = None,
        as_of: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.registry: Registry = load_registry(Path(registry or "registry.yaml"))
        wanted = {p for p in ((name or "") + "," + (portals or "")).split(",") if p}
        self.portals: dict[str, Portal] = {
            p.id: p
            for p in self.registry.portals
            if p.enabled and (not wanted or p.id in wanted) and (not region or any(
                a.region.startswith(region) for a in p.agencies))
        }
        unknown = wanted - {p.id for p in self.registry.portals}
        if unknown:
            raise ValueError(f"no such portal in the registry: {', '.join(sorted(unknown))}")
        self.as_of = dt.date.fromisoformat(as_of) if as_of else today()
        # reports older than the monitored years (default: the ten report years before last) are not wanted
        self.first_year = self.registry.first_year or self.as_of.year - 11
        self.known = Known()  # the archive's documents of these portals (crawler.pipelines sets it)
        # with a job directory (XXGK_JOBDIR), what earlier runs of this crawl did comes back from its journal
        self.journal: Journal | None = None
        self.past = Past()
        self.portal_stats: defaultdict[str, Counter[str]] = defaultdict(Counter)
        self.tracker = PortalTracker()
        self.settling = Settling(opened=self.tracker.sent, scheduled=self._scheduled, settled=self._settled)

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> PortalSpider:
        spider: PortalSpider = super().from_crawler(crawler, *args, **kwargs)
        jobdir = crawler.settings.get("XXGK_JOBDIR")
        if jobdir:
            # the crawler's fingerprinter is set when the crawl starts (after this), before any request is scheduled
            fingerprint = lambda r: crawler.request_fingerprinter.fingerprint(r)  # noqa: E731, PLW0108 - looked up late
            spider.journal = Journal(Path(jobdir), spider, fingerprint)
            spider.past = spider.journal.past
            spider.portal_stats = spider.past.counts
        spider.tracker.ledger = crawler.settings.get("XXGK_CRAWL_LEDGER")
        spider.tracker.done = set(spider.past.done)
        spider.tracker.on_done = spider.journal.portal_done if spider.journal else None
        spider.settling.connect(crawler.signals)
        # each portal's registry rate limit: the floor of its slot's delay (crawler.throttle keeps it there)
        floor = crawler.settings.getfloat("DOWNLOAD_DELAY")
        slots = {urlsplit(p.base_url).netloc: {"delay": max(floor, 1 / p.rate_limit)} for p in spider.portals.values()}
        crawler.settings.set("DOWNLOAD_SLOTS", {**slots, **crawler.settings.getdict("DOWNLOAD_SLOTS")}, "spider")
        return spider

    def count(self, portal: str, stat: str, n: int = 1, request: Any = None) -> None:
        """Count a statistic of the portal, on behalf of the request whose callback is running (or `request`):
        a crawl resumed after a crash has the counts of every request it does not do again."""
        self.portal_stats[portal][stat] += n
        self.settling.note(portal, stat, n, request)

    def _scheduled(self, request: Any) -> None:
        if self.journal is not None:
            self.journal.requested(request)

    def _settled(self, request: Any, left: Settlement) -> None:
        if self.journal is not None:
            self.journal.settled(request, left)
        self.tracker.settled(request)

    # ------------------------------------------------------------------ requests

    async def start(self) -> AsyncIterator[scrapy.Request]:
        """What an earlier run left undone first, then every portal's start (what an earlier run did is
        filtered as seen: its counts are in the journal, these are counted anew)."""
        self.tracker.begin(self.portals)
        for request in self.past.pending:
            self.settling.expect(request)
            yield request
        for portal in self.portals.values():
            entries = [(u, Hint()) for u in portal.columns]
            for agency in portal.agencies:
                entries += [(u, Hint(agency=agency.name)) for u in agency.columns]
            if not entries:
                entries = [(portal.base_url, Hint(discovery=True))]
                entries += [(urljoin(portal.base_url, p), Hint(discovery=True, depth=1)) for p in PROBE_PATHS]
            for url, hint in entries:
                request = self._list_request(portal, Fetch(url), hint)
                self.settling.expect(request)
                yield request
            self.tracker.start_sent(portal.id)

    def _meta(self, portal: Portal, **extra: Any) -> dict[str, Any]:
        # one download slot per portal, whose delay keeps the portal's rate limit
        meta: dict[str, Any] = {"portal": portal.id, "download_slot": urlsplit(portal.base_url).netloc, **extra}
        if not portal.robots:
            meta["dont_obey_robotstxt"] = True
        return meta

    def _list_request(self, portal: Portal, fetch: Fetch, hint: Hint, *, browser: bool = False) -> scrapy.Request:
        meta = self._meta(portal, hint=hint, kind="list", download_maxsize=PAGE_MAXSIZE)
        if browser or portal.fetcher == "browser":
            meta.update(playwright=True, playwright_page_goto_kwargs={"wait_until": "networkidle"})
        self.count(portal.id, "list_requests")
        return scrapy.Request(
            fetch.url, method=fetch.method, body=fetch.body, headers=dict(fetch.headers) or None,
            callback=self.parse_list, errback=self.failed, meta=meta,
        )

    def _document_request(self, portal: Portal, url: str, doc: dict[str, Any], callback: Any) -> scrapy.Request:
        headers = {}
        etag, modified = self.known.validators.get(url, (None, None))
        if etag:
            headers["If-None-Match"] = etag
        if modified:
            headers["If-Modified-Since"] = modified
        meta = self._meta(portal, kind="document", doc=doc)
        if callback == self.parse_page:
            meta["download_maxsize"] = PAGE_MAXSIZE
        return scrapy.Request(url, callback=callback, errback=self.failed, meta=meta, headers=headers or None)

    # ------------------------------------------------------------------ list pages

    def adapter(self, portal: Portal, text: str) -> Adapter:
        return ADAPTERS[portal.cms] if portal.cms else detect(text)

    @settles
    def parse_list(self, response: Response) -> Iterable[Any]:
        portal = self.portals[response.meta["portal"]]
        hint: Hint = response.meta["hint"]
        refused = list(self._browser_refusals(portal, response))
        yield from refused
        problem = classify_response(response.status, response.body)
        if problem:
            if (hint.discovery or hint.continuation) and problem in {"http_4xx", "soft_404"}:
                return  # a probed path or a page past the end of a list: not a failure of the portal
            yield self._failure(response.url, response.meta, problem, f"HTTP {response.status}")
            return
        text = response.text if hasattr(response, "text") else ""
        if garbled(text):
            yield self._failure(response.url, response.meta, "garbled", "")
            return
        self.count(portal.id, "list_pages")
        page = self.adapter(portal, text).read(response.url, text)
        if page.redirect and page.redirect not in {f.url for f in refused}:  # the browser's refusal said it
            yield self._list_request(portal, Fetch(page.redirect), hint)
        self.count(portal.id, "decoys_rejected", sum(classify_title(link.title).reason.startswith("decoy")
                                                    for link in page.links))
        yield from self._follow_reports(portal, page.links, hint)
        if hint.depth < MAX_DEPTH:
            # sub-columns: the adapter's, and any link titled with one of the portal's agencies
            agency_columns = [link for link in page.links if is_agency_column(link, portal)]
            for column in [*page.columns, *agency_columns]:
                yield self._list_request(portal, Fetch(column.url), self._sub_hint(portal, column, hint))
            for fetch in page.more:
                yield self._list_request(portal, fetch, replace(hint, depth=hint.depth + 1, continuation=True))
        if hint.discovery and hint.depth < MAX_DISCOVERY_DEPTH:
            for link in sorted(_links(text, response.url), key=score_link, reverse=True)[:6]:
                if score_link(link) > 0 and _on_site(link.url, portal):
                    yield self._list_request(portal, Fetch(link.url), replace(hint, depth=hint.depth + 1))
        if not (page.links or page.columns or page.more or page.redirect) and _script_heavy(text):
            yield from self._browser_fallback(portal, response, hint)

    def _browser_refusals(self, portal: Portal, response: Response) -> Iterable[FetchFailure]:
        """What the browser refused the page (crawler.browser): a navigation away is a fault of the portal like a
        refused redirect; a resource (another site's statistics script) is only counted."""
        for kind, url, detail, navigation in response.meta.get(BROWSER_REFUSED, ()):
            if navigation:
                yield self._failure(url, response.meta, kind, detail)
            else:
                self.count(portal.id, "browser_refused")

    def _browser_fallback(self, portal: Portal, response: Response, hint: Hint) -> Iterable[scrapy.Request]:
        """A static page that shows no list but runs scripts: ask the browser (once: a rendered page has a
        fingerprint of its own, crawler.browser, so the scheduler drops the same request again)."""
        if response.meta.get("playwright"):
            return
        self.count(portal.id, "browser_fallback")
        yield self._list_request(portal, Fetch(response.url), hint, browser=True)

    def _sub_hint(self, portal: Portal, column: Link, hint: Hint) -> Hint:
        year = hint.year
        if is_year_column(column.title) and (m := _YEAR.search(column.title)):
            year = int(m.group(0))
        agency = hint.agency
        match = next((a.name for a in portal.agencies if column.title and score(a, column.title)), None)
        return Hint(agency=match or agency, year=year, depth=hint.depth + 1, discovery=hint.discovery)

    def _follow_reports(self, portal: Portal, links: Iterable[Link], hint: Hint) -> Iterable[scrapy.Request]:
        """Requests for the links titled as reports. One on a host the registry does not list is asked all the
        same, as are such files of a report page: crawler.offsite refuses it as a fault of the agency-year, which
        is then not called missing, and the operators read which host to add to the portal's `hosts:`."""
        for link in links:
            verdict = classify_title(link.title)
            if not verdict.is_report:
                continue
            if verdict.year is not None and verdict.year < self.first_year:
                self.count(portal.id, "older_than_monitored")
                continue
            agency = self.match_agency(portal, verdict.named, hint.agency)
            if agency is None and verdict.agency:
                # a name none of the portal's agencies goes by: the operators hear of it, no agency is invented
                self.count(portal.id, f"{UNREGISTERED}{verdict.agency}")
                continue
            doc = {
                "title": link.title,
                "list_date": link.date,
                "year": verdict.year or hint.year,
                "agency": agency.name if agency else None,
                "level": agency.level if agency else None,
                "region": agency.region if agency else None,
            }
            self.count(portal.id, "report_links")
            is_file = urlsplit(link.url).path.lower().endswith(ATTACHMENT_SUFFIXES)
            yield self._document_request(portal, link.url, doc, self.parse_attachment if is_file else self.parse_page)

    def match_agency(self, portal: Portal, named: str | None, hinted: str | None) -> Agency | None:
        """The registry agency a report belongs to: by the name in its title (crawler.agencies), else the
        column's agency, else the portal's only agency."""
        for name in (named, hinted):
            agency = resolve(portal.agencies, name) if name else None
            if agency is not None:
                return agency
        return portal.agencies[0] if len(portal.agencies) == 1 else None

    # ------------------------------------------------------------------ documents

    @settles
    def parse_page(self, response: Response) -> Iterable[Any]:
        portal = self.portals[response.meta["portal"]]
        doc: dict[str, Any] = response.meta["doc"]
        if response.status == 304:
            self.count(portal.id, "not_modified")
            yield from self._known_files(portal, response.url, doc)
            return
        problem = classify_response(response.status, response.body)
        if problem:
            yield self._failure(response.url, response.meta, problem, f"HTTP {response.status}")
            return
        text = response.text
        if garbled(text):
            yield self._failure(response.url, response.meta, "garbled", "")
            return
        sel = Selector(text=text, type="html")
        meta = {m.attrib.get("name", ""): m.attrib.get("content", "") for m in sel.css("meta[name][content]")}
        visible = clean_line(nfkc(_visible_text(sel)))
        first_seen = self.as_of
        dates = {
            c.source: c.date
            for c in reversed(candidates(page_text=visible, meta=meta, list_date=doc["list_date"], url=response.url,
                                         first_seen=first_seen))
        }
        self.count(portal.id, "report_pages")
        has_report = bool(_REPORT_TABLE.search(visible))
        linked = _attachments(sel, response.url)
        documents = [url for url in linked if not is_image_file(url)]
        images = [] if has_report or documents else _pictures(sel, response.url, doc["title"])
        files = list(dict.fromkeys([*(documents or linked), *images]))
        doc = {**doc, "page_has_report": has_report, "images": len(images)}
        yield self._document(portal, response, {**doc, "stale": self._stale(response.url)}, dates, kind="page",
                             attachments=len(files))
        for url in files:
            attachment_doc = {**doc, "page_url": response.url, "dates": dates}
            yield self._document_request(portal, url, attachment_doc, self.parse_attachment)

    def _stale(self, page_url: str) -> bool:
        """Whether the archive holds a report at the page or at one of its pictures (FetchedDocument.stale)."""
        reports = self.known.report_pages
        return page_url in reports or any(u in reports for u in self.known.files.get(page_url, ()) if is_image_file(u))

    def _known_files(self, portal: Portal, page_url: str, doc: dict[str, Any]) -> Iterable[scrapy.Request]:
        """An unchanged page's files, as it last linked them: a file replaced in place (the quiet edit of
        a PDF report) changes no page, so each is asked after on its own (conditionally)."""
        linked = self.known.files.get(page_url, ())
        # a page's document is its report: pictures an older crawl took beside it are not asked after
        documents = [url for url in linked if not is_image_file(url)]
        files = documents or list(linked)
        # a page that carried its report itself, read from its text: its files copy it (a page of pictures' are
        # its pages)
        copies = page_url in self.known.report_pages and page_url not in self.known.pictured
        images = 0 if documents or copies else len(files)
        for url in files:
            attachment_doc = {**doc, "page_url": page_url, "dates": {}, "page_has_report": copies, "images": images}
            yield self._document_request(portal, url, attachment_doc, self.parse_attachment)

    @settles
    def parse_attachment(self, response: Response) -> Iterable[Any]:
        portal = self.portals[response.meta["portal"]]
        doc: dict[str, Any] = response.meta["doc"]
        if response.status == 304:
            self.count(portal.id, "not_modified")
            return
        problem = classify_response(response.status, response.body[:1])
        if problem:
            yield self._failure(response.url, response.meta, problem, f"HTTP {response.status}")
            return
        dates = dict(doc.get("dates") or {})
        if not dates:
            dates = {c.source: c.date for c in reversed(candidates(list_date=doc["list_date"], url=response.url,
                                                                   first_seen=self.as_of))}
        self.count(portal.id, "attachments")
        yield self._document(portal, response, doc, dates, kind="attachment")

    def _document(
        self, portal: Portal, response: Response, doc: dict[str, Any], dates: dict[str, dt.date], kind: str,
        attachments: int = 0,
    ) -> FetchedDocument:
        headers = _headers(response)
        return FetchedDocument(
            portal=portal.id, url=response.url, body=response.body, status=response.status,
            content_type=headers.get("content-type"), encoding=portal.encoding, title=doc["title"],
            agency=doc["agency"], level=doc["level"], region=doc["region"], year=doc["year"], kind=kind,
            page_url=doc.get("page_url"), dates=dates, etag=headers.get("etag"),
            last_modified=headers.get("last-modified"), attachments=attachments,
            page_has_report=bool(doc.get("page_has_report")), images=doc.get("images", 0),
            stale=bool(doc.get("stale")),
        )

    # ------------------------------------------------------------------ failures

    @settles
    def failed(self, failure: Any) -> Iterable[FetchFailure]:
        request = failure.request
        hint: Hint | None = request.meta.get("hint")
        if hint is not None and hint.discovery and hint.depth > 0:
            return  # a probe that failed says nothing about the portal
        yield self._failure(request.url, request.meta, failure_kind(failure), str(failure.value)[:300])

    def _failure(self, url: str, meta: dict[str, Any], kind: str, detail: str) -> FetchFailure:
        """A failure of the request's portal, with whose reports it may hide: the agency and year of the column
        or report it was on the way to (none: any), and whether it was only a copy."""
        portal = meta.get("portal", "?")
        hint: Hint | None = meta.get("hint")
        doc: dict[str, Any] = meta.get("doc") or {}
        self.count(portal, f"failed:{kind}")
        return FetchFailure(
            portal, url, kind, detail, list_page=meta.get("kind") == "list",
            agency=hint.agency if hint is not None else doc.get("agency"),
            year=hint.year if hint is not None else doc.get("year"), copy=bool(doc.get("page_has_report")),
        )

    def closed(self, reason: str) -> None:
        self.tracker.close(reason)
        if self.journal is not None:
            self.journal.close()
        for portal, stats in sorted(self.portal_stats.items()):
            self.logger.info("portal %s: %s", portal, dict(sorted(stats.items())))
        self.crawler.stats.set_value("xxgk/portal_stats", {p: dict(s) for p, s in self.portal_stats.items()})
        self.crawler.stats.set_value("xxgk/finish_reason", reason)


def _headers(response: Response) -> dict[str, str]:
    return {k.decode("latin-1").lower(): v[0].decode("latin-1") for k, v in response.headers.items() if v}


_TEXT_NODES = etree.XPath("descendant-or-self::text()", smart_strings=False)  # itertext's, in C: half the time


def _visible_text(sel: Selector) -> str:
    """The page's text without its scripts and styles (removed from the tree: a `not(ancestor::script)`
    test on every text node was a third of the crawl's time)."""
    etree.strip_elements(sel.root, "script", "style", with_tail=False)
    body = sel.root.find("body")
    return " ".join(_TEXT_NODES(body if body is not None else sel.root))


def _links(text: str, base: str) -> list[Link]:
    return anchors(Selector(text=text, type="html"), base)


def is_agency_column(link: Link, portal: Portal) -> bool:
    """A link named after one of the portal's agencies that leads to its column: undated, with no year
    in its title and no decoy (`XX县人民政府2017年政务公开工作要点` names the agency but is an article;
    following it as a column cost a request, and a browser render on a JavaScript portal)."""
    if link.date or _YEAR.search(link.title) or not _on_site(link.url, portal):
        return False
    verdict = classify_title(link.title)
    if verdict.is_report or verdict.reason.startswith("decoy"):
        return False
    return any(score(a, link.title) >= 2 for a in portal.agencies)


def _on_site(url: str, portal: Portal) -> bool:
    """On one of the portal's hosts (crawler.offsite refuses the rest; following them would only fail)."""
    return origin(url) in portal.origins


def _script_heavy(text: str) -> bool:
    return text.count("<script") >= 1 and len(re.sub(r"<script.*?</script>", "", text, flags=re.DOTALL)) < len(text)


def _pictures(sel: Selector, base: str, title: str) -> list[str]:
    """The images that are the report of a page with no report text of its own and no document: a 图片版's,
    and any page's whose own text is too little to be a report's (most portals never write 图片版). Several
    are its pages, in order; one is the report itself."""
    if "图片版" in title or shows_pictures_only(sel.root):
        return page_images(sel.root, base)
    return []


def _attachments(sel: Selector, base: str) -> list[str]:
    """Report files linked from the report page (PDF, Word, WPS, spreadsheets); not a form the page offers
    beside it (an application form to download, a guide: by the link's words or file name), which would be
    taken for the report of a page of pictures and found unreadable."""
    urls: list[str] = []
    for link in sel.css("a[href]"):
        url = urljoin(base, (link.attrib.get("href") or "").strip())
        path = urlsplit(url).path.lower()
        if (path.endswith(ATTACHMENT_SUFFIXES) or _ATTACHMENT_HINT.search(url)) and not _FORM.search(
                " ".join([*link.css("::text").getall(), link.attrib.get("title", ""), unquote(url)])):
            urls.append(url)
    return list(dict.fromkeys(urls))
