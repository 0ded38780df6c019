"""The crawler never leaves its portals: hostile portals on loopback try every way out, and each is refused.

One crawl of four hostile portals, served by one test server by host name (the crawl's resolver maps the
names, tests/crawl_probe.py), beside an "attacker" server on another loopback port that no portal
registers and that serves a genuine report:

| portal | what it tries | what the crawl must do |
|---|---|---|
| `bounce` | its report page answers 302 to the attacker; another 302 to `[::ffff:169.254.169.254]` | refuse both (`offsite`), store nothing of the attacker's |
| `refresh` | its column is a meta-refresh to `file:///etc/passwd`; another a script `location` to the attacker | refuse both (`offsite`) |
| `metadata` | its report's file is on a host it registers (`hosts:`) whose name resolves to 169.254.169.254 | refuse it (`private_address`) |
| `detour` | its report link answers 302 to a registered host, which answers 302 back to the portal | follow the chain and store the report |
| `script` | a page rendered by the browser loads a script from the attacker and moves `location` there | the browser loads neither: the navigation is refused (`offsite`), the script counted |

A second crawl of `bounce` without loopback allowed refuses its very first request (`private_address`).
"""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
import threading
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, cast

import pytest
from conftest import GOLD, spec_fields
from test_crawler_faults import status_of
from test_crawler_sim import FAST

from config.hosts import literal_address
from config.registry import Portal
from crawler.failures import classify_exception
from crawler.offsite import OffsitePolicy
from crawler.run import crawl
from crawler.settings import PLAYWRIGHT_LAUNCH_OPTIONS
from sim.render import render_html_bytes

AS_OF = dt.date(2026, 6, 1)
REPORTS = {  # portal → the gold record its agency publishes
    "bounce": "000_1c536831da56b3ac",
    "refresh": "003_333834406caf9852",
    "metadata": "004_0b4c895e08e04692",
    "detour": "002_5fb52927817c21c8",
    "script": "001_a8497dcfadd278cf",
}
NAMES = {f"{p}.hostile.test": "127.0.0.1" for p in REPORTS} | {"hop.hostile.test": "127.0.0.1",
                                                                "cdn.hostile.test": "169.254.169.254"}
# the browser resolves names itself: the browser portal's, as the crawl's resolver does
_ARGS, _RULES = cast("list[str]", PLAYWRIGHT_LAUNCH_OPTIONS["args"]), "--host-resolver-rules="
_OLD = [a.removeprefix(_RULES) for a in _ARGS if a.startswith(_RULES)]
BROWSER = {"PLAYWRIGHT_LAUNCH_OPTIONS": {**PLAYWRIGHT_LAUNCH_OPTIONS, "args": [
    *(a for a in _ARGS if not a.startswith(_RULES)), _RULES + ", ".join([*_OLD, "MAP script.hostile.test 127.0.0.1"])]}}


def title(portal: str) -> str:
    gold = GOLD[REPORTS[portal]]
    return f"{gold['agency']}{gold['year']}年政府信息公开工作年度报告"


def report_page(portal: str) -> bytes:
    return render_html_bytes(spec_fields(GOLD[REPORTS[portal]]), style="portal")


REFRESH = b'<html><head><meta http-equiv="refresh" content="0;url=file:///etc/passwd"></head><body></body></html>'


def listing(*links: tuple[str, str]) -> bytes:
    items = "".join(f'<li><a href="{href}">{text}</a><span>2025-01-20</span></li>' for href, text in links)
    return f"<html><head><title>年报</title></head><body><ul>{items}</ul></body></html>".encode()


class Sites:
    """What each host answers, by path; the attacker's answers and every request it got."""

    def __init__(self, port: int, attacker: int) -> None:
        evil = f"http://127.0.0.1:{attacker}"
        self.pages: dict[tuple[str, str], tuple[int, dict[str, str], bytes]] = {
            ("bounce", "/list/"): (200, {}, listing(("/report.html", title("bounce")),
                                                    ("/report2.html", title("bounce").replace("2025", "2024")))),
            ("bounce", "/report.html"): (302, {"Location": f"{evil}/report.html"}, b""),
            ("bounce", "/report2.html"): (302, {"Location": f"http://[::ffff:169.254.169.254]:{port}/r.html"}, b""),
            ("refresh", "/list/"): (200, {}, REFRESH),
            ("refresh", "/js/"): (200, {}, f"<html><script>location.replace('{evil}/list/')</script></html>".encode()),
            ("metadata", "/list/"): (200, {}, listing(("/report.html", title("metadata")))),
            ("metadata", "/report.html"): (200, {}, report_page("metadata").replace(
                b"</body>", f'<a href="http://cdn.hostile.test:{port}/files/report.pdf">附件</a></body>'.encode())),
            ("detour", "/list/"): (200, {}, listing(("/go.html", title("detour")))),
            ("detour", "/go.html"): (302, {"Location": f"http://hop.hostile.test:{port}/hop"}, b""),
            ("hop", "/hop"): (302, {"Location": f"http://detour.hostile.test:{port}/report.html"}, b""),
            ("detour", "/report.html"): (200, {}, report_page("detour")),
            ("script", "/list/"): (200, {}, f'<html><body><script src="{evil}/track.js"></script><script>'
                                            f"setTimeout(() => {{ location.href = '{evil}/list/'; }}, 50)"
                                            "</script></body></html>".encode()),
        }
        self.attacked: list[str] = []

    def answer(self, host: str, path: str) -> tuple[int, dict[str, str], bytes]:
        site = host.split(".", 1)[0]
        if site == "127":  # the attacker: a genuine report, as a site that wants to be stored would serve
            self.attacked.append(path)
            return 200, {}, report_page("bounce")
        return self.pages.get((site, path), (404, {}, b"<html><body>404</body></html>"))


def serve(sites: list[Sites]) -> tuple[ThreadingHTTPServer, ThreadingHTTPServer]:
    """The portals' server and the attacker's, both answering from `sites[0]` (made once their ports are known)."""

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            status, headers, body = sites[0].answer(self.headers.get("Host", ""), self.path)
            self.send_response(status)
            for name, value in {"Content-Type": "text/html; charset=utf-8", **headers}.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_: Any) -> None:
            pass

    servers = (ThreadingHTTPServer(("127.0.0.1", 0), Handler), ThreadingHTTPServer(("127.0.0.1", 0), Handler))
    for server in servers:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    return servers


def registry(port: int) -> dict[str, Any]:
    def portal(pid: str, columns: list[str], hosts: list[str] | None = None, **more: str) -> dict[str, Any]:
        agency = GOLD[REPORTS[pid]]["agency"] or "某某县交通运输局"
        level = "township" if agency.endswith("镇") else "department"
        return {"id": pid, "name": f"{pid} 门户", "base_url": f"http://{pid}.hostile.test:{port}/", "cms": "generic",
                "robots": False, "columns": [f"http://{pid}.hostile.test:{port}{c}" for c in columns],
                "hosts": hosts or [], "agencies": [{"name": agency, "level": level, "region": "430381"}], **more}

    return {"first_year": 2015, "portals": [
        portal("bounce", ["/list/"]), portal("refresh", ["/list/", "/js/"]),
        portal("metadata", ["/list/"], [f"cdn.hostile.test:{port}"]),
        portal("detour", ["/list/"], [f"hop.hostile.test:{port}"]),
        portal("script", ["/list/"], fetcher="browser"),
    ]}


@dataclass
class Hostile:
    result: Any
    failures: list[dict[str, Any]]
    stored: dict[str, tuple[str, int]]
    attacked: list[str]
    ports: tuple[int, int]  # the portals' and the attacker's
    registry: Path
    db: Path

    def refused(self, portal: str) -> Counter[str]:
        return Counter(f["kind"] for f in self.failures if f["portal"] == portal)


def run(tmp: Path, settings: dict[str, Any], portals: list[str] | None = None) -> Iterator[Hostile]:
    box: list[Sites] = []
    main, evil = serve(box)
    port = main.server_address[1]
    sites = Sites(port, evil.server_address[1])
    box.append(sites)
    (tmp / "registry.json").write_text(json.dumps(registry(port), ensure_ascii=False), encoding="utf-8")
    db, ledger = tmp / "xxgk.sqlite3", tmp / "ledger.jsonl"
    try:
        result = crawl(str(tmp / "registry.json"), portals=portals or [], as_of=AS_OF.isoformat(),
                       db=f"sqlite:///{db}", ledger=str(ledger), timeout=300, log=(tmp / "crawl.log").open("w"),
                       settings={**FAST, **BROWSER, "XXGK_TEST_HOSTS": NAMES, **settings})
    finally:
        for server in (main, evil):
            server.shutdown()
            server.server_close()
    lines = [json.loads(line) for line in ledger.read_text(encoding="utf-8").splitlines()] if ledger.exists() else []
    stored: dict[str, tuple[str, int]] = {}
    if db.exists():
        with sqlite3.connect(db) as conn:
            stored = {url: (agency, year) for url, agency, year in conn.execute(
                "SELECT r.url, a.name, r.year FROM report r JOIN agency a ON a.id = r.agency_id")}
    yield Hostile(result, [x for x in lines if x["type"] == "failure"], stored, sites.attacked,
                  (port, evil.server_address[1]), tmp / "registry.json", db)


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hostile]:
    yield from run(tmp_path_factory.mktemp("hostile"), {})


@pytest.fixture(scope="module")
def closed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hostile]:
    yield from run(tmp_path_factory.mktemp("closed"), {"XXGK_ALLOW_LOOPBACK": False}, ["bounce"])


REFUSED = {
    "bounce": {"offsite": 2},
    "refresh": {"offsite": 2},
    "metadata": {"private_address": 1},
    "detour": {},
    "script": {"offsite": 1},  # the browser's navigation to the attacker (its script: counted, not a fault)
}


@pytest.mark.parametrize("portal", sorted(REFUSED))
def test_every_way_out_is_refused_and_named(hostile: Hostile, portal: str) -> None:
    assert hostile.refused(portal) == REFUSED[portal]
    assert {k.removeprefix("failed:"): v for k, v in hostile.result.portal_stats[portal].items()
            if k.startswith("failed:")} == REFUSED[portal]


def test_the_attacker_is_never_asked_and_nothing_of_its_is_stored(hostile: Hostile) -> None:
    assert hostile.attacked == []
    bounce = GOLD[REPORTS["bounce"]]["agency"]
    assert [url for url, (agency, _) in hostile.stored.items() if agency == bounce] == []


def test_what_each_refusal_says(hostile: Hostile) -> None:
    port, evil = hostile.ports
    assert sorted((f["portal"], f["detail"]) for f in hostile.failures) == [
        ("bounce", f"127.0.0.1:{evil}: http://127.0.0.1:{evil}/report.html"),
        ("bounce", f"[::ffff:169.254.169.254]:{port}: http://[::ffff:169.254.169.254]:{port}/r.html"),
        ("metadata", "cdn.hostile.test → 169.254.169.254 (metadata)"),
        ("refresh", f"127.0.0.1:{evil}: http://127.0.0.1:{evil}/list/"),
        ("refresh", "file: file:///etc/passwd"),
        ("script", f"127.0.0.1:{evil}: http://127.0.0.1:{evil}/list/"),
    ]


def test_a_report_behind_a_refused_redirect_is_unconfirmed_not_missing(hostile: Hostile) -> None:
    rows = status_of(hostile.registry, hostile.db)
    gold = GOLD[REPORTS["bounce"]]
    assert {r["status"] for r in rows if (r["agency"], r["year"]) == (gold["agency"], gold["year"])} == {"unconfirmed"}


def test_the_browser_loads_nothing_of_the_attackers(hostile: Hostile) -> None:
    assert hostile.result.portal_stats["script"]["browser_refused"] == 1  # its script; the navigation is a fault


def test_a_redirect_chain_back_to_the_portal_is_followed(hostile: Hostile) -> None:
    gold = GOLD[REPORTS["detour"]]
    assert (gold["agency"], gold["year"]) in set(hostile.stored.values())
    assert not hostile.result.stats.get("probe/outside")


def test_the_report_page_of_a_refused_file_is_kept(hostile: Hostile) -> None:
    gold = GOLD[REPORTS["metadata"]]
    assert (gold["agency"], gold["year"]) in set(hostile.stored.values())


def test_without_loopback_allowed_a_portal_there_is_refused_at_once(closed: Hostile) -> None:
    assert closed.refused("bounce") == {"private_address": 1}
    assert closed.result.stats.get("probe/urls", []) == []
    assert closed.stored == {}


# ---- the policy itself, one URL at a time -----------------------------------------------------------------

PORTAL = {"id": "p", "name": "p", "base_url": "http://www.example.gov.cn/", "hosts": ["cdn.example.gov.cn:8080"],
          "columns": ["https://xxgk.example.gov.cn/nb/"]}
# where a request of the portal may go (None) or why not; the host's address as the resolver answers it
POLICY = {
    ("http://www.example.gov.cn/a.html", "8.8.8.8"): None,
    ("https://www.example.gov.cn/a.html", "8.8.8.8"): None,  # the scheme's own port: http and https alike
    ("http://WWW.Example.gov.cn.:80/a.html", "8.8.8.8"): None,
    ("http://xxgk.example.gov.cn/nb/2024/", "2400:3200::1"): None,
    ("http://cdn.example.gov.cn:8080/f.pdf", "8.8.8.8"): None,
    ("http://cdn.example.gov.cn/f.pdf", "8.8.8.8"): "offsite",  # listed with its port only
    ("http://www.example.gov.cn:8081/a.html", "8.8.8.8"): "offsite",
    ("http://evil.example.com/", "8.8.8.8"): "offsite",
    ("http://example.gov.cn/", "8.8.8.8"): "offsite",
    ("file:///etc/passwd", None): "offsite",
    ("ftp://www.example.gov.cn/a.pdf", None): "offsite",
    ("javascript:alert(1)", None): "offsite",
    ("data:text/html,<p>", None): "offsite",
    ("http://2852039166/", None): "offsite",
    ("http://[::ffff:169.254.169.254]/", None): "offsite",
    ("http://www.example.gov.cn/", "169.254.169.254"): "private_address",
    ("http://www.example.gov.cn/", "100.100.100.200"): "private_address",
    ("http://www.example.gov.cn/", "10.0.0.8"): "private_address",
    ("http://www.example.gov.cn/", "172.16.5.4"): "private_address",
    ("http://www.example.gov.cn/", "192.168.1.1"): "private_address",
    ("http://www.example.gov.cn/", "100.64.0.1"): "private_address",
    ("http://www.example.gov.cn/", "0.0.0.0"): "private_address",
    ("http://www.example.gov.cn/", "127.0.0.1"): "private_address",
    ("http://www.example.gov.cn/", "224.0.0.251"): "private_address",
    ("http://www.example.gov.cn/", "::1"): "private_address",
    ("http://www.example.gov.cn/", "fe80::1"): "private_address",
    ("http://www.example.gov.cn/", "fd00:ec2::254"): "private_address",
    ("http://www.example.gov.cn/", "::ffff:169.254.169.254"): "private_address",
    ("http://www.example.gov.cn/", "::ffff:127.0.0.1"): "private_address",
    ("http://www.example.gov.cn/", "64:ff9b::a9fe:a9fe"): "private_address",  # NAT64
    ("http://www.example.gov.cn/", "2002:a9fe:a9fe::1"): "private_address",  # 6to4
    ("http://www.example.gov.cn/", "::a9fe:a9fe"): "private_address",  # IPv4-compatible
}


def judged(url: str, address: str | None, *, allow_loopback: bool) -> str | None:
    policy = OffsitePolicy({"p": Portal.model_validate(PORTAL)}, allow_loopback=allow_loopback)
    try:
        host, _ = policy.place(url, "p")
        ip = literal_address(address or "")
        assert ip is not None
        policy.judge(host, ip)
    except Exception as exc:  # noqa: BLE001 - the kind is what is tested
        return classify_exception(exc)
    return None


@pytest.mark.parametrize(("url", "address"), sorted(POLICY, key=str))
def test_the_policy(url: str, address: str | None) -> None:
    assert judged(url, address, allow_loopback=False) == POLICY[(url, address)]


@pytest.mark.parametrize("address", ["127.0.0.1", "127.0.1.5", "::1", "::ffff:127.0.0.1"])
def test_loopback_when_allowed(address: str) -> None:
    assert judged("http://www.example.gov.cn/", address, allow_loopback=True) is None


def test_a_crawl_opens_no_control_channel() -> None:
    """Scrapy's telnet console and remote-control server would let a local process steer the crawl."""
    from crawler import settings  # noqa: PLC0415

    assert settings.TELNETCONSOLE_ENABLED is False
    assert settings.REMOTE_CONTROL_ENABLED is False
