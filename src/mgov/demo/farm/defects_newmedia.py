"""The new-media defects a farm account can carry (issue 17): which `newmedia.*` check must
report each, on which platforms the farm can show it, and in which epoch.

Plain data beside defects.py (the site defects): a capture run (run kind "capture") is
compared with these per account, by channel kind and address (Manifest.newmedia_defects).
An account carries at most one; every other account is clean. docs/demo-farm.md, Platforms.
"""

from __future__ import annotations

from mgov.demo.farm.defects import Defect

# The checks of the capture pass (issue 17, newmedia-plan.md).
CAPTURE_CHECKS: frozenset[str] = frozenset({
    "newmedia.capture", "newmedia.last_update", "newmedia.rhythm", "newmedia.interaction",
    "newmedia.dead_links", "newmedia.wording", "newmedia.commercial", "newmedia.identity",
    "newmedia.duplicates", "newmedia.post_changes",
})

# The platforms (adapter names) the farm serves accounts on.
PLATFORMS = ("weibo", "wechat", "activitypub", "feed")
ALL = PLATFORMS
WITH_INTERACTION = ("weibo", "wechat", "activitypub")  # a feed says nothing of replies
WITH_CERTIFICATION = ("weibo", "wechat")

# (id, checks, summary, platforms, epoch, obscures)
_SPECS: tuple[tuple[str, tuple[str, ...], str, tuple[str, ...], int, tuple[str, ...]], ...] = (
    ("newmedia.stale", ("newmedia.last_update",),
     "no post in the 16-24 days before the farm's today (僵尸号); a slow rhythm follows", ALL, 1,
     ("newmedia.rhythm",)),
    ("newmedia.interaction_closed", ("newmedia.interaction",),
     "comments closed on every post (Weibo comment_permission_type 2, WeChat comment_id 0 and "
     "messages closed and no consult menu, Mastodon commentsEnabled false)", WITH_INTERACTION, 1, ()),
    ("newmedia.wording", ("newmedia.wording",),
     "a post with a misspelt official term from the website checks' expression dictionary", ALL, 1, ()),
    ("newmedia.dead_link", ("newmedia.dead_links",),
     "a post links a page of a farm site that answers 404", ALL, 1, ()),
    ("newmedia.commercial", ("newmedia.commercial",),
     "a post with advertising (广告, 限时优惠, 点击购买; Sponsored, promo code, buy now) and a shop link",
     ALL, 1, ()),
    ("newmedia.duplicate", ("newmedia.duplicates",),
     "the unit has two registered accounts on this platform (both carry it)", ALL, 1, ()),
    ("newmedia.renamed", ("newmedia.identity",),
     "epoch 2: the account's name changes; the registry files no change", ALL, 2, ()),
    ("newmedia.recertified", ("newmedia.identity",),
     "epoch 2: the account's certification (认证) changes to a company's; nothing filed",
     WITH_CERTIFICATION, 2, ()),
    ("newmedia.post_deleted", ("newmedia.post_changes",),
     "epoch 2: a post of the first capture's window is deleted", ALL, 2, ()),
    ("newmedia.post_edited", ("newmedia.post_changes",),
     "epoch 2: a post of the first capture's window is edited", ALL, 2, ()),
)

NEWMEDIA_DEFECTS: dict[str, Defect] = {
    spec[0]: Defect(spec[0], spec[1], spec[2], run_kind="capture", epoch=spec[4], obscures=spec[5])
    for spec in _SPECS
}
SUPPORTED: dict[str, tuple[str, ...]] = {spec[0]: spec[3] for spec in _SPECS}
DUPLICATE = "newmedia.duplicate"

# The order in which defects go to accounts (generate): each defect once on the platform
# that shows it most plainly, then the other platforms it can show on. An account a platform
# does not have is skipped: small farms see the first round only.
PLACEMENTS: tuple[tuple[str, str], ...] = (
    ("newmedia.stale", "weibo"), ("newmedia.interaction_closed", "wechat"),
    ("newmedia.wording", "weibo"), ("newmedia.dead_link", "wechat"),
    ("newmedia.commercial", "weibo"), ("newmedia.renamed", "weibo"),
    ("newmedia.recertified", "wechat"), ("newmedia.post_deleted", "weibo"),
    ("newmedia.post_edited", "weibo"),
    # second round: the us platforms, then the rest
    ("newmedia.stale", "activitypub"), ("newmedia.wording", "feed"),
    ("newmedia.dead_link", "activitypub"), ("newmedia.post_deleted", "activitypub"),
    ("newmedia.post_edited", "feed"), ("newmedia.interaction_closed", "activitypub"),
    ("newmedia.commercial", "feed"), ("newmedia.renamed", "activitypub"),
    ("newmedia.stale", "feed"), ("newmedia.post_deleted", "feed"),
    ("newmedia.post_edited", "activitypub"), ("newmedia.dead_link", "feed"),
    ("newmedia.wording", "activitypub"), ("newmedia.commercial", "activitypub"),
    ("newmedia.renamed", "feed"),
    ("newmedia.stale", "wechat"), ("newmedia.interaction_closed", "weibo"),
    ("newmedia.wording", "wechat"), ("newmedia.dead_link", "weibo"),
    ("newmedia.commercial", "wechat"), ("newmedia.renamed", "wechat"),
    ("newmedia.recertified", "weibo"), ("newmedia.post_deleted", "wechat"),
    ("newmedia.post_edited", "wechat"),
)
# The first round: from here on, each placement shows a defect on a second platform.
FIRST_ROUND = 9
