"""New-media checks of what an account's posts say and link to: dead links in posts and menus,
错敏字 and forbidden expressions (the website checks' dictionaries), commercial content.

Wording and commercial content are candidates for a reviewer, as the website's red flags are
(`content.expressions`): they warn and list what to look at, post by post; a reviewer's
decision makes them count. A dead link is a fact: it fails once it is seen for good."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from functools import lru_cache
from typing import Any, ClassVar
from urllib.parse import urlsplit

from mgov.checks.base import Finding, Status
from mgov.checks.builtin.newmedia_base import LISTED, REFS, NewMediaCheck, post_row, refs, zone_of
from mgov.content.rules import ContentRules, ascii_lower, fold
from mgov.content.wording import expression_hits, visible_text
from mgov.evidence.newmedia import LinkOutcome, NewMediaEvidence, Post
from mgov.evidence.site import SiteEvidence

SPEC = "国办秘函〔2019〕19号 政务新媒体检查指标"
CONTEXT = 40  # characters of a post around a word found


class DeadLinks(NewMediaCheck):
    id = "newmedia.dead_links"
    title_en = "Dead links in posts and menus"
    title_zh = "文章与菜单链接可用"
    fix_en = "Repair or remove each link listed, account menus first."
    fix_zh = "逐一修复或删除所列链接，账号菜单优先。"
    basis = f"{SPEC} §1.5 扣分情形: 菜单、链接、服务功能无法使用 (连云港 2023); 错链 (青海 2020-Q3)"

    def judge(self, nm: NewMediaEvidence, ev: SiteEvidence, params: dict[str, Any]) -> Finding:
        zone = zone_of(ev)
        posts = {p.post_id: p for p in nm.posts}
        menus = {m.url: m.name for m in (nm.profile.menus if nm.profile else []) if m.url}
        wanted = {*(u for p in nm.posts for u in p.links), *menus}
        outcomes = list({(o.url, o.where, o.post_id): o for o in nm.links}.values())
        dead = [o for o in outcomes if not o.ok and not o.transient]
        shaky = [o for o in outcomes if not o.ok and o.transient]
        checked = {o.url for o in outcomes}
        value = {"links": len(outcomes), "dead": len(dead), "dead_menus": sum(o.where == "menu" for o in dead),
                 "dead_posts": sum(o.where != "menu" for o in dead),
                 "dead_links": [_row(o, posts, menus, nm, zone) for o in dead[:LISTED]],
                 "transient": [_row(o, posts, menus, nm, zone) for o in shaky[:LISTED]],
                 "unchecked": len(wanted - checked)}
        if wanted and not outcomes:
            return self.finding(Status.ERROR, value,
                                message=f"not assessed: the {len(wanted)} link(s) of the posts and menus were "
                                        "not checked",
                                message_zh=f"未评估：文章和菜单中的 {len(wanted)} 个链接未经检测",
                                evidence=nm.warc[:REFS])
        evidence = refs((_post_of(o, posts, nm) for o in [*dead, *shaky]), nm)
        if dead:
            menu = value["dead_menus"]
            finding = self.finding(Status.FAIL, value,
                                   message=f"{len(dead)} dead link(s), {menu} of them in the account's menus",
                                   message_zh=f"发现 {len(dead)} 个不可用链接，其中菜单 {menu} 个", evidence=evidence)
        elif shaky:
            finding = self.finding(Status.WARN, value,
                                   message=f"{len(shaky)} link(s) did not answer usably (a passing fault?): re-checked",
                                   message_zh=f"{len(shaky)} 个链接暂时无法访问，待复查", evidence=evidence)
        else:
            return self.finding(Status.PASS, value, evidence=refs(nm.posts[:1], nm))
        finding.recheck = bool(shaky)  # a passing fault must be seen twice
        return finding


def _post_of(o: LinkOutcome, posts: Mapping[str, Post], nm: NewMediaEvidence) -> Post | None:
    if o.post_id is not None:
        return posts.get(o.post_id)
    if o.where == "menu":
        return None
    return next((p for p in nm.posts if o.url in p.links), None)


def _row(o: LinkOutcome, posts: Mapping[str, Post], menus: Mapping[str, str], nm: NewMediaEvidence,
         zone: str) -> dict[str, Any]:
    row: dict[str, Any] = {"url": o.url, "status": o.status, "error": o.error, "where": o.where}
    if o.where == "menu":
        row["menu"] = menus.get(o.url)
    elif (post := _post_of(o, posts, nm)) is not None:
        row["post"] = post_row(post, zone)
    else:
        row["post"] = {"post_id": o.post_id}
    return row


def _texts(nm: NewMediaEvidence) -> Iterator[tuple[Post | None, str, str]]:
    """(post or None for the account's own page, where, text) of everything the account says."""
    if nm.profile is not None:
        yield None, "profile.name", nm.profile.name
        if nm.profile.description:
            yield None, "profile.description", nm.profile.description
    for p in nm.posts:
        if p.title:
            yield p, "title", p.title
        yield p, "text", p.text


def _add(flagged: list[Post], post: Post) -> None:
    if all(p is not post for p in flagged):
        flagged.append(post)


def _hit_row(post: Post | None, where: str, zone: str, extra: dict[str, Any]) -> dict[str, Any]:
    return {**(post_row(post, zone) if post is not None else {"post_id": None}), "where": where, **extra}


@lru_cache(maxsize=64)  # a few rule sets per run: the defaults and the channels' own
def _rules(overrides: str) -> ContentRules:
    return ContentRules.from_mapping(json.loads(overrides))


def rules_for(ev: SiteEvidence, params: dict[str, Any]) -> ContentRules:
    """The content rules of the website checks, with the check's overrides (a profile's
    `content_rules` parameter) and the channel's own (registry attribute `content_rules`, as the
    crawl reads it) on top. A malformed override is a ValueError: the channel's error finding."""
    given, own = params.get("content_rules") or {}, ev.channel.attributes.get("content_rules") or {}
    if not isinstance(given, Mapping) or not isinstance(own, Mapping):
        raise ValueError("content_rules must be a mapping of content rules")
    return _rules(json.dumps({**given, **own}, sort_keys=True, ensure_ascii=False))


class Wording(NewMediaCheck):
    id = "newmedia.wording"
    title_en = "Wrong or forbidden expressions in posts (for review)"
    title_zh = "错敏字词与严重表述错误（待人工复核）"
    fix_en = "Review each expression listed and correct the post; add false alarms to the rules' exceptions."
    fix_zh = "逐条人工复核所列表述并更正文章；误报可在规则中排除。"
    basis = (f"{SPEC} §1.5 扣分情形: 错别字、错敏词 (青海 2020-Q3); M-V1 严重表述错误 (a reviewer confirms); "
             "the expression dictionary and forbidden terms of the website checks (mgov.content.rules)")
    defaults: ClassVar[dict[str, Any]] = {"content_rules": {}}

    def judge(self, nm: NewMediaEvidence, ev: SiteEvidence, params: dict[str, Any]) -> Finding:
        rules, zone = rules_for(ev, params), zone_of(ev)
        hits: list[dict[str, Any]] = []
        flagged: list[Post] = []
        total = 0
        for post, where, text in _texts(nm):
            found, count = expression_hits(visible_text(text), rules)
            total += count
            if count and post is not None:
                _add(flagged, post)
            hits += [_hit_row(post, where, zone, {"term": h.term, "suggestion": h.suggestion, "context": h.context,
                                                  "kind": "misspelling" if h.suggestion else "forbidden"})
                     for h in found]
        value = {"total": total, "posts": len(flagged), "hits": hits[:LISTED], "posts_read": len(nm.posts),
                 "window_complete": nm.window_complete}
        if not total:
            return self.finding(Status.PASS, value, evidence=refs(nm.posts[:1], nm))
        terms = "、".join(dict.fromkeys(h["term"] for h in hits[:10]))
        return self.finding(Status.WARN, value,
                            message=f"{total} expression(s) to review in {len(flagged)} post(s): {terms}",
                            message_zh=f"{len(flagged)} 条信息中有 {total} 处表述待复核：{terms}",
                            evidence=refs(flagged, nm))


# Signs of advertising or selling in a post: phrases that offer a purchase, a discount or a paid
# partnership, and links to shops. Bounded on purpose: words such as 广告 or 促销 also appear in
# government news about advertising law and market regulation.
COMMERCIAL_WORDS = [
    "点击购买", "立即购买", "立即抢购", "限时抢购", "限时特价", "限时优惠", "优惠券", "秒杀", "包邮",
    "下单立减", "扫码购买", "代购", "招商加盟", "加盟代理", "微商", "返利", "推广链接", "广告合作",
    "商务合作", "淘宝店", "天猫旗舰店",
    "buy now", "shop now", "order now", "promo code", "discount code", "coupon code", "use code",
    "limited-time offer", "free shipping", "affiliate link", "sponsored", "#ad",
]
COMMERCIAL_HOSTS = ["taobao.com", "tmall.com", "jd.com", "pinduoduo.com", "yangkeduo.com", "amazon.com",
                    "ebay.com", "aliexpress.com", "temu.com"]


@lru_cache(maxsize=16)
def _terms(words: tuple[str, ...]) -> tuple[str, ...]:
    """The words folded, longest first, without blanks and repeats."""
    return tuple(sorted({fold(w) for w in words if w.strip()}, key=len, reverse=True))


def _found(lowered: str, terms: tuple[str, ...]) -> list[tuple[int, int]]:
    """(start, end) of each term in lowered, overlaps to the longest; an ASCII term must stand
    alone ('ad' is no hit in 'read')."""
    spans: list[tuple[int, int]] = []
    for term in terms:
        pos = lowered.find(term)
        while pos >= 0:
            end = pos + len(term)
            alone = not term.isascii() or not (_word_char(lowered, pos - 1) or _word_char(lowered, end))
            if alone and all(end <= a or pos >= b for a, b in spans):
                spans.append((pos, end))
            pos = lowered.find(term, pos + 1)
    return sorted(spans)


def _word_char(text: str, at: int) -> bool:
    return 0 <= at < len(text) and text[at].isascii() and text[at].isalnum()


def _host_hit(url: str, hosts: tuple[str, ...]) -> str | None:
    host = (urlsplit(url).hostname or "").lower().rstrip(".")
    return next((h for h in hosts if host == h or host.endswith("." + h)), None)


class Commercial(NewMediaCheck):
    id = "newmedia.commercial"
    title_en = "Commercial content in posts (for review)"
    title_zh = "商业信息（待人工复核）"
    fix_en = "Remove advertising, sales offers and shop links from the account's posts and pages."
    fix_zh = "删除账号文章和页面中的广告、商品推销和购物链接。"
    basis = (f"{SPEC} §1.5 扣分情形: 页面存在商业信息; 点赞、转发与本单位业务无关的信息 (宝鸡 2020); "
             "US: 5 CFR 2635.702(c) (no endorsement of products or services from a public office)")
    defaults: ClassVar[dict[str, Any]] = {"words": COMMERCIAL_WORDS, "hosts": COMMERCIAL_HOSTS}

    def judge(self, nm: NewMediaEvidence, ev: SiteEvidence, params: dict[str, Any]) -> Finding:
        zone = zone_of(ev)
        terms = _terms(tuple(str(w) for w in params["words"]))
        hosts = tuple(str(h).lower().strip(".") for h in params["hosts"] if str(h).strip("."))
        hits: list[dict[str, Any]] = []
        flagged: list[Post] = []
        for post, where, text in _texts(nm):
            plain = visible_text(text)
            for begin, end in _found(ascii_lower(plain), terms):
                start = max(0, begin - (CONTEXT - (end - begin)) // 2)
                hits.append(_hit_row(post, where, zone, {"term": plain[begin:end],
                                                         "context": plain[start:start + CONTEXT].strip()}))
                if post is not None:
                    _add(flagged, post)
        for post in nm.posts:
            for link in post.links:
                if (host := _host_hit(link, hosts)) is not None:
                    hits.append(_hit_row(post, "link", zone, {"term": host, "link": link}))
                    _add(flagged, post)
        value = {"total": len(hits), "posts": len(flagged), "hits": hits[:LISTED], "posts_read": len(nm.posts)}
        if not hits:
            return self.finding(Status.PASS, value, evidence=refs(nm.posts[:1], nm))
        said = "、".join(dict.fromkeys(h["term"] for h in hits[:10]))
        return self.finding(Status.WARN, value,
                            message=f"{len(hits)} sign(s) of commercial content in {len(flagged)} post(s): {said}",
                            message_zh=f"{len(flagged)} 条信息疑似含商业信息（{len(hits)} 处）：{said}",
                            evidence=refs(flagged, nm))
