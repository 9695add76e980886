"""The capture pass end to end through `mgov capture` and the generic import: posts keep every
version, edits and deletions are found and kept, nothing new adds no row, the profile's
identity changes are filed or not as the registry says, siblings and link outcomes fill the
evidence, bad and GBK files lose nothing but their bad rows, and a killed capture resumes."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from mgov import clock
from mgov.db.tables import ACCOUNT_PROFILES, POST_CHANGES, POST_VERSIONS, POSTS, SCAN_ITEMS
from newmedia_world import D1, account_csv, evidence_of, posts_csv, probe_check  # noqa: F401 - a fixture
from render_world import serve

pytestmark = pytest.mark.usefixtures("probe_check")  # every capture here stores its evidence

DAY = dt.timedelta(days=1)
ACCOUNT = "douyin:ceshi_fabu"


def days_ago(n: float) -> dt.datetime:
    return D1 - dt.timedelta(days=n)


def capture(cli: Any, at: dt.datetime, *args: str, code: int = 0) -> Any:
    with clock.fixed(at):
        out = cli("capture", *args, "--json", code=code)
    return json.loads(out.stdout) if code == 0 else out


def counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {t.name: conn.execute(select(func.count()).select_from(t)).scalar_one()
                for t in (ACCOUNT_PROFILES, POSTS, POST_VERSIONS, POST_CHANGES)}


@pytest.fixture
def account(cli: Any) -> str:
    cli("org", "add", "cn-t", "-j", "cn", "--tier", "county", "--name-zh", "测试县")
    cli("channel", "add", "other_social", ACCOUNT, "--owner", "cn-t", "--name", "测试发布（抖音）")
    return ACCOUNT


def test_edited_and_deleted_posts_are_kept_with_every_version(cli, engine, tmp_path, account):
    first = [{"post_id": "a1", "published": days_ago(1), "title": "通知", "text": "第一版正文"},
             {"post_id": "b2", "published": days_ago(2), "text": "将被删除的帖文"},
             {"post_id": "c3", "published": days_ago(3), "text": "不变的帖文", "comments_open": "是"}]
    r1 = capture(cli, D1, "--channel", account, "--import", str(posts_csv(tmp_path / "day1.csv", first)))
    assert r1["captured"] == {"profiles": 0, "posts": 3, "versions": 3, "edited": 0, "deleted": 0, "restored": 0}
    ev1 = evidence_of(engine, r1["run"])
    assert (ev1["status"], ev1["source"], ev1["platform"]) == ("ok", "import", "import:douyin")
    assert ev1["posts"] == ["a1", "b2", "c3"] and ev1["profile"] is None  # no account facts: no profile
    assert ev1["changes"] == [] and ev1["post_warc"] == [True, True, True] and ev1["warc"] == 1

    # Day 2: the office's new export has a1 edited and b2 gone.
    second = [{**first[0], "text": "第二版正文"}, first[2]]
    day2 = posts_csv(tmp_path / "day2.csv", second)
    r2 = capture(cli, D1 + DAY, "--channel", account, "--import", str(day2))
    assert r2["captured"] == {"profiles": 0, "posts": 0, "versions": 1, "edited": 1, "deleted": 1, "restored": 0}
    ev2 = evidence_of(engine, r2["run"])
    assert ev2["changes"] == [["a1", "edited", "第一版正文"], ["b2", "deleted", "将被删除的帖文"]]

    listed = json.loads(cli("posts", "--channel", account, "--format", "json").stdout)
    assert {r["post_id"]: (r["versions"], r["edits"], r["deleted"]) for r in listed} == {
        "a1": (2, 1, False), "b2": (1, 0, True), "c3": (1, 0, False)}
    versions = json.loads(cli("posts", "--channel", account, "--versions", "a1", "--format", "json").stdout)
    assert [(v["version"], v["change"], v["text"]) for v in versions] == [(1, "first seen", "第一版正文"),
                                                                         (2, "edited", "第二版正文")]
    gone = json.loads(cli("posts", "--channel", account, "--versions", "b2", "--format", "json").stdout)
    assert [(v["version"], v["change"]) for v in gone] == [(1, "first seen"), (None, "deleted")]
    assert [r["post_id"] for r in json.loads(cli("posts", "--changed", "--format", "json").stdout)] == ["a1", "b2"]

    # Day 3: the same file again: nothing new, no new row (only when each was last seen moves).
    before = counts(engine)
    r3 = capture(cli, D1 + 2 * DAY, "--channel", account, "--import", str(day2))
    assert set(r3["captured"].values()) == {0} and counts(engine) == before
    assert evidence_of(engine, r3["run"])["changes"] == []
    with engine.connect() as conn:
        seen = {r.post_id: r.last_seen for r in conn.execute(select(POSTS.c.post_id, POSTS.c.last_seen))}
    assert {k: v.replace(tzinfo=None) for k, v in seen.items()} == {
        "a1": (D1 + 2 * DAY).replace(tzinfo=None), "b2": D1.replace(tzinfo=None),
        "c3": (D1 + 2 * DAY).replace(tzinfo=None)}

    # Day 4: b2 is back: restored, with no new version (its content is the one kept).
    r4 = capture(cli, D1 + 3 * DAY, "--channel", account, "--import",
                 str(posts_csv(tmp_path / "day4.csv", [*second, first[1]])))
    assert r4["captured"]["restored"] == 1 and r4["captured"]["versions"] == 0
    assert evidence_of(engine, r4["run"])["changes"] == [["b2", "restored", None]]
    with engine.connect() as conn:
        kinds = conn.execute(select(POST_CHANGES.c.kind).order_by(POST_CHANGES.c.id)).scalars().all()
    assert kinds == ["edited", "deleted", "restored"]
    table = cli("posts", "--channel", account).stdout
    assert "a1" in table and "第二版正文" not in table and "通知" in table


def test_a_rename_is_unfiled_until_the_registry_records_it(cli, engine, tmp_path, account):
    posts = posts_csv(tmp_path / "posts.csv", [{"post_id": "1", "published": days_ago(1), "text": "正文"}])

    def day(n: int, **facts: str) -> dict[str, Any]:
        account_csv(posts, **{"name": "测试发布", "certification": "测试县人民政府", **facts})
        result = capture(cli, D1 + n * DAY, "--channel", account, "--import", str(posts))
        return evidence_of(engine, result["run"])

    # The registry's name carries a note in brackets: the account's own name matches it.
    assert day(0)["profile_changes"] == []
    renamed = day(1, name="测试新闻")
    assert (renamed["previous"], renamed["profile"]) == ("测试发布", "测试新闻")
    assert renamed["profile_changes"] == [["name", "测试发布", "测试新闻", False]]
    # Still unfiled a day later: now against the registry, which says otherwise.
    assert day(2, name="测试新闻")["profile_changes"] == [["name", "测试发布（抖音）", "测试新闻", False]]
    with clock.fixed(D1 + 2 * DAY + dt.timedelta(hours=2)):
        cli("channel", "edit", account, "--name", "测试新闻")
    assert day(3, name="测试新闻")["profile_changes"] == []
    # Filed before the platform shows it: the change is seen, and filed.
    with clock.fixed(D1 + 3 * DAY + dt.timedelta(hours=2)):
        cli("channel", "edit", account, "--name", "测试之声")
    assert day(4, name="测试之声")["profile_changes"] == [["name", "测试新闻", "测试之声", True]]
    # A new certification: not filed; then filed as the registry's attribute.
    assert day(5, name="测试之声", certification="测试县融媒体中心")["profile_changes"] == [
        ["certification", "测试县人民政府", "测试县融媒体中心", False]]
    with clock.fixed(D1 + 5 * DAY + dt.timedelta(hours=2)):
        cli("channel", "edit", account, "--attr", "certification=测试县融媒体中心")
    assert day(6, name="测试之声", certification="测试县融媒体中心")["profile_changes"] == []
    with clock.fixed(D1 + 6 * DAY + dt.timedelta(hours=2)):
        cli("channel", "edit", account, "--attr", "certification=测试县新闻中心")
    assert day(7, name="测试之声", certification="测试县新闻中心")["profile_changes"] == [
        ["certification", "测试县融媒体中心", "测试县新闻中心", True]]
    with engine.connect() as conn:  # one row per distinct profile, seen from first to last
        rows = conn.execute(select(ACCOUNT_PROFILES.c.first_seen, ACCOUNT_PROFILES.c.last_seen)
                            .order_by(ACCOUNT_PROFILES.c.id)).all()
    assert len(rows) == 5
    assert rows[1].first_seen.replace(tzinfo=None) == (D1 + DAY).replace(tzinfo=None)
    assert rows[1].last_seen.replace(tzinfo=None) == (D1 + 3 * DAY).replace(tzinfo=None)


def test_siblings_and_every_link_of_posts_and_menus(cli, engine, tmp_path, account):
    async def gone(request: Any) -> Any:
        from aiohttp import web

        return web.Response(status=404, text="not here")

    server = serve({"/gone": gone})
    try:
        cli("channel", "add", "other_social", "douyin:ceshi_two", "--owner", "cn-t")
        cli("channel", "add", "other_social", "douyin:ceshi_old", "--owner", "cn-t")
        cli("channel", "close", "douyin:ceshi_old")
        cli("channel", "add", "wechat_account", "gh_ceshi", "--owner", "cn-t")
        cli("org", "add", "cn-u", "-j", "cn", "--tier", "county", "--name-zh", "另一县")
        cli("channel", "add", "other_social", "douyin:other_unit", "--owner", "cn-u")
        base = f"http://127.0.0.1:{server.port}"
        posts = posts_csv(tmp_path / "posts.csv", [
            {"post_id": "1", "published": days_ago(1), "text": f"详见 {base}/ok 。", "links": f"{base}/gone"}])
        account_csv(posts, name="测试发布", menus=f"办事|{base}/menu;留言||consult")
        result = capture(cli, D1, "--channel", account, "--import", str(posts), "--allow-private")
        ev = evidence_of(engine, result["run"])
    finally:
        server.stop()
    assert ev["siblings"] == ["douyin:ceshi_two"]
    assert ev["links"] == [[f"{base}/gone", False, "post", "1", "4xx"], [f"{base}/menu", True, "menu", None, None],
                           [f"{base}/ok", True, "post", "1", None]]
    assert server.hits.count("/gone") <= 2  # HEAD then GET at most: checked once per run


def test_a_gbk_file_with_bad_rows_keeps_the_good_ones(cli, engine, tmp_path, account):
    lines = ["post_id,published,title,text,url,links,media,comments_open,original,deleted",
             f"g1,{days_ago(1).isoformat()},政务公开,今日发布：全县政务服务事项清单,,,,是,是,",
             "g2,昨天,,发布时间写错了,,,,,,",
             "g3,2026-11-28,,列数不对",
             f"g4,{days_ago(2).isoformat()},,第二条好帖文,,,,否,,",
             "g5,2026-11-27,,",
             f"g6,{days_ago(3).isoformat()},,第三条好帖文,,,,,,"]
    raw = "\n".join(lines).encode("gbk").replace(b"g5,2026-11-27,,", b"g5,2026-11-27,,\xff\xfe,,,,,,")
    path = tmp_path / "gbk.csv"
    path.write_bytes(raw + b"\n")
    with clock.fixed(D1):
        out = cli("capture", "--channel", account, "--import", str(path), "--json")
    assert "3 row(s) cannot be read" in out.stderr and "line 6: bytes that are not GB18030" in out.stderr
    ev = evidence_of(engine, json.loads(out.stdout)["run"])
    assert ev["status"] == "partial" and ev["posts"] == ["g1", "g4", "g6"]
    assert "line 3: published: '昨天'" in ev["error"] and "line 4: expected 10 fields" in ev["error"]
    assert "line 6: bytes that are not GB18030" in ev["error"]
    with engine.connect() as conn:
        texts = conn.execute(select(POST_VERSIONS.c.text).order_by(POST_VERSIONS.c.id)).scalars().all()
    assert texts[0] == "今日发布：全县政务服务事项清单" and len(texts) == 3
    # A partial capture calls nothing deleted for being absent; a clean one does.
    lines.pop(4)  # g4 gone, the bad rows still there
    path.write_bytes("\n".join(lines).encode("gbk") + b"\n")
    ev = evidence_of(engine, capture(cli, D1 + DAY, "--channel", account, "--import", str(path))["run"])
    assert ev["status"] == "partial" and ev["changes"] == []
    good = [line for line in lines if line.startswith(("post_id", "g1", "g6"))]
    path.write_bytes("\n".join(good).encode("gbk") + b"\n")
    ev = evidence_of(engine, capture(cli, D1 + 2 * DAY, "--channel", account, "--import", str(path))["run"])
    assert ev["status"] == "ok" and ev["changes"] == [["g4", "deleted", "第二条好帖文"]]


def test_the_cli_reports_bad_rows_and_refuses_what_it_cannot_read(cli, tmp_path, account):
    path = posts_csv(tmp_path / "p.csv", [{"post_id": "1", "published": "not a time", "text": "x"},
                                          {"post_id": "2", "published": days_ago(1), "text": "好"}])
    with clock.fixed(D1):
        out = cli("capture", "--channel", account, "--import", str(path))
    assert "1 row(s) cannot be read and are skipped" in out.stderr and "line 2: published" in out.stderr
    assert "added: 1 new posts" in out.stdout
    (tmp_path / "x.pdf").write_bytes(b"%PDF")
    assert "unknown file type '.pdf'" in cli("capture", "--channel", account, "--import",
                                             str(tmp_path / "x.pdf"), code=1).stderr
    assert "no such file" in cli("capture", "--channel", account, "--import", str(tmp_path / "nope.csv"),
                                 code=1).stderr.lower()
    (tmp_path / "h.csv").write_text("id,text\n1,x\n", encoding="utf-8")
    assert "no post_id column" in cli("capture", "--channel", account, "--import", str(tmp_path / "h.csv"),
                                      code=1).stderr
    assert "name it with one" in cli("capture", "--import", str(path), code=2).output
    zh = cli("capture", "--channel", account, "--import", str(tmp_path / "x.pdf"), code=1, MGOV_LANG="zh").stderr
    assert "无法导入" in zh


def test_accounts_read_from_their_import_attribute_and_the_unsupported(cli, engine, tmp_path, account):
    from mgov.collect.warc import read_record
    from mgov.db.tables import CHANNELS

    doc = {"account": {"name": "快手测试", "messages_open": True},
           "posts": [{"post_id": "k1", "published": days_ago(1).isoformat(), "text": "第一条",
                      "links": ["https://example.org/a"]},
                     {"post_id": "k2", "published": "2026-11-20 09:00", "text": "第二条"},
                     {"post_id": "k3", "published": days_ago(60).isoformat(), "text": "窗口之外"},
                     {"post_id": "k4", "deleted": True}, "not an object"]}
    path = tmp_path / "kuaishou.json"
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    cli("channel", "add", "other_social", "kuaishou:ceshi", "--owner", "cn-t", "--attr", f"import_file={path}")
    cli("channel", "add", "other_social", "kuaishou:no_source", "--owner", "cn-t")
    result = capture(cli, D1, "--kind", "other_social")
    assert result["channels"] == 3
    read = evidence_of(engine, result["run"], "kuaishou:ceshi")
    assert (read["status"], read["source"], read["platform"], read["profile"]) == (
        "partial", "import", "import:kuaishou", "快手测试")
    assert read["posts"] == ["k1", "k2"] and "item 5: not an object" in read["error"]
    none = evidence_of(engine, result["run"], "kuaishou:no_source")
    assert none["status"] == "unsupported" and "import_file" in none["error"]
    assert evidence_of(engine, result["run"], account)["status"] == "unsupported"
    with engine.connect() as conn:
        row = conn.execute(select(POSTS.c.published, POST_VERSIONS.c.warc)
                           .join(POST_VERSIONS, POST_VERSIONS.c.post_row_id == POSTS.c.id)
                           .join(CHANNELS, CHANNELS.c.id == POSTS.c.channel_id)
                           .where(POSTS.c.post_id == "k2")).one()
    # A time without a zone from a Chinese platform's export is China's time.
    assert row.published.replace(tzinfo=None) == dt.datetime(2026, 11, 20, 1, 0)
    home = Path(cli.env["MGOV_HOME"])
    record = read_record(home / "archive", row.warc)
    assert record.rec_type == "resource" and record.payload == path.read_bytes()
    assert record.warc_header("WARC-Target-URI") == path.resolve().as_uri()


def test_a_stopped_capture_resumes_and_repeats_nothing(cli, engine, tmp_path, account, monkeypatch):
    from mgov.collect.platforms.import_file import ImportAdapter
    from mgov.collect.warc import ArchiveError

    for n in range(4):
        path = posts_csv(tmp_path / f"a{n}.csv", [{"post_id": f"{n}-{i}", "published": days_ago(i + 1),
                                                   "text": f"帖文 {i}"} for i in range(3)])
        cli("channel", "add", "other_social", f"douyin:acct_{n}", "--owner", "cn-t", "--attr", f"import_file={path}")
    real = ImportAdapter.capture

    async def disk_full(self: Any, account: Any, *args: Any) -> Any:
        if account.address == "douyin:acct_2":  # the archive cannot be written: the run's failure, not the account's
            raise ArchiveError("cannot write the WARC archive: No space left on device")
        return await real(self, account, *args)

    monkeypatch.setattr(ImportAdapter, "capture", disk_full)
    with clock.fixed(D1):
        stopped = cli("capture", "--org", "cn-t", "--concurrency", "1", code=1)
    assert "No space left on device" in stopped.stderr
    with engine.connect() as conn:
        done = conn.execute(select(func.count()).select_from(SCAN_ITEMS)).scalar_one()
    assert done < 5  # acct_2 was never stored
    monkeypatch.setattr(ImportAdapter, "capture", real)
    with clock.fixed(D1):
        result = json.loads(cli("capture", "--resume", "--json").stdout)
    assert (result["channels"], result["resumed_from"]) == (5, done)
    with engine.connect() as conn:
        items = conn.execute(select(SCAN_ITEMS.c.channel_id).where(SCAN_ITEMS.c.run_id == result["run"])).scalars()
        assert len(list(items)) == 5
    assert counts(engine)["posts"] == counts(engine)["post_versions"] == 12
