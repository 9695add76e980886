"""Whether a candidate value is a real one of its kind: checksums, dates, prefixes, ranges.

Resident ID numbers: the GB 11643 check character, a birth date that exists (1900 to today)
and a county code of GB/T 2260 (python-stdnum's region data, cn/loc). Not "in use in the birth
year", as stdnum's cn.ric asks: the code is the place of registration when the card was
issued (1984 on), so a person born in 1950 in a district made in 1983 holds its code.
Bank cards: Luhn plus an issuer prefix and length that exist. SSNs: the Social Security
Administration's rules (area not 000, 666 or 9xx; group not 00; serial not 0000) and not the
numbers known from advertising. Mobile numbers: the 3-digit prefixes assigned in China.
"""

from __future__ import annotations

import datetime as dt
import functools
from typing import Any

from stdnum import numdb

_W = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)  # GB 11643: 2^(17-i) mod 11
_CHECK = "10X98765432"
# Assigned mobile prefixes (MIIT numbering plan): 13x, 145-149, 15x but 154, 162, 165-167,
# 170-178, 18x, 19x. 140-144 are data-only (IoT) numbers and not assigned to people.
MOBILE_PREFIXES = frozenset(
    [f"13{d}" for d in range(10)] + ["145", "146", "147", "148", "149"]
    + [f"15{d}" for d in range(10) if d != 4] + ["162", "165", "166", "167"]
    + [f"17{d}" for d in range(9)] + [f"18{d}" for d in range(10)] + [f"19{d}" for d in range(10)])
# Three-digit long-distance codes (the rest are 4 digits, 0[3-9]xx).
AREA3 = frozenset({"010", "020", "021", "022", "023", "024", "025", "027", "028", "029"})
# SSNs published in advertising (Woolworth's wallet card) and the SSA's own sample.
SSN_ADVERTISED = frozenset({"078051120", "219099999", "123456789"})


def gb11643_check(first17: str) -> str:
    return _CHECK[sum(int(c) * w for c, w in zip(first17, _W, strict=True)) % 11]


def cn_id(number: str, today: dt.date | None = None) -> bool:
    """An 18-character resident ID number that is valid: check character, birth date from
    1900 to today, region code in use in the birth year."""
    if len(number) != 18 or not number[:17].isdigit() or number[17] not in "0123456789X":
        return False
    if gb11643_check(number[:17]) != number[17]:
        return False
    year = int(number[6:10])
    if year < 1900 or year > (today or dt.date.today()).year:
        return False
    try:
        born = dt.date(year, int(number[10:12]), int(number[12:14]))
    except ValueError:
        return False
    return born <= (today or dt.date.today()) and county(number[:6])


@functools.cache
def _regions() -> Any:
    return numdb.get("cn/loc")


@functools.lru_cache(maxsize=8192)
def county(code: str) -> bool:
    """A county-level code of GB/T 2260, current or former (python-stdnum's data)."""
    found = {k: v for _, props in _regions().info(code) for k, v in props.items()}
    return bool(found.get("county"))


def cn_id15(number: str) -> bool:
    """A 15-digit first-generation ID number (before 1999): region code and a date 19YYMMDD."""
    if len(number) != 15 or not number.isdigit() or number[0] == "0":
        return False
    try:
        dt.date(1900 + int(number[6:8]), int(number[8:10]), int(number[10:12]))
    except ValueError:
        return False
    return county(number[:6])


def luhn(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if i % 2:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def card_issuer(digits: str) -> str | None:
    """The card network a number's prefix and length belong to, or None."""
    n = len(digits)
    two, four = int(digits[:2]), int(digits[:4])
    if digits.startswith("62") and 16 <= n <= 19:
        return "unionpay"
    if digits.startswith("4") and n in (16, 19):
        return "visa"
    if (51 <= two <= 55 or 2221 <= four <= 2720) and n == 16:
        return "mastercard"
    if two in (34, 37) and n == 15:
        return "amex"
    if 3528 <= four <= 3589 and 16 <= n <= 19:
        return "jcb"
    # Older domestic debit cards: ICBC 9558, ABC 95599, and 60xxxx (e.g. 601382 BOC).
    if (digits.startswith(("9558", "95599")) and n == 19) or (digits.startswith("60") and 16 <= n <= 19):
        return "domestic"
    return None


def bank_card(digits: str) -> bool:
    return 15 <= len(digits) <= 19 and digits.isdigit() and card_issuer(digits) is not None and luhn(digits)


def us_ssn(digits: str) -> bool:
    """Nine digits a Social Security number can be (the SSA's rules, since 2011 too)."""
    if len(digits) != 9 or not digits.isdigit() or digits in SSN_ADVERTISED:
        return False
    area, group, serial = digits[:3], digits[3:5], digits[5:]
    if area in ("000", "666") or area[0] == "9" or group == "00" or serial == "0000":
        return False
    return not digits.startswith("98765432")  # the SSA's advertising block 987-65-4320..4329


def cn_mobile(digits: str) -> bool:
    return len(digits) == 11 and digits.isdigit() and digits[:3] in MOBILE_PREFIXES


def area_code(code: str) -> bool:
    """A Chinese long-distance code: 010, 02x, or 0[3-9]xx."""
    if len(code) == 3:
        return code in AREA3
    return len(code) == 4 and code[0] == "0" and code[1] in "3456789" and code.isdigit()
