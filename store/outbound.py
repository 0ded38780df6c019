"""What leaves the archive for a reader's own tools must not turn against the reader.

Names, titles and URLs come from portals and from files anyone can send. A spreadsheet cell that
starts with `=`, `+`, `-` or `@` (or a tab or carriage return) is a formula to Excel and WPS: in a
CSV it gets a leading `'`, in an XLSX it is a string cell with Excel's quote prefix, its text
unchanged. A number (`-12.5%`) stays a number. A URL becomes a link (in an e-mail, on the dashboard)
only when it is http(s); any other (`javascript:`, `data:`, `file:`) is shown as text.
"""

from __future__ import annotations

import re
from typing import Any, Final
from urllib.parse import urlsplit

FORMULA_START: Final = ("=", "+", "-", "@", "\t", "\r")
_NUMBER: Final = re.compile(r"[+-]?\d[\d,]*(?:\.\d+)?%?")
_LINK_SCHEMES: Final = frozenset({"http", "https"})
# what browsers drop from a URL before reading its scheme (`java\tscript:` is javascript:)
_IGNORED: Final = re.compile(r"[\x00-\x20\x7f]")


def formula_like(value: object) -> bool:
    """Whether a spreadsheet would read the text as a formula."""
    return isinstance(value, str) and value.startswith(FORMULA_START) and not _NUMBER.fullmatch(value)


def csv_cell(value: Any) -> Any:
    """A CSV cell that is never a formula: `'=HYPERLINK(…)`."""
    return f"'{value}" if formula_like(value) else value


def neutralise_workbook(book: Any) -> Any:
    """Every cell of an openpyxl workbook that a spreadsheet would read as a formula made a string cell with
    the quote prefix (the text stays as it is): call it once, before saving."""
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                if formula_like(cell.value):
                    cell.data_type = "s"
                    cell.quotePrefix = True
    return book


def link_href(url: object) -> str | None:
    """The URL when it may be a link (http or https, with a host), else None: show it as text."""
    if not isinstance(url, str) or not url:
        return None
    parts = urlsplit(_IGNORED.sub("", url))
    return url if parts.scheme.lower() in _LINK_SCHEMES and parts.netloc else None
