"""Controlled vocabularies of the registry, each term with its zh and en label."""

from __future__ import annotations

from typing import NamedTuple

from mgov.errors import InvalidValue


class Term(NamedTuple):
    code: str
    zh: str
    en: str


def _index(*terms: Term) -> dict[str, Term]:
    return {t.code: t for t in terms}


CHANNEL_KINDS = _index(
    Term("website", "网站", "Website"),
    Term("mobile_site", "移动网站", "Mobile site"),
    Term("app_android", "安卓应用", "Android app"),
    Term("app_ios", "iOS 应用", "iOS app"),
    Term("mini_program", "小程序", "Mini program"),
    Term("wechat_account", "微信公众号", "WeChat account"),
    Term("weibo_account", "微博账号", "Weibo account"),
    Term("other_social", "其他新媒体账号", "Other social account"),
    Term("sms", "短信", "SMS"),
)

# Kinds whose address is a URL.
WEB_KINDS = frozenset({"website", "mobile_site"})
# Kinds that are accounts on a platform: the one-account-per-platform rule counts them.
ACCOUNT_KINDS = frozenset({"wechat_account", "weibo_account", "other_social", "mini_program"})

CHANNEL_STATUSES = _index(
    Term("active", "正常", "Active"),
    Term("suspended", "关停", "Suspended"),
    Term("merged", "整合", "Merged"),
    Term("closed", "注销", "Closed"),
)
OPEN_STATUSES = frozenset({"active", "suspended"})

# Filed events in a channel's history (开设、变更、关停、注销 plus the reverse moves).
CHANNEL_EVENTS = _index(
    Term("opened", "开设", "Opened"),
    Term("changed", "变更", "Changed"),
    Term("suspended", "关停", "Suspended"),
    Term("resumed", "恢复", "Resumed"),
    Term("merged", "整合", "Merged"),
    Term("closed", "注销", "Closed"),
)
STATUS_EVENT = {"active": "resumed", "suspended": "suspended", "merged": "merged", "closed": "closed"}

ROLES = _index(
    Term("head", "主要负责人", "Head"),
    Term("cio", "首席信息官", "Chief information officer"),
    Term("security_officer", "安全负责人", "Security officer"),
    Term("records_officer", "档案负责人", "Records officer"),
    Term("privacy_officer", "隐私负责人", "Privacy officer"),
    Term("content_manager", "内容负责人", "Content manager"),
    Term("web_operator", "网站运维", "Web operator"),
    Term("new_media_operator", "新媒体运维", "New media operator"),
)

JURISDICTIONS = _index(Term("cn", "中国", "China"), Term("us", "美国", "United States"))

# Tiers per jurisdiction, highest first: the order is the rank ("county and above").
TIERS: dict[str, dict[str, Term]] = {
    "cn": _index(
        Term("national", "国家级", "National"),
        Term("provincial", "省级", "Provincial"),
        Term("prefecture", "地市级", "Prefecture"),
        Term("county", "县级", "County"),
        Term("township", "乡镇级", "Township"),
    ),
    "us": _index(
        Term("legislative_branch", "立法分支", "Legislative branch"),
        Term("executive_branch", "行政分支", "Executive branch"),
        Term("judicial_branch", "司法分支", "Judicial branch"),
        Term("department", "部", "Department"),
        Term("agency", "机构", "Agency"),
        Term("bureau", "局", "Bureau"),
        Term("state", "州或领地", "State or territory"),
        Term("interstate", "跨州机构", "Interstate"),
        Term("county", "县", "County"),
        Term("city", "市", "City"),
        Term("tribal", "部落", "Tribal"),
        Term("school_district", "学区", "School district"),
        Term("special_district", "特别区", "Special district"),
    ),
}


def label(term: Term, lang: str) -> str:
    return term.zh if lang == "zh" else term.en


def check_term(vocab: dict[str, Term], value: str, what: str) -> str:
    """Return value if it is in vocab, else raise InvalidValue naming the choices."""
    if value not in vocab:
        raise InvalidValue(f"unknown {what} {value!r} (choose from: {', '.join(vocab)})")
    return value


def check_tier(jurisdiction: str, tier: str) -> str:
    check_term(JURISDICTIONS, jurisdiction, "jurisdiction")
    return check_term(TIERS[jurisdiction], tier, f"tier for jurisdiction {jurisdiction}")
