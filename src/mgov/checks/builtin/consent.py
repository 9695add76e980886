"""Consent, cookies and trackers, judged on what the browser saw before anyone clicked: the
cookies the start page set on its first load (privacy.cookies_before_consent), the trackers a
page that asks for personal data loads (privacy.trackers_on_forms), and the third parties the
pages call that the privacy notice does not name (privacy.policy_names_third_parties).

Third parties are told by the bundled tracker lists (content.trackers: third-party-web, Exodus
Privacy, and mgov's own for CNZZ, 51.LA and the US Digital Analytics Program); cookies by their
names and setters (content.cookies). Only cookie names are kept, never their values."""

from __future__ import annotations

from typing import Any, ClassVar

from mgov.checks.base import Finding, Status
from mgov.checks.builtin.rendered_base import RenderedCheck, refs
from mgov.content.cookies import classify_cookie
from mgov.content.personal_forms import personal_forms
from mgov.content.trackers import ThirdParty, classify_host, named_in
from mgov.evidence.rendered import DESKTOP, RENDERED_KEY, RENDERED_PRIVACY_KEY, Rendering
from mgov.evidence.site import SiteEvidence
from mgov.evidence.urls import host_of

PIPL_CONSENT = "个人信息保护法 第十三条、第十四条（告知同意）"
RDFF = "《App违法违规收集使用个人信息行为认定方法》"
LISTED = 30


def trackers_called(pages: list[Rendering], *, government: bool = True) -> dict[str, ThirdParty]:
    """host -> the tracker it belongs to, for the third-party requests of pages (the lists')."""
    out: dict[str, ThirdParty] = {}
    for page in pages:
        for r in page.requests:
            host = host_of(r.url)
            if not r.third_party or r.refused or host in out:
                continue
            party = classify_host(host)
            if party is not None and party.tracker and (government or not party.government):
                out[host] = party
    return out


def _parties(found: dict[str, ThirdParty]) -> list[dict[str, Any]]:
    return [{"host": h, "entity": p.entity, "category": p.category, "list": p.source, "government": p.government}
            for h, p in sorted(found.items())][:LISTED]


class CookiesBeforeConsent(RenderedCheck):
    id = "privacy.cookies_before_consent"
    title_en = "No tracking cookies before consent"
    title_zh = "未经同意不设置跟踪类 Cookie"
    fix_en = ("Set no tracker, advertising or third-party cookie when the page first loads; ask first, and name "
              "every cookie in the privacy policy.")
    fix_zh = "页面首次加载时不设置统计、广告或第三方 Cookie；应先告知并征得同意，并在隐私政策中列明。"
    basis = (f"{PIPL_CONSENT}; {RDFF} 三.1（征得同意前收集个人信息）; GB/T 35273-2020 5.4; "
             "OMB M-10-22 (Tier 1 and 2 cookies need notice and opt-out; Tier 3 opt-in)")
    # What each kind of cookie found on the first load makes the verdict (content.cookies):
    # us-federal lets first-party measurement cookies pass (M-10-22 Tier 2, with notice and opt-out).
    defaults: ClassVar[dict[str, Any]] = {"tracker": "fail", "first_party_tracker": "fail", "third_party": "fail",
                                          "unknown": "warn"}

    def judge(self, pages: list[Rendering], ev: SiteEvidence, params: dict[str, Any]) -> Finding:
        now = ev.collected_at.timestamp()
        seen: dict[tuple[str, str], dict[str, Any]] = {}
        for page in pages:
            for c in page.cookies:
                kind = classify_cookie(c.name, c.domain, c.third_party, c.expires is not None)
                key = "first_party_tracker" if kind.kind == "tracker" and not c.third_party else kind.kind
                days = round((c.expires - now) / 86400, 1) if c.expires is not None else None
                seen.setdefault((c.name, c.domain), {
                    "name": c.name, "domain": c.domain, "kind": kind.kind, "who": kind.who,
                    "third_party": c.third_party, "days": days, "verdict": params.get(key, "pass")})
        cookies = sorted(seen.values(), key=lambda c: (c["kind"], c["domain"], c["name"]))
        value: dict[str, Any] = {"cookies": cookies[:LISTED], "count": len(cookies)}
        flagged = [c for c in cookies if c["verdict"] in ("fail", "warn")]
        if not flagged:
            return self.finding(Status.PASS, value, evidence=refs(pages))
        status = Status.FAIL if any(c["verdict"] == "fail" for c in flagged) else Status.WARN
        named = ", ".join(f"{c['name']}@{c['domain']}" + (f" ({c['who']})" if c["who"] else "") for c in flagged)
        kinds = {"tracker": "跟踪", "third_party": "第三方", "unknown": "用途不明的持久"}
        named_zh = "、".join(f"{c['name']}@{c['domain']}（{kinds.get(c['kind'], c['kind'])}）" for c in flagged)
        return self.finding(status, value, message=f"set on the first load, before any consent: {named}",
                            message_zh=f"首次加载、未经同意即设置的 Cookie：{named_zh}", evidence=refs(pages))


class TrackersOnForms(RenderedCheck):
    id = "privacy.trackers_on_forms"
    title_en = "No trackers on pages that collect personal data"
    title_zh = "收集个人信息的页面不加载第三方跟踪服务"
    fix_en = "Load no third-party tracker on pages whose forms ask for names, phone numbers, addresses or ID numbers."
    fix_zh = "含有姓名、电话、地址、证件号码等个人信息填写表单的页面，不得加载第三方统计或跟踪服务。"
    basis = (f"{RDFF} 五.1（经SDK等向第三方提供个人信息）; 个人信息保护法 第二十三条; "
             "OMB M-10-22 (no PII through web measurement without opt-in); OMB M-03-22")
    needs = frozenset({RENDERED_KEY, RENDERED_PRIVACY_KEY})
    defaults: ClassVar[dict[str, Any]] = {"government": "pass"}  # government analytics (DAP): its verdict

    def judge(self, pages: list[Rendering], ev: SiteEvidence, params: dict[str, Any]) -> Finding:
        rendered = ev.rendered
        forms = [p for p in (rendered.form_pages if rendered else []) if p.ok]
        home = [p for p in pages if p.viewport.name == DESKTOP.name] or pages[:1]
        judged: list[dict[str, Any]] = []
        bad: list[tuple[str, list[str]]] = []
        for page in home + forms:
            url = page.final_url or page.url
            asked = personal_forms(page.dom or "", url)
            if not asked:
                continue
            found = trackers_called([page], government=params["government"] != "pass")
            entry = {"page": url, "fields": sorted({k for f in asked for k in f.fields}),
                     "trackers": _parties(found)}
            judged.append(entry)
            if found:
                bad.append((url, sorted({p.entity for p in found.values()})))
        value = {"pages": judged}
        if not judged:
            return self.finding(Status.NOT_APPLICABLE, value,
                                message="no page with a form asking for personal data was found from the homepage",
                                message_zh="未从首页找到含有个人信息填写表单的页面", evidence=refs(pages))
        evidence = refs(pages + forms)
        if bad:
            listed = "; ".join(f"{url}: {', '.join(names)}" for url, names in bad)
            return self.finding(Status.FAIL, value, message=f"trackers on pages that ask for personal data: {listed}",
                                message_zh=f"收集个人信息的页面加载了第三方跟踪服务：{listed}", evidence=evidence)
        return self.finding(Status.PASS, value, evidence=evidence)


class PolicyNamesThirdParties(RenderedCheck):
    id = "privacy.policy_names_third_parties"
    title_en = "Privacy policy names the third parties the pages call"
    title_zh = "隐私政策列明页面实际调用的第三方"
    fix_en = ("Name in the privacy policy every third-party service the pages load (analytics, tag managers, "
              "advertising, social widgets), what it receives and why; or stop loading it.")
    fix_zh = ("在隐私政策中逐一列明页面加载的第三方服务（统计、标签管理、广告、社交插件）及其收集的信息和目的，"
              "或停止加载。")
    basis = (f"{RDFF} 二.1（逐一列出第三方SDK、插件收集使用个人信息的目的、方式、范围）; 个人信息保护法 第二十三条; "
             "GB/T 35273-2020 5.5 d); OMB M-03-22 Att. A §III.D; OMB M-10-22 (disclose web measurement tools)")
    needs = frozenset({RENDERED_KEY, RENDERED_PRIVACY_KEY})

    def judge(self, pages: list[Rendering], ev: SiteEvidence, params: dict[str, Any]) -> Finding:
        rendered = ev.rendered
        forms = [p for p in (rendered.form_pages if rendered else []) if p.ok]
        called = trackers_called(pages + forms)
        value: dict[str, Any] = {"third_parties": _parties(called)}
        if not called:
            return self.finding(Status.PASS, value, message="the pages call no third-party tracker",
                                message_zh="页面未调用第三方跟踪服务", evidence=refs(pages))
        notice = ev.notice
        if notice is None:
            return self.finding(Status.ERROR, value, message="the privacy notice was not looked for",
                                message_zh="未查找隐私政策")
        policy = notice.policy
        value["policy"] = (policy.final_url or policy.url) if policy is not None else None
        evidence = refs(pages + forms) + ([policy.ref] if policy is not None and policy.ref else [])
        entities = sorted({p.entity for p in called.values()})
        if policy is None or not policy.ok:
            if policy is not None and policy.transient:
                return self.finding(Status.ERROR, value, evidence=evidence, message_zh="隐私政策暂时无法读取",
                                    message=f"the privacy policy could not be read: {policy.error}")
            return self.finding(Status.FAIL, value,
                                message="no privacy policy reachable from the homepage names the third parties called: "
                                        + ", ".join(entities),
                                message_zh="从首页无法找到列明所调用第三方的隐私政策：" + "、".join(entities),
                                evidence=evidence)
        unnamed: dict[str, list[str]] = {}
        named: dict[str, str] = {}
        for host, party in sorted(called.items()):
            if (name := named_in(party, host, policy.text)) is None:
                unnamed.setdefault(party.entity, []).append(host)
            else:
                named[party.entity] = name
        value.update({"named": named, "unnamed": [{"entity": e, "hosts": h} for e, h in sorted(unnamed.items())]})
        if unnamed:
            listed = ", ".join(f"{e} ({', '.join(h)})" for e, h in sorted(unnamed.items()))
            return self.finding(Status.FAIL, value, message=f"the privacy policy does not name: {listed}",
                                message_zh=f"隐私政策未列明：{listed}", evidence=evidence)
        return self.finding(Status.PASS, value, evidence=evidence)


CHECKS = (CookiesBeforeConsent, TrackersOnForms, PolicyNamesThirdParties)
