"""When a farm account posts and what it says: the platform-independent post model the
platforms (platform_weibo, platform_wechat, platform_feeds, platform_social) render.

Posts are numbered k (0 = the newest on the manifest's today, the anchor; negative: older;
positive: what the account posts after the anchor when Farm.set_today moves the day on).
Up to the anchor every date is relative to the day; after it, what was posted keeps its date
and an active account keeps posting at its pace; a stale account posts nothing more. A post
appears the day after its date at the earliest (no post is dated later than the day before
the farm's today, so no capture sees one from its future). Nothing is stored: a post is
computed from (seed, account, k) and the farm's clock, in microseconds.
"""

from __future__ import annotations

import base64
import datetime as dt
import functools
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TypeVar
from urllib.parse import quote

from mgov.demo.farm import contract as c
from mgov.demo.farm import platform_words as w
from mgov.demo.farm.manifest import Account

T = TypeVar("T")
HISTORY_DAYS = 60  # how far back an account's timeline reaches (a capture reads 30 days)
SLOT_HOURS = {1: (10,), 2: (9, 16), 3: (8, 12, 18)}
PID_BASE = 4_000_000_000_000_000  # post ids look like Weibo's (16 digits)
PID_ACCOUNTS = 100_000  # accounts a farm can have: the id's last five digits are the account's serial
# The post of each post defect, by k: recent enough for any capture window of 14+ days.
DEFECT_POST = {"newmedia.wording": -1, "newmedia.dead_link": -2, "newmedia.commercial": -3,
               "newmedia.post_deleted": -4, "newmedia.post_edited": -5}
_DEFECT_AT = {k: d for d, k in DEFECT_POST.items()}


@dataclass(frozen=True)
class Clock:
    """The platforms' time: the farm's today, the manifest's (the anchor), and the epoch."""

    today: dt.date
    anchor: dt.date
    epoch: int = 1
    epoch_day: dt.date | None = None  # the day epoch 2 began (edits are dated then)


@dataclass(frozen=True, slots=True)
class Stub:
    """A post's place in the timeline: number, time, id, and what epoch 2 did to it."""

    k: int
    time: dt.datetime  # aware, in the account's offset
    pid: int
    deleted: bool = False  # epoch 2, newmedia.post_deleted: the platform says it is gone
    edited_at: dt.datetime | None = None  # epoch 2, newmedia.post_edited


@dataclass
class Item:
    """What a post says, before a platform renders it."""

    title: str
    paragraphs: list[str]
    links: list[tuple[str, str]] = field(default_factory=list)  # (url, anchor text)
    tag: str | None = None  # a hashtag (a topic link on Weibo): never a post link
    image: bool = False
    repost: tuple[str, str] | None = None  # (author, text) of a reposted post (Weibo)
    kind: str = "post"  # post | wording | dead_link | commercial

    def text(self, zh: bool) -> str:
        """The paragraphs as one text (Chinese joins them without a space)."""
        return ("" if zh else " ").join(self.paragraphs)


_M64 = (1 << 64) - 1


def mix(*parts: int) -> int:
    """A 64-bit hash of integers (splitmix64's finalizer over each): the same on every
    machine, about a microsecond; what posts are made of is drawn from it."""
    h = 0x9E3779B97F4A7C15
    for part in parts:
        h = ((h ^ (part & _M64)) * 0xBF58476D1CE4E5B9) & _M64
        h ^= h >> 31
    h = (h * 0x94D049BB133111EB) & _M64
    return h ^ (h >> 29)


@functools.lru_cache(maxsize=64)
def _salt(word: str) -> int:
    return int.from_bytes(hashlib.blake2b(word.encode(), digest_size=8).digest(), "big")


class Draws:
    """A cheap deterministic stream (choice, random, randrange) keyed by its parts; seeding a
    random.Random per post cost more than the rest of the post."""

    __slots__ = ("base", "n")

    def __init__(self, base: int) -> None:
        self.base, self.n = base, 0

    def _next(self) -> int:
        self.n += 1
        return mix(self.base, self.n)

    def random(self) -> float:
        return (self._next() >> 11) / (1 << 53)

    def randrange(self, start: int, stop: int) -> int:
        return start + self._next() % (stop - start)

    def choice(self, seq: Sequence[T]) -> T:
        return seq[self._next() % len(seq)]


def rng_for(seed: int, *parts: str | int) -> Draws:
    return Draws(mix(seed, *(_salt(p) if isinstance(p, str) else p for p in parts)))


_TIME = 0x7106  # the salt of post times


@functools.lru_cache(maxsize=32)
def _zone(hours: int) -> dt.timezone:
    return dt.timezone(dt.timedelta(hours=hours))


def tz(account: Account) -> dt.timezone:
    return _zone(account.utc_offset)


def pid_of(account: Account, when: dt.datetime) -> int:
    return PID_BASE + int(when.timestamp()) * PID_ACCOUNTS + account.no


def account_no(pid: int) -> int:
    return pid % PID_ACCOUNTS


def _cadence(account: Account) -> tuple[int, int]:
    """(posts a day, days between posts): (n, 1) or (1, m)."""
    return _pace(account.posts_per_day)


@functools.lru_cache(maxsize=64)
def _pace(per_day: float) -> tuple[int, int]:
    if per_day >= 1:
        return min(3, round(per_day)), 1
    return 1, max(1, round(1 / per_day))


def origin(account: Account, clock: Clock) -> dt.date:
    """The day the timeline counts from: the newest post (k = 0) is dated the day before."""
    return min(clock.today, clock.anchor) - dt.timedelta(days=account.stale_days)


def post_day(account: Account, k: int, day0: dt.date) -> tuple[dt.date, int]:
    """(date, slot of the day) of post k."""
    n, m = _cadence(account)
    if m == 1:
        q, slot = divmod(k + n - 1, n)
        return day0 + dt.timedelta(days=q - 1), slot
    return day0 - dt.timedelta(days=1 + account.phase - k * m), 0


def bounds(account: Account, clock: Clock) -> tuple[int, int]:
    """(oldest k, newest k) the timeline shows on the clock's day."""
    n, m = _cadence(account)
    kmin = 1 - n * HISTORY_DAYS if m == 1 else -(HISTORY_DAYS // m)
    if account.stale_days or clock.today <= clock.anchor:
        return kmin, 0
    days = (clock.today - clock.anchor).days
    return kmin, (n * days if m == 1 else (days + account.phase) // m)


def post_time(seed: int, account: Account, k: int, day0: dt.date) -> dt.datetime:
    day, slot = post_day(account, k, day0)
    h = mix(seed, _TIME, account.no, k)
    n, _m = _cadence(account)
    hour = SLOT_HOURS[n][slot] if n > 1 else (9, 10, 11, 15, 16)[h % 5]
    return dt.datetime.combine(day, dt.time(hour, (h >> 8) % 50, (h >> 16) % 60), tz(account))


def timeline(seed: int, account: Account, clock: Clock) -> list[Stub]:
    """Every post the account shows on the clock's day, newest first (deleted ones flagged)."""
    day0 = origin(account, clock)
    kmin, kmax = bounds(account, clock)
    second = clock.epoch >= 2
    out = []
    for k in range(kmax, kmin - 1, -1):
        when = post_time(seed, account, k, day0)
        deleted = second and account.has("newmedia.post_deleted") and k == DEFECT_POST["newmedia.post_deleted"]
        edited = None
        if second and account.has("newmedia.post_edited") and k == DEFECT_POST["newmedia.post_edited"]:
            day = clock.epoch_day or clock.today
            edited = max(when + dt.timedelta(hours=1),
                         dt.datetime.combine(day, dt.time(0), tz(account)) - dt.timedelta(hours=2))
        out.append(Stub(k, when, pid_of(account, when), deleted, edited))
    return out


def item(seed: int, account: Account, stub: Stub, epoch: int) -> Item:
    """What post k says (epoch 2 adds an edit to the edited post)."""
    zh = account.language == "zh"
    r = rng_for(seed, "post", account.no, stub.k)
    defect = _DEFECT_AT.get(stub.k) if account.defects else None
    defect = defect if defect is not None and account.has(defect) else None
    if defect == "newmedia.commercial":
        out = _ad(account, r, zh)
    else:
        out = _ordinary(account, r, zh, stub, plain=defect is not None)
        if defect == "newmedia.wording":
            out.paragraphs.append(account.details[defect]["sentence"])
            out.kind = "wording"
        elif defect == "newmedia.dead_link":
            out.links = [(account.details[defect]["link"], "专题页面" if zh else "Project page")]
            out.kind = "dead_link"
    if stub.edited_at is not None:
        out.paragraphs.append(w.ZH_EDIT if zh else w.EN_EDIT)
    return out


def _ordinary(account: Account, r: Draws, zh: bool, stub: Stub, plain: bool = False) -> Item:
    org = account.organization.name_zh if zh else account.organization.name_en
    title, paras, linked = r.choice(w.ZH_POSTS if zh else w.EN_POSTS)
    tip = r.choice(w.ZH_TIPS) if zh else ("", r.choice(w.EN_TIPS))
    fill = {"org": org, "topic": r.choice(w.ZH_TOPICS if zh else w.EN_TOPICS),
            "md": f"{stub.time.month}月{stub.time.day}日", "weekday": r.choice(w.WEEKDAYS),
            "service": r.choice(w.ZH_SERVICES if zh else w.EN_SERVICES), "tip_title": tip[0], "tip": tip[1]}
    out = Item(title.format(**fill), [p.format(**fill) for p in paras])
    if linked:
        out.links = [link_target(account, r, zh)]
    out.tag = r.choice(w.ZH_TAGS if zh else w.EN_TAGS) if r.random() < 0.4 else None
    out.image = r.random() < 0.35
    if zh and account.platform == "weibo" and r.random() < 0.15 and not plain:  # a repost says little itself
        out = Item("", [w.ZH_REPOST_SAYS], repost=(w.ZH_REPOST[0], w.ZH_REPOST[1].format(topic=fill["topic"])))
    return out


def _ad(account: Account, r: Draws, zh: bool) -> Item:
    facts = account.details["newmedia.commercial"]
    title, text = w.ZH_AD if zh else w.EN_AD
    return Item(title.format(brand=facts["brand"]), [text.format(brand=facts["brand"])],
                [(facts["link"], "立即抢购" if zh else "Shop now")], image=True, kind="commercial")


def link_target(account: Account, r: Draws, zh: bool) -> tuple[str, str]:
    """A live page: the unit's own (healthy) farm site, or the national portal."""
    if account.site and r.random() < 0.5:
        return account.site, "网页链接" if zh else "Details"
    if zh:
        n = r.randrange(6_900_000, 6_999_999)
        return f"https://www.gov.cn/zhengce/content/{n}.htm", "网页链接"
    return f"https://www.usa.gov/{r.choice(('benefits', 'housing-help', 'disaster-assistance', 'scams-and-fraud'))}", \
        "Details"


# --- ids and addresses -------------------------------------------------------------------

def _mac(seed: int, pid: int) -> bytes:
    return hashlib.blake2b(f"{seed}\x1fwechat\x1f{pid}".encode(), digest_size=8).digest()


def article_key(seed: int, pid: int) -> bytes:
    """16 bytes: the post id and a keyed check, so that a token names exactly one post."""
    return pid.to_bytes(8, "big") + _mac(seed, pid)


def article_token(seed: int, pid: int) -> str:
    """The /s/{token} of a WeChat article (22 characters, base64url like the real ones)."""
    return base64.urlsafe_b64encode(article_key(seed, pid)).decode().rstrip("=")


def article_pid(seed: int, token: str | None = None, sn: str | None = None) -> int | None:
    """The post id a token or an sn names, or None when it names none of the farm's."""
    try:
        raw = (base64.urlsafe_b64decode(token + "==") if token is not None
               else bytes.fromhex(sn or ""))
    except ValueError:
        return None
    if len(raw) != 16:
        return None
    pid = int.from_bytes(raw[:8], "big")
    return pid if raw[8:] == _mac(seed, pid) else None


def biz_of(account: Account) -> str:
    """WeChat's __biz: base64 of a ten-digit account number (they all start "MzA")."""
    return base64.b64encode(str(3_000_000_000 + account.no).encode()).decode()


def post_url(seed: int, account: Account, pid: int) -> str:
    """A post's public URL on its platform (WeChat: every other account's export lists the
    long form /s?__biz=...&sn=..., the others the short /s/TOKEN; both are served)."""
    if account.platform == "weibo":
        return f"https://{c.WEIBO_HOST}/detail/{pid}"
    if account.platform == "wechat":
        if account.no % 2:
            when = (pid - PID_BASE) // PID_ACCOUNTS
            return (f"https://{c.WECHAT_HOST}/s?__biz={quote(biz_of(account), safe='')}"
                    f"&mid={2_650_000_000 + when // 60 % 100_000_000}&idx=1&sn={article_key(seed, pid).hex()}")
        return f"https://{c.WECHAT_HOST}/s/{article_token(seed, pid)}"
    if account.platform == "activitypub":
        return f"https://{c.SOCIAL_HOST}/@{account.handle}/{pid}"
    return f"https://{c.FEEDS_HOST}/{account.handle}/{pid}.html"
