"""Beijing platform: every row is in the first page; JavaScript slices `.default_news li` into pages."""

from __future__ import annotations

import re
from typing import ClassVar

from crawler.adapters.base import Adapter


class BeijingAdapter(Adapter):
    """The generic reading already sees all rows: there is nothing to paginate."""

    name: ClassVar[str] = "beijing"
    fingerprint: ClassVar[re.Pattern[str]] = re.compile(r"""\$\(\s*['"]\.default_news\s+li['"]\s*\)""")
