"""The numbers a report's narrative states about requests and cases (format-spec TX-R1).

“共新收政府信息公开申请17件，上年结转3件，办结19件，结转下年度1件” becomes four statements.
A statement knows its scope: “其中…” and a named sub-unit (“区政府办受理17件” in a district
report) are not about the whole agency, so the text↔table rules only warn about them.
The text is NFKC-normalised by the parser (ASCII parentheses, commas, colons).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Final

# What the narrative can state about requests; the other kinds are `review` and `litigation`.
# The results (予以公开及部分公开, 无法提供, …) break the year's requests down: “其中” before them is
# the breakdown of the agency's own total, not a part of the agency.
RESULT_KINDS: Final = frozenset({"disclosed", "granted", "partly_granted", "withheld", "unavailable", "rejected"})
REQUEST_KINDS: Final = frozenset({"new", "received", "carried_over", "completed", "carry_forward"}) | RESULT_KINDS

_SENTENCE_ENDS: Final = "。；;!?！？\n"
_CLAUSE: Final = re.compile(r"[，,:：()（）|]+")
# One alternation so that, at one position, the longer phrase wins: “上年结转” is not “结转下年度”.
_KEYWORD: Final = re.compile(
    r"(?P<carry_forward>(?:结转|转入|转至|转到|转|顺延|留待)(?:至|到)?下一?年度?)"
    r"|(?P<carried_over>上一?年度?(?:结转|转结|遗留|未办结))"
    r"|(?P<new>新(?:收到?|受理|接收|接到))"
    r"|(?P<disclosed>(?:予以|同意)?(?:全部)?公开(?:及|和|与|、|或|以及)部分公开)"
    r"|(?P<withheld>不予公开)"
    r"|(?P<rejected>不予处理)"
    r"|(?P<granted>予以公开|同意公开)"
    r"|(?P<partly_granted>部分公开)"
    r"|(?P<unavailable>无法提供)"
    r"|(?P<received>(?<!不予)(?<!不)受理|收到|接到|接收|收悉)"
    r"|(?P<completed>办结|答复|办理完毕|处理完毕)"
    r"|(?P<review>行政复议)"
    r"|(?P<litigation>行政诉讼)"
)
# a number that a space splits from digits before it (“行政复议1 6件”, a scan's or a layout's) is no number
_COUNT: Final = re.compile(r"(?<![0-9] )(?<![0-9])([0-9]+) *(余|多)? *(?:件|起|宗|例)")
# A sentence can state something only if it counts (“N件”) or denies (“未/没有/无”). Python's re
# walks Chinese text at ~15 ns a character, str.find at well under 1: sentences are found from these
# anchors, and only they go through the patterns.
_UNITS: Final = ("件", "起", "宗", "例")
_DENIALS: Final = ("未", "没有", "无")
# a sentence breaking the year's requests down by result may not repeat the word 申请
_RESULT_WORDS: Final = ("予以公开", "部分公开", "不予公开", "无法提供", "不予处理")
_DONE_WORDS: Final = ("办结", "答复", "办理完毕", "处理完毕", "办理完成", "处理完成")
# Where reports state these figures; 二 (a table), 五 (problems) and 六 (other) do not.
SECTIONS_READ: Final = ("preamble", "overview", "requests", "review_litigation")
_NO_REQUESTS: Final = re.compile(
    r"(?:未|没有)(?:收到|受理|接到|接收)[^，,。；]{0,15}?申请"
    r"|(?:未|没有)(?:发生|产生|出现)(?:依申请公开|政府信息公开申请)"
    r"|无(?:依申请|申请公开|政府信息公开申请)"
)
_NO_CASES: Final = re.compile(r"(?:未(?!经)|没有|无)[^，,。；]{0,25}?(?:行政复议|行政诉讼)")
_NOT_A_REQUEST_CLAIM: Final = ("行政复议", "行政诉讼", "不予", "正当理由")
_ALL_DONE: Final = re.compile(
    r"(?<!未)(?<!没)(?<!未能)(?<!不能)(?:全部|均已|均|全都|都已|已全部)(?:按时|依法|按期|及时)?(?:办结|答复|办理完毕|处理完毕|办理完成|处理完成)"
    r"|办结率(?:为|达到?)?100(?:\.0+)?%"
)
# “复议N件、诉讼M件，均获维持”: every case of the kinds named ended upheld
_ALL_UPHELD: Final = re.compile(r"(?:均|全部|都|皆)(?:已|被|获|予以|得到|依法)*维持")
_ORGAN: Final = re.compile(
    r"政府(?!信息)|办公室|办(?![理结件])|局|委(?!托)|镇|(?<!城)乡|街道|部门|单位|中心|法院|科(?!研)|股"
)
_WHEN: Final = re.compile(r"^(?:[0-9]{4}年度?|本年度?|全年|今年|当年|共|全)+|(?:共|全年)+$")
_SELF: Final = ("我", "本机关", "本单位", "本部门", "本局", "本级", "全局", "全镇", "全乡", "全区", "全县", "全市")


@dataclass(frozen=True, slots=True)
class Statement:
    kind: str  # one of REQUEST_KINDS, `review`, `litigation`
    value: int
    whole: bool  # about the whole agency: not “其中…”, not a named sub-unit
    quote: str
    section: str


@dataclass(frozen=True, slots=True)
class Narrative:
    statements: tuple[Statement, ...]
    all_completed: Statement | None  # a “全部办结” claim (value 0: nothing left over)
    all_upheld: Statement | None = None  # “…均获维持”: kind `review`, `litigation` or `cases` (both named)

    def of(self, kinds: frozenset[str]) -> tuple[Statement, ...]:
        return tuple(s for s in self.statements if s.kind in kinds)

    def first(self, kind: str) -> Statement | None:
        """The first whole-agency statement of `kind`."""
        return next((s for s in self.statements if s.kind == kind and s.whole), None)


def _whole(prefix: str, agency: str | None, kind: str) -> bool:
    """Whether a figure is the agency's own: not “其中…” (unless it breaks the agency's total down by
    result), and naming no organ but the agency itself (`市政府办公厅` in 上海市人民政府办公厅's report is
    the agency, `区政府办` in a district government's report is a part of it)."""
    if "其中" in prefix and kind not in RESULT_KINDS:
        return False
    organs = list(_ORGAN.finditer(prefix))
    if not organs:
        return True
    if any(s in prefix for s in _SELF) or bool(agency and agency in prefix):
        return True
    named = _WHEN.sub("", prefix[: organs[-1].end()])
    return bool(agency and named and _subsequence(named, agency))


def _subsequence(short: str, long: str) -> bool:
    chars = iter(long)
    return all(c in chars for c in short)


@dataclass(frozen=True, slots=True)
class _Clause:
    text: str
    section: str
    agency: str | None
    whole: bool  # False once the sentence said “其中”

    def statement(self, kind: str, value: int, at: int) -> Statement:
        whole = (self.whole or kind in RESULT_KINDS) and _whole(self.text[:at], self.agency, kind)
        return Statement(kind, value, whole, self.text, self.section)


def _zero_claims(clause: _Clause) -> Iterator[Statement]:
    text = clause.text
    if _COUNT.search(text):
        return
    if "公开" in text and not any(w in text for w in _NOT_A_REQUEST_CLAIM):
        m = _NO_REQUESTS.search(text)
        if m:
            yield clause.statement("new", 0, m.start())
    m = _NO_CASES.search(text)
    if m:
        tail = text[m.start() :]
        for word, kind in (("行政复议", "review"), ("行政诉讼", "litigation")):
            if word in tail:
                yield clause.statement(kind, 0, m.start())


def _count_claim(clause: _Clause) -> Statement | None:
    keywords = list(_KEYWORD.finditer(clause.text))
    if len({m.lastgroup for m in keywords}) != 1:
        return None  # no keyword, or several (“收到并办结申请12件”): not a statement we can place
    first = keywords[0]
    count = _COUNT.search(clause.text, first.end())
    if count is None or count.group(2):  # “10余件” is no number to compare
        return None
    return clause.statement(str(first.lastgroup), int(count.group(1)), first.start())


def _read_sentence(sentence: str, section: str, agency: str | None) -> Iterator[Statement]:
    about_requests = section == "requests" or "申请" in sentence or any(w in sentence for w in _RESULT_WORDS)
    about_cases = ("行政复议" in sentence or "行政诉讼" in sentence) and (
        section == "review_litigation" or "公开" in sentence
    )
    if not (about_requests or about_cases):
        return
    whole = True
    for raw in _CLAUSE.split(sentence):
        text = raw.strip()
        if not text:
            continue
        if "其中" in text:
            whole = False  # this clause and the rest of the sentence break a total down
        clause = _Clause(text, section, agency, whole)
        stated = _count_claim(clause)
        for claim in (*_zero_claims(clause), *((stated,) if stated else ())):
            if about_requests if claim.kind in REQUEST_KINDS else about_cases:
                yield claim


def _positions(text: str, words: tuple[str, ...]) -> list[int]:
    out = []
    for word in words:
        at = text.find(word)
        while at != -1:
            out.append(at)
            at = text.find(word, at + 1)
    return sorted(out)


def _counted(text: str, at: int) -> bool:
    """A unit character right after a number (“17件”, “17 件”, “10余件”)."""
    i = at - 1
    while i >= 0 and text[i] in " 余多":
        i -= 1
    return i >= 0 and "0" <= text[i] <= "9"


def _sentences(text: str, anchors: list[int]) -> Iterator[str]:
    """The sentences holding the anchor positions, each once, in order."""
    end = -1
    stops = [c for c in _SENTENCE_ENDS if c in text]
    for at in anchors:
        if at < end:
            continue
        start = max((text.rfind(c, 0, at) for c in stops), default=-1) + 1
        ends = [i for c in stops if (i := text.find(c, at)) != -1]
        end = min(ends, default=len(text))
        yield text[start:end]


def read_narrative(texts: Mapping[str, object], agency: object) -> Narrative:
    name = agency if isinstance(agency, str) and agency else None
    statements: list[Statement] = []
    all_completed: Statement | None = None
    all_upheld: Statement | None = None
    for section in SECTIONS_READ:
        text = texts.get(section)
        if not isinstance(text, str):
            continue
        anchors = [a for a in _positions(text, _UNITS) if _counted(text, a)]
        anchors = sorted(anchors + _positions(text, _DENIALS))
        for sentence in _sentences(text, anchors):
            statements.extend(_read_sentence(sentence, section, name))
        if all_completed is None:
            anchors = _positions(text, (*_DONE_WORDS, "办结率"))
            done = (s for s in _sentences(text, anchors) if "申请" in s and _ALL_DONE.search(s))
            claim = next(done, None)
            if claim is not None:
                all_completed = Statement("carry_forward", 0, whole=True, quote=claim.strip(), section=section)
        if all_upheld is None:
            all_upheld = _upheld(text, section)
    return Narrative(tuple(statements), all_completed, all_upheld)


def _upheld(text: str, section: str) -> Statement | None:
    """A claim that every 复议/诉讼 case about disclosure ended upheld, and which kinds it names."""
    for sentence in _sentences(text, _positions(text, ("维持",))):
        if not _ALL_UPHELD.search(sentence) or _NO_CASES.search(sentence):
            continue
        review, litigation = "复议" in sentence, "诉讼" in sentence
        if review or litigation:
            kind = "cases" if review and litigation else "review" if review else "litigation"
            return Statement(kind, 0, whole=True, quote=sentence.strip(), section=section)
    return None
