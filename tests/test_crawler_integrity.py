"""A faulty answer is never read as a document: a body cut short is told from a whole one (every check of
crawler.integrity, on whole and cut bytes), and bytes that are no text from a page."""

from __future__ import annotations

import gzip
import io
from pathlib import Path

import pytest
from conftest import FIXTURES
from PIL import Image

from crawler.failures import garbled
from crawler.integrity import CHECKS, SHORT_BODY, cut_reason
from sim import content, media
from sim.world import generate

REAL = Path(__file__).resolve().parents[1] / ".." / "shared" / "real"
REPORT = next(r for p in generate(seed=3, portals=1).portals for r in p.reports)
RECORD = content.build_record(3, REPORT, 0)
PAGE = (
    "<!DOCTYPE html><html><head><meta charset='utf-8'><title>年报</title></head><body><div class='TRS_Editor'>"
    + media.html_fragment(RECORD, "word") + "</div></body></html>\n"
).encode()


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 64), "white").save(out, "JPEG")
    return out.getvalue()


WHOLE = {
    "pdf_trailer": media.pdf_bytes(RECORD),
    "zip_directory": media.docx_bytes(RECORD),
    "png_end": media.png_bytes(RECORD),
    "jpeg_end": _jpeg(),
    "html_table": PAGE,
}


def test_every_check_has_a_sample() -> None:
    assert set(WHOLE) == {c.reason for c in CHECKS}


@pytest.mark.parametrize("reason", sorted(WHOLE))
def test_whole_body_passes(reason: str) -> None:
    assert cut_reason(WHOLE[reason]) is None


@pytest.mark.parametrize("reason", sorted(WHOLE))
@pytest.mark.parametrize("share", [0.3, 0.5, 0.9])
def test_body_cut_short_is_named(reason: str, share: float) -> None:
    body = WHOLE[reason]
    if reason == "html_table":  # a page is cut inside its table, the case the check is for
        start, end = body.index(b"<table"), body.index(b"</table>")
        cut = body[: start + int((end - start) * share)]
    else:
        cut = body[: int(len(body) * share)]
    assert cut_reason(cut) == reason


def test_fewer_bytes_than_promised_is_short_whatever_the_bytes() -> None:
    assert cut_reason(WHOLE["html_table"], ["dataloss"]) == SHORT_BODY
    assert cut_reason(WHOLE["html_table"], ["partial"]) is None  # no Content-Length: the bytes decide


def test_pages_whose_markup_is_loose_are_not_cut() -> None:
    unclosed = b"<html><body><table><tr><td>1</td></tr></body></html>"  # a CMS that forgets </table>
    assert cut_reason(unclosed) is None
    assert cut_reason(b"<html><body><ul><li>a</li>") is None  # cut outside a table: not this check's to see
    assert cut_reason(b"plain text") is None
    assert cut_reason(b"") is None


@pytest.mark.parametrize("path", sorted([*FIXTURES.rglob("*.html"), *REAL.glob("*/*.html")]), ids=lambda p: p.name)
def test_real_and_fixture_pages_are_whole(path: Path) -> None:
    assert cut_reason(path.read_bytes()) is None


def _as_a_browser_shows(data: bytes) -> str:
    return data.decode("utf-8", "replace")


def test_bytes_that_are_no_text_are_garbled_not_an_empty_page() -> None:
    assert garbled(_as_a_browser_shows(gzip.compress(PAGE)))
    assert garbled(_as_a_browser_shows(WHOLE["png_end"]))
    assert not garbled(PAGE.decode())
    assert not garbled("<html><body>" + "年度报告\ufffd" * 3 + "</body></html>")  # a stray bad byte or three
    assert not garbled("")


@pytest.mark.parametrize("path", sorted([*FIXTURES.rglob("*.html"), *REAL.glob("*/*.html")]), ids=lambda p: p.name)
def test_real_and_fixture_pages_are_not_garbled(path: Path) -> None:
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("gb18030")
    assert not garbled(text)
