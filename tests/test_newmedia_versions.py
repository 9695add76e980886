"""The rules the capture applies to what it reads, without a database: which posts are edited,
deleted or restored; what makes a new profile version; which identity changes are filed."""

from __future__ import annotations

import dataclasses
import datetime as dt

from mgov.evidence.newmedia import AccountProfile, CaptureStatus, Interaction, Post
from mgov.newmedia.identity import FiledEvent, event_fields, profile_changes, registry_identity
from mgov.newmedia.versions import StoredPost, post_changes, profile_digest, profile_from_dict, read_whole_since

NOW = dt.datetime(2026, 12, 6, 12, 0, tzinfo=dt.UTC)


def post(pid: str, days: float, text: str = "x") -> Post:
    return Post(pid, NOW - dt.timedelta(days=days), text)


def stored(p: Post, deleted: bool = False) -> StoredPost:
    return StoredPost(p.digest, p.published, deleted)


def test_what_counts_as_edited_deleted_and_restored() -> None:
    a, b, c, old, undated = post("a", 1), post("b", 3), post("c", 5), post("old", 40), Post("u", None, "undated")
    held = {"a": stored(a), "b": stored(b), "c": stored(c, deleted=True), "old": stored(old), "u": stored(undated)}
    seen = [dataclasses.replace(a, text="edited"), c]
    since = read_whole_since(CaptureStatus.OK, seen, True, 30, NOW)
    changes = {(ch.post_id, ch.kind.value) for ch in post_changes(held, seen, [], since, NOW)}
    # b gone within the window; old is outside it and u has no date: neither is called deleted.
    assert changes == {("a", "edited"), ("c", "restored"), ("b", "deleted")}
    # Read only in part (newest page): only what is newer than the oldest post read can be missed.
    assert read_whole_since(CaptureStatus.OK, [a], False, 30, NOW) == a.published
    assert {ch.post_id for ch in post_changes(held, [a], [], a.published, NOW)} == set()
    # Not ok: nothing is deleted for being absent, but the platform's own word counts.
    assert read_whole_since(CaptureStatus.PARTIAL, seen, True, 30, NOW) is None
    told = post_changes(held, [], ["old", "nobody", "c"], None, NOW)
    assert [(ch.post_id, ch.kind.value) for ch in told] == [("old", "deleted")]
    assert post_changes(held, [a, a], [], None, NOW) == []  # a repeated post is read once


def test_a_profile_version_ignores_what_only_describes() -> None:
    profile = AccountProfile("weibo", "1", "北京发布", followers=100,
                             interaction=Interaction(True, None, None, "7 of 7"))
    busier = dataclasses.replace(profile, followers=120, interaction=Interaction(True, None, None, "6 of 6"))
    assert profile_digest(profile) == profile_digest(busier)
    assert profile_digest(profile) != profile_digest(dataclasses.replace(profile, description="新简介"))
    back = profile_from_dict({**dataclasses.asdict(profile), "future_field": 1})
    assert back == profile


def test_identity_changes_and_their_filing() -> None:
    before = AccountProfile("weibo", "1", "北京发布", certification="北京市人民政府新闻办公室", verified=True)
    seen_at = NOW - dt.timedelta(days=1)
    registry = registry_identity("北京发布（微博）", {"certification": "北京市人民政府新闻办公室"})
    assert profile_changes(before, before, seen_at, registry, [], NOW) == []
    lost = dataclasses.replace(before, certification=None, verified=False)
    assert [(c.field, c.before, c.after, c.filed) for c in profile_changes(lost, before, seen_at, registry, [], NOW)] \
        == [("certification", "北京市人民政府新闻办公室", None, False)]
    unknown = dataclasses.replace(before, certification=None, verified=None, name="")
    assert profile_changes(unknown, before, seen_at, registry, [], NOW) == []
    renamed = dataclasses.replace(before, name="北京新闻")
    filed = FiledEvent(NOW - dt.timedelta(hours=2), None, event_fields({"fields": {"name": ["北京发布", "北京新闻"]}}))
    stale = dataclasses.replace(filed, recorded_at=NOW - dt.timedelta(days=3))
    other = FiledEvent(NOW, None, event_fields({"fields": {"tags": [[], ["x"]]}}))
    noted = FiledEvent(NOW, None, event_fields({}))  # a 变更 filed with a note only: covers every field
    agrees = registry_identity("北京新闻", {})

    def filed_with(*events: FiledEvent, reg: dict[str, str | None] = agrees) -> list[bool]:
        return [c.filed for c in profile_changes(renamed, before, seen_at, reg, events, NOW)]

    assert filed_with(filed) == [True] and filed_with(noted) == [True]
    assert filed_with(stale) == [False] and filed_with(other) == [False]
    assert filed_with(filed, reg=registry) == [False]  # the event filed something, but the registry says otherwise
    assert event_fields({"fields": {"attributes": [{"avatar": "a", "x": 1}, {"avatar": "b", "x": 1}]}}) == frozenset(
        {"attributes.avatar"})
