"""The capture pass with a live adapter: a tiny platform of the test's own on loopback, read by a
test-local adapter through the run's client (so every exchange is archived and passes the SSRF
guard), as the real adapters are. Tombstones, a window read only in part, and an account the
platform does not know."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

from mgov import clock
from mgov.collect.platforms import base
from mgov.collect.platforms.base import AccountCapture, AccountRef, CaptureLimits
from mgov.collect.site import CollectContext
from mgov.collect.warc import read_record
from mgov.evidence.newmedia import AccountProfile, CaptureStatus, Post
from newmedia_world import D1, evidence_of, probe_check  # noqa: F401 - a fixture
from render_world import Server, serve

pytestmark = pytest.mark.usefixtures("probe_check")  # every capture here stores its evidence

TIMELINE: dict[str, Any] = {}  # what the platform serves now, per account
HELD: dict[str, tuple[str, ...]] = {}  # the post ids mgov told the adapter it holds, per account


class LoopbackAdapter:
    """Reads `testplat:NAME` accounts from GET {base_url}/timeline?account=NAME."""

    name = "testplat"

    def handles(self, account: AccountRef) -> bool:
        return account.address.startswith("testplat:") and "base_url" in account.attributes

    async def capture(self, account: AccountRef, ctx: CollectContext, limits: CaptureLimits,
                      now: dt.datetime) -> AccountCapture:
        name = account.address.partition(":")[2]
        HELD[name] = account.known_post_ids
        ex = await ctx.client.exchange(f"{account.attributes['base_url']}/timeline?account={name}")
        if ex.status != 200:
            why = ex.error.value if ex.error else f"HTTP {ex.status}"
            return AccountCapture(CaptureStatus.UNREACHABLE, error=why, warc=ex.refs)
        doc = json.loads(ex.body)
        if not doc.get("ok"):
            return AccountCapture(CaptureStatus.NOT_FOUND, error=doc.get("msg"), warc=ex.refs)
        posts = [Post(p["id"], dt.datetime.fromisoformat(p["at"]), p["text"], warc=ex.response_ref)
                 for p in doc["posts"]]
        return AccountCapture(CaptureStatus.OK, AccountProfile("testplat", name, doc["name"], verified=False),
                              posts, window_complete=doc["complete"], warc=ex.refs, deleted_ids=doc["tombstones"])


@pytest.fixture
def platform(monkeypatch: pytest.MonkeyPatch) -> Any:
    real = base.all_adapters()
    monkeypatch.setattr(base, "all_adapters", lambda: (LoopbackAdapter(), *real))

    async def timeline(request: web.Request) -> web.Response:
        doc = TIMELINE.get(request.query.get("account", ""), {"ok": 0, "msg": "用户不存在"})
        return web.json_response(doc)

    server: Server = serve({"/timeline": timeline})
    yield server
    server.stop()
    TIMELINE.clear()
    HELD.clear()


def show(name: str, posts: list[tuple[str, int, str]], complete: bool = True, tombstones: list[str] | None = None,
         ) -> None:
    TIMELINE[name] = {"ok": 1, "name": "测试发布", "complete": complete, "tombstones": tombstones or [],
                      "posts": [{"id": i, "at": (D1 - dt.timedelta(days=d)).isoformat(), "text": t}
                                for i, d, t in posts]}


def test_a_live_platform_through_the_runs_client(cli, engine, platform):
    cli("org", "add", "cn-t", "-j", "cn", "--tier", "county", "--name-zh", "测试县")
    attr = f"base_url=http://127.0.0.1:{platform.port}"
    cli("channel", "add", "other_social", "testplat:fabu", "--owner", "cn-t", "--attr", attr)
    cli("channel", "add", "other_social", "testplat:gone", "--owner", "cn-t", "--attr", attr)

    def capture(day: int) -> tuple[dict[str, Any], dict[str, Any]]:
        with clock.fixed(D1 + dt.timedelta(days=day)):
            run = json.loads(cli("capture", "--allow-private", "--json").stdout)["run"]
        return evidence_of(engine, run, "testplat:fabu"), evidence_of(engine, run, "testplat:gone")

    show("fabu", [("t1", 1, "一"), ("t2", 2, "二"), ("t3", 5, "三")])
    first, gone = capture(0)
    assert (first["status"], first["source"], first["platform"], first["posts"]) == ("ok", "live", "testplat",
                                                                                     ["t1", "t2", "t3"])
    assert (gone["status"], gone["error"], gone["posts"]) == ("not_found", "用户不存在", [])
    assert HELD == {"fabu": (), "gone": ()}
    # The platform says t2 was deleted (a tombstone), and t1 was edited.
    show("fabu", [("t1", 1, "一（更正）"), ("t3", 5, "三")], tombstones=["t2"])
    assert capture(1)[0]["changes"] == [["t1", "edited", "一"], ["t2", "deleted", "二"]]
    assert HELD["fabu"] == ("t1", "t2", "t3")  # what mgov held of the window, newest first
    # Only the newest page was read: what is older than it is not called deleted...
    show("fabu", [("t1", 1, "一（更正）")], complete=False)
    partial = capture(2)[0]
    assert partial["window_complete"] is False and partial["changes"] == []
    # ...but once the window is read whole, a post of it that is gone is.
    show("fabu", [("t1", 1, "一（更正）")])
    assert capture(3)[0]["changes"] == [["t3", "deleted", "三"]]
    assert HELD["fabu"] == ("t1", "t3")  # t2 is known deleted: not asked about again
    listed = {r["post_id"]: (r["versions"], r["deleted"]) for r in json.loads(cli("posts", "--json").stdout)}
    assert listed == {"t1": (2, False), "t2": (1, True), "t3": (1, True)}


def test_every_exchange_is_archived(cli, engine, platform):
    from sqlalchemy import select

    from mgov.db.tables import POST_VERSIONS

    cli("org", "add", "cn-t", "-j", "cn", "--tier", "county", "--name-zh", "测试县")
    cli("channel", "add", "other_social", "testplat:fabu", "--owner", "cn-t",
        "--attr", f"base_url=http://127.0.0.1:{platform.port}")
    show("fabu", [("t1", 1, "一")])
    with clock.fixed(D1):
        refused = json.loads(cli("capture", "--json").stdout)  # loopback without --allow-private: refused
        blocked = evidence_of(engine, refused["run"])
        assert (blocked["status"], blocked["error"], blocked["posts"]) == ("unreachable", "blocked_address", [])
        run = json.loads(cli("capture", "--allow-private", "--json").stdout)["run"]
    assert evidence_of(engine, run)["warc"] == 2  # the request and the response
    with engine.connect() as conn:
        ref = conn.execute(select(POST_VERSIONS.c.warc)).scalar_one()
    record = read_record(Path(cli.env["MGOV_HOME"]) / "archive", ref)
    assert record.rec_type == "response" and b'"t1"' in record.payload
