"""What JavaScript builds and loads, judged on the rendered page: the cn identity footer
(网站标识码, ICP备案, 公网安备, 找错 entry) in the DOM after scripts ran and in the page's own
requests, with the byte-level cn.* checks' patterns; and the trackers the page loaded, with the
analytics checks' list, noting those only a script loaded."""

from __future__ import annotations

import re
from typing import Any, ClassVar
from urllib.parse import urlsplit

from mgov.checks.base import Finding, Status, ok_page
from mgov.checks.builtin.cn import ICP, PSB, SITE_CODE, _code, page_site_code, province_chars
from mgov.checks.builtin.jiucuo import _SCRIPT, CURRENT_HOSTS, FORMER_HOSTS, find_entries
from mgov.checks.builtin.privacy import ANALYTICS, GOVERNMENT_ANALYTICS
from mgov.checks.builtin.rendered_base import RenderedCheck, refs
from mgov.checks.html import Page, host_of, page_of, parse_html
from mgov.content.trackers import LISTS, classify_host
from mgov.evidence.rendered import DESKTOP, Rendering
from mgov.evidence.site import SiteEvidence


def rendered_page(page: Rendering) -> Page | None:
    return parse_html(page.dom, page.final_url or page.url) if page.dom else None


def identity_facts(page: Page, requests: list[str], hosts: list[str], former: list[str]) -> dict[str, Any]:
    """The identity facts a page shows: site code (meta, footer), ICP and 公网安备 numbers, and
    its 找错 entry (in the DOM, or a request for the platform's script)."""
    meta, footer = page_site_code(page)
    icp = ICP.search(page.folded_text)
    psbs = list(PSB.finditer(page.folded_text))
    psb = next((m for m in psbs if m.group(1) in province_chars(m.group(2)[:2])), psbs[0] if psbs else None)
    entries = find_entries(page, hosts, former)
    entry: dict[str, Any] | None = None
    if entries:
        expected = meta or footer
        e = next((e for e in entries if _code(e.code) == expected), entries[0])
        entry = {"url": e.url, "site_code": _code(e.code), "form": e.form}
    else:
        platform = {h.lower() for h in [*hosts, *former]}
        url = next((u for u in requests if host_of(u) in platform and _SCRIPT.search(urlsplit(u).path)), None)
        if url is not None:
            entry = {"url": url, "site_code": None, "form": "request"}
    return {"site_code": {"meta": meta, "footer": footer},
            "icp": icp.group(0).strip() if icp else None,
            "psb": {"text": psb.group(0).strip(), "province": psb.group(1), "number": psb.group(2)} if psb else None,
            "jiucuo": entry}


FACTS = (("site_code", "网站标识码", "网站标识码"), ("icp", "ICP备案编号", " ICP 备案编号"),
         ("psb", "公网安备 number", "公安机关备案号"), ("jiucuo", "找错 entry", "找错入口"))


def _present(facts: dict[str, Any]) -> set[str]:
    return {k for k, v in (("site_code", facts["site_code"]["meta"] or facts["site_code"]["footer"]),
                           ("icp", facts["icp"]), ("psb", facts["psb"]), ("jiucuo", facts["jiucuo"])) if v}


class Identity(RenderedCheck):
    id = "rendered.identity"
    title_en = "Identity footer as rendered (网站标识码, ICP, 公网安备, 找错)"
    title_zh = "页面底部标识（渲染后）：网站标识码、ICP 备案、公网安备、找错入口"
    fix_en = "Show 网站标识码, the ICP备案编号, the 公网安备 number and the 我为政府网站找错 entry in the footer."
    fix_zh = "在页面底部标注网站标识码、ICP 备案编号、公安机关备案号，并放置“我为政府网站找错”入口。"
    basis = "国办发〔2017〕47号 页面底部功能区; 2019 检查指标 (judged after scripts ran)"
    jurisdictions = frozenset({"cn"})
    defaults: ClassVar[dict[str, Any]] = {"hosts": list(CURRENT_HOSTS), "former_hosts": list(FORMER_HOSTS)}

    def judge(self, pages: list[Rendering], ev: SiteEvidence, params: dict[str, Any]) -> Finding:
        # The desktop rendering first: the footer as most visitors see it (a phone layout may fold it).
        page = next((p for p in pages if p.dom and p.viewport.name == DESKTOP.name), None) or \
            next((p for p in pages if p.dom), None)
        parsed = rendered_page(page) if page is not None else None
        if page is None or parsed is None:
            return self.finding(Status.ERROR, message="no rendered DOM", message_zh="缺少渲染后的页面",
                                evidence=refs(pages))
        facts = identity_facts(parsed, [r.url for r in page.requests], params["hosts"], params["former_hosts"])
        # What the bytes the server sent already show: the rest only scripts built.
        ex = ok_page(ev.home)
        static = page_of(ex) if ex is not None else None
        in_bytes = _present(identity_facts(static, [], params["hosts"], params["former_hosts"])) if static else set()
        present = _present(facts)
        value = {**facts, "viewport": page.viewport.name, "script_built": sorted(present - in_bytes)}
        problems = [(f"no {en}", f"缺少{zh}") for key, en, zh in FACTS if key not in present]
        codes = {c for c in facts["site_code"].values() if c}
        registry = _code(ev.channel.attributes.get("site_code"))
        for code in sorted(codes):
            if not SITE_CODE.match(code):
                problems.append((f"malformed 网站标识码 {code}", f"网站标识码格式错误：{code}"))
            elif registry and code != registry:
                problems.append((f"网站标识码 {code} differs from the registry's {registry}",
                                 f"网站标识码 {code} 与登记的 {registry} 不一致"))
        psb = facts["psb"]
        if psb and psb["province"] not in province_chars(psb["number"][:2]):
            problems.append((f"公网安备 {psb['province']} does not match the number's province",
                             f"公网安备省份简称“{psb['province']}”与编号不一致"))
        entry = facts["jiucuo"]
        if entry and entry["site_code"] and codes and entry["site_code"] not in codes:
            problems.append((f"the 找错 entry's site_code {entry['site_code']} is not the page's",
                             f"找错入口的 site_code（{entry['site_code']}）与网站标识码不一致"))
        if problems:
            return self.finding(Status.FAIL, value, message="; ".join(p[0] for p in problems),
                                message_zh="；".join(p[1] for p in problems), evidence=refs(pages))
        return self.finding(Status.PASS, value, evidence=refs(pages))


def tracker_of(url: str) -> str | None:
    """The analytics service a request URL belongs to (the privacy checks' list), or None."""
    return next((name for name, pats in ANALYTICS.items() if any(re.search(p, url, re.I) for p in pats)), None)


def classified(pages: list[Rendering]) -> list[dict[str, Any]]:
    """The third-party hosts the pages called that the bundled tracker lists know (content.trackers),
    with the list that said so and its date."""
    hosts = sorted({host_of(r.url) for p in pages for r in p.requests if r.third_party and not r.refused})
    out = []
    for host in hosts:
        if (party := classify_host(host)) is not None:
            listed = LISTS.get(party.source)
            out.append({"host": host, "entity": party.entity, "category": party.category, "tracker": party.tracker,
                        "list": party.source, "list_date": listed[2] if listed else None})
    return out[:50]


class Trackers(RenderedCheck):
    id = "rendered.trackers"
    title_en = "Trackers the page loads (as rendered)"
    title_zh = "页面加载的跟踪和统计服务（渲染后）"
    fix_en = "Load no commercial trackers (tag managers included); use the government analytics service."
    fix_zh = "不加载商业统计和跟踪服务（包括经标签管理器加载的），使用政府网站统计服务。"
    basis = "OMB M-10-22, M-23-22 (DAP); 个人信息保护法 第十三、十七条"
    defaults: ClassVar[dict[str, Any]] = {"required": [], "commercial": "fail"}

    def judge(self, pages: list[Rendering], ev: SiteEvidence, params: dict[str, Any]) -> Finding:
        seen: dict[str, dict[str, Any]] = {}
        for page in pages:
            for r in page.requests:
                if (name := tracker_of(r.url)) is not None:
                    s = seen.setdefault(name, {"service": name, "urls": [], "by_script": True})
                    if r.url not in s["urls"] and len(s["urls"]) < 5:
                        s["urls"].append(r.url)
                    s["by_script"] = s["by_script"] and r.by_script
        services = sorted(seen)
        # DAP loads Google Analytics itself: with DAP present, those requests are DAP's.
        commercial = [s for s in services if s not in GOVERNMENT_ANALYTICS
                      and not (s == "google_analytics" and "dap" in seen)]
        script_only = [s for s in services if seen[s]["by_script"]]
        third = sorted({host_of(r.url) for p in pages for r in p.requests if r.third_party and r.by_script})
        missing = [r for r in params["required"] if r not in seen]
        value = {"services": services, "commercial": commercial, "script_only": script_only, "missing": missing,
                 "requests": list(seen.values()), "script_third_parties": third[:50],
                 "third_parties": classified(pages)}
        if missing:
            return self.finding(Status.FAIL, value, message="required analytics missing: " + ", ".join(missing),
                                message_zh="缺少规定的统计服务：" + "、".join(missing), evidence=refs(pages))
        if commercial:
            note = [f"{s} (by script only)" if s in script_only else s for s in commercial]
            note_zh = [f"{s}（仅由脚本加载）" if s in script_only else s for s in commercial]
            return self.finding(Status(params["commercial"]), value, message="commercial trackers: " + ", ".join(note),
                                message_zh="加载了商业跟踪服务：" + "、".join(note_zh), evidence=refs(pages))
        return self.finding(Status.PASS, value, evidence=refs(pages))


IDENTITY = (Identity,)
CHECKS = (Identity, Trackers)
