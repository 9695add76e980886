"""Personal data a farm site publishes by mistake, and the decoys that only look like it
(issue 18): the test of the crawl's personal-data scan (privacy.pii_exposed).

`privacy.pii_leak`: a notice page links a spreadsheet (XLSX) and a PDF of the same kind of
list the media keep finding on real sites: a 低保 (subsistence allowance) list with each
person's full resident ID number (valid check characters, real region codes) and mobile
number, one in five of the phones masked as the rules ask; on us sites a rental-assistance
list with SSNs and e-mail addresses. `privacy.pii_decoys`: a notice page and a spreadsheet
full of what must not be flagged: masked values, ID numbers with a wrong check character or
date, order, serial and document numbers (文号), timestamps, numbers inside longer runs,
phone-like ids with their labels, URLs; and the office's own phone, which is no leak.

Everything is a pure function of (seed, host): `records` gives the seeded values to tests
(the values are not in the manifest, which only holds their kinds and counts).
"""

from __future__ import annotations

import datetime as dt
import io
import random
from html import escape
from typing import Any, NamedTuple

from mgov.demo.farm.manifest import Site
from mgov.demo.farm.pages import Page, content_page, html_page
from mgov.demo.farm.pdfwrite import write_pdf
from mgov.demo.farm.places_cn import COUNTIES

LEAK, DECOYS = "privacy.pii_leak", "privacy.pii_decoys"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ROWS_XLSX, ROWS_PDF = 36, 24
MASK_EVERY = 5  # every fifth phone of the leak is masked, as the rules ask (not a leak)
_W = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_ZH_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁"
_ZH_GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂英华建国志红玉梅金凤春生秋菊海燕文博"
_EN_FIRST = ("James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David", "Susan",
             "William", "Karen", "Richard", "Nancy", "Joseph", "Lisa", "Thomas", "Betty", "Daniel", "Sandra")
_EN_LAST = ("Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Martinez", "Wilson",
            "Anderson", "Taylor", "Thomas", "Moore", "Jackson", "White", "Harris", "Clark", "Lewis", "Young")
_MOBILE = ("130", "133", "135", "136", "138", "139", "150", "152", "158", "177", "186", "189", "199")


class Record(NamedTuple):
    name: str
    identifier: str  # cn: the resident ID number; us: the SSN (ddd-dd-dddd)
    contact: str  # cn: the mobile number (masked in every fifth row); us: the e-mail address
    place: str
    household: int
    amount: int


def check_char(first17: str) -> str:
    return _CHECK[sum(int(c) * w for c, w in zip(first17, _W, strict=True)) % 11]


def _cn_id(rng: random.Random) -> str:
    county = rng.choice(COUNTIES).code
    born = dt.date(1940, 1, 1) + dt.timedelta(days=rng.randrange(365 * 62))
    body = f"{county}{born:%Y%m%d}{rng.randrange(1000):03d}"
    return body + check_char(body)


def _ssn(rng: random.Random) -> str:
    while True:
        area, group, serial = rng.randint(1, 899), rng.randint(1, 99), rng.randint(1, 9999)
        if area != 666 and (area, group, serial) != (78, 5, 1120):
            return f"{area:03d}-{group:02d}-{serial:04d}"


def records(site: Site, seed: int, which: str) -> list[Record]:
    """The rows of the leak's spreadsheet ("xlsx") or PDF ("pdf")."""
    rng = random.Random(f"{seed}/{site.host}/pii/{which}")
    n = ROWS_XLSX if which == "xlsx" else ROWS_PDF
    out = []
    for k in range(n):
        if site.jurisdiction == "cn":
            name = rng.choice(_ZH_SURNAMES) + "".join(rng.choice(_ZH_GIVEN) for _ in range(rng.randint(1, 2)))
            phone = rng.choice(_MOBILE) + f"{rng.randrange(10**8):08d}"
            if k % MASK_EVERY == MASK_EVERY - 1:
                phone = phone[:3] + "****" + phone[7:]
            out.append(Record(name, _cn_id(rng), phone, f"城关镇{rng.choice('东南西北')}街社区{rng.randint(1, 12)}组",
                              rng.randint(1, 5), rng.randint(4, 16) * 100))
        else:
            first, last = rng.choice(_EN_FIRST), rng.choice(_EN_LAST)
            out.append(Record(f"{first} {last}", _ssn(rng), f"{first.lower()}.{last.lower()}{k}@mail.example",
                              f"{rng.randint(100, 999)}-{rng.choice(('Oak', 'Elm', 'Pine'))}",
                              rng.randint(1, 5), rng.randint(4, 16) * 100))
    return out


def paths(site: Site) -> dict[str, str]:
    if site.jurisdiction == "cn":
        return {"leak": "/xxgk/dbgs/index.html", "xlsx": "/xxgk/dbgs/dbgs_mingdan.xlsx",
                "pdf": "/xxgk/dbgs/dbgs_mingdan.pdf", "decoys": "/xxgk/gsgg/index.html",
                "decoy_xlsx": "/xxgk/gsgg/gongshi.xlsx"}
    return {"leak": "/notices/assistance/index.html", "xlsx": "/notices/assistance/recipients.xlsx",
            "pdf": "/notices/assistance/recipients.pdf", "decoys": "/notices/records/index.html",
            "decoy_xlsx": "/notices/records/summary.xlsx"}


def expected(site: Site, seed: int, base: str) -> dict[str, Any]:
    """The manifest's facts: each leaking document's URL, format and counts per kind."""
    p = paths(site)
    if site.has(LEAK):
        docs = []
        for which in ("xlsx", "pdf"):
            rows = records(site, seed, which)
            if site.jurisdiction == "cn":
                phones = sum(1 for r in rows if "*" not in r.contact)
                counts = {"cn_id": len(rows), "cn_mobile": phones, "name": len(rows)}
            else:
                counts = {"us_ssn": len(rows), "email": len(rows), "name": len(rows)}
            docs.append({"url": base + p[which], "format": which, "counts": counts, "severity": "critical"})
        return {"page": base + p["leak"], "documents": docs}
    return {"page": base + p["decoys"], "documents": [base + p["decoy_xlsx"]]}


def home_links(site: Site) -> tuple[tuple[str, str], ...]:
    zh = site.language == "zh"
    if site.has(LEAK):
        return ((paths(site)["leak"], "低保对象公示" if zh else "Rental assistance recipients"),)
    if site.has(DECOYS):
        return ((paths(site)["decoys"], "公示公告" if zh else "Public records notice"),)
    return ()


def _header(site: Site) -> list[str]:
    if site.jurisdiction == "cn":
        return ["序号", "姓名", "身份证号码", "联系电话", "家庭住址", "保障人数", "月保障金（元）"]
    return ["No.", "Name", "SSN", "E-mail", "Address", "Household", "Monthly amount ($)"]


def _rows(site: Site, rows: list[Record]) -> list[list[str]]:
    return [[str(k), r.name, r.identifier, r.contact, r.place, str(r.household), str(r.amount)]
            for k, r in enumerate(rows, 1)]


def _xlsx(head: list[str], rows: list[list[str]], title: str) -> bytes:
    # openpyxl writes the farm's spreadsheets; only served files need it.
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Sheet1"
    sheet.append([title])
    sheet.append(head)
    for row in rows:
        sheet.append(row)  # every cell as text, as offices type ID numbers (a number would lose digits)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


_FILES: dict[tuple[str, int, str], bytes] = {}  # (host, seed, which) -> the file, kept for a few sites


def _cached(site: Site, seed: int, which: str) -> bytes:
    key = (site.host, seed, which)
    if key not in _FILES:
        if len(_FILES) >= 64:
            _FILES.clear()
        _FILES[key] = _decoy_xlsx(site, seed) if which == "decoy" else _leak_file(site, seed, which)
    return _FILES[key]


def _leak_file(site: Site, seed: int, which: str) -> bytes:
    zh = site.jurisdiction == "cn"
    title = f"{site.organization.name_zh}城乡最低生活保障对象公示名单" if zh else \
        f"{site.organization.name_en} rental assistance recipients"
    rows = _rows(site, records(site, seed, which))
    if which == "xlsx":
        return _xlsx(_header(site), rows, title)
    return write_pdf([title, "", "  ".join(_header(site)), *("  ".join(r) for r in rows)], title=title)


def decoy_lines(site: Site, seed: int) -> list[str]:
    """The decoy page's lines: each looks like personal data and is none (or is the office's)."""
    rng = random.Random(f"{seed}/{site.host}/pii/decoys")
    if site.jurisdiction == "cn":
        valid = _cn_id(rng)
        wrong = valid[:17] + ("0" if valid[17] != "0" else "1")
        bad_date = valid[:10] + "1399" + valid[14:17]
        bad_date += check_char(bad_date)
        office, number = rng.choice(("京政发", "粤府办", "国办发")), rng.randint(1, 60)
        phone, other = (rng.choice(_MOBILE) + f"{rng.randrange(10**8):08d}" for _ in range(2))
        stamp = rng.randint(1_600_000_000_000, 1_799_999_999_999)
        serial = f"{rng.randrange(10**17, 10**18)}{rng.randint(10, 99)}"
        return [f"根据《关于做好2024年城乡低保工作的通知》（{office}〔2024〕{number}号）要求，现予公示。",
                "公示对象：张*（身份证号 " + valid[:6] + "********" + valid[14:] + "），联系电话 138****5678。",
                f"登记时间：2024-05-12 13:30:45，系统时间戳 {stamp}。",
                f"订单号：{phone}；业务流水号 {serial}。",
                f"编号：{other}（办件编号，非电话）。",
                f"核对号码 {wrong} 校验位错误；{bad_date} 日期无效。",
                f"批次 2{phone}7，条码 ORD-2024-{other}。",
                f"原文链接：https://www.gov.cn/zhengce/2024/{phone}.html",
                "统一社会信用代码：11350100MB1234567X；邮政编码 350001。",
                "咨询电话：0591-87654321（工作日 9:00-17:00）。"]
    valid = _ssn(rng)
    return ["Recipients are listed by initials only; SSNs are shown as ***-**-" + valid[-4:] + ".",
            "Examples of numbers that are not SSNs: 000-12-3456, 666-12-3456, 912-34-5678, 123-00-4567, "
            "078-05-1120.",
            f"Case No. {valid} was closed on 2024-05-12 13:30:45 "
            f"(timestamp {rng.randint(1_600_000_000, 1_799_999_999)}).",
            f"Invoice 2024-0512-{rng.randint(100, 999)}; order # 4111111111111111; ZIP 20500-0003.",
            "Questions: call (202) 555-0143 or write to records@agency.gov.",
            f"Reference: https://www.usa.gov/records/{rng.randrange(10**9)}.html"]


def _decoy_rows(site: Site, seed: int) -> list[list[str]]:
    rng = random.Random(f"{seed}/{site.host}/pii/decoy_rows")
    out = []
    for k in range(1, 21):
        if site.jurisdiction == "cn":
            number = _cn_id(rng)
            out.append([str(k), rng.choice(_ZH_SURNAMES) + "**", number[:4] + "**********" + number[-4:],
                        rng.choice(_MOBILE) + "****" + f"{rng.randrange(10**4):04d}", "城关镇", str(rng.randint(1, 5)),
                        str(rng.randint(4, 16) * 100)])
        else:
            out.append([str(k), f"{rng.choice(_EN_FIRST)[0]}. {rng.choice(_EN_LAST)[0]}.",
                        f"***-**-{rng.randrange(10**4):04d}", "on file", "Ward 3", str(rng.randint(1, 5)),
                        str(rng.randint(4, 16) * 100)])
    return out


def _decoy_xlsx(site: Site, seed: int) -> bytes:
    title = "公示名单（已脱敏）" if site.jurisdiction == "cn" else "Recipients (masked)"
    return _xlsx(_header(site), _decoy_rows(site, seed), title)


def _page(site: Site, seed: int, title: str, body: list[str]) -> Page:
    return html_page(site, content_page(site, seed, title, f'<h2 class="article-title">{escape(title)}</h2>'
                                        + "".join(body)))


def serve(site: Site, seed: int, path: str) -> Page | None:
    """The page or file at path, when the site has one of the two defects."""
    if not (site.has(LEAK) or site.has(DECOYS)):
        return None
    p = paths(site)
    zh = site.jurisdiction == "cn"
    if site.has(LEAK):
        if path == p["leak"]:
            title = "城乡最低生活保障对象公示" if zh else "Rental assistance recipients"
            note = ("现将本季度城乡低保对象名单予以公示，公示期7天。" if zh
                    else "The recipients of this quarter's rental assistance are listed below.")
            links = [f'<li><a href="{escape(p[w])}">{escape(p[w].rsplit("/", 1)[-1])}</a></li>'
                     for w in ("xlsx", "pdf")]
            return _page(site, seed, title, [f"<p>{note}</p>", f'<ul class="attachments">{"".join(links)}</ul>'])
        if path in (p["xlsx"], p["pdf"]):
            which = "xlsx" if path == p["xlsx"] else "pdf"
            return Page(200, XLSX_TYPE if which == "xlsx" else "application/pdf", _cached(site, seed, which))
    if site.has(DECOYS):
        if path == p["decoys"]:
            title = "公示公告" if zh else "Public records notice"
            lines = "".join(f"<p>{escape(x)}</p>" for x in decoy_lines(site, seed))
            head = "".join(f"<th>{escape(h)}</th>" for h in _header(site))
            rows = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in r) + "</tr>"
                           for r in _decoy_rows(site, seed)[:5])
            link = f'<p><a href="{escape(p["decoy_xlsx"])}">{"附件：公示名单" if zh else "Attachment: list"}</a></p>'
            return _page(site, seed, title, [lines, f"<table><tr>{head}</tr>{rows}</table>", link])
        if path == p["decoy_xlsx"]:
            return Page(200, XLSX_TYPE, _cached(site, seed, "decoy"))
    return None
