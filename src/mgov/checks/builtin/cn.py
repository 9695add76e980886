"""China's identity footer (国办发〔2017〕47号): 网站标识码, ICP, 公网安备, 党政机关标识, 找错."""

from __future__ import annotations

import re
from typing import Any, ClassVar
from urllib.parse import unquote

from mgov.checks.base import Finding, Status
from mgov.checks.builtin.jiucuo import CURRENT_HOSTS, FORMER_HOSTS, Entry, find_entries
from mgov.checks.builtin.page import _PageCheck
from mgov.checks.html import Page
from mgov.evidence.exchange import Exchange
from mgov.evidence.site import SiteEvidence

CN = frozenset({"cn"})
# Matched against Page.folded_text: NFKC-folded (full-width digits, colons and hyphens become
# ASCII), blocks apart. Labels and values may be spaced or split across inline tags; a value
# is a run of digits, so it never takes in the next word ("1100000088ICP备案号").
SITE_CODE = re.compile(r"^(\d{10}|bm\d{8})$", re.I)
SITE_CODE_TEXT = re.compile(r"网站标识码\s*:?\s*(bm\d+|\d+)", re.I)
# Province abbreviations as filings write them: MIIT's ICP numbers use 蜀 (四川), 黔 (贵州),
# 滇 (云南), 陇 (甘肃) and 陕 (陕西); 公网安备 numbers mostly 川, 贵, 滇, 甘, 陕, and also 蜀, 黔.
# Every province's one- and two-character forms are accepted for both.
ABBREVIATIONS = "京津沪渝冀豫云滇辽黑湘皖鲁新苏浙赣鄂桂甘陇晋蒙陕秦吉闽贵黔粤青藏川蜀宁琼"
_PROVINCE = f"([{ABBREVIATIONS}])"
_DASH = r"[-\u2010-\u2015\u2212\ufe58\ufe63]"  # NFKC keeps these dashes apart from "-"
# 京ICP备12345678号-1, 粤ICP备 12345678号, 滇ICP备09010050-5号, 陇ICP备 05000593, ICP备案号：京ICP备...
ICP = re.compile(_PROVINCE + r"\s*ICP\s*备(?:案号?)?\s*:?\s*(\d{5,12})\s*(?:" + _DASH + r"\s*(\d+)\s*)?号?"
                 r"(?:\s*" + _DASH + r"\s*(\d+))?", re.I)
# 京公网安备 11010502030143号, 京公网安备：11010502030143号, 京公网安备:11010502030143, 京公网安备号11010502030143;
# 12-digit numbers of the first years are still shown by some sites.
PSB = re.compile(_PROVINCE + r"\s*公网安备\s*(?:号\s*)?:?\s*(?:号\s*)?(\d{12,14})\s*号?")
CONAC = re.compile(r"(bszs\.conac\.cn/sitename\?method=show&(?:amp;)?id=[0-9A-Fa-f]{32}|dcs\.conac\.cn/js/)")
# GB/T 2260 province codes and their one-character abbreviations.
PROVINCES = {"11": "京", "12": "津", "31": "沪", "50": "渝", "13": "冀", "41": "豫", "53": "云", "21": "辽",
             "23": "黑", "43": "湘", "34": "皖", "37": "鲁", "65": "新", "32": "苏", "33": "浙", "36": "赣",
             "42": "鄂", "45": "桂", "62": "甘", "14": "晋", "15": "蒙", "61": "陕", "22": "吉", "35": "闽",
             "52": "贵", "44": "粤", "63": "青", "54": "藏", "51": "川", "64": "宁", "46": "琼"}
# Provinces with two abbreviations in use: either one agrees with the number.
ALTERNATES = {"51": "蜀", "52": "黔", "53": "滇", "61": "秦", "62": "陇"}


def province_chars(region: str) -> str:
    """The abbreviations that agree with a GB/T 2260 province code ("51" -> "川蜀")."""
    return PROVINCES.get(region, "") + ALTERNATES.get(region, "")


class _CnCheck(_PageCheck):
    jurisdictions = CN
    basis = "国办发〔2017〕47号 页面底部功能区; 2019 检查指标"


def _code(value: object) -> str | None:
    """A site code as text, case-folded (bm07000001 and BM07000001 are one code)."""
    text = str(value).strip().lower() if value is not None else ""
    return text or None


def page_site_code(page: Page) -> tuple[str | None, str | None]:
    """(meta SiteIDCode, footer 网站标识码 text) as found on the page."""
    m = SITE_CODE_TEXT.search(page.folded_text)
    return _code(page.meta("SiteIDCode")), _code(m.group(1)) if m else None


class SiteCode(_CnCheck):
    id = "cn.site_code"
    title_en = "Government website identifier (网站标识码)"
    title_zh = "网站标识码"
    fix_en = "Show 网站标识码 in the footer and the SiteIDCode meta tag, equal to the code in the national register."
    fix_zh = "在页面底部和 SiteIDCode 标签中正确标注网站标识码，须与全国政府网站基本信息数据库一致。"

    def judge(self, page: Page, ex: Exchange, ev: SiteEvidence, params: dict[str, Any]) -> Finding:
        meta, text = page_site_code(page)
        expected = _code(ev.channel.attributes.get("site_code"))
        value = {"meta": meta, "footer": text, "registry": expected}
        problems = []
        if not meta and not text:
            problems.append(("no 网站标识码 on the page", "页面未标注网站标识码"))
        elif meta and text and meta != text:
            problems.append((f"the SiteIDCode meta tag ({meta}) and the footer ({text}) disagree",
                             f"SiteIDCode 标签（{meta}）与页面底部（{text}）的网站标识码不一致"))
        for code in {c for c in (meta, text) if c}:
            if not SITE_CODE.match(code):
                problems.append((f"malformed 网站标识码 {code}", f"网站标识码格式错误：{code}"))
            elif expected and code != expected:
                problems.append((f"网站标识码 {code} differs from the registry's {expected}",
                                 f"网站标识码 {code} 与登记的 {expected} 不一致"))
        if not problems and (not meta or not text):
            problems.append(("网站标识码 missing from the footer or the SiteIDCode meta tag",
                             "页面底部或 SiteIDCode 标签缺少网站标识码"))
        if problems:
            return self.finding(Status.FAIL, value, message="; ".join(p[0] for p in problems),
                                message_zh="；".join(p[1] for p in problems), evidence=ex.refs)
        return self.finding(Status.PASS, value, evidence=ex.refs)


class Icp(_CnCheck):
    id = "cn.icp"
    title_en = "ICP filing number (ICP备案号)"
    title_zh = "ICP 备案编号"
    fix_en = "Show the ICP备案编号 in the footer, linked to beian.miit.gov.cn."
    fix_zh = "在页面底部标注 ICP 备案编号，并链接至 beian.miit.gov.cn。"

    def judge(self, page: Page, ex: Exchange, ev: SiteEvidence, params: dict[str, Any]) -> Finding:
        m = ICP.search(page.folded_text)
        if not m:
            return self.finding(Status.FAIL, None, message="no ICP备案编号 on the page",
                                message_zh="未标注 ICP 备案编号", evidence=ex.refs)
        return self.finding(Status.PASS, m.group(0).strip(), evidence=ex.refs)


class Psb(_CnCheck):
    id = "cn.psb"
    title_en = "Public security filing (公网安备)"
    title_zh = "公安机关备案标识"
    fix_en = "Show the 公网安备 number whose province character matches its first two digits."
    fix_zh = "在页面底部标注公安机关备案号，省份简称须与编号前两位一致。"

    def judge(self, page: Page, ex: Exchange, ev: SiteEvidence, params: dict[str, Any]) -> Finding:
        found = list(PSB.finditer(page.folded_text))
        if not found:
            return self.finding(Status.FAIL, None, message="no 公网安备 number on the page",
                                message_zh="未标注公安机关备案号", evidence=ex.refs)
        # Several numbers (a site filed twice): one that agrees is enough.
        m = next((m for m in found if m.group(1) in province_chars(m.group(2)[:2])), found[0])
        province, number = m.group(1), m.group(2)
        expected = "/".join(province_chars(number[:2])) or number[:2]
        value = {"text": m.group(0).strip(), "province": province, "number": number}
        if province not in province_chars(number[:2]):
            return self.finding(Status.FAIL, value,
                                message=f"{province} does not match the number's province {expected}",
                                message_zh=f"省份简称“{province}”与编号所属省份“{expected}”不一致",
                                evidence=ex.refs)
        return self.finding(Status.PASS, value, evidence=ex.refs)


class ConacBadge(_CnCheck):
    id = "cn.conac_badge"
    title_en = "Party and government website badge (党政机关标识)"
    title_zh = "党政机关网站标识"
    fix_en = "Show the 党政机关 badge linking to bszs.conac.cn with the site's id."
    fix_zh = "在页面底部放置党政机关网站标识，并链接至 bszs.conac.cn。"

    def judge(self, page: Page, ex: Exchange, ev: SiteEvidence, params: dict[str, Any]) -> Finding:
        # The badge is a link, a script, or the inline document.write() of the official code.
        candidates = [link.href for link in page.links] + [u for _, u in page.subresources]
        candidates += [unquote(code) for code in page.inline_scripts]
        hit = next((m.group(0) for c in candidates if (m := CONAC.search(c))), None)
        if hit is None:
            return self.finding(Status.FAIL, None, message="no 党政机关 badge", message_zh="未放置党政机关网站标识",
                                evidence=ex.refs)
        return self.finding(Status.PASS, hit, evidence=ex.refs)


class Jiucuo(_CnCheck):
    id = "cn.jiucuo"
    title_en = "'Report an error' entry (我为政府网站找错)"
    title_zh = "我为政府网站找错入口"
    fix_en = ("Put the 我为政府网站找错 entry on the page (the platform's <script id=\"_jiucuo_\" sitecode=...> "
              "or its jiucuo.html?site_code=... link) with the site's 网站标识码, loaded from zfwzgl.www.gov.cn.")
    fix_zh = ("放置“我为政府网站找错”入口（平台提供的 <script id=\"_jiucuo_\" sitecode=...> "
              "或 jiucuo.html?site_code=... 链接），sitecode 须与网站标识码一致，并从 zfwzgl.www.gov.cn 加载。")
    defaults: ClassVar[dict[str, Any]] = {"hosts": list(CURRENT_HOSTS), "former_hosts": list(FORMER_HOSTS)}

    def judge(self, page: Page, ex: Exchange, ev: SiteEvidence, params: dict[str, Any]) -> Finding:
        entries = find_entries(page, params["hosts"], params["former_hosts"])
        if not entries:
            return self.finding(Status.FAIL, None, message="no 我为政府网站找错 entry", message_zh="未放置找错入口",
                                evidence=ex.refs)
        meta, text = page_site_code(page)
        # The entry must carry the code the page shows; the registry speaks when the page shows none.
        expected = meta or text or _code(ev.channel.attributes.get("site_code"))
        # Several entries (an old one left beside the new): the one that agrees is the entry.
        entry = next((e for e in entries if _code(e.code) == expected), entries[0])
        code = _code(entry.code)
        value = {"url": entry.url, "site_code": code, "expected": expected, "form": entry.form,
                 "hosted": entry.hosted}
        if expected and code != expected:
            return self.finding(Status.FAIL, value, message=f"the entry's site_code {code} is not {expected}",
                                message_zh=f"找错入口的 site_code（{code}）与网站标识码（{expected}）不一致",
                                evidence=ex.refs)
        message, message_zh = _hosting_note(entry, params["hosts"])
        return self.finding(Status.PASS, value, message=message, message_zh=message_zh, evidence=ex.refs)


def _hosting_note(entry: Entry, hosts: list[str]) -> tuple[str, str]:
    """A note on a working entry that is not served from the platform's current host."""
    current = hosts[0] if hosts else "zfwzgl.www.gov.cn"
    if entry.hosted == "former":
        return (f"the entry points at the platform's former host {entry.host}; the current one is {current}",
                f"找错入口仍指向平台旧地址 {entry.host}，现地址为 {current}")
    if entry.hosted in ("local", "other"):
        return (f"the entry's script is a copy served from {entry.host}; it reports to whatever host the copy names",
                f"找错入口脚本为 {entry.host} 上的副本，报送地址以副本内容为准")
    return "", ""
