"""A farm site's privacy notice pages (issue 18): every healthy site publishes a complete policy
where its required link points (cn 隐私政策 /privacy.html or 隐私声明 /wzgl/yssm.html; us Privacy
Policy /privacy or Privacy and Security Notice /site-policies/notice.html), and every US site a
Privacy Program page at /privacy (on the short-link form the policy and the program share it).

A policy is made of sections, each covering the notice items (content.notice_items) it is
written for and no other, so a defective policy drops exactly the sections of its missing items
(defects_notices.py: privacy.policy_incomplete) and a check must name exactly those. Sites whose
pages load a tracker on purpose (privacy.tracker_cookies, privacy.tracker_on_form) name it."""

from __future__ import annotations

import random
from typing import Any

from mgov.demo.farm import contract as c
from mgov.demo.farm.content import form_paths
from mgov.demo.farm.manifest import Site
from mgov.demo.farm.notice_marks import PROGRAM_POLICY, tracker_cookie_names, tracker_url, unnamed_url
from mgov.demo.farm.pages import Page, html_page, page

CN_NUMBERS = "一二三四五六七八九"
# The variants of privacy.policy_incomplete: the items each one lacks (in content.notice_items order).
MISSING: dict[str, tuple[tuple[str, ...], ...]] = {
    "cn": (("controller", "purposes", "retention", "rights", "officer", "cross_border", "complaints", "updates"),
           ("retention", "officer", "updates")),
    "us": (("retention", "sharing", "consent", "security", "tracking"),),
}


def _phone(site: Site, what: str) -> str:
    rng = random.Random(f"{site.host}/notice/{what}")
    return f"0{rng.randint(10, 999)}-{rng.randint(10_000_000, 99_999_999)}" if site.jurisdiction == "cn" else \
        f"({rng.randint(201, 989)}) 555-{rng.randint(100, 199):04d}"


def _cn_sections(site: Site) -> list[tuple[str, str, list[str]]]:
    org, host = site.organization.name_zh, site.host
    named = []
    if site.has("privacy.tracker_cookies") or site.has("privacy.tracker_on_form"):
        named = [f"本网站使用百度统计（{c.BAIDU_HOST}）统计网站访问情况，百度统计会在您的浏览器中设置Cookie。"]
    return [
        ("", "", ["我们深知个人信息对您的重要性。请您在使用本网站提供的服务前，仔细阅读本政策。"]),
        ("controller", "我们是谁",
         [f"本网站由{org}主办，{org}是本网站的个人信息处理者。通讯地址：{org}办公室；"
          f"联系电话：{_phone(site, 'office')}；电子邮箱：webmaster@{host}。"]),
        ("methods", "我们如何收集您的个人信息",
         ["您通过“我要留言”等栏目提交诉求时，由您主动填写有关信息；您浏览本网站时，服务器自动记录访问日志。"
          "本网站仅使用保持会话所必需的Cookie。"]),
        ("categories", "我们收集的个人信息种类",
         ["我们收集您填写的姓名、手机号码、电子邮箱和通讯地址；依申请公开还需要您提供身份证件类型和号码；"
          "访问日志包括IP地址、浏览器类型和访问时间。"]),
        ("purposes", "我们如何使用您的个人信息",
         ["收集上述信息的目的是受理、转办和答复您的诉求，并在必要时与您联系核实有关情况；"
          "访问日志仅用于网站运行维护。"]),
        ("sharing", "委托处理、共享和公开披露",
         ["我们不会向本网站以外的组织和个人提供您的个人信息，但法律、行政法规另有规定，"
          "或者为办理您的诉求需要转交有关职能部门的除外。除依法应当公示的信息外，我们不会公开披露您的个人信息。",
          *named]),
        ("retention", "保存期限",
         ["您提交的诉求及联系方式自办结之日起保存3年，访问日志保存6个月。保存期限届满后，"
          "我们将删除或者匿名化处理。"]),
        ("security", "我们如何保护您的个人信息",
         ["我们采用加密传输、访问控制等技术措施，防止个人信息泄露、篡改、丢失。"]),
        ("rights", "您的权利",
         [f"您有权查阅、复制、更正、补充、删除您的个人信息，有权撤回同意。您可以发送电子邮件至privacy@{host}"
          "提出申请，我们将在15个工作日内答复。"]),
        ("officer", "个人信息保护负责人",
         [f"我们已指定个人信息保护负责人，联系电话：{_phone(site, 'officer')}；电子邮箱：privacy@{host}。"]),
        ("cross_border", "个人信息出境",
         ["我们在中华人民共和国境内收集和产生的个人信息，均存储在境内，不向境外提供。"]),
        ("updates", "本政策如何更新",
         ["本政策修订后，我们将在本页面发布更新后的版本，并在网站首页以显著方式提示。"]),
        ("complaints", "投诉与举报",
         ["如您认为我们的个人信息处理活动损害了您的合法权益，可以向我们投诉，也可以向网信部门举报。"]),
    ]


def _us_sections(site: Site) -> list[tuple[str, str, list[str]]]:
    org, host, name = site.organization.name_en, site.host, site.registry.name
    named = []
    if site.has("privacy.tracker_cookies") or site.has("privacy.tracker_on_form"):
        named = [f"Some pages also load Google Analytics ({c.GA_HOST}), which sets its own cookies."]
    return [
        ("", "", [f"Thank you for visiting {name}. This policy explains what we collect when you visit and what "
                  "choices you have."]),
        ("controller", "Who we are", [f"This website is maintained by {org}. Questions about this policy may be "
                                      f"sent to webmaster@{host}."]),
        ("methods", "How we collect information", ["When you browse this site, our web servers automatically "
                                                   "collect information about your visit. When you send us a "
                                                   "question through our online form, you provide the details "
                                                   "yourself."]),
        ("categories", "What we collect", ["About your visit we record the Internet domain and IP address you come "
                                           "from, the type of browser and operating system you use, the date and "
                                           "time of your visit and the pages you view. If you write to us, we also "
                                           "have your name, e-mail address and phone number."]),
        ("purposes", "Why we collect it", ["We use this information to answer your questions and to make the site "
                                           "more useful to visitors."]),
        ("tracking", "Cookies and web measurement", ["This site takes part in the Digital Analytics Program (DAP), "
                                                     "which uses Google Analytics to measure how visitors use "
                                                     "government websites. You can opt out of web measurement by "
                                                     "disabling cookies in your browser settings; see "
                                                     "usa.gov/optout-instructions.", *named]),
        ("consent", "Your choices", ["Giving us information is voluntary. You may choose not to provide it, although "
                                     "we may then be unable to answer you."]),
        ("sharing", "With whom we share it", ["We share what you send us only with the offices that must answer "
                                              "you, and with law enforcement when the law requires it."]),
        ("security", "Security", ["To keep this system safe from unauthorized use, we monitor network traffic; "
                                  "information you submit is encrypted in transit."]),
        ("retention", "How long we keep it", ["We retain visit information for no longer than one year, and your "
                                              f"messages as the records schedule of {org} requires."]),
        ("rights", "Your rights under the Privacy Act", ["If records about you are kept in a system of records, the "
                                                         "Privacy Act of 1974 lets you ask for access to them and "
                                                         f"for their amendment. Write to privacy@{host}."]),
    ]


def _program(site: Site, policy: tuple[str, str]) -> list[tuple[str, str, list[str]]]:
    org, host = site.organization.name_en, site.host
    return [
        ("saop", "Senior Agency Official for Privacy", [f"The Chief Information Officer of {org} serves as the "
                                                        f"Senior Agency Official for Privacy: privacy@{host}, "
                                                        f"{_phone(site, 'saop')}."]),
        ("pias", "Privacy Impact Assessments", ["We publish a Privacy Impact Assessment (PIA) for each system that "
                                                "holds information in identifiable form."]),
        ("sorns", "System of Records Notices", ["Our System of Records Notices (SORNs) are published in the Federal "
                                                "Register."]),
        ("requests", "Privacy Act requests", ["To ask for access to your records or for their amendment, send a "
                                              f"Privacy Act request to privacy@{host}."]),
        ("policy", "Website privacy policy", [f'Read our <a href="{policy[1]}">{policy[0]}</a>.']),
    ]


def _zh_number(n: int) -> str:
    """1 -> 一, 10 -> 十, 12 -> 十二 (up to 19)."""
    return CN_NUMBERS[n - 1] if n < 10 else "十" + (CN_NUMBERS[n - 11] if n > 10 else "")


def _html(site: Site, seed: int, heading: str, sections: list[tuple[str, str, list[str]]]) -> str:
    paras, n = [], 0
    for _item, title, texts in sections:
        if title:
            n += 1
            paras.append(f"<strong>{_zh_number(n)}、{title}</strong>" if site.language == "zh"
                         else f"<strong>{title}</strong>")
        paras += texts
    return page(site, heading, paras, seed)


def policy_path(site: Site) -> str:
    """Where the site's required privacy link points."""
    if site.jurisdiction == "cn":
        return "/wzgl/yssm.html" if site.form("links") == "long" else "/privacy.html"
    if site.form("links") == "long":
        return "/site-policies/notice.html"
    return PROGRAM_POLICY if site.has("privacy.program_missing") else "/privacy"


def missing_items(site: Site) -> tuple[str, ...]:
    """The items the site's policy lacks (privacy.policy_incomplete's facts, given by notice_sites)."""
    if not site.has("privacy.policy_incomplete"):
        return ()
    return tuple(site.details.get("privacy.policy_incomplete", {}).get("missing", ()))


def notice_pages(site: Site, seed: int) -> dict[str, Page | None]:
    """Path -> the notice page to serve there (None: the path answers 404)."""
    gone = set(missing_items(site))
    if site.jurisdiction == "cn":
        heading = "隐私声明" if site.form("links") == "long" else "隐私政策"
        if site.has("privacy.policy_absent"):
            placeholder = page(site, heading, ["本页面内容正在更新，敬请关注。"], seed)
            return {policy_path(site): html_page(site, placeholder)}
        sections = [s for s in _cn_sections(site) if s[0] not in gone]
        return {policy_path(site): html_page(site, _html(site, seed, heading, sections))}
    sections = [s for s in _us_sections(site) if s[0] not in gone]
    if site.form("links") == "long":
        notice = ("Privacy and Security Notice", "/site-policies/notice.html")
        out: dict[str, Page | None] = {notice[1]: html_page(site, _html(site, seed, notice[0], sections))}
        out["/privacy"] = html_page(site, _html(site, seed, "Privacy Program", _program(site, notice)))
    elif site.has("privacy.program_missing"):
        out = {PROGRAM_POLICY: html_page(site, _html(site, seed, "Privacy Policy", sections))}
    else:  # the policy and the program on one page
        own = ("Privacy Policy", "/privacy")
        out = {"/privacy": html_page(site, _html(site, seed, "Privacy Policy", sections + _program(site, own)))}
    if site.has("privacy.program_missing"):
        out["/privacy"] = None
    return out


def apply_notice_pages(pages: dict[str, Page], site: Site, seed: int) -> None:
    """The site's fixed pages (sitefiles.render_site) with its notice pages in place."""
    for path, served in notice_pages(site, seed).items():
        if served is None:
            pages.pop(path, None)
        else:
            pages[path] = served


def notice_facts(site: Site, missing: tuple[str, ...] = ()) -> dict[str, Any]:
    """The manifest's facts of a site's notice defects (Site.details[defect id]); missing: the
    items its incomplete policy lacks (one of MISSING's variants)."""
    facts: dict[str, Any] = {}
    if site.has("privacy.policy_incomplete"):
        facts["privacy.policy_incomplete"] = {"page": policy_path(site), "missing": list(missing)}
    if site.has("privacy.policy_absent"):
        facts["privacy.policy_absent"] = {"page": policy_path(site)}
    if site.has("privacy.program_missing"):
        facts["privacy.program_missing"] = {"page": "/privacy", "policy": policy_path(site)}
    if site.has("privacy.tracker_cookies"):
        facts["privacy.tracker_cookies"] = {"page": "/", "script": tracker_url(site),
                                            "cookies": tracker_cookie_names(site)}
    if site.has("privacy.tracker_on_form"):
        facts["privacy.tracker_on_form"] = {"page": form_paths(site)[0], "script": tracker_url(site)}
    if site.has("privacy.third_parties_unnamed"):
        facts["privacy.third_parties_unnamed"] = {"page": "/", "script": unnamed_url(site),
                                                  "entity": "CNZZ (友盟+)" if site.jurisdiction == "cn"
                                                  else "Crazy Egg"}
    return facts
