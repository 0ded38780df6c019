"""Which registry agency a name in a title or a column means, among the agencies of one portal.

A report names its agency as its clerk writes it: in full, without 人民政府, as an abbreviation
(`房县人社局`), by a short name that is no abbreviation (`盐城市政府办`) or a former name (listed as the
agency's `aliases`), or misread by one character (`沐阳` for `沭阳`). A name that none of these ties
to an agency of its portal is no agency of ours: the caller reports it, never invents one.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Final

from config.registry import Agency
from extract.normalize import squash

_AGENCY_SUFFIX: Final = re.compile(r"(?:人民政府|政府|办事处)$")
_DEPARTMENT: Final = re.compile(r"(?:局|委员会|委|办公室|办|中心)$")
MIN_MISREAD: Final = 4  # characters: a shorter name one character off is another place, not a misreading


def agency_match(registered: str, named: str) -> int:
    """How surely a name in a title or column names a registry agency: 3 same, 2 contained or the
    same but for `人民政府`, 1 an abbreviation (`房县人社局` for `房县人力资源和社会保障局`), 0 not."""
    x, y = squash(registered), squash(named)
    if not x or not y:
        return 0
    if x == y:
        return 3
    if x in y or y in x or _AGENCY_SUFFIX.sub("", x) == _AGENCY_SUFFIX.sub("", y):
        return 2
    short, long = sorted((x, y), key=len)
    abbreviation = (
        len(short) >= 4 and short[:2] == long[:2] and _DEPARTMENT.search(short) and _DEPARTMENT.search(long)
        and short[-1] == long[-1] and _subsequence(short, long)
    )
    return 1 if abbreviation else 0


def _subsequence(short: str, long: str) -> bool:
    chars = iter(long)
    return all(c in chars for c in short)


def names_of(agency: Agency) -> tuple[str, ...]:
    return (agency.name, *agency.aliases)


def score(agency: Agency, named: str) -> int:
    """agency_match over the agency's name and aliases."""
    return max(agency_match(name, named) for name in names_of(agency))


def one_edit(a: str, b: str) -> bool:
    """Whether `b` is `a` with one character replaced, added or dropped."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) == 1
    short, long = sorted((a, b), key=len)
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))


def _stems(name: str) -> set[str]:
    key = squash(name)
    return {key, _AGENCY_SUFFIX.sub("", key)}


def resolve(agencies: Sequence[Agency], named: str) -> Agency | None:
    """The portal's agency `named` means, or None: the best match by name, alias or abbreviation; failing
    that, the one agency one of whose names differs from it by a single character."""
    if not agencies or not named:
        return None
    best, agency = max(((score(a, named), a) for a in agencies), key=lambda pair: pair[0])
    if best:
        return agency
    said = {s for s in _stems(named) if len(s) >= MIN_MISREAD}
    misread = [a for a in agencies if any(one_edit(s, t) for n in names_of(a) for s in _stems(n) for t in said)]
    return misread[0] if len(misread) == 1 else None
