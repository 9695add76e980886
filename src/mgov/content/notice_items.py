"""What a privacy notice must say, item by item, with the clause that requires each, and how
each item is recognised in Chinese and English (content.notice_rules; pure).

China (cn): the notice contents of 个人信息保护法 (PIPL) 第十七条, the 个人信息保护负责人 of
第五十二条, sharing (第二十三条) and cross-border transfer (第三十九条); the policy contents of
GB/T 35273-2020 5.5 and its template (附录D); the 《App违法违规收集使用个人信息行为认定方法》's
(国信办秘字〔2019〕191号) rules on publishing them, a Simplified Chinese version included.
United States (us): the privacy notice of the E-Government Act of 2002 §208(b)(1)(B) as OMB
M-03-22 (Attachment A §III) carries it into website privacy policies, and M-10-22 on web
measurement (tracking) technologies; the Privacy Program page of OMB M-17-06 is its own list
(PROGRAM_ITEMS). The clause texts are recalled, not quoted: docs/privacy-notices.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from mgov.content.notice_rules import Rule, fold, holds
from mgov.content.notices import chinese_script

PIPL = "个人信息保护法"
GBT = "GB/T 35273-2020"
RDFF = "《App违法违规收集使用个人信息行为认定方法》"
EGOV = "E-Government Act of 2002 §208(b)(1)(B)"
M0322 = "OMB M-03-22 Att. A §III.D"


@dataclass(frozen=True)
class NoticeItem:
    id: str
    name_en: str
    name_zh: str
    clauses: dict[str, tuple[str, ...]]  # jurisdiction -> clauses requiring it (absent: not required)
    rules: tuple[Rule, ...] = ()  # any of them recognises it (Chinese and English)


_CONTACT_WORD = (r"联系电话|电话|联系方式|电子邮箱|邮箱|电子邮件|通讯地址|联系地址|e-?mail|phone|"
                 r"telephone|contact us|write to|mailing address|[\w.+-]+@[\w-]+\.[\w.]+")
# "联系电话：0571-…", "E-mail: x@y": how to reach someone, not what is collected.
_CONTACT_LINE = (r"(联系电话|电话|电子邮箱|邮箱|电子邮件|通讯地址|联系地址|地址|e-?mail|phone|telephone)\s*:\s*\S+|"
                 r"[\w.+-]+@[\w-]+(\.[\w-]+)+")
_CATEGORIES = (r"姓名|\bnames?\b",
               r"手机(号码)?|电话号码|联系电话|(tele)?phone numbers?",
               r"身份证|证件(号码|类型)|social security",
               r"(电子)?邮箱|电子邮件|e-?mail address",
               r"(通讯|家庭|联系|住址|居住)地址|住址|(mailing|postal|home) address",
               r"ip ?地址|ip address|(internet )?domain",
               r"设备(信息|型号|标识)|浏览器|browser|operating system|device",
               r"访问(时间|日期|记录)|浏览记录|日志|date and time|pages? (you )?(visit|view)|referr(ing|er)",
               r"位置信息|定位|location data|geolocation",
               r"性别|年龄|出生日期|date of birth",
               r"账号|用户名|user ?name|account")
_RIGHT_VERBS = (r"查阅|access", r"复制|copy", r"更正|correct|amend", r"补充", r"删除|delete|deletion",
                r"撤回|withdraw", r"注销", r"转移", r"解释说明")
_PROCEDURE = (r"联系我们|与我们联系|提出(申请|请求)|发送(邮件|电子邮件)?至|致电|拨打|"
              r"通过.{0,20}(提出|提交|申请|联系)|(\d+|十五|三十)个?(工作日|日|天)内|(申请|请求)(方式|渠道|程序)|"
              r"submit|send (a |your )?(written )?request|write to|contact|call|e-?mail")

_ZH_CONTROLLER = (r"个人信息处理者|本网站由.{0,40}?(主办|运营|管理|建设)|主办单位|运营单位|"
                  r"(本网站|我们)的?(主办|运营|管理)(者|单位|方)|“?我们”?(是|指)")
_EN_CONTROLLER = (r"\b(this|our) (web ?)?site is (operated|maintained|managed|run|provided)|\bwho we are\b|"
                  r"\b(department|agency|office|commission|bureau|administration|authority|county|city|state) of\b|"
                  r"\bwe are the\b")
_ZH_PURPOSES = (r"(收集|处理|使用)(和使用)?(您的)?(个人)?信息的?目的|目的(是|为|在于|:)|使用目的|处理目的|"
                r"我们(将|会)?如何使用|"
                r"用于(以下|下列|为您|向您|提供|办理|处理|回复|答复|核实|统计|改进|保障|维护|分析|联系)")
_EN_PURPOSES = (r"\bwhy we collect\b|\bpurposes?\b|\bwe use (this|the|your|that|such) information (to|for)\b|"
                r"\b(is|are|will be) used (to|for|only)\b|\bintended use\b")
_ZH_METHODS = (r"(收集|处理|获取)(个人信息的)?方式|如何收集|自动(收集|记录|获取)|(您|用户)(主动)?(提供|提交|填写|上传)|"
               r"通过.{0,20}(收集|获取|记录)|(您|用户).{0,30}(提供|提交|填写|上传)")
_EN_METHODS = (r"automatically (collect|record|gather|receive|log)|collect(ed|s)? automatically|server logs?|"
               r"(when|if) you (choose to )?(provide|submit|send|fill|e-?mail)|through (a |our )?(forms?|e-?mail)")
_ZH_RETENTION = (r"(保存|保留|存储|留存)的?(期限|期间|时间|年限)|(保存|保留|存储|留存)(至|不超过)|期限届满|"
                 r"(保存|保留|存储|留存).{0,12}(\d+|一|二|两|三|六)(年|个月|日|天)|实现处理目的所必要的最短时间")
_EN_RETENTION = (r"\b(retain|retained|retention|keep|kept|stored?|maintained)\b.{0,80}\b(days?|months?|years?|"
                 r"no longer than|as long as)\b|records? (retention |control )?schedules?|general records schedule|"
                 r"national archives")
_OFFICER = (r"个人信息保护负责人|个人信息保护(专职|工作)?(部门|机构)|数据保护官|隐私(保护)?(专员|负责人)|"
            r"senior agency official for privacy|chief privacy officer|privacy officer|data protection officer")
_ZH_SHARING = r"共享|转让|公开披露|委托(第三方)?处理|向(第三方|他人|其他).{0,10}提供|第三方"
_EN_SHARING = (r"\bshar(e|ed|ing)\b|\bdisclos(e|ed|ure)\b|\bwith whom\b|third[- ]part(y|ies)|"
               r"other (federal |government )?agencies|law enforcement")
_CONSENT = (r"同意|拒绝提供|可以选择|撤回同意|\bconsent\b|opt[- ]?(out|in)\b|\bvoluntar(y|ily)\b|"
            r"you (may|can) (choose|decline|decide)|choose not to|not required to provide")
_ZH_SECURITY = (r"(安全|保护)(措施|技术|制度|能力)|加密|访问控制|安全防护|防止.{0,20}(泄露|丢失|篡改|未经授权)|"
                r"安全事件|(措施|手段).{0,10}(保护|保障)|(保护|保障).{0,12}安全")
# "Security" alone is not enough: a page titled "Privacy and Security Notice" says it anyway.
_EN_SECURITY = (r"\bsafeguard|\bencrypt|\bunauthori[sz]ed\b|\bsecurity (measures|purposes|reasons|controls|software|"
                r"monitoring)\b|\b(site|system|network|information|data) security\b|\bsecure (socket|connection|"
                r"transmission|server)s?\b|\bprotect(s|ed|ion)? (your|the|this|personal)\b")
_TRACKING = r"cookie|web measurement|tracking technolog|analytics|网站统计|跟踪"
_OPT_OUT = (r"opt[- ]?out|disable|block|turn off|refuse|browser settings|delete (the )?cookies|"
            r"usa\.gov/optout|拒绝|关闭|清除|禁用|浏览器设置")
_CROSS_BORDER = (r"跨境|出境|境外|中华人民共和国境内|境内(收集|产生|存储)|全球范围|向国外|cross[- ]border|"
                 r"outside (of )?(china|the people's republic)")
_COMPLAINTS = (r"(投诉|举报)(渠道|方式|途径|电话|邮箱|受理)|(可以|可|有权).{0,30}(投诉|举报)|向.{0,30}(投诉|举报)|"
               r"争议解决|complain")
_UPDATES = (r"(本政策|本声明|本隐私政策|本指引|本隐私声明|隐私政策|本规则).{0,20}(更新|修订|修改|变更)|政策如何更新|"
            r"(变更|更新|修订)(后|时).{0,30}(告知|通知|提示|公布|发布)|"
            r"changes? to (this|our) (privacy )?(policy|notice)|"
            r"(update|revise|change) (this|our) (privacy )?(policy|notice)")


def _item(id: str, en: str, zh: str, clauses: dict[str, tuple[str, ...]], *rules: Rule) -> NoticeItem:
    return NoticeItem(id, en, zh, clauses, rules)


ITEMS: tuple[NoticeItem, ...] = (
    _item("controller", "who processes the information, and how to contact them", "个人信息处理者的名称和联系方式",
          {"cn": (f"{PIPL} 第十七条第一款第（一）项", f"{GBT} 5.5 a)"),
           "us": (f"{M0322} (who operates the site; M-99-18 model language)",)},
          Rule(any=((_ZH_CONTROLLER,), (_CONTACT_WORD,))), Rule(any=((_EN_CONTROLLER,), (_CONTACT_WORD,)))),
    _item("purposes", "the purposes of processing", "处理目的",
          {"cn": (f"{PIPL} 第十七条第一款第（二）项", f"{GBT} 5.5 b)", f"{RDFF} 二.1"),
           "us": (f"{EGOV}(ii)-(iii) (why it is collected, its intended use)",)},
          Rule(any=((_ZH_PURPOSES,),)), Rule(any=((_EN_PURPOSES,),))),
    _item("methods", "how the information is collected and processed", "处理方式（收集方式）",
          {"cn": (f"{PIPL} 第十七条第一款第（二）项", f"{GBT} 5.5 c)", f"{RDFF} 二.1"),
           "us": (f"{M0322} (information collected automatically)",)},
          Rule(any=((_ZH_METHODS,),)), Rule(any=((_EN_METHODS,),))),
    _item("categories", "the categories of personal information", "个人信息的种类",
          {"cn": (f"{PIPL} 第十七条第一款第（二）项", f"{GBT} 5.5 b)", f"{RDFF} 二.1"),
           "us": (f"{EGOV}(i) (what information is collected)",)},
          Rule(distinct=(_CATEGORIES, 3), drop=_CONTACT_LINE)),
    _item("retention", "how long the information is kept", "保存期限",
          {"cn": (f"{PIPL} 第十七条第一款第（二）项", f"{PIPL} 第十九条", f"{GBT} 5.5 c)"),
           "us": ("OMB M-10-22 (retention of web measurement data)", "Federal Records Act (records schedules)")},
          Rule(any=((_ZH_RETENTION,),)), Rule(any=((_EN_RETENTION,),))),
    _item("rights", "the individual's rights and how to exercise them", "个人行使权利的方式和程序",
          {"cn": (f"{PIPL} 第十七条第一款第（三）项", f"{PIPL} 第四十四条至第五十条", f"{GBT} 5.5 e)", f"{RDFF} 六.1"),
           "us": (f"{EGOV}(vii) (rights under the Privacy Act of 1974)",)},
          Rule(any=((r"权利|有权|您可以",), (_PROCEDURE,)), distinct=(_RIGHT_VERBS, 2)),
          Rule(any=((r"privacy act|your rights",), (r"\b(access|amend|amendment|correct|correction)\b",),
                    (_PROCEDURE,)))),
    _item("officer", "the 个人信息保护负责人 and how to reach them", "个人信息保护负责人及其联系方式",
          {"cn": (f"{PIPL} 第五十二条", f"{GBT} 11.1")},
          Rule(near=(_OFFICER, 160))),
    _item("sharing", "sharing, entrusted processing and disclosure to others", "委托处理、共享、转让、公开披露",
          {"cn": (f"{PIPL} 第二十三条", f"{GBT} 5.5 d)", f"{RDFF} 五.1"),
           "us": (f"{EGOV}(iv) (with whom it is shared)",)},
          Rule(any=((_ZH_SHARING,),)), Rule(any=((_EN_SHARING,),))),
    _item("consent", "the choice to consent, decline or opt out", "同意与拒绝的选择",
          {"us": (f"{EGOV}(v) (notice or opportunities for consent)",)},
          Rule(any=((_CONSENT,),))),
    _item("security", "how the information is secured", "个人信息安全保护措施",
          {"cn": (f"{GBT} 5.5 g)",), "us": (f"{EGOV}(vi) (how it is secured)",)},
          Rule(any=((_ZH_SECURITY,),)), Rule(any=((_EN_SECURITY,),))),
    _item("tracking", "cookies and web measurement, and how to opt out", "Cookie 等跟踪技术及其关闭方式",
          {"us": ("OMB M-10-22 (web measurement and customization technologies)", M0322)},
          Rule(any=((_TRACKING,), (_OPT_OUT,)))),
    _item("cross_border", "cross-border transfer (or that there is none)", "个人信息跨境（出境）提供情况",
          {"cn": (f"{PIPL} 第三十九条", f"{GBT} 5.5 c)")},
          Rule(any=((_CROSS_BORDER,),))),
    _item("complaints", "where to complain", "投诉、举报渠道",
          {"cn": (f"{GBT} 5.5 h)", f"{RDFF} 六.5")},
          Rule(any=((_COMPLAINTS,),))),
    _item("updates", "how changes to the notice are made known", "告知规则变更的方式",
          {"cn": (f"{PIPL} 第十七条第二款", f"{GBT} 附录D（本政策如何更新）", f"{RDFF} 二.2")},
          Rule(any=((_UPDATES,),))),
)
ZH_SIMPLIFIED = NoticeItem("zh_simplified", "a Simplified Chinese version", "简体中文版本",
                           {"cn": (f"{RDFF} 一.4", f"{PIPL} 第十七条第一款（清晰易懂的语言）")})

_M1706 = "OMB M-17-06 (Privacy Program page)"
_REQUESTS = (r"privacy act requests?|request (access|amendment|to amend|a copy)|access (to )?(your )?records|"
             r"how to (make|submit|file) a (privacy act )?request")
PROGRAM_ITEMS: tuple[NoticeItem, ...] = (
    _item("saop", "the Senior Agency Official for Privacy and how to reach them",
          "隐私事务高级官员（SAOP）及其联系方式",
          {"us": (_M1706, "OMB M-16-24")},
          Rule(near=(r"senior agency official for privacy|\bsaop\b|chief privacy officer", 200))),
    _item("policy", "a link to the website privacy policy", "网站隐私政策的链接",
          {"us": (_M1706, "OMB M-03-22")},
          Rule(any=((r"privacy polic(y|ies)|privacy (and security )?notice|website privacy",),))),
    _item("pias", "the Privacy Impact Assessments", "隐私影响评估（PIA）",
          {"us": (_M1706, "E-Government Act of 2002 §208(b)")},
          Rule(any=((r"privacy impact assessments?|\bpias?\b",),))),
    _item("sorns", "the System of Records Notices", "记录系统公告（SORN）",
          {"us": (_M1706, "Privacy Act of 1974 (5 U.S.C. 552a(e)(4))")},
          Rule(any=((r"systems? of records? notices?|\bsorns?\b",),))),
    _item("requests", "how to make a Privacy Act request", "如何提出《隐私法》查阅或更正请求",
          {"us": (_M1706, "Privacy Act of 1974 (5 U.S.C. 552a(d))")},
          Rule(any=((_REQUESTS,),))),
)


@dataclass
class ItemResult:
    item: NoticeItem
    present: bool
    excerpt: str | None = None  # where it was seen


@dataclass
class Judgement:
    jurisdiction: str
    results: list[ItemResult] = field(default_factory=list)

    @property
    def missing(self) -> list[NoticeItem]:
        return [r.item for r in self.results if not r.present]

    @property
    def present(self) -> list[str]:
        return [r.item.id for r in self.results if r.present]


def required(items: tuple[NoticeItem, ...], jurisdiction: str) -> list[NoticeItem]:
    return [i for i in items if jurisdiction in i.clauses]


def judge_items(text: str, jurisdiction: str, items: tuple[NoticeItem, ...] = ITEMS) -> Judgement:
    """Each item the jurisdiction requires, present in the text or not (in Chinese or English)."""
    folded = fold(text)
    out = Judgement(jurisdiction)
    for item in required(items, jurisdiction):
        excerpt = next((e for rule in item.rules if (e := holds(rule, folded)) is not None), None)
        out.results.append(ItemResult(item, excerpt is not None, excerpt))
    if items is ITEMS and jurisdiction in ZH_SIMPLIFIED.clauses:
        script = chinese_script(text)
        out.results.append(ItemResult(ZH_SIMPLIFIED, script == "simplified", script))
    return out
