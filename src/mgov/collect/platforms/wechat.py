"""WeChat official accounts: their article pages, listed by an export file.

A `wechat_account` channel (address: the original id `gh_…` or the WeChat id) with the
attribute `article_list` (collect.platforms.wechat_list) is read so: the file is archived as a
WARC `resource` record (the capture's evidence of what it was told), its articles in the window
(by the listed date; undated ones too) are fetched newest first, at most `max_posts`, each page
through the collect client (paced, archived) and read by collect.platforms.wechat_article.
The profile joins the file's account facts (name, certification, description, avatar, menus,
whether messages are accepted) with what the pages say (the account's name and avatar);
comments are open when a recent article has a comment id. A deleted article (the publisher's
or the platform's message page) goes to `deleted_ids`; an article that belongs to another
account (its `user_name` is not this `gh_…` address) is reported and left out.
Outcomes: the file missing or unreadable ERROR; every page unusable UNREACHABLE; some pages or
some lines of the file unusable PARTIAL, each said in `error`.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

from mgov.collect.platforms.base import AccountCapture, AccountRef, CaptureLimits
from mgov.collect.platforms.fetching import PlatformFailure, Reader, guarded_capture, window_start
from mgov.collect.platforms.wechat_article import Article, article_id, parse_article
from mgov.collect.platforms.wechat_list import ARTICLE_HOST, ArticleList, Listed, read_article_list
from mgov.collect.site import CollectContext
from mgov.evidence.newmedia import AccountProfile, CaptureStatus, Interaction, Post

PLATFORM = "wechat"
_OLDEST = dt.datetime.min.replace(tzinfo=dt.UTC)


def _hosts(account: AccountRef) -> frozenset[str]:
    base = str(account.attributes.get("platform_base") or "")
    extra = (urlsplit(base).hostname or "").lower() if base else ""
    return frozenset({ARTICLE_HOST, extra} - {""})


def _candidates(listing: ArticleList, limits: CaptureLimits, now: dt.datetime) -> tuple[list[Listed], bool]:
    """The listed articles that may be in the window, newest first (undated after); whether
    the budget left some out."""
    start = window_start(now, limits.window_days)
    dated = sorted((a for a in listing.articles if a.published is not None),
                   key=lambda a: a.published or _OLDEST, reverse=True)
    pool = [a for a in dated if a.published is not None and a.published >= start]
    pool += [a for a in listing.articles if a.published is None]
    return pool[:max(0, limits.max_posts)], len(pool) > limits.max_posts


def _profile(account: AccountRef, listing: ArticleList, pages: list[Article], posts: list[Post]) -> AccountProfile:
    facts = listing.account
    first = next((p for p in pages if p.post is not None), None)
    certification = str(facts.get("certification") or "").strip() or None
    menus = listing.menus()
    said = [p.comments_open for p in posts if p.comments_open is not None]
    messages = facts.get("messages_open")
    interaction = Interaction(
        comments=any(said) if said else None, messages=messages if isinstance(messages, bool) else None,
        consult_menu=any(m.kind == "consult" for m in menus) if menus else None,
        detail=f"comments open on {sum(1 for s in said if s)} of {len(said)} recent articles" if said else None)
    return AccountProfile(
        platform=PLATFORM, account_id=(first.user_name if first and first.user_name else account.address),
        name=str(facts.get("name") or (first.account_name if first else "") or account.address).strip(),
        url=f"https://{ARTICLE_HOST}/mp/profile_ext?action=home&__biz={first.biz}" if first and first.biz else None,
        avatar_url=str(facts.get("avatar_url") or "") or (first.avatar_url if first else None) or None,
        certification=certification, verified=bool(certification) if "certification" in facts else None,
        description=str(facts.get("description") or "").strip() or None, menus=menus, interaction=interaction)


class WechatAdapter:
    name = PLATFORM

    def handles(self, account: AccountRef) -> bool:
        return (account.kind == "wechat_account" and bool(account.attributes.get("article_list"))
                and not account.attributes.get("import_file"))

    async def capture(self, account: AccountRef, ctx: CollectContext, limits: CaptureLimits,
                      now: dt.datetime) -> AccountCapture:
        reader = Reader(ctx)
        return await guarded_capture(reader, lambda: self._capture(account, reader, limits, now))

    async def _capture(self, account: AccountRef, reader: Reader, limits: CaptureLimits,
                       now: dt.datetime) -> AccountCapture:
        listing = read_article_list(str(account.attributes["article_list"]), now, _hosts(account))
        if reader.ctx.warc is not None:
            ref, _ = await reader.ctx.warc.write_resource(listing.path.resolve().as_uri(), listing.data,
                                                          listing.content_type, now)
            reader.refs.append(ref)
        candidates, cut = _candidates(listing, limits, now)
        start = window_start(now, limits.window_days)
        problems = list(listing.problems)
        pages: list[Article] = []
        posts: list[Post] = []
        deleted: list[str] = []
        failed = 0
        owner = account.address.strip() if account.address.strip().startswith("gh_") else None
        known, horizon, skipped = frozenset(account.known_post_ids), account.reread_since, False
        for listed in candidates:
            if (horizon is not None and pages and listed.published is not None and listed.published < horizon
                    and article_id(listed.url) in known):
                skipped = True  # held, and older than the re-read horizon: kept as mgov holds it
                continue
            try:
                ex = await reader.get(listed.url, missing=())
                page = parse_article(ex.text or "", listed.url, ex.response_ref)
            except PlatformFailure as failure:
                failed += 1
                problems.append(failure.detail)
                continue
            if page.post is None:
                deleted.append(article_id(listed.url))
                continue
            if owner and page.user_name and page.user_name != owner:
                problems.append(f"{listed.url} belongs to {page.user_name}, not {owner}: left out")
                continue
            pages.append(page)
            post = page.post
            if listed.title and not post.title:
                post.title = listed.title
            if post.published is None:
                post.published = listed.published
            if post.published is None or post.published >= start:
                posts.append(post)
        if candidates and failed == len(candidates):
            return AccountCapture(status=CaptureStatus.UNREACHABLE, error="; ".join(problems))
        posts.sort(key=lambda p: p.published or _OLDEST, reverse=True)
        return AccountCapture(status=CaptureStatus.PARTIAL if problems else CaptureStatus.OK,
                              profile=_profile(account, listing, pages, posts), posts=posts,
                              window_complete=not cut and not problems and not skipped,
                              error="; ".join(problems) or None, deleted_ids=deleted, known_reached=skipped)


ADAPTER = WechatAdapter()
