"""A report's text as one character stream: labels and the values between them, without line breaks.

Archived page text puts a whole report on one line; PDF converters and OCR break tables apart.
None of that matters to a reader that finds the template's labels anywhere in the characters and
takes, for each label, the values that follow it up to the next label. The values of one label are
a run: digits with spaces as hints (a cell border, or a stray space inside a number), `|` where the
layout kept a border, blank marks, notes in brackets, a unit; `extract.splits` cuts it into cells.

Numbering runs into values (`…00000008.属于行政查询事项`, `…条2949819162、政府公报…`): a digit
directly before `.` or `、` and a label is the label's number, not a value's last digit.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Final

from extract.document import Line
from extract.labels import (
    ACTIVE_BLOCK,
    ACTIVE_COLUMN_PATTERNS,
    FORMAT_2019_HEADERS,
    FORMAT_2021_HEADERS,
    request_key,
)
from extract.normalize import squash
from extract.schema import LEGACY_UNITS, OTHER_2021, REQUEST_COLUMNS, result_rows
from extract.splits import HARD, capacity

_ENUMERATOR: Final = re.compile(r"^\((?:[一二三四五六七八九十]{1,3}|\d{1,2})\)$")
_LABEL_CHAR: Final = re.compile(r"[^\d\s|/—–+\-.,()]")
_DATE_WORD: Final = "年月日号期届"  # `2014年度`, `第3期`: digits of a label, not values
_BLANK_MARKS: Final = "/—–-"
_UNIT_CHARS: Final = frozenset("条件次篇个人元项家份期场天%")
_BORDERS: Final = " \t\n" + HARD  # spaces (hints), cell borders and line breaks (a row's end)
_INTERESTING: Final = frozenset("0123456789(+" + _BLANK_MARKS + _BORDERS)
_NEXT: Final = re.compile(r"[\d(+/—–\- \t\n|]")


@dataclass(frozen=True, slots=True)
class Segment:
    """A stretch of label text, or of values (`label` False)."""

    text: str
    label: bool


def segments(text: str) -> list[Segment]:
    """Label and value stretches of a text, in order, each value stretch between two labels."""
    kinds = _classify(text)
    out: list[Segment] = []
    start = 0
    for i in range(1, len(text) + 1):
        if i == len(text) or kinds[i] != kinds[start]:
            out.append(Segment(text[start:i], kinds[start]))
            start = i
    return _tidy(out)


def _classify(text: str) -> list[bool]:
    """Per character: part of a label (True) or of a value stretch (False)."""
    n = len(text)
    kinds = [True] * n
    i = 0
    last_value = -2  # index of the last value character (a digit, a mark) outside brackets
    while i < n:
        ch = text[i]
        if ch not in _INTERESTING:  # label text: on to the next character that may start a value
            m = _NEXT.search(text, i)
            if m is None:
                break
            i = m.start()
            ch = text[i]
        if ch == "(":
            close = text.find(")", i)
            close = n - 1 if close < 0 else close
            group = text[i:close + 1]
            after_value = _prev_solid(text, i) == last_value and last_value >= 0 and text[last_value].isdigit()
            if after_value and not _ENUMERATOR.match(group):  # a note on the value before it
                for j in range(i, close + 1):
                    kinds[j] = False
                last_value = close
            i = close + 1
            continue
        if ch.isdigit() or (ch in "+-" and i + 1 < n and text[i + 1].isdigit()):
            j = i + 1
            while j < n and (text[j].isdigit() or (text[j] in ".," and j + 1 < n and text[j + 1].isdigit())):
                j += 1
            if (j < n and text[j] in _DATE_WORD) or (i > 0 and text[i - 1] == "第"):
                i = j  # `2014年度`, `第3` are label text
                continue
            for k in range(i, j):
                kinds[k] = False
            if text.startswith("万元", j) or text.startswith("元", j) or text.startswith("%", j):
                unit_end = j + (2 if text.startswith("万元", j) else 1)
                for k in range(j, unit_end):
                    kinds[k] = False
                j = unit_end
            last_value = j - 1
            i = j
            continue
        if ch in _BLANK_MARKS and _is_mark(text, i):
            kinds[i] = False
            last_value = i
        elif ch in _BORDERS and i > 0 and not kinds[i - 1] and _value_follows(text, i):
            kinds[i] = False
        i += 1
    return kinds


def _prev_solid(text: str, i: int) -> int:
    j = i - 1
    while j >= 0 and text[j] in " \t":
        j -= 1
    return j


def _is_mark(text: str, i: int) -> bool:
    """A blank mark (`/`, `—`, `-`), not the slash of `本年增/减` (a dash between two words of a
    table is a blank cell between two labels)."""
    if text[i] != "/":
        return True
    before = text[i - 1] if i > 0 else " "
    if before in _UNIT_CHARS:  # `…数量件/五、…`: the blank value of a 统计表 row
        return True
    after = text[i + 1] if i + 1 < len(text) else " "
    return not (_LABEL_CHAR.match(before) and _LABEL_CHAR.match(after) and before != "(" and after != ")")


def _value_follows(text: str, i: int) -> bool:
    """Spaces and borders inside a value stretch: more values come after them."""
    j = i
    while j < len(text) and text[j] in _BORDERS:
        j += 1
    if j >= len(text):
        return False
    ch = text[j]
    return ch.isdigit() or (ch in _BLANK_MARKS and _is_mark(text, j)) or (
        ch in "+-" and j + 1 < len(text) and text[j + 1].isdigit()
    )


def _is_cjk(ch: str) -> bool:
    return bool(ch) and "\u4e00" <= ch <= "\u9fff"


def _tidy(segs: list[Segment]) -> list[Segment]:
    """Give each label its number back (`…0000 0008.属于…` → values `…0000 000`, label `8.属于…`)."""
    out: list[Segment] = []
    for seg in segs:
        if seg.label and out and not out[-1].label and seg.text[:1] in ".、" and _is_cjk(seg.text[1:2]):
            values = out[-1]
            stripped = values.text.rstrip()
            if stripped[-1:].isdigit():
                out.pop()
                rest = values.text[: len(stripped) - 1]
                if rest.strip():
                    out.append(Segment(rest, label=False))
                seg = Segment(values.text[len(stripped) - 1:].strip() + seg.text, label=True)  # noqa: PLW2901
        if out and out[-1].label and seg.label:
            seg = Segment(out.pop().text + seg.text, label=True)  # noqa: PLW2901
        out.append(seg)
    return out


# ---------------------------------------------------------------------------- the document as a stream

def stream_of(lines: Sequence[Line], max_prose: int) -> str:
    """A document's lines as one stream: a table row or a line of text per stream line, its cells
    joined by borders; paragraphs of running text (lines longer than `max_prose` that are no
    cells) are left out."""
    parts: list[str] = []
    new_row = False  # a row starts here (its first cell may be an empty one, not written)
    for line in lines:
        new_row = new_row or line.row_start or not line.cell
        if not line.text or (not line.cell and len(line.text) > max_prose):
            continue
        if parts:
            parts.append("\n" if new_row else HARD)
        parts.append(line.text)
        new_row = False
    return "".join(parts)


def _label(text: str) -> str:
    return squash(text.replace(HARD, " "))


# `(三)`, `1.`, `2、`, `四、`: where one printed label ends and the next begins inside a label stretch
_SUBLABEL: Final = re.compile(
    r"(?=\((?:[一二三四五六七八九十]{1,2}|\d{1,2})\))|(?<!\d)(?=\d[.、](?!\d))|(?=[一二三四五六七八九十]{1,2}、)"
)


def sublabels(text: str) -> list[str]:
    return [p for p in _SUBLABEL.split(_label(text)) if p]


@dataclass(slots=True)
class Streamed:
    """The tables read from the stream, as runs for `extract.tables` to cut."""

    requests: dict[str, str] = field(default_factory=dict)  # row → run
    review: str | None = None
    active: dict[str, tuple[str, tuple[str, ...]]] = field(default_factory=dict)  # row → (run, column keys)
    active_format: str | None = None
    legacy: list[tuple[str, str, str]] = field(default_factory=list)  # (printed label, unit, run)
    legacy_cumulative: bool = False


def read_stream(text: str) -> Streamed:
    segs = segments(text)
    out = Streamed()
    claimed: set[int] = set()
    leftover: dict[int, str] = {}
    out.requests = _requests(segs, claimed, leftover)
    out.review = _review(segs, claimed, leftover)
    out.active, out.active_format = _active(segs, claimed)
    if not out.requests and not out.active:
        out.legacy, out.legacy_cumulative = _legacy(segs)
    return out


# ---------------------------------------------------------------------------- 表三

_REQUEST_ORDER: Final = (
    "new", "carried_over", *result_rows(single_other=False), "other_handling", "total", "carry_forward",
)
_TABLE_END: Final = re.compile(
    r"[四五六七八九十]、[^、]{0,12}(?:行政复议|行政诉讼|复议|诉讼|问题|其他需要|改进)|结果维持|尚未审结"
)
MAX_ROW_LABEL: Final = 90  # longer label stretches are prose


def _row_keys(text: str, context: list[str]) -> list[str]:
    """The 表三 rows a label stretch names, in order (a group heading is context, not a row)."""
    keys: list[str] = []
    for sub in sublabels(text):
        key = request_key((*context[-1:], sub))
        if sub.startswith("("):
            context.append(sub)
        if key is not None:
            keys.append(key)
    if len(keys) > 1 and keys[0] == "other_handling":
        keys = keys[1:]  # (六)其他处理 heading its three rows
    return keys


def _requests(segs: Sequence[Segment], claimed: set[int], leftover: dict[int, str]) -> dict[str, str]:
    """表三 from its first row (`一、本年新收…`, where the text mentions it too: the start that reads
    the most rows) to `四、结转下年度继续办理`."""
    best: tuple[dict[str, str], dict[str, int], set[int], int] | None = None
    for start in (i for i, s in enumerate(segs) if s.label and "new" in _row_keys(s.text, [])):
        runs: dict[str, str] = {}
        where: dict[str, int] = {}
        taken: set[int] = set()
        end = _request_rows(segs, start, runs, where, taken)
        if best is None or len(runs) > len(best[0]):
            best = (runs, where, taken, end)
    if best is None:
        return {}
    runs, where, taken, end = best
    claimed |= taken
    _displaced(segs, runs, where, claimed, end)
    _unlabelled(runs, where, leftover)
    return runs


def _request_rows(segs: Sequence[Segment], start: int, runs: dict[str, str], where: dict[str, int],
                  claimed: set[int]) -> int:
    context: list[str] = []
    i = start
    while i < len(segs):
        seg = segs[i]
        if seg.label:
            if i > start and (_TABLE_END.search(_label(seg.text)) or len(_label(seg.text)) > MAX_ROW_LABEL * 3):
                break
            keys = [k for k in _row_keys(seg.text, context) if k not in runs]
            values = segs[i + 1].text if i + 1 < len(segs) and not segs[i + 1].label else ""
            for key in keys[:-1]:
                runs[key] = ""  # a row printed with no values: its cells were left blank
            if keys:
                runs[keys[-1]] = values
                where[keys[-1]] = i + 1
                claimed.add(i + 1)
                if "carry_forward" in keys:
                    break
        i += 1
    return i


def _displaced(segs: Sequence[Segment], runs: dict[str, str], where: dict[str, int], claimed: set[int],
               after: int) -> None:
    """Rows printed elsewhere (OCR puts a block of rows under another table's header): by label."""
    missing = {k for k in _REQUEST_ORDER if k not in runs} - _other_shape(runs)
    context: list[str] = []
    for i in range(after, len(segs) - 1):
        seg, nxt = segs[i], segs[i + 1]
        line = seg.text.rsplit("\n", 1)[-1]  # the row's own line, not the header lines above it
        if not seg.label or nxt.label or len(_label(line)) > MAX_ROW_LABEL or not missing:
            continue
        keys = [k for k in _row_keys(line, context) if k in missing]
        if keys and capacity(nxt.text) >= len(REQUEST_COLUMNS):
            runs[keys[-1]] = nxt.text  # its own line; the lines after it are `_unlabelled`'s to place
            where[keys[-1]] = i + 1
            claimed.add(i + 1)
            missing.discard(keys[-1])


def _other_shape(runs: dict[str, str]) -> set[str]:
    """The (六) rows of the shape the table does not use: the single row when it has the three, the
    three when it has the single row (neither, when it shows none)."""
    if any(k in runs for k in OTHER_2021):
        return {"other_handling"}
    return set(OTHER_2021) if "other_handling" in runs else set()


def _unlabelled(runs: dict[str, str], where: dict[str, int], leftover: dict[int, str]) -> None:
    """A row whose label was lost: its values sit on their own line after the row before it; they
    are the template rows that follow, in order, when there is a line for each row lost there (one
    line for two lost rows could be either: they stay missing). Lines no row takes are left for
    the next table."""
    order = [k for k in _REQUEST_ORDER if k in runs]
    other_shape = _other_shape(runs)
    for key in order:
        lines = [ln for ln in runs[key].split("\n") if ln.strip(" " + HARD)]
        if len(lines) < 2:
            continue
        runs[key] = lines[0]
        after = _REQUEST_ORDER[_REQUEST_ORDER.index(key) + 1:]
        gap = []
        for row in after:
            if row in runs:
                break
            if row not in other_shape:
                gap.append(row)
        if not other_shape and "other_handling" in gap:  # the (六) shape shows in no label: by the count
            unused = {"other_handling"} if len(lines) - 1 >= len(gap) - 1 else set(OTHER_2021)
            gap = [row for row in gap if row not in unused]
        taken = 0
        if len(lines) - 1 >= len(gap):  # as many lines as rows lost, or more: their place is sure
            for row, line in zip(gap, lines[1:], strict=False):
                runs[row] = line
                taken += 1
        rest = lines[1 + taken:]
        if rest:
            leftover[where[key]] = "\n".join(rest)


# ---------------------------------------------------------------------------- 表四

_REVIEW_CELLS: Final = 15


def _review_header(text: str) -> bool:
    t = _label(text)
    parts = sum(w in t for w in ("维持", "纠正", "审结", "其他结果"))
    return parts >= 2 and any(w in t for w in ("复议", "诉讼", "起诉"))


def _review(segs: Sequence[Segment], claimed: set[int], leftover: dict[int, str]) -> str | None:
    head = next((i for i, s in enumerate(segs) if s.label and _review_header(s.text)), None)
    if head is None:
        return None
    for i in range(head + 1, len(segs)):
        if segs[i].label:
            if _TABLE_END.search(_label(segs[i].text)) and not _review_header(segs[i].text):
                break
            continue
        if i in leftover:
            return leftover[i]
        if i not in claimed and capacity(segs[i].text) >= _REVIEW_CELLS:
            claimed.add(i)
            return segs[i].text
    return None


# ---------------------------------------------------------------------------- 表二

_ACTIVE_ROWS: Final = (
    ("rules", "规章"), ("normative_documents", "规范性文件"), ("licensing", "行政许可"),
    ("other_services", "其他对外管理服务"), ("penalty", "行政处罚"), ("coercion", "行政强制"),
    ("fees", "事业性收费"), ("procurement", "集中采购"),
)
_ACTIVE_END: Final = re.compile(r"[三四五六]、[^、]{0,6}(?:收到和处理|依申请)|本年新收|申请人情况")


def _active_row(text: str) -> str | None:
    """The 表二 row a label stretch ends with (`…现行有效件数规章` is 规章)."""
    best, end = None, -1
    for key, word in _ACTIVE_ROWS:
        at = text.rfind(word)
        if at >= 0 and at + len(word) > end:
            best, end = key, at + len(word)
    return best


def _active_columns(text: str) -> tuple[str, ...]:
    found = sorted((m.start(), key) for key, p in ACTIVE_COLUMN_PATTERNS for m in p.finditer(text))
    return tuple(dict.fromkeys(key for _, key in found))


def _active(segs: Sequence[Segment], claimed: set[int]) -> tuple[dict[str, tuple[str, tuple[str, ...]]], str | None]:
    rows: dict[str, tuple[str, tuple[str, ...]]] = {}
    start = next((i for i, s in enumerate(segs) if s.label and ACTIVE_BLOCK.search(_label(s.text))), None)
    if start is None:
        return rows, None
    columns: tuple[str, ...] = ()
    seen = []
    for i in range(start, len(segs)):
        seg = segs[i]
        if not seg.label:
            continue
        t = _label(seg.text)
        if i > start and _ACTIVE_END.search(t):
            break
        seen.append(t)
        block = list(ACTIVE_BLOCK.finditer(t))
        head = t[block[-1].end():] if block else t
        if block or "信息内容" in t:
            columns = _active_columns(head) or columns
        key = _active_row(head)
        if key is None or key in rows or i + 1 >= len(segs) or segs[i + 1].label or i + 1 in claimed:
            continue
        rows[key] = (segs[i + 1].text, columns)
        claimed.add(i + 1)
    text = "".join(seen)
    fmt = "2019" if FORMAT_2019_HEADERS.search(text) else "2021" if FORMAT_2021_HEADERS.search(text) else None
    return rows, fmt


# ---------------------------------------------------------------------------- the 统计表

_LEGACY_HEAD: Final = re.compile(r"(?:指标名称|统计指标|指标)(?:.{0,4}?)(?:计量单位|单位)")
_VALUE_HEAD: Final = re.compile(r"\d{4}年度?|本年度?|统计数|本期实际|本年累计|数量")
_UNITS_LONGEST: Final = sorted(LEGACY_UNITS, key=len, reverse=True)


def _unit(label: str) -> tuple[str, str]:
    for unit in _UNITS_LONGEST:
        if label.endswith(unit) and len(label) > len(unit):
            return label[: -len(unit)], unit
    return label, ""


def _legacy(segs: Sequence[Segment]) -> tuple[list[tuple[str, str, str]], bool]:
    rows: list[tuple[str, str, str]] = []
    start = None
    for i, s in enumerate(segs):
        if s.label and (m := _LEGACY_HEAD.search(_label(s.text))):
            start, head = i, _label(s.text)[m.start():]
            break
    if start is None:
        return rows, False
    cumulative = "累计" in head and ("历年" in head or bool(_VALUE_HEAD.search(head)))
    last_head = max((m.end() for m in re.finditer(r"历年累计|累计|\d{4}年度?|统计数|计量单位|单位", head)), default=0)
    first = head[last_head:]
    for i in range(start, len(segs)):
        seg = segs[i]
        if not seg.label:
            continue
        text = first if i == start else _label(seg.text)
        if len(text) > MAX_ROW_LABEL:
            break
        values = segs[i + 1].text if i + 1 < len(segs) and not segs[i + 1].label else ""
        subs = [p for p in re.split(r"(?<=[条件次篇个人元项家份期场天%])(?=(?:其中[:：]?)?\d+[、.])", text) if p]
        for n, sub in enumerate(subs):
            label, unit = _unit(sub)
            rows.append((label, unit, values if n == len(subs) - 1 else ""))
    return rows, cumulative
