"""find(text): the personal values in a document's text, each validated and judged in context.

Every kind has a candidate pattern run over the whole text (C speed), then its validity rule
(`validate`) and its context (`context`): a label before it, its column's header. What is
never a value: part of a longer run of digits or letters (order numbers, file names, ids
joined by "-" or "_"), anything masked (110***********1234, 138****5678: a mask character
touches the digits), anything inside a URL, a number whose label says it is an order,
document, serial or case number. Kinds are tried strongest first (e-mail addresses before
all: 13812345678@qq.com is one) and a value is one hit of one kind. Names are found last, in
the table rows (tab-separated cells, or a PDF's space-separated line) that hold another hit.
"""

from __future__ import annotations

import datetime as dt
import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass

from mgov.privacy import validate as v
from mgov.privacy.context import WINDOW, Lines, column_of, label_of, verdict
from mgov.privacy.kinds import Kind
from mgov.privacy.names import NAME_HEADER, is_name

# Not part of a longer token: no letter, digit, underscore or mask character touching it,
# and no "-" joining it to one (ORD-2024-13800138000).
_B = r"(?<![0-9A-Za-z_*＊×●•])(?<![0-9A-Za-z]-)"
_E = r"(?![0-9A-Za-z_*＊×●•])(?!-[0-9A-Za-z])"
URL = re.compile(r"(?:https?|ftp)://[^\s<>\"'）)】]+|www\.[A-Za-z0-9-]+\.[^\s<>\"'）)】]+", re.IGNORECASE)
_SEP = r"[-\s]?"
# The same boundary, tested once the candidate's first character is read: a pattern that
# begins with a character class is searched at C speed from one such character to the next
# (one that begins with an assertion is tried at every position: a third slower).
_B1 = r"(?<![0-9A-Za-z_*＊×●•].)(?<![0-9A-Za-z]-.)"
PATTERNS: dict[str, re.Pattern[str]] = {
    "id18": re.compile(r"(\d" + _B1 + r"(?:\d{16}[\dXx]|\d{5} \d{8} \d{3}[\dXx]))" + _E),
    "id15": re.compile(r"([1-9]" + _B1 + r"\d{14})" + _E),
    "card": re.compile(r"(\d" + _B1 + r"(?:\d{14,18}|\d{3}(?:[ -]\d{4}){3}(?:[ -]\d{1,3})?|\d{5} \d{13}))" + _E),
    "ssn": re.compile(r"(\d" + _B1 + r"(?:\d{2}-\d{2}-\d{4}|\d{2} \d{2} \d{4}|\d{8}))" + _E),
    "passport": re.compile(r"([A-Z\d]" + _B1 + r"(?:(?<=E)[A-HJ-NP-Z]\d{7}|(?<=[EG])\d{8}|(?<=[PSD])E?\d{7}"
                           r"|(?<=[A-Z])\d{8}|(?<=\d)\d{8}))" + _E),
    "mobile": re.compile(_B + r"(?:\+?86[-\s]?)?(1[3-9]\d" + _SEP + r"\d{4}" + _SEP + r"\d{4})" + _E),
    "landline": re.compile(_B + r"(?:[(（](0\d{2,3})[)）]\s?|(0\d{2,3})[-－—\s])([2-9]\d{6,7})"
                           r"(?:(?:-|转|[Ee][Xx][Tt]\.?\s?)\d{1,5})?" + _E),
    "local": re.compile(r"([2-9]" + _B1 + r"\d{7})" + _E),  # a local number: only beside a phone's label
    "email": re.compile(r"(?<![A-Za-z0-9._%+\-*＊])([A-Za-z0-9][A-Za-z0-9._%+\-]{0,63})@"
                        r"((?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,24})(?![A-Za-z0-9-])"),
}
_FILE_TLDS = frozenset({"png", "jpg", "jpeg", "gif", "svg", "webp", "css", "js", "bmp", "ico"})
_DIGITS = re.compile(r"\D")
# Punctuation of sentences: a line with it is prose, not a table's row printed in a PDF.
_PROSE = re.compile(r"[。，；！？]|[,;!?](?:\s|$)")
_CN_PASSPORT = re.compile(r"E[A-HJ-NP-Z]\d{7}|[EG]\d{8}")


@dataclass(frozen=True, slots=True)
class Hit:
    kind: Kind
    value: str  # normalized: digits (and X) for numbers, area-number for landlines
    start: int
    end: int


class _Scan:
    def __init__(self, text: str, today: dt.date | None) -> None:
        self.text, self.today = text, today
        self.taken = bytearray(len(text))
        self.hits: list[Hit] = []
        self.rows = 0  # table rows where a name sits beside another hit
        self._lines: Lines | None = None
        if "://" in text or "www." in text.lower():
            for m in URL.finditer(text):
                self.take(m.start(), m.end())

    @property
    def lines(self) -> Lines:
        if self._lines is None:
            self._lines = Lines.of(self.text)
        return self._lines

    def free(self, start: int, end: int) -> bool:
        return self.taken.find(1, start, end) == -1

    def take(self, start: int, end: int) -> None:
        self.taken[start:end] = b"\x01" * (end - start)

    def context(self, kind: Kind, start: int) -> str:
        """verdict() of the label before start, else of its column's header."""
        line_start, line = self.lines.line_at(start)
        offset = start - line_start
        column, cell_start, width, tabbed = column_of(line, offset)
        window = line[max(cell_start if tabbed else 0, offset - WINDOW):offset]
        found = label_of(window)
        if found is None:
            header = self.lines.header_for(line_start, column, width, tabbed)
            found = label_of(header) if header else None
        return verdict(kind, found)

    def add(self, kind: Kind, value: str, start: int, end: int) -> None:
        self.take(start, end)
        self.hits.append(Hit(kind, value, start, end))

    def each(self, name: str, judge: Callable[[re.Match[str]], tuple[Kind, str] | None]) -> None:
        for m in PATTERNS[name].finditer(self.text):
            start, end = m.span()
            if not self.free(start, end):
                continue
            found = judge(m)
            if found is not None:
                self.add(found[0], found[1], start, end)

    # --- the kinds, strongest first ---

    def id18(self, m: re.Match[str]) -> tuple[Kind, str] | None:
        number = m.group(1).replace(" ", "").upper()
        return (Kind.CN_ID, number) if v.cn_id(number, self.today) else None

    def id15(self, m: re.Match[str]) -> tuple[Kind, str] | None:
        number = m.group(1)
        if v.cn_id15(number) and self.context(Kind.CN_ID, m.start()) == "pos":
            return Kind.CN_ID, number
        return None

    def card(self, m: re.Match[str]) -> tuple[Kind, str] | None:
        raw = m.group(1)
        digits = _DIGITS.sub("", raw)
        if not v.bank_card(digits):
            return None
        said = self.context(Kind.BANK_CARD, m.start())
        grouped = len(digits) != len(raw)
        return (Kind.BANK_CARD, digits) if said == "pos" or (grouped and said != "neg") else None

    def ssn(self, m: re.Match[str]) -> tuple[Kind, str] | None:
        raw = m.group(1)
        digits = _DIGITS.sub("", raw)
        if not v.us_ssn(digits):
            return None
        said = self.context(Kind.US_SSN, m.start())
        return (Kind.US_SSN, digits) if said == "pos" or ("-" in raw and said != "neg") else None

    def passport(self, m: re.Match[str]) -> tuple[Kind, str] | None:
        number = m.group(1)
        said = self.context(Kind.PASSPORT, m.start())
        if said == "pos" or (said == "none" and _CN_PASSPORT.fullmatch(number)):
            return Kind.PASSPORT, number
        return None

    def mobile(self, m: re.Match[str]) -> tuple[Kind, str] | None:
        digits = _DIGITS.sub("", m.group(1))
        if not v.cn_mobile(digits) or self.context(Kind.CN_MOBILE, m.start()) == "neg":
            return None
        return Kind.CN_MOBILE, digits

    def local(self, m: re.Match[str]) -> tuple[Kind, str] | None:
        said = self.context(Kind.CN_LANDLINE, m.start())
        return (Kind.CN_LANDLINE, m.group(1)) if said == "pos" else None

    def landline(self, m: re.Match[str]) -> tuple[Kind, str] | None:
        area = m.group(1) or m.group(2)
        said = self.context(Kind.CN_LANDLINE, m.start())
        if not v.area_code(area) or said == "neg":
            return None
        return Kind.CN_LANDLINE, f"{area}-{m.group(3)}"

    def email(self, m: re.Match[str]) -> tuple[Kind, str] | None:
        domain = m.group(2)
        if domain.rsplit(".", 1)[-1].lower() in _FILE_TLDS:
            return None
        return Kind.EMAIL, f"{m.group(1)}@{domain.lower()}"

    # --- names in the rows ---

    def names(self) -> None:
        rows: dict[int, str] = {}
        for hit in self.hits:
            start, line = self.lines.line_at(hit.start)
            rows.setdefault(start, line)
        for line_start, line in rows.items():
            tabbed = "\t" in line
            if not tabbed and _PROSE.search(line):
                continue  # a sentence, not a row of a table
            cells = _cells_with_offsets(line, tabbed)
            before = len(self.hits)
            for k, (offset, cell) in enumerate(cells):
                begin = line_start + offset
                if not cell or not self.free(begin, begin + len(cell)):
                    continue
                header = self.lines.header_for(line_start, k, len(cells), tabbed)
                under = bool(header and NAME_HEADER.search(header))
                if is_name(cell, under_name_column=under):
                    self.add(Kind.NAME, cell.strip(), begin, begin + len(cell))
            if not tabbed:  # "John Smith" is two tokens of a PDF's line
                for (o1, c1), (_, c2) in itertools.pairwise(cells):
                    begin = line_start + o1
                    pair = f"{c1} {c2}"
                    if pair.isascii() and self.free(begin, begin + len(pair)) and is_name(pair):
                        self.add(Kind.NAME, pair, begin, begin + len(pair))
            self.rows += len(self.hits) > before


def _cells_with_offsets(line: str, tabbed: bool) -> list[tuple[int, str]]:
    if tabbed:
        out, at = [], 0
        for cell in line.split("\t"):
            stripped = cell.strip()
            out.append((at + (cell.find(stripped) if stripped else 0), stripped))
            at += len(cell) + 1
        return out
    return [(m.start(), m.group()) for m in re.finditer(r"[^ \u3000\t]+", line)]


# The shapes some kinds need when no label is there (looked for only then: one alternation
# of them cost more than the three apart).
_GROUPED = re.compile(r"\d{4}[ -]\d{4}[ -]\d{4}")
_DASHED_SSN = re.compile(r"\d{3}-\d{2}-\d{4}")


class _Gates:
    """Whether a kind's pass can find anything in the text: a necessary condition of its
    judge (a label's characters, a form's shape), tested first because a pass of a kind's
    pattern is the detector's main cost on a digit-heavy spreadsheet. Never a verdict."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.lower = text.lower()

    def _any(self, chars: str, words: tuple[str, ...] = ()) -> bool:
        return any(c in self.text for c in chars) or any(w in self.lower for w in words)

    def card(self) -> bool:  # a label (卡号, 账号, 存折, card, account) or four groups of four
        return self._any("卡账帐折", ("card", "account")) or _GROUPED.search(self.text) is not None

    def id15(self) -> bool:  # only beside its label
        return self._any("身证", ("id", "identity"))

    def ssn(self) -> bool:  # a label, or the dashed form
        return (self._any("社", ("ssn", "social")) or ("#" in self.text and "ss" in self.lower)
                or _DASHED_SSN.search(self.text) is not None)

    def passport(self) -> bool:  # a label, or a Chinese passport's form
        return self._any("护", ("passport",)) or _CN_PASSPORT.search(self.text) is not None

    def phone_label(self) -> bool:  # 手机, 电话, 联系方式/号码, mobile, cell, phone, tel
        return self._any("机话系", ("mobile", "cell", "phone", "tel"))


@dataclass(frozen=True, slots=True)
class Detection:
    hits: list[Hit]
    rows: int  # table rows where a name sits beside another value


def find(text: str, *, today: dt.date | None = None, names: bool = True) -> Detection:
    """The personal values in text, in the order of the kinds tried (see the module's doc)."""
    scan = _Scan(text, today)
    if "@" in text:  # first: 13812345678@qq.com is an address, not a phone number
        scan.each("email", scan.email)
    gates = _Gates(text)
    scan.each("id18", scan.id18)
    if gates.card():
        scan.each("card", scan.card)
    if gates.id15():
        scan.each("id15", scan.id15)
    if gates.ssn():
        scan.each("ssn", scan.ssn)
    if gates.passport():
        scan.each("passport", scan.passport)
    scan.each("mobile", scan.mobile)
    scan.each("landline", scan.landline)
    if gates.phone_label():
        scan.each("local", scan.local)
    if names and scan.hits:
        scan.names()
    return Detection(scan.hits, scan.rows)
