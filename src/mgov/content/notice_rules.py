"""How a notice item is recognised in a text: a few patterns combined (pure).

A `Rule` holds when every one of its groups holds: `any` (one pattern of the group matches),
`distinct` (at least n different patterns of the group match within `window` characters of one
another: "姓名、手机号码、电子邮箱" lists categories of personal information, one word does not,
nor a contact line "联系电话：…；电子邮箱：…", which `drop` takes out first), and `near` (a
pattern, and a contact detail — an e-mail address, a phone number, a postal address — within n
characters after it: the 个人信息保护负责人 and how to reach them). Texts are matched NFKC-folded and lower-cased, so
full-width punctuation and capitals do not matter."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

CONTACT = (r"[\w.+-]+@[\w-]+(\.[\w-]+)+|(\(?0\d{2,3}\)?[- ]?)?\d{7,8}|1[3-9]\d{9}|\(?\d{3}\)?[ .-]\d{3}[ .-]\d{4}|"
           r"1-\d{3}-\d{3}-\d{4}|通讯地址|邮寄地址|联系地址|mailing address|write to")


@dataclass(frozen=True)
class Rule:
    any: tuple[tuple[str, ...], ...] = ()  # each group: one of its patterns
    distinct: tuple[tuple[str, ...], int] | None = None  # at least n of these patterns
    near: tuple[str, int] | None = None  # a pattern, and a contact detail within n characters after
    window: int = 200  # the distinct patterns' matches lie within this many characters
    drop: str | None = None  # spans taken out of the text before `distinct` is matched


# Traditional characters common in notices, read as their Simplified forms (a Traditional-only
# notice lacks the Simplified version, an item of its own; its other items are still judged).
_TRADITIONAL = ("個們這資訊隱護權聯與於為會時說將處經關網務電話郵號體據際應對問題請讀開發內還從條過負責種類規則變更頁"
                "繫構購買賣實現險區縣鄉義擔選項認證碼傳輸儲備刪銷註帳賬轉讓益訟舉報範圍數運營機並檔錄紀產達損償國確衛"
                "動態樣設計畫劃務幣價於歲兒童監護屬權與給們聯絡僅須應當於個資")
_SIMPLIFIED = ("个们这资讯隐护权联与于为会时说将处经关网务电话邮号体据际应对问题请读开发内还从条过负责种类规则变更页"
               "系构购买卖实现险区县乡义担选项认证码传输储备删销注帐账转让益讼举报范围数运营机并档录纪产达损偿国确卫"
               "动态样设计画划务币价于岁儿童监护属权与给们联络仅须应当于个资")
_TO_SIMPLIFIED = str.maketrans(_TRADITIONAL, _SIMPLIFIED)


def fold(text: str) -> str:
    """The text as rules match it: NFKC, Traditional characters as Simplified, lower case, white
    space collapsed."""
    return " ".join(unicodedata.normalize("NFKC", text).translate(_TO_SIMPLIFIED).casefold().split())


@cache
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def _search(pattern: str, text: str) -> re.Match[str] | None:
    return _compiled(pattern).search(text)


def _excerpt(text: str, start: int, end: int) -> str:
    return text[max(0, start - 20):end + 40].strip()


def holds(rule: Rule, text: str) -> str | None:
    """Where the rule holds in text (folded): an excerpt of its first group's match, or None."""
    excerpts: list[str] = []
    for group in rule.any:
        match = next((m for p in group if (m := _search(p, text)) is not None), None)
        if match is None:
            return None
        excerpts.append(_excerpt(text, match.start(), match.end()))
    if rule.distinct is not None:
        shown = _compiled(rule.drop).sub(" ", text) if rule.drop else text
        span = _together(rule.distinct, shown, rule.window)
        if span is None:
            return None
        excerpts.append(_excerpt(shown, *span))
    if rule.near is not None:
        pattern, window = rule.near
        near = next((m for m in _compiled(pattern).finditer(text)
                     if _search(CONTACT, text[m.end():m.end() + window]) is not None), None)
        if near is None:
            return None
        excerpts.append(_excerpt(text, near.start(), near.end()))
    return excerpts[0][:160] if excerpts else None


def _together(distinct: tuple[tuple[str, ...], int], text: str, window: int) -> tuple[int, int] | None:
    """The span where at least n of the patterns match within window characters, or None."""
    patterns, n = distinct
    hits = sorted((m.start(), i) for i, p in enumerate(patterns) for m in _compiled(p).finditer(text))
    counts: dict[int, int] = {}
    lo = 0
    for pos, i in hits:
        counts[i] = counts.get(i, 0) + 1
        while hits[lo][0] < pos - window:
            j = hits[lo][1]
            counts[j] -= 1
            if not counts[j]:
                del counts[j]
            lo += 1
        if len(counts) >= n:
            return hits[lo][0], pos
    return None
