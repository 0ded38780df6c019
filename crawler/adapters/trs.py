"""TRS WCM (拓尔思): static `index.html`, `index_1.html` … pages announced by `createPageHTML(…)`."""

from __future__ import annotations

import re
from typing import ClassVar
from urllib.parse import urljoin

from crawler.adapters.base import Adapter, Fetch

_CALL = re.compile(r"createPageHTML\s*\(([^)]*)\)")
_COUNT_VAR = re.compile(r"var\s+countPage\s*=\s*(\d+)")
_NUMBER = re.compile(r"^\d+$")
MAX_PAGES = 200


def page_plan(call_args: str) -> tuple[int, str, str] | None:
    """(page count, page name, extension) from any of the createPageHTML signatures.

    Forms seen: (count, current, "index", "shtml"[, …]); ('div', count, current, 'index', 'html', total);
    (totalRecords, totalPages, currentPage, "index", "html") — with three leading numbers the second is
    the page count.
    """
    args = [a.strip().strip("'\"") for a in call_args.split(",")]
    numbers = [a for a in args if _NUMBER.match(a)]
    words = [a for a in args if a and not _NUMBER.match(a)]
    if not numbers:
        return None
    leading = 0
    for a in args:
        if _NUMBER.match(a):
            leading += 1
        elif leading:
            break
    count = int(numbers[1]) if leading >= 3 else int(numbers[0])
    # page name and extension: the two words after the numbers (a leading div name is skipped)
    tail = [w for w in words if args.index(w) > args.index(numbers[0])]
    name = tail[0] if tail else "index"
    ext = tail[1] if len(tail) > 1 else "html"
    return count, name, ext


class TrsAdapter(Adapter):
    name: ClassVar[str] = "trs"
    fingerprint: ClassVar[re.Pattern[str]] = re.compile(r"createPageHTML|var\s+countPage|TRS_Editor|trs_editor")

    def pages(self, url: str, text: str) -> list[Fetch]:
        plan = None
        if m := _CALL.search(text):
            plan = page_plan(m.group(1))
        elif m := _COUNT_VAR.search(text):
            plan = (int(m.group(1)), "index", url.rsplit(".", 1)[-1] if "." in url.rsplit("/", 1)[-1] else "html")
        if plan is None:
            return []
        count, name, ext = plan
        return [Fetch(urljoin(url, f"{name}_{n}.{ext}")) for n in range(1, min(count, MAX_PAGES))]
