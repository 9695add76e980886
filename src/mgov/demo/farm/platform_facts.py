"""The manifest's facts of an account's defect (post ids and URLs, words, names before and
after), from the same functions the platforms serve from, and what an account shows in an
epoch (its name and certification)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from mgov.demo.farm import contract as c
from mgov.demo.farm import platform_words as w
from mgov.demo.farm.manifest import Account, Site
from mgov.demo.farm.platform_posts import DEFECT_POST, Clock, post_time, post_url, rng_for
from mgov.demo.farm.platform_posts import origin as timeline_origin
from mgov.demo.farm.platform_posts import pid_of as pid_at

INTERACTION_CLOSED = {
    "weibo": "comments closed on every post (comment_manage_info.comment_permission_type 2)",
    "wechat": "comments closed on every article (comment_id 0), messages not accepted, no consult menu",
    "activitypub": 'the actor says "commentsEnabled": false',
}


def shown_name(a: Account, epoch: int) -> str:
    """The account's name as the platform shows it in an epoch (newmedia.renamed: epoch 2)."""
    if epoch >= 2 and a.has("newmedia.renamed"):
        return str(a.details["newmedia.renamed"]["after"])
    return a.name


def shown_certification(a: Account, epoch: int) -> str | None:
    if epoch >= 2 and a.has("newmedia.recertified"):
        return str(a.details["newmedia.recertified"]["after"])
    return a.certification


def renamed(a: Account) -> str:
    if a.language == "zh":
        return a.name[:-2] + "政务发布" if a.name.endswith("发布") else a.name + "发布"
    return f"{a.name.removesuffix(' News')} Community Channel"


def account_facts(seed: int, a: Account, today: dt.date, healthy: list[Site]) -> dict[str, Any]:
    """The facts of the account's defects, as of the manifest's today (epoch 2 ones included)."""
    zh = a.language == "zh"
    out: dict[str, Any] = {}
    for d in a.defects:
        r = rng_for(seed, "facts", a.no, d)
        post = _post(seed, a, today, d)
        if d == "newmedia.stale":
            newest = post_time(seed, a, 0, timeline_origin(a, Clock(today, today))).date()
            out[d] = {"newest": newest.isoformat(), "days": (today - newest).days}
        elif d == "newmedia.interaction_closed":
            out[d] = {"how": INTERACTION_CLOSED[a.platform]}
        elif d == "newmedia.wording":
            wrong, right, sentence = r.choice(w.expression_sentences(zh))
            topic = r.choice(w.ZH_TOPICS if zh else w.EN_TOPICS)
            out[d] = {**post, "wrong": wrong, "right": right,
                      "sentence": sentence.format(place=w.place_of(a.organization.name_zh), topic=topic)}
        elif d == "newmedia.dead_link":
            out[d] = {**post, "link": _dead_link(a, r, healthy), "status": 404}
        elif d == "newmedia.commercial":
            brand = r.choice(w.ZH_BRANDS if zh else w.EN_BRANDS)
            out[d] = {**post, "brand": brand, "link": f"https://{c.SHOP_HOST}/item/{a.no}.html",
                      "words": ["广告", "限时优惠", "优惠券", "点击购买"] if zh
                      else ["Sponsored", "limited-time offer", "promo code", "buy now"]}
        elif d == "newmedia.renamed":
            out[d] = {"epoch": 2, "before": a.name, "after": renamed(a)}
        elif d == "newmedia.recertified":
            company = f"{w.short_place(w.place_of(a.organization.name_zh))}某某网络科技有限公司"
            out[d] = {"epoch": 2, "before": a.certification, "after": company}
        elif d == "newmedia.post_deleted":
            out[d] = {**post, "epoch": 2}
        elif d == "newmedia.post_edited":
            out[d] = {**post, "epoch": 2, "added": w.ZH_EDIT if zh else w.EN_EDIT}
    return out


def _post(seed: int, a: Account, today: dt.date, defect: str) -> dict[str, Any]:
    """The post a post defect lives in: its id (the farm's number) and its public URL."""
    k = DEFECT_POST.get(defect)
    if k is None:
        return {}
    when = post_time(seed, a, k, timeline_origin(a, Clock(today, today)))
    pid = pid_at(a, when)
    return {"post_id": str(pid), "url": post_url(seed, a, pid), "published": when.isoformat()}


def _dead_link(a: Account, r: Any, healthy: list[Site]) -> str:
    """A page of a farm site that answers 404: the unit's own healthy site, else another one,
    else the farm's dead-link host."""
    slug = a.handle.replace("_", "-")
    if a.site:
        return f"{a.site}zt/2019/{slug}.html"
    if healthy:
        return f"https://{r.choice(healthy).host}/zt/2019/{slug}.html"
    return f"https://{c.DEAD_LINK_HOST}/gone/{slug}.html"
