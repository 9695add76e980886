"""The newmedia.* checks on hand-built captures (NewMediaEvidence): each verdict at its
thresholds, and the edges where mgov could not see enough (no capture, an unreachable or
unsupported platform, posts without dates, a window not read to its end), which are errors,
never failures of the account."""

from __future__ import annotations

import dataclasses
import datetime as dt
import random
import unicodedata

import pytest

from mgov.checks.base import Finding, Status
from mgov.checks.plugins import all_checks
from mgov.content.rules import ContentRules, fold, nfkc
from mgov.content.wording import expression_hits, visible_text
from mgov.evidence.exchange import ScanStatus, WarcRef
from mgov.evidence.newmedia import (
    AccountProfile,
    CaptureStatus,
    ChangeKind,
    Interaction,
    LinkOutcome,
    MenuItem,
    NewMediaEvidence,
    Post,
    PostChange,
    ProfileChange,
)
from mgov.evidence.site import ChannelFacts, SiteEvidence

NOW = dt.datetime(2026, 3, 16, 2, 0, tzinfo=dt.UTC)  # Monday 16 March 2026, 10:00 in Beijing
CAPTURE_REF = WarcRef("capture.warc.gz", 0, 500)
NEWMEDIA = sorted(cid for cid in all_checks() if cid.startswith("newmedia."))


def post(pid: str, days_ago: float | None, text: str = "今日召开全区安全生产工作会议。", **kw) -> Post:
    published = NOW - dt.timedelta(days=days_ago) if days_ago is not None else None
    return Post(pid, published, text, url=f"https://mp.example.cn/s/{pid}", warc=WarcRef("posts.warc.gz", len(pid), 9),
                **kw)


def profile(**kw) -> AccountProfile:
    base = {"platform": "wechat", "account_id": "gh_abc", "name": "某某区发布", "url": "https://mp.example.cn/gh_abc",
            "certification": "某某区人民政府新闻办公室", "verified": True, "followers": 1200,
            "interaction": Interaction(comments=True, messages=True)}
    return AccountProfile(**{**base, **kw})


def capture(posts=(), status=CaptureStatus.OK, **kw) -> NewMediaEvidence:
    base = {"platform": "wechat", "status": status, "captured_at": NOW, "profile": profile(), "posts": list(posts),
            "warc": [CAPTURE_REF]}
    return NewMediaEvidence(**{**base, **kw})


def site(nm: NewMediaEvidence | None, kind: str = "wechat_account", jurisdiction: str = "cn",
         attributes: dict | None = None) -> SiteEvidence:
    facts = ChannelFacts(kind=kind, address="gh_abc", host="", jurisdiction=jurisdiction, tier="county",
                         owner="cn-440301", attributes=attributes or {})
    return SiteEvidence(facts, NOW, newmedia=nm)


def run(check: str, nm: NewMediaEvidence | None, **params) -> Finding:
    return all_checks()[check].run(site(nm), params)


def weekly(n_weeks: int = 5) -> list[Post]:
    """One post every week, the newest a day old."""
    return [post(f"p{k}", 1 + 7 * k) for k in range(n_weeks)]


# --- what every new-media check shares -------------------------------------------------------

def test_the_ten_checks_are_registered_with_bilingual_metadata_and_the_capture_evidence():
    assert NEWMEDIA == ["newmedia.capture", "newmedia.commercial", "newmedia.dead_links", "newmedia.duplicates",
                        "newmedia.identity", "newmedia.interaction", "newmedia.last_update", "newmedia.post_changes",
                        "newmedia.rhythm", "newmedia.wording"]
    for cid in NEWMEDIA:
        c = all_checks()[cid]
        assert c.needs == frozenset({"newmedia"}) and c.basis and c.title_zh and c.fix_zh and c.fix_en
        assert {"wechat_account", "weibo_account", "other_social"} <= c.kinds <= {
            "wechat_account", "weibo_account", "other_social", "mini_program"}


@pytest.mark.parametrize("check", NEWMEDIA)
def test_no_capture_is_an_error_and_a_website_is_not_applicable(check):
    assert run(check, None).status is Status.ERROR
    assert all_checks()[check].run(site(capture(weekly()), kind="website")).status is Status.NOT_APPLICABLE


@pytest.mark.parametrize("check", sorted(set(NEWMEDIA) - {"newmedia.duplicates"}))
def test_an_unreachable_platform_is_an_error_to_recheck_never_a_failure(check):
    f = run(check, capture(status=CaptureStatus.UNREACHABLE, profile=None, error="timeout"))
    assert f.status is Status.ERROR and f.recheck and f.scan_status is ScanStatus.UNKNOWN_ERROR
    assert f.evidence == [CAPTURE_REF]
    unsupported = run(check, capture(status=CaptureStatus.UNSUPPORTED, profile=None))
    assert unsupported.status is Status.ERROR and not unsupported.recheck


def test_engagement_counts_are_never_read():
    few, many = capture(weekly()), capture(weekly(), profile=profile(followers=10 ** 7))
    for check in NEWMEDIA:
        a, b = run(check, few), run(check, many)
        assert (a.status, a.value) == (b.status, b.value), check
        assert "followers" not in str(a.value)


# --- newmedia.capture ---------------------------------------------------------------------------

def test_capture_passes_a_read_account_and_fails_a_vanished_one_seen_twice():
    assert run("newmedia.capture", capture(weekly())).status is Status.PASS
    partial = run("newmedia.capture", capture(weekly(), status=CaptureStatus.PARTIAL))
    assert partial.status is Status.PASS and partial.value["status"] == "partial"
    gone = run("newmedia.capture", capture(status=CaptureStatus.NOT_FOUND, profile=None, error="用户不存在"))
    assert gone.status is Status.FAIL and gone.recheck and "用户不存在" in gone.message
    # The other checks do not judge an account that is not there: newmedia.capture says it.
    other = run("newmedia.last_update", capture(status=CaptureStatus.NOT_FOUND, profile=None))
    assert other.status is Status.ERROR and "newmedia.capture" in other.message and not other.recheck


# --- newmedia.last_update -------------------------------------------------------------------------

@pytest.mark.parametrize(("days", "status", "level"), [
    (0, Status.PASS, None), (6, Status.PASS, None), (7, Status.WARN, "notice"), (9, Status.WARN, "notice"),
    (10, Status.WARN, "warning"), (13, Status.WARN, "warning"), (14, Status.FAIL, "veto"), (40, Status.FAIL, "veto")])
def test_last_update_tiers_7_10_and_the_14_day_veto(days, status, level):
    f = run("newmedia.last_update", capture([post("new", days), post("old", days + 3)]))
    assert (f.status, f.value["days_since"], f.value["level"]) == (status, days, level)
    assert f.value["newest"]["post_id"] == "new" and f.value["newest"]["url"].endswith("/new")
    assert f.evidence == [WarcRef("posts.warc.gz", 3, 9)]  # the newest post's record
    if status is Status.FAIL:
        assert "14 days" in f.message and "14 天内未更新" in f.message_zh


def test_last_update_counts_calendar_days_in_the_offices_zone():
    # 2 March 17:00 UTC is 3 March 01:00 in Beijing: 13 days before 16 March there (14 in UTC days).
    late = Post("p", dt.datetime(2026, 3, 2, 17, 0, tzinfo=dt.UTC), "会议")
    f = run("newmedia.last_update", capture([late]))
    assert (f.status, f.value["days_since"], f.value["newest"]["day"]) == (Status.WARN, 13, "2026-03-03")


def test_last_update_parameters_come_from_the_profile():
    f = run("newmedia.last_update", capture([post("a", 10)]), window_days=10, warn_days=[5])
    assert (f.status, f.value["window_days"], f.value["warn_days"]) == (Status.FAIL, 10, [5])
    assert run("newmedia.last_update", capture([post("a", 6)]), window_days=10, warn_days=[5]).status is Status.WARN


def test_an_account_that_never_posted_fails_unless_the_window_was_not_read():
    f = run("newmedia.last_update", capture([]))
    assert f.status is Status.FAIL and f.value["newest"] is None and f.value["level"] == "veto"
    cut = run("newmedia.last_update", capture([], window_complete=False))
    assert cut.status is Status.ERROR and cut.scan_status is ScanStatus.INCOMPLETE
    short = run("newmedia.last_update", capture([], window_days=7))
    assert short.status is Status.ERROR and "7 day(s)" in short.message


def test_undated_posts_are_never_counted_against_the_account():
    f = run("newmedia.last_update", capture([post("a", None), post("b", None)]))
    assert f.status is Status.ERROR and f.value["undated"] == 2
    # An undated post listed before a stale one may be newer: not assessed.
    first = run("newmedia.last_update", capture([post("u", None), post("a", 20)]))
    assert first.status is Status.ERROR and "no date" in first.message
    # Listed after it (posts come newest first), it is older: the stale one decides.
    after = run("newmedia.last_update", capture([post("a", 20), post("u", None)]))
    assert after.status is Status.FAIL and after.value["undated"] == 1


def test_a_stale_account_in_an_incomplete_capture_is_an_error_a_fresh_one_passes():
    assert run("newmedia.last_update", capture([post("a", 20)], window_complete=False)).status is Status.ERROR
    partial = run("newmedia.last_update", capture([post("a", 20)], status=CaptureStatus.PARTIAL))
    assert partial.status is Status.ERROR and partial.scan_status is ScanStatus.INCOMPLETE
    assert run("newmedia.last_update", capture([post("a", 2)], window_complete=False)).status is Status.PASS
    # A post dated after the capture (a clock ahead) is today's.
    assert run("newmedia.last_update", capture([post("a", -1)])).value["days_since"] == 0


# --- newmedia.rhythm --------------------------------------------------------------------------------

def test_rhythm_passes_a_post_every_week_and_fails_an_empty_week():
    f = run("newmedia.rhythm", capture(weekly()))
    assert f.status is Status.PASS and [w["posts"] for w in f.value["weeks"]] == [1, 1, 1, 1]
    assert f.value["weeks"][0] == {"from": "2026-03-10", "to": "2026-03-16", "posts": 1, "complete": True}
    gap = [p for p in weekly() if p.post_id != "p2"]  # nothing 15..21 days ago
    f = run("newmedia.rhythm", capture(gap))
    assert f.status is Status.FAIL and f.value["short_weeks"] == 1 and f.value["per_week"] == 0.75
    assert "2026-02-24..2026-03-02: 0" in f.message


def test_rhythm_takes_the_profiles_posts_per_week():
    f = run("newmedia.rhythm", capture(weekly()), min_posts_per_week=3)
    assert f.status is Status.FAIL and f.value["short_weeks"] == 4 and f.value["min_posts_per_week"] == 3
    busy = [post(f"d{d}", d + 0.5) for d in range(28)]
    assert run("newmedia.rhythm", capture(busy), min_posts_per_week=3).status is Status.PASS


def test_rhythm_does_not_fail_a_week_it_did_not_read():
    gap = [p for p in weekly() if p.post_id != "p3"]  # nothing 22..28 days ago
    # The capture read 14 days back: the empty week is older than that.
    f = run("newmedia.rhythm", capture(gap, window_days=14))
    assert f.status is Status.ERROR and f.value["weeks"][3]["complete"] is False
    # Cut short after p1 (8 days ago): the weeks before it were not read to their end.
    cut = run("newmedia.rhythm", capture(gap[:2], window_complete=False))
    assert cut.status is Status.ERROR and cut.scan_status is ScanStatus.INCOMPLETE
    # An empty week inside what was read fails even when the window was cut short.
    inside = [post("a", 1), post("b", 16)]
    assert run("newmedia.rhythm", capture(inside, window_complete=False)).status is Status.FAIL
    assert run("newmedia.rhythm", capture(inside, status=CaptureStatus.PARTIAL)).status is Status.ERROR
    undated = run("newmedia.rhythm", capture([*gap, post("u", None)]))
    assert undated.status is Status.ERROR and undated.value["undated"] == 1


# --- newmedia.interaction ---------------------------------------------------------------------------

def test_interaction_effective_passes_closed_fails_unknown_is_not_assessed():
    assert run("newmedia.interaction", capture(weekly())).status is Status.PASS
    closed = profile(interaction=Interaction(comments=False, messages=False, detail="留言功能已关闭"),
                     menus=[MenuItem("办事", "https://gov.example.cn/bs")])
    f = run("newmedia.interaction", capture(weekly(), profile=closed))
    assert f.status is Status.FAIL and f.value["effective"] is False
    assert "comments, messages closed" in f.message and "留言功能已关闭" in f.message
    assert f.value["menus"] == [{"name": "办事", "url": "https://gov.example.cn/bs", "kind": "link"}]
    unknown = run("newmedia.interaction", capture(weekly(), profile=profile(interaction=Interaction())))
    assert unknown.status is Status.ERROR and unknown.value["effective"] is None
    # Comments seen open on a post settle it.
    seen = [post("a", 1, comments_open=True)]
    assert run("newmedia.interaction", capture(seen, profile=profile(interaction=Interaction()))).status is Status.PASS
    assert run("newmedia.interaction", capture(weekly(), profile=None)).status is Status.ERROR


# --- newmedia.dead_links ----------------------------------------------------------------------------

def _linked() -> list[Post]:
    return [post("a", 1, links=["https://gov.example.cn/gone", "https://gov.example.cn/ok"]),
            post("b", 3, links=["https://slow.example.cn/x"])]


def test_dead_links_fail_with_the_post_or_menu_that_carries_them():
    menus = [MenuItem("办事大厅", "https://gov.example.cn/menu-gone")]
    outcomes = [LinkOutcome("https://gov.example.cn/gone", 404, False, post_id="a"),
                LinkOutcome("https://gov.example.cn/ok", 200, True, post_id="a"),
                LinkOutcome("https://slow.example.cn/x", 200, True),
                LinkOutcome("https://gov.example.cn/menu-gone", None, False, error="dns_error", where="menu")]
    f = run("newmedia.dead_links", capture(_linked(), profile=profile(menus=menus), links=outcomes))
    assert f.status is Status.FAIL and not f.recheck
    assert (f.value["dead"], f.value["dead_menus"], f.value["dead_posts"]) == (2, 1, 1)
    post_row, menu_row = f.value["dead_links"]
    assert post_row["status"] == 404 and post_row["post"]["post_id"] == "a" and post_row["post"]["day"] == "2026-03-15"
    assert menu_row["menu"] == "办事大厅" and menu_row["error"] == "dns_error"
    assert WarcRef("posts.warc.gz", 1, 9) in f.evidence


def test_transient_link_failures_are_rechecked_not_counted():
    shaky = [LinkOutcome("https://gov.example.cn/gone", 503, False, transient=True, post_id="a"),
             LinkOutcome("https://gov.example.cn/ok", 200, True), LinkOutcome("https://slow.example.cn/x", None, False,
                                                                               error="timeout", transient=True)]
    f = run("newmedia.dead_links", capture(_linked(), links=shaky))
    assert f.status is Status.WARN and f.recheck and f.value["dead"] == 0 and len(f.value["transient"]) == 2
    # The second post's link has no post id: found by the post that carries it.
    assert f.value["transient"][1]["post"]["post_id"] == "b"
    both = run("newmedia.dead_links", capture(_linked(), links=[*shaky, LinkOutcome("https://x.cn/", 410, False)]))
    assert both.status is Status.FAIL and both.recheck and both.value["dead"] == 1


def test_dead_links_pass_when_every_link_answers_and_error_when_none_was_checked():
    fine = [LinkOutcome(u, 200, True) for p in _linked() for u in p.links]
    assert run("newmedia.dead_links", capture(_linked(), links=fine)).status is Status.PASS
    f = run("newmedia.dead_links", capture(_linked()))
    assert f.status is Status.ERROR and f.value["unchecked"] == 3
    assert run("newmedia.dead_links", capture(weekly())).status is Status.PASS  # no link at all


# --- newmedia.wording ------------------------------------------------------------------------------

def test_wording_finds_what_the_website_dictionary_finds_and_warns_for_a_reviewer():
    text = "国务院总里主持召开常务会议，部署依法制国工作。"
    f = run("newmedia.wording", capture([post("a", 1, text), post("b", 2)]))
    assert f.status is Status.WARN and (f.value["total"], f.value["posts"]) == (2, 1)
    # The same dictionary the crawl's content.expressions reads (mgov.content.rules).
    website, _ = expression_hits(visible_text(text), ContentRules())
    assert [h["term"] for h in f.value["hits"]] == [h.term for h in website] == ["国务院总里", "依法制国"]
    hit = f.value["hits"][0]
    assert (hit["post_id"], hit["where"], hit["suggestion"], hit["kind"]) == ("a", "text", "国务院总理", "misspelling")
    assert "国务院总里主持" in hit["context"] and hit["published"].startswith("2026-03-15")
    assert f.evidence == [WarcRef("posts.warc.gz", 1, 9)] and "国务院总里" in f.message_zh


def test_wording_reads_titles_english_and_the_account_page_and_passes_clean_posts():
    assert run("newmedia.wording", capture(weekly())).status is Status.PASS
    f = run("newmedia.wording", capture([post("a", 1, "A note", title="County Goverment notice")],
                                        profile=profile(description="人民政俯发布")))
    assert {(h["where"], h["term"]) for h in f.value["hits"]} == {("title", "Goverment"),
                                                                 ("profile.description", "人民政俯")}


def test_wording_takes_forbidden_terms_from_the_profile_and_the_channel():
    posts = [post("a", 1, "本周推出某某禁用语专题。")]
    assert run("newmedia.wording", capture(posts)).status is Status.PASS
    by_profile = run("newmedia.wording", capture(posts), content_rules={"forbidden": ["某某禁用语"]})
    assert by_profile.status is Status.WARN and by_profile.value["hits"][0]["kind"] == "forbidden"
    own = {"content_rules": {"forbidden": ["某某禁用语"]}}
    by_channel = all_checks()["newmedia.wording"].run(site(capture(posts), attributes=own), {})
    assert by_channel.status is Status.WARN
    broken = all_checks()["newmedia.wording"].run(site(capture(posts), attributes={"content_rules": {"nope": 1}}), {})
    assert broken.status is Status.ERROR and "unknown content rule" in broken.message


# --- newmedia.commercial ---------------------------------------------------------------------------

def test_commercial_content_warns_with_the_words_and_shop_links():
    posts = [post("a", 1, "年货节限时抢购，点击购买享包邮！"),
             post("b", 2, "Use promo code GOV10 #ad"),
             post("c", 3, "详见链接", links=["https://item.taobao.com/item.htm?id=1"]),
             post("d", 4, "市场监管局依法打击虚假广告和违法促销行为。Read the report.")]
    f = run("newmedia.commercial", capture(posts))
    assert f.status is Status.WARN and f.value["posts"] == 3
    found = {(h["post_id"], h["term"]) for h in f.value["hits"]}
    assert found == {("a", "限时抢购"), ("a", "点击购买"), ("a", "包邮"), ("b", "promo code"), ("b", "#ad"),
                     ("c", "taobao.com")}
    assert all(h["post_id"] != "d" for h in f.value["hits"])  # regulation news is no advertising
    assert run("newmedia.commercial", capture(posts[3:])).status is Status.PASS
    own = run("newmedia.commercial", capture(posts[3:]), words=["虚假广告"], hosts=[])
    assert own.status is Status.WARN and own.value["hits"][0]["context"].startswith("市场监管局")


# --- newmedia.identity, newmedia.duplicates, newmedia.post_changes ------------------------------------

def test_identity_fails_an_unfiled_change_and_notes_a_filed_one():
    renamed = ProfileChange("name", "某某区发布", "某某生活圈", filed=False, seen_at=NOW)
    certified = ProfileChange("certification", "某某区人民政府新闻办公室", "某某区融媒体中心", filed=True)
    f = run("newmedia.identity", capture(weekly(), profile_changes=[renamed, certified]))
    assert f.status is Status.FAIL and [r["field"] for r in f.value["unfiled"]] == ["name"]
    assert "'某某区发布' -> '某某生活圈'" in f.message and "名称由“某某区发布”变为“某某生活圈”" in f.message_zh
    filed = run("newmedia.identity", capture(weekly(), profile_changes=[certified]))
    assert filed.status is Status.PASS and "changed and filed" in filed.message and filed.value["filed"]
    first = run("newmedia.identity", capture(weekly()))
    assert first.status is Status.PASS and first.value["compared"] is False
    assert run("newmedia.identity", capture(weekly(), previous_profile=profile())).value["compared"] is True


def test_duplicates_name_the_siblings_whatever_the_platform_answered():
    f = run("newmedia.duplicates", capture(weekly(), siblings=["gh_zzz", "gh_yyy"]))
    assert f.status is Status.FAIL and f.value["siblings"] == ["gh_yyy", "gh_zzz"] and "gh_yyy, gh_zzz" in f.message
    assert run("newmedia.duplicates", capture(weekly())).status is Status.PASS
    down = capture(status=CaptureStatus.UNREACHABLE, profile=None, siblings=["gh_zzz"])
    assert run("newmedia.duplicates", down).status is Status.FAIL


def test_post_changes_warn_with_digests_before_and_after():
    edited_now = post("a", 1, "更正后的内容")
    changes = [PostChange("a", ChangeKind.EDITED, NOW, "sha256:old", edited_now.digest, before_text="原来的内容"),
               PostChange("z", ChangeKind.DELETED, NOW, "sha256:gone", None, before_text="已删除的内容"),
               PostChange("r", ChangeKind.RESTORED, NOW, None, "sha256:back")]
    f = run("newmedia.post_changes", capture([edited_now], changes=changes))
    assert f.status is Status.WARN and f.value["counts"] == {"edited": 1, "deleted": 1, "restored": 1}
    edited = f.value["edited"][0]
    assert (edited["before_digest"], edited["after_digest"], edited["before_text"]) == (
        "sha256:old", edited_now.digest, "原来的内容")
    assert edited["post"]["url"].endswith("/a") and f.value["deleted"][0]["after_digest"] is None
    assert "a, z" in f.message and f.evidence == [WarcRef("posts.warc.gz", 1, 9)]
    assert run("newmedia.post_changes", capture([edited_now], changes=changes[2:])).status is Status.PASS
    assert run("newmedia.post_changes", capture(weekly())).status is Status.PASS


def test_values_are_json_and_findings_never_raise_on_odd_captures():
    odd = capture([post("a", 1, "", title=""), dataclasses.replace(post("b", None), links=["not a url"])],
                  links=[LinkOutcome("not a url", None, False, error="invalid")])
    for check in NEWMEDIA:
        f = run(check, odd)
        assert not f.message.startswith("check failed"), (check, f.message)


def test_the_quick_nfkc_the_checks_and_the_crawl_share_is_nfkc():
    """content.rules.nfkc skips unicodedata's slow path; it must give the same text."""
    pool = [chr(c) for c in (*range(0x20, 0x250), *range(0x300, 0x370), *range(0x3000, 0x3040),
                             *range(0x4E00, 0x4E40), *range(0xFF00, 0xFFEF), 0xFB01, 0x2460, 0x212B)]
    rng = random.Random(17)
    for _ in range(3000):
        text = "".join(rng.choice(pool) for _ in range(rng.randint(0, 40)))
        assert nfkc(text) == unicodedata.normalize("NFKC", text), repr(text)
    assert fold("ＧＯＶＥＲＭＥＮＴ，国务院总里") == "goverment,国务院总里"
