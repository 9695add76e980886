"""Generated personal data and realistic decoys, for the detector's precision and recall test
and the personal-data benchmark (issue 18).

`corpus(seed, n)` gives n values, about half real (each kind, in the forms offices write
them: labelled, bare, grouped, in a table under its column) and half decoys (masked values,
wrong check characters and dates, order, serial and document numbers with their labels,
timestamps, numbers inside longer runs or joined to letters, URLs, unassigned prefixes,
invalid SSNs, Luhn failures), each as a line of text with the values a perfect detector
finds in it. Lines are grouped into documents of ~100 lines, some as tables with a header.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import NamedTuple

from mgov.demo.farm.content_privacy import check_char
from mgov.demo.farm.places_cn import COUNTIES

Expected = list[tuple[str, str]]  # (kind, normalized value)
_MOBILE = ("130", "131", "132", "133", "135", "136", "137", "138", "139", "147", "150", "151", "152", "155",
           "157", "158", "159", "166", "176", "177", "180", "181", "186", "188", "189", "191", "198", "199")
_AREA = ("010", "020", "021", "022", "023", "024", "025", "027", "028", "029", "0591", "0755", "0571", "0531",
         "0371", "0731", "0851", "0871", "0931", "0991")
_DOMAINS = ("163.com", "qq.com", "126.com", "gmail.com", "sina.com", "outlook.com", "agency.gov", "mail.example")
_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
_GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超"


class Line(NamedTuple):
    text: str
    expected: Expected


def _digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(n))


def cn_id(rng: random.Random) -> str:
    county = rng.choice(COUNTIES).code
    year, month, day = rng.randint(1940, 2005), rng.randint(1, 12), rng.randint(1, 28)
    body = f"{county}{year:04d}{month:02d}{day:02d}{_digits(rng, 3)}"
    return body + check_char(body)


def mobile(rng: random.Random) -> str:
    return rng.choice(_MOBILE) + _digits(rng, 8)


def luhn_complete(body: str) -> str:
    total = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch)
        if i % 2 == 0:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return body + str((10 - total % 10) % 10)


def card(rng: random.Random) -> str:
    prefix = rng.choice(("622202", "621700", "622848", "621226", "625965", "4563", "5187"))
    length = 16 if prefix[0] in "45" else rng.choice((16, 19))
    return luhn_complete(prefix + _digits(rng, length - len(prefix) - 1))


def ssn(rng: random.Random) -> str:
    while True:
        area = rng.randint(1, 899)
        if area != 666:
            return f"{area:03d}{rng.randint(1, 99):02d}{rng.randint(1, 9999):04d}"


def _dashed(s: str) -> str:
    return f"{s[:3]}-{s[3:5]}-{s[5:]}"


def _name(rng: random.Random) -> str:
    return rng.choice(_SURNAMES) + "".join(rng.choice(_GIVEN) for _ in range(rng.randint(1, 2)))


# --- real values, as offices write them ------------------------------------------------------

def _real(rng: random.Random) -> Line:
    kind = rng.choice(("cn_id", "cn_id", "cn_mobile", "cn_mobile", "cn_landline", "bank_card", "us_ssn",
                       "passport", "email", "mixed"))
    if kind == "mixed":  # the forms that run values together
        a, b, v = mobile(rng), mobile(rng), cn_id(rng)
        c = card(rng)
        form = rng.randrange(4)
        if form == 0:
            return Line(f"联系电话：{a}、{b}", [("cn_mobile", a), ("cn_mobile", b)])
        if form == 1:
            return Line(f"{_name(rng)}（{a}）身份证{v}号", [("cn_mobile", a), ("cn_id", v)])
        if form == 2:
            hyphens = "-".join(c[i:i + 4] for i in range(0, len(c), 4))
            return Line(f"退款账户 {hyphens}；邮箱<{a}@qq.com>", [("bank_card", c), ("email", f"{a}@qq.com")])
        return Line(f"{v}\t{a}", [("cn_id", v), ("cn_mobile", a)])
    if kind == "cn_id":
        v = cn_id(rng)
        form = rng.randrange(4)
        shown = v.lower() if v.endswith("X") and form == 3 else (f"{v[:6]} {v[6:14]} {v[14:]}" if form == 2 else v)
        label = rng.choice(("身份证号：", "公民身份号码 ", "证件号码:", "", "身份证"))
        return Line(f"申请人{_name(rng)}，{label}{shown}，经审核符合条件。", [("cn_id", v)])
    if kind == "cn_mobile":
        v = mobile(rng)
        shown = rng.choice((v, f"{v[:3]}-{v[3:7]}-{v[7:]}", f"{v[:3]} {v[3:7]} {v[7:]}", f"+86 {v}", f"+86-{v}"))
        label = rng.choice(("手机：", "联系电话：", "电话 ", "Tel: ", "", "手机号码 "))
        return Line(f"联系人{_name(rng)}，{label}{shown}。", [("cn_mobile", v)])
    if kind == "cn_landline":
        area = rng.choice(_AREA)
        number = rng.choice("23456789") + _digits(rng, 7 if len(area) == 3 else rng.choice((6, 7)))
        shown = rng.choice((f"{area}-{number}", f"({area}){number}", f"（{area}）{number}", f"{area} {number}",
                            f"{area}-{number}-8{_digits(rng, 2)}"))
        if rng.random() < 0.2 and len(number) == 8:  # a local number with its label
            return Line(f"办公电话：{number}（工作日）", [("cn_landline", number)])
        return Line(f"咨询电话：{shown}。", [("cn_landline", f"{area}-{number}")])
    if kind == "bank_card":
        v = card(rng)
        grouped = " ".join(v[i:i + 4] for i in range(0, len(v), 4))
        shown, label = rng.choice(((v, "银行卡号："), (grouped, ""), (grouped, "卡号 "), (v, "账号："),
                                   (v, "Card number: "), (v, "社保卡账号 ")))
        return Line(f"补贴发放至{label}{shown}。", [("bank_card", v)])
    if kind == "us_ssn":
        v = ssn(rng)
        shown, label = rng.choice(((_dashed(v), "SSN: "), (_dashed(v), ""), (v, "Social Security No. "),
                                   (f"{v[:3]} {v[3:5]} {v[5:]}", "SSN ")))
        return Line(f"Applicant record: {label}{shown} (verified)", [("us_ssn", v)])
    if kind == "passport":
        shown, label = rng.choice(((f"E{_digits(rng, 8)}", "护照号码："), (f"E{_digits(rng, 8)}", ""),
                                   (f"G{_digits(rng, 8)}", ""), (f"EA{_digits(rng, 7)}", "护照 "),
                                   (f"{rng.randint(1, 9)}{_digits(rng, 8)}", "Passport No. "),
                                   (f"P{_digits(rng, 7)}", "passport: ")))
        return Line(f"出境人员 {label}{shown} 已备案", [("passport", shown)])
    local = rng.choice(("zhang.san", "lisi88", "wangfang", "j.smith", "mary_jones", "liu-wei")) + _digits(rng, 2)
    domain = rng.choice(_DOMAINS)
    return Line(f"邮箱：{local}@{domain} ", [("email", f"{local}@{domain}")])


# --- decoys: what looks like personal data and is none -----------------------------------------

def _decoy(rng: random.Random) -> Line:
    makers: list[Callable[[], str]] = [
        lambda: f"身份证号 {(v := cn_id(rng))[:4]}**********{v[-4:]}",
        lambda: f"身份证号 {(v := cn_id(rng))[:3]}{'*' * 11}{v[-4:]}",
        lambda: f"手机 {(v := mobile(rng))[:3]}****{v[-4:]}",
        lambda: f"手机 {(v := mobile(rng))[:3]}-****-{v[-4:]}",
        lambda: f"卡号 6222 **** **** {_digits(rng, 4)}",
        lambda: f"SSN ***-**-{_digits(rng, 4)}",
        lambda: f"Email: {rng.choice('abcdefg')}***@{rng.choice(_DOMAINS)}",
        lambda: f"核对 {(v := cn_id(rng))[:17]}{'0' if v[17] != '0' else '1'}",
        lambda: f"编码 {rng.choice(COUNTIES).code}{rng.randint(1940, 2000)}{rng.randint(13, 19)}{rng.randint(10, 28)}"
                f"{_digits(rng, 4)}",
        lambda: f"订单号：{mobile(rng)}",
        lambda: f"订单编号 {card(rng)}",
        lambda: f"Order #{card(rng)}",
        lambda: f"业务流水号：{_digits(rng, 20)}",
        lambda: f"编号：{mobile(rng)}",
        lambda: f"受理号 {mobile(rng)}",
        lambda: f"{rng.choice(('京政发', '粤府办', '国办发', '闽政'))}〔{rng.randint(2015, 2025)}〕"
                f"{rng.randint(1, 120)}号",
        lambda: f"时间戳 {rng.randint(1_600_000_000_000, 1_799_999_999_999)}",
        lambda: f"更新于 {rng.randint(2019, 2025)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{_digits(rng, 6)}",
        lambda: f"更新于 {rng.randint(2019, 2025)}-0{rng.randint(1, 9)}-1{rng.randint(0, 9)} "
                f"1{rng.randint(0, 9)}:30:45",
        lambda: f"批次 {rng.randint(1, 9)}{mobile(rng)}{_digits(rng, 3)}",
        lambda: f"ORD{mobile(rng)}",
        lambda: f"ORD-2024-{mobile(rng)}",
        lambda: f"文件 P0{_digits(rng, 8)}_{mobile(rng)}.pdf",
        lambda: f"见 https://www.gov.cn/zhengce/{rng.randint(2015, 2025)}/{mobile(rng)}.html",
        lambda: f"见 http://example.gov.cn/art?id={cn_id(rng)}",
        lambda: f"号码 {rng.choice(('140', '141', '144', '154', '160', '100', '110', '120'))}{_digits(rng, 8)}",
        lambda: f"电话 0001-{rng.randint(2, 9)}{_digits(rng, 6)}",
        lambda: f"SSN {rng.choice(('000', '666', '912', '987'))}-{rng.randint(10, 99)}-{_digits(rng, 4)}",
        lambda: f"SSN {rng.randint(100, 899)}-00-{_digits(rng, 4)}",
        lambda: "SSN 078-05-1120",
        lambda: f"Case No. {_dashed(ssn(rng))}",
        lambda: f"Reference {ssn(rng)}",
        lambda: f"卡号：{(v := card(rng))[:-1]}{(int(v[-1]) + 1) % 10}",
        lambda: f"统计数 {_digits(rng, 9)} 人次",
        lambda: f"型号 E{_digits(rng, 8)}",
        lambda: f"图标 logo@{rng.randint(2, 3)}x.png",
        lambda: f"统一社会信用代码 9{rng.randint(1, 5)}{rng.choice(COUNTIES).code}MA{_digits(rng, 7)}X",
        lambda: f"邮编 {rng.choice(COUNTIES).code}",
        lambda: f"金额 {rng.randint(1, 99)},{_digits(rng, 3)},{_digits(rng, 3)}.{_digits(rng, 2)} 元",
        lambda: f"Invoice {rng.randint(2019, 2025)}-{_digits(rng, 4)}-{_digits(rng, 3)}",
        lambda: f"ZIP {_digits(rng, 5)}-{_digits(rng, 4)}",
        lambda: f"Call (202) 555-0{_digits(rng, 3)}",
        lambda: f"IP 10.{rng.randint(0, 255)}.{rng.randint(0, 255)}.{rng.randint(0, 255)}",
    ]
    return Line(f"{rng.choice(makers)()}。", [])


def corpus(seed: int, n: int, real_share: float = 0.5) -> list[Line]:
    """n lines of one value each, real (with its expected hit) or a decoy (none)."""
    rng = random.Random(f"pii-corpus/{seed}")
    return [_real(rng) if rng.random() < real_share else _decoy(rng) for _ in range(n)]


def table(seed: int, rows: int) -> tuple[str, Expected]:
    """A 低保-style table (header, then rows of name, ID, mobile, amount), tab-separated."""
    rng = random.Random(f"pii-table/{seed}")
    lines = ["序号\t姓名\t身份证号码\t联系电话\t金额（元）"]
    want: Expected = []
    for k in range(1, rows + 1):
        name, v, m = _name(rng), cn_id(rng), mobile(rng)
        lines.append(f"{k}\t{name}\t{v}\t{m}\t{rng.randint(4, 16) * 100}")
        want += [("cn_id", v), ("cn_mobile", m), ("name", name)]
    return "\n".join(lines), want
