"""New media over the demo farm, end to end: the farm's Weibo, WeChat, feed and Mastodon-like
platforms on loopback under their real host names (the farm's DNS and CA), read by mgov's
real adapters through `mgov capture`'s run kind, judged by the newmedia.* checks and stored.

Every new-media defect of the manifest is reported by its check and nothing is flagged on an
account without one, in both epochs (the second brings a rename, a new certification, an
edited and a deleted post); the edited and the deleted post keep every version; `mgov
discover` lists exactly the farm's unregistered accounts that claim a unit."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from mgov.config import load_settings
from mgov.db.captures import POST_CHANGES, POST_VERSIONS, POSTS
from mgov.db.tables import CHANNELS, DISCOVERED
from mgov.demo.farm import generate, run_in_thread
from mgov.demo.verify import verify_capture
from mgov.discover.service import run_discovery
from mgov.runs import store
from mgov.runs.select import run_params
from mgov.runs.service import execute_run, start_run
from test_scan_farm import register, routing

pytestmark = pytest.mark.heavy  # a farm with its platforms and two captures of every account

SEED, SITES = 1, 12  # every new-media defect is seeded from 10 sites on (docs/demo-farm.md)


@pytest.fixture(scope="module")
def farm(tmp_path_factory):
    manifest = generate(SEED, SITES, exports_dir=tmp_path_factory.mktemp("exports"))
    with run_in_thread(manifest) as running:
        yield running


def capture(engine, settings, farm, addresses):
    run_id = start_run(engine, run_params(kind="capture", channels=addresses, routing=routing(farm),
                                           limits={"platform_rate": 500.0}))
    result = execute_run(engine, settings, run_id)
    assert result["channels"] == len(addresses)
    with engine.connect() as conn:
        rows = store.findings_of(conn, run_id=run_id)
    by_address: dict = {}
    for r in rows:
        by_address.setdefault(r["address"], {})[r["check_id"]] = r
    return by_address


def test_capture_reports_every_newmedia_defect_and_keeps_every_version(engine, farm, tmp_path):
    m = farm.manifest
    registered = [a for a in m.accounts if a.registered]
    assert {d for a in registered for d in a.defects}, "the farm seeds new-media defects"
    register(engine, m, tmp_path)
    settings = load_settings(home=tmp_path / "home")
    addresses = [a.address for a in registered]

    first = capture(engine, settings, farm, addresses)
    report = verify_capture(m, first, epoch=1)
    detail = json.dumps(report.as_dict(), ensure_ascii=False, indent=1)[:6000]
    assert report.missed == [] and report.false_alarms == [], detail
    assert report.detected == report.defects > 0

    farm.set_epoch(2)
    try:
        second = capture(engine, settings, farm, addresses)
    finally:
        farm.set_epoch(1)
    report = verify_capture(m, second, epoch=2)
    detail = json.dumps(report.as_dict(), ensure_ascii=False, indent=1)[:6000]
    assert report.missed == [] and report.false_alarms == [], detail
    assert report.detected == report.defects > 0

    # The edited and the deleted post: both kept, with every version and the change recorded.
    with engine.connect() as conn:
        changes = conn.execute(select(POST_CHANGES.c.post_row_id, POST_CHANGES.c.kind)).all()
        assert {"edited", "deleted"} <= {kind for _, kind in changes}, changes
        posts = conn.execute(select(POSTS)).mappings().all()
        versions = conn.execute(select(POST_VERSIONS)).mappings().all()
    deleted = [p for p in posts if p["deleted_at"] is not None]
    assert deleted, "the deleted post is still kept, marked deleted"
    per_post: dict = {}
    for v in versions:
        per_post.setdefault(v["post_row_id"], []).append(v)
    edited = {row_id for row_id, kind in changes if kind == "edited"}
    assert edited and all(len(per_post[row_id]) >= 2 for row_id in edited), "an edited post keeps both versions"
    for p in deleted:
        assert per_post.get(p["id"]), "a deleted post keeps its versions"
    # The second capture, seconds after the first, read again only the posts of the last
    # reread_days (7): the older ones were judged as mgov kept them, their last sighting kept,
    # and none of them was taken for deleted.
    assert len(deleted) == sum(1 for a in registered if "newmedia.post_deleted" in a.defects)
    kept = [p for p in posts if p["deleted_at"] is None and p["last_seen"] == p["first_seen"]]
    again = [p for p in posts if p["last_seen"] > p["first_seen"]]
    assert kept and again
    with engine.connect() as conn:
        kinds = {r.id: r.kind if r.kind != "other_social" else r.address.split(":", 1)[0]
                 for r in conn.execute(select(CHANNELS.c.id, CHANNELS.c.kind, CHANNELS.c.address))}
    # Weibo's timeline, WeChat's article pages and the Mastodon outbox; a feed is read whole.
    assert {kinds[p["channel_id"]] for p in kept} == {"weibo_account", "wechat_account", "mastodon"}
    for channel in {p["channel_id"] for p in kept}:  # an account's timeline read down to its older posts
        newer = [p["published"] for p in again if p["channel_id"] == channel]  # none on a stale account
        assert all(p["published"] < min(newer) for p in kept if p["channel_id"] == channel and newer)


def test_discover_lists_exactly_the_unregistered_accounts(engine, farm, tmp_path):
    m = farm.manifest
    register(engine, m, tmp_path)
    settings = load_settings(home=tmp_path / "home")
    expected = {(e["kind"], e["address"]) for e in m.discover_entries()}
    assert expected, "the farm has accounts that claim a unit without being registered"
    result = run_discovery(engine, settings, routing(farm), search_hosts=("social.gov-farm.example",))
    assert not result.errors, result.errors
    with engine.connect() as conn:
        found = {(r.kind, r.address) for r in conn.execute(select(DISCOVERED))}
    assert found == expected
