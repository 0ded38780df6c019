"""Each fault kind behaves as sim/faults.py documents, on a real socket."""

from __future__ import annotations

import gzip
import http.client
import socket
import time
from urllib.parse import urlsplit

import pytest

from crawler.integrity import cut_reason
from sim.faults import OVERSIZE
from sim.testing import SimHandle, running_sim
from sim.world import FAULT_KINDS


@pytest.fixture(scope="module")
def sim():
    with running_sim(portals=len(FAULT_KINDS) + 1, seed=11, fault_plan=dict(enumerate(FAULT_KINDS))) as handle:
        yield handle


def target(sim: SimHandle, kind: str) -> tuple[str, str]:
    """(host:port, path of an HTML report page) on the portal with `kind`."""
    portal = sim.world.portals[FAULT_KINDS.index(kind)]
    origin = sim.origin(portal)
    url = next(r["url"] for r in sim.truth["reports"] if r["url"].startswith(origin + "/") and r["medium"] == "html")
    return urlsplit(origin).netloc, urlsplit(url).path


def request(
    netloc: str, path: str, *, method: str = "GET", headers: dict[str, str] | None = None, timeout: float = 10
) -> tuple[http.client.HTTPResponse, bytes]:
    conn = http.client.HTTPConnection(netloc, timeout=timeout)
    conn.request(method, path, headers=headers or {})
    response = conn.getresponse()
    body = b"" if method == "HEAD" else response.read()
    conn.close()
    return response, body


def test_truth_lists_every_fault(sim):
    assert sim.truth["faults"] == [{"portal": p.id, "kind": p.fault.kind} for p in sim.world.portals if p.fault]
    assert [f["kind"] for f in sim.truth["faults"]] == list(FAULT_KINDS)


def test_latency(sim):
    netloc, path = target(sim, "latency")
    delay = sim.world.portals[FAULT_KINDS.index("latency")].fault.value
    start = time.perf_counter()
    response, _ = request(netloc, path)
    assert response.status == 200
    assert time.perf_counter() - start >= delay


def test_timeout(sim):
    netloc, path = target(sim, "timeout")
    with pytest.raises((TimeoutError, socket.timeout)):
        request(netloc, path, timeout=0.5)


def test_http_5xx_recovers_on_retry(sim):
    netloc, path = target(sim, "http_5xx")
    failures = int(sim.world.portals[FAULT_KINDS.index("http_5xx")].fault.value)
    statuses = [request(netloc, path)[0].status for _ in range(failures + 1)]
    assert all(s >= 500 for s in statuses[:failures])
    assert statuses[-1] == 200


def test_challenge_412(sim):
    netloc, path = target(sim, "challenge_412")
    response, body = request(netloc, path)
    assert response.status == 412
    assert b"$_ts" in body
    assert response.getheader("Set-Cookie")


def test_cookie_loop(sim):
    netloc, path = target(sim, "cookie_loop")
    response, _ = request(netloc, path)
    assert response.status == 302
    assert response.getheader("Location") == path
    cookie = response.getheader("Set-Cookie").split(";", 1)[0]
    again, _ = request(netloc, path)
    assert again.status == 302  # no cookie jar: round and round
    ok, body = request(netloc, path, headers={"Cookie": cookie})
    assert ok.status == 200
    assert "年度报告".encode() in body


def test_soft_404(sim):
    netloc, _ = target(sim, "soft_404")
    response, body = request(netloc, "/no/such/page.html")
    assert response.status == 200
    assert "页面不存在".encode() in body


def test_truncated_then_whole(sim):
    netloc, path = target(sim, "truncated")
    with pytest.raises(http.client.IncompleteRead):
        request(netloc, path)
    response, body = request(netloc, path)
    assert response.status == 200
    assert body.rstrip().endswith(b"</html>")


def test_oversized_article(sim):
    netloc, path = target(sim, "oversized")
    response, _ = request(netloc, path, method="HEAD")
    assert int(response.getheader("Content-Length")) == OVERSIZE
    conn = http.client.HTTPConnection(netloc, timeout=10)
    conn.request("GET", path)
    head = conn.getresponse().read(1024 * 1024)
    conn.close()
    assert "报告" in head.decode("gb18030", "replace")
    assert b"</html>" in head


def test_gbk_without_charset(sim):
    netloc, path = target(sim, "gbk_nocharset")
    response, body = request(netloc, path)
    assert response.getheader("Content-Type") == "text/html"
    assert b"charset" not in body.lower()
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    assert "年度报告" in body.decode("gbk")


def test_gzip_without_header(sim):
    netloc, path = target(sim, "gzip_no_header")
    response, body = request(netloc, path)
    assert response.getheader("Content-Encoding") is None
    assert body.startswith(b"\x1f\x8b")
    assert "年度报告".encode() in gzip.decompress(body)


def test_healthy_portal_is_untouched(sim):
    portal = sim.world.portals[len(FAULT_KINDS)]
    assert portal.fault is None
    origin = urlsplit(sim.origin(portal)).netloc
    response, body = request(origin, "/robots.txt")
    assert response.status == 200
    assert body.startswith(b"User-agent")


def file_target(sim: SimHandle, kind: str) -> tuple[str, str]:
    """(host:port, path of a report file: PDF, Word or page image) on the portal with `kind`."""
    origin = sim.origin(sim.world.portals[FAULT_KINDS.index(kind)])
    url = next(r["attachment"] for r in sim.truth["reports"] if (r.get("attachment") or "").startswith(origin + "/"))
    return urlsplit(origin).netloc, urlsplit(url).path


def test_truncated_files_are_never_whole(sim):
    netloc, path = file_target(sim, "truncated_files")
    for _ in range(3):
        with pytest.raises(http.client.IncompleteRead):
            request(netloc, path)
    netloc, page = target(sim, "truncated_files")
    assert request(netloc, page)[0].status == 200  # pages are whole


def test_short_length_files_end_early_with_a_length_to_match(sim):
    netloc, path = file_target(sim, "short_length")
    first, body = request(netloc, path)
    _, body_again = request(netloc, path)
    assert int(first.getheader("Content-Length")) == len(body)
    assert body_again == body
    assert cut_reason(body) in {"pdf_trailer", "zip_directory", "png_end"}


def test_cut_table_then_whole(sim):
    netloc, path = target(sim, "cut_table")
    response, body = request(netloc, path)
    assert int(response.getheader("Content-Length")) == len(body)
    assert body.count(b"<table") > body.count(b"</table>")
    assert b"</html>" not in body
    assert cut_reason(body) == "html_table"
    response, body = request(netloc, path)
    assert body.rstrip().endswith(b"</html>")
    assert cut_reason(body) is None
