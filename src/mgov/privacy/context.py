"""What the words around a candidate say: a label for its kind, for another number, or none.

A value is judged by the nearest label before it in its own cell or line (20 characters at
most), else by its table column's header: 身份证号 and 手机 vouch for the number after them;
订单号, 文号, 编号, 流水号 and the like say that it is no one's ID number or phone.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from mgov.privacy.kinds import Kind

WINDOW = 20  # characters before a value where its label is looked for
_POSITIVE = {
    Kind.CN_ID: r"身\s*份\s*证|公民身份号码|身份号码|证件号码?|id\s*card|identity\s*card|resident\s*id",
    Kind.CN_MOBILE: r"手\s*机|电\s*话|联系方式|联系号码|移动电话|mobile|cell|phone|tel\b|tel\.|telephone",
    Kind.BANK_CARD: (r"卡\s*号|银行卡|账\s*号|帐\s*号|银行账户|存\s*折|社保卡|card\s*(?:number|no)|"
                     r"account\s*(?:number|no)"),
    Kind.US_SSN: r"\bssn\b|social\s*security|ss\s*#|社会安全号",
    Kind.PASSPORT: r"护\s*照|passport",
}
_NEGATIVE = (r"订\s*单|单\s*号|编\s*号|流水|文\s*号|批\s*次|序列号|序\s*号|凭证|发\s*票|合同|工\s*单|申请号|受理号|"
             r"案\s*号|"
             r"证书|许可证|信用代码|注册号|登记号|识别码|条\s*码|货\s*号|型\s*号|索引号|运\s*单|快\s*递|交易号|业务号|"
             r"项目号|代\s*码|批准|邮\s*编|邮政编码|\border\b|invoice|tracking|serial|\bref\b|reference|\bcase\b|"
             r"\bitem\b|\bsku\b|\bmodel\b|\bcode\b|permit|license|licence|confirmation|zip")
_GROUPS = [f"(?P<{k.value}>{p})" for k, p in _POSITIVE.items()] + [f"(?P<neg>{_NEGATIVE})"]
LABEL = re.compile("|".join(_GROUPS), re.IGNORECASE)
# Landlines share the phone words.
_SAME = {Kind.CN_LANDLINE: Kind.CN_MOBILE}
# Words of a table's header row: a row of them (and no digit) names the columns below it.
HEADER_WORD = re.compile(r"姓\s*名|身份证|证件号|电\s*话|手\s*机|卡\s*号|账\s*号|地\s*址|序\s*号|户\s*主|\bname\b|"
                         r"phone|\bssn\b|e-?mail|邮\s*箱|passport|护\s*照|account", re.IGNORECASE)
_DIGIT = re.compile(r"\d")
_SPACES = re.compile(r"[ \u3000]+")
_TOKEN = re.compile(r"[^ \u3000\t]+")


def label_of(text: str) -> str | None:
    """The class of the last label in text: a kind's value, "neg", or None."""
    last = None
    for m in LABEL.finditer(text):
        last = m
    return last.lastgroup if last is not None else None


def verdict(kind: Kind, label: str | None) -> str:
    """"pos" (a label for this kind), "neg" (a label for another kind of number), or "none"."""
    if label is None:
        return "none"
    if label == "neg":
        return "neg"
    return "pos" if label == _SAME.get(kind, kind).value else "none"


def cells(line: str) -> list[str]:
    """A row's cells: tab-separated, else separated by spaces (a PDF's table line)."""
    if "\t" in line:
        return line.split("\t")
    return [c for c in _SPACES.split(line) if c]


@dataclass
class Lines:
    """Line boundaries and table headers of a text, computed once, on the first hit."""

    text: str
    starts: list[int]
    headers: list[tuple[int, list[str]]]  # (line start, header cells), in order

    @classmethod
    def of(cls, text: str) -> Lines:
        starts = [0] + [m.end() for m in re.finditer("\n", text)]
        headers: list[tuple[int, list[str]]] = []
        seen: set[int] = set()
        for m in HEADER_WORD.finditer(text):
            i = bisect.bisect_right(starts, m.start()) - 1
            if i in seen:
                continue
            seen.add(i)
            line = text[starts[i]:starts[i + 1] - 1 if i + 1 < len(starts) else len(text)]
            row = cells(line.strip())
            if len(row) >= 2 and not _DIGIT.search(line) and len(line) < 400:
                headers.append((starts[i], [c.strip() for c in row]))
        return cls(text, starts, headers)

    def line_at(self, pos: int) -> tuple[int, str]:
        i = bisect.bisect_right(self.starts, pos) - 1
        start = self.starts[i]
        end = self.starts[i + 1] - 1 if i + 1 < len(self.starts) else len(self.text)
        return start, self.text[start:end]

    def header_for(self, line_start: int, column: int, width: int, tabbed: bool) -> str | None:
        """The header cell above a row's column (tables of the same width, or tab-separated)."""
        i = bisect.bisect_left(self.headers, line_start, key=lambda h: h[0]) - 1
        if i < 0:
            return None
        row = self.headers[i][1]
        if column < len(row) and (tabbed or len(row) == width):
            return row[column]
        return None


def column_of(line: str, offset: int) -> tuple[int, int, int, bool]:
    """(cell index, cell start offset, cells in the row, tab-separated) of offset in line."""
    if "\t" in line:
        index = line.count("\t", 0, offset)
        return index, line.rfind("\t", 0, offset) + 1, line.count("\t") + 1, True
    row = list(_TOKEN.finditer(line))
    for k, m in enumerate(row):
        if m.start() <= offset < m.end() or offset < m.start():
            return k, m.start(), len(row), False
    return max(len(row) - 1, 0), 0, len(row), False
