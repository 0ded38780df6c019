"""Report renderers: a canonical record → the bytes a portal or a text pipeline would hold.

`LAYOUTS` is the one registry of document layouts; tests and the simulated portals
iterate it as a family. `FORMS` holds the degraded shapes real reports reach the parser in
(`sim.render.forms`): a parser must read them exactly, or mark what they leave ambiguous.
Every layout and form is deterministic for a given record.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from extract.schema import Record
from sim.render import forms
from sim.render.html import render_html, render_html_bytes
from sim.render.records import FORMATS, last_year_of, random_record
from sim.render.text import render_text


@dataclass(frozen=True, slots=True)
class Layout:
    name: str
    ext: str  # file extension a saved copy would carry
    render: Callable[[Record], bytes]


def _html(style: str, *, encoding: str = "utf-8", declare: bool = True) -> Callable[[Record], bytes]:
    return lambda record: render_html_bytes(record, style=style, encoding=encoding, declare_charset=declare)


def _text(style: str) -> Callable[[Record], bytes]:
    return lambda record: render_text(record, style=style).encode("utf-8")


def _trafilatura_live(record: Record) -> bytes:
    """The installed trafilatura's own `txt` extraction of the clean HTML page."""
    import trafilatura  # noqa: PLC0415  (heavy import, only this layout needs it)

    text = trafilatura.extract(render_html(record, style="clean"), output_format="txt", include_tables=True)
    if text is None:
        raise RuntimeError("trafilatura extracted nothing from the rendered page")
    return f"{text}\n".encode()


REGISTRY: Final[tuple[Layout, ...]] = (
    Layout("html_clean", "html", _html("clean")),
    Layout("html_word", "html", _html("word")),
    Layout("html_portal", "html", _html("portal")),
    Layout("html_gbk", "html", _html("word", encoding="gb2312")),
    Layout("html_gbk_nocharset", "html", _html("portal", encoding="gbk", declare=False)),
    Layout("txt_trafilatura20", "txt", _text("trafilatura20")),
    Layout("txt_trafilatura11", "txt", _text("trafilatura11")),
    Layout("txt_tabs", "txt", _text("tabs")),
    Layout("markdown", "md", _text("markdown")),
    Layout("txt_spaced", "txt", _text("spaced")),
    Layout("txt_trafilatura_live", "txt", _trafilatura_live),
)

LAYOUTS: Final[dict[str, Callable[[Record], bytes]]] = {layout.name: layout.render for layout in REGISTRY}
EXTENSIONS: Final[dict[str, str]] = {layout.name: layout.ext for layout in REGISTRY}


def _form(render: Callable[[Record], str]) -> Callable[[Record], bytes]:
    return lambda record: render(record).encode("utf-8")


FORM_REGISTRY: Final[tuple[Layout, ...]] = (
    Layout("page_text", "txt", _form(forms.page_text)),
    Layout("page_text_spaced", "txt", _form(forms.page_text_spaced)),
    Layout("markdown_pdf", "md", _form(forms.markdown_pdf)),
    Layout("ocr_text", "txt", _form(forms.ocr_text)),
    Layout("annotated", "txt", _form(forms.annotated_text)),
)
FORMS: Final[dict[str, Callable[[Record], bytes]]] = {form.name: form.render for form in FORM_REGISTRY}

__all__ = [
    "EXTENSIONS",
    "FORMATS",
    "FORMS",
    "FORM_REGISTRY",
    "LAYOUTS",
    "REGISTRY",
    "Layout",
    "last_year_of",
    "random_record",
    "render_html",
    "render_html_bytes",
    "render_text",
]
