"""When a report is due (format-spec §1.2), shared by the validator and the monitor.

Deadlines are data, not constants: local rules move them (岳阳 wants districts by 2月20日),
so every function takes the table of (month, day) per publisher level as an argument.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from types import MappingProxyType
from typing import Final

# 条例 (国务院令第711号) 第四十九条: departments by 1月31日, governments by 3月31日.
# Townships are not named there; most publish in January, so 1月31日 is the default.
DEFAULT_DEADLINES: Final[Mapping[str, tuple[int, int]]] = MappingProxyType(
    {
        "department": (1, 31),
        "township": (1, 31),
        "county": (3, 31),
        "city": (3, 31),
        "province": (3, 31),
    }
)
LEVELS: Final = frozenset(DEFAULT_DEADLINES)

# Reports on 2018 and earlier fall under 国务院令第492号 第三十一条: 3月31日 for every organ.
FIRST_YEAR_OF_CURRENT_REGULATION: Final = 2019
OLD_REGULATION_DEADLINE: Final = (3, 31)


def deadline_for(level: str, year: int, deadlines: Mapping[str, tuple[int, int]] = DEFAULT_DEADLINES) -> date:
    """The last day on which the report of a `level` organ on `year` may be published."""
    if level not in deadlines:
        raise ValueError(f"unknown publisher level {level!r}; expected one of {sorted(deadlines)}")
    month, day = OLD_REGULATION_DEADLINE if year < FIRST_YEAR_OF_CURRENT_REGULATION else deadlines[level]
    return date(year + 1, month, day)
