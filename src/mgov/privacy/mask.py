"""mask(kind, value): the one way mgov shows a personal value it found.

Enough stays to tell which record a reviewer should look for in the archived original, never
enough to use the value: an ID number keeps its first 4 and last 4 characters (the region's
first digits and the end), a mobile number 3 + 4 (as the 永安 standard writes 138****1234), a
bank card its first 4 and last 4, an SSN its last 4 (as US agencies print them), a passport
its letter and last 3, an e-mail its first character and domain, a name its surname or
initials. Values too short to mask this way are masked whole.
"""

from __future__ import annotations

import re

from mgov.privacy.kinds import Kind

_DIGIT = re.compile(r"\d")


def _keep(value: str, head: int, tail: int) -> str:
    if len(value) <= head + tail:
        return "*" * len(value)
    return value[:head] + "*" * (len(value) - head - tail) + value[len(value) - tail:]


def _name(value: str) -> str:
    if value.isascii():
        return " ".join(w[0] + "*" * (len(w) - 1) for w in value.split())
    surname = 2 if len(value) == 4 else 1  # 欧阳娜娜: a compound surname
    return value[:surname] + "*" * (len(value) - surname)


def mask(kind: Kind | str, value: str) -> str:
    """The value as mgov may show it (in findings, logs, exports and pages)."""
    kind = Kind(kind)
    if kind is Kind.CN_ID:
        return _keep(value, 4, 4)
    if kind is Kind.CN_MOBILE:
        return _keep(value, 3, 4)
    if kind is Kind.CN_LANDLINE:
        area, sep, number = value.partition("-")
        return f"{area}-{_keep(number, 0, 2)}" if sep else _keep(value, 3, 2)
    if kind is Kind.BANK_CARD:
        return _keep(value, 4, 4)
    if kind is Kind.US_SSN:
        return "***-**-" + value[-4:] if len(value) == 9 else "*" * len(value)
    if kind is Kind.PASSPORT:
        return _keep(value, 1, 3)
    if kind is Kind.EMAIL:
        local, at, domain = value.partition("@")
        return f"{local[:1]}***@{domain}" if at and local else "***"
    if kind is Kind.NAME:
        return _name(value)
    return _DIGIT.sub("*", value)  # pragma: no cover - every kind is handled above
