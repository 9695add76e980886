"""The generic import's reader, without a database: the three formats, the encodings offices
save in, the values it accepts, and every bad row reported where it is."""

from __future__ import annotations

import asyncio
import codecs
import datetime as dt
import json
from pathlib import Path

import openpyxl
import pytest

from mgov.collect.platforms.base import AccountRef, CaptureLimits, adapter_for
from mgov.collect.platforms.import_file import ADAPTER, read_import
from mgov.collect.platforms.import_table import UnreadableFile
from mgov.collect.platforms.import_values import ValueProblem, menus_of, parse_bool, parse_time
from mgov.collect.site import CollectContext
from mgov.collect.warc import read_record
from mgov.evidence.newmedia import CaptureStatus

WEIBO = AccountRef("weibo_account", "1234567890")
UTC = dt.UTC
SHANGHAI = dt.timezone(dt.timedelta(hours=8))


def read(path: Path, account: AccountRef = WEIBO):  # type: ignore[no-untyped-def]  # a test helper
    return read_import(path, path.read_bytes(), account)


def test_times_in_the_forms_exports_write() -> None:
    want = dt.datetime(2026, 12, 6, 1, 12, tzinfo=UTC)
    for value in ("2026-12-06T09:12:00+08:00", "2026-12-06T01:12:00Z", "2026-12-06 09:12", "2026/12/06 09:12",
                  "2026年12月6日 09:12", "2026年12月6日 9时12分", "2026.12.6 9：12：00", 1796519520, "1796519520000",
                  dt.datetime(2026, 12, 6, 9, 12)):
        assert parse_time("published", value, SHANGHAI) == want, value
    assert parse_time("published", "2026-12-06", UTC) == dt.datetime(2026, 12, 6, tzinfo=UTC)
    assert parse_time("published", "", UTC) is None
    for bad in ("yesterday", "2026-13-01", "2026年2月30日"):
        with pytest.raises(ValueProblem, match="published"):
            parse_time("published", bad, UTC)
    assert [parse_bool("x", v) for v in ("是", "否", "TRUE", "0", "open", "关闭", "", None)] == [
        True, False, True, False, True, False, None, None]
    with pytest.raises(ValueProblem, match="comments_open: 'maybe'"):
        parse_bool("comments_open", "maybe")


def test_menus_as_json_or_as_text() -> None:
    text = menus_of("办事服务|https://example.gov.cn/ban; 在线咨询||consult；小程序|| mini_program")
    assert [(m.name, m.url, m.kind) for m in text] == [("办事服务", "https://example.gov.cn/ban", "link"),
                                                      ("在线咨询", None, "consult"), ("小程序", None, "mini_program")]
    as_json = menus_of('[{"name": "留言", "kind": "consult"}]')
    assert [(m.name, m.kind) for m in as_json] == [("留言", "consult")]
    for bad, why in (("办事|ftp://x", "not an http"), ('[{"url": "https://x.cn"}]', "no name"),
                     ("x|https://x.cn|popup", "kind 'popup'"), ("[oops", "not JSON")):
        with pytest.raises(ValueProblem, match=why):
            menus_of(bad)


def test_csv_with_a_bom_and_its_companion_account_file(tmp_path: Path) -> None:
    path = tmp_path / "weibo.csv"
    path.write_bytes(codecs.BOM_UTF8 + "post_id,published,text,links,extra\n"
                     "4987,2026-12-06 09:12,见 https://example.gov.cn/a）。,https://example.gov.cn/b,x\n"
                     ",2026-12-06,no id,,\n"
                     "4986,2026-12-05,\"多行\n正文\",,\n"
                     "4987,2026-12-04,repeat,,\n".encode())
    (tmp_path / "weibo.account.csv").write_text("name,followers,messages_open\n北京发布,12x,否\n", encoding="utf-8")
    got = read(path)
    assert [(p.post_id, p.text) for p in got.posts] == [("4987", "见 https://example.gov.cn/a）。"),
                                                        ("4986", "多行\n正文")]
    assert got.posts[0].links == ["https://example.gov.cn/b", "https://example.gov.cn/a"]
    assert got.posts[0].published == dt.datetime(2026, 12, 6, 1, 12, tzinfo=UTC)  # Weibo's time is China's
    assert got.problems == ["line 3: post_id is empty", "line 6: post_id '4987' repeats an earlier row"]
    assert got.notes == ["column(s) extra ignored (known: post_id, published, title, text, url, links, media, "
                         "comments_open, original, deleted)"]
    assert got.account == {"name": "北京发布", "followers": "12x", "messages_open": "否"}


def test_gb18030_json_with_account_facts(tmp_path: Path) -> None:
    doc = {"account": {"name": "罗湖发布", "certification": "深圳市罗湖区人民政府新闻办公室", "messages_open": "是",
                       "menus": [{"name": "互动", "kind": "consult"}]},
           "posts": [{"post_id": 1, "published": "2026-12-06 09:12", "title": "标题", "text": "正文",
                      "media": ["https://img.example/1.jpg"], "comments_open": False, "original": "是"},
                     {"post_id": "2", "deleted": "是"}, {"post_id": "3", "url": "javascript:alert(1)"}],
           "source": "export"}
    path = tmp_path / "posts.json"
    path.write_bytes(json.dumps(doc, ensure_ascii=False).encode("gb18030"))
    got = read(path, AccountRef("wechat_account", "gh_luohu"))
    assert [(p.post_id, p.title, p.comments_open, p.original, p.media) for p in got.posts] == [
        ("1", "标题", False, True, ["https://img.example/1.jpg"])]
    assert got.deleted_ids == ["2"] and got.problems == ["item 3: url: 'javascript:alert(1)' is not an http(s) URL"]
    assert got.notes == ["key 'source' ignored"]
    with pytest.raises(UnreadableFile, match="line 1: not JSON"):
        read_import(path, b"{oops", WEIBO)


def test_xlsx_with_a_posts_and_an_account_sheet(tmp_path: Path) -> None:
    book = openpyxl.Workbook()
    posts = book.active
    assert posts is not None
    posts.title = "帖子"
    posts.append(["post_id", "published", "title", "text", "comments_open"])
    posts.append([7001, dt.datetime(2026, 12, 6, 9, 12), "标题", "正文", "是"])
    posts.append([])
    posts.append([7002.0, "not a date", None, "x", None])
    posts.append([7003, "2026-12-05T08:00:00+08:00", None, "第三条", 0])
    account = book.create_sheet("账号")
    account.append(["name", "certification", "menus"])
    account.append(["测试发布", "测试县融媒体中心", "办事|https://example.gov.cn/ban"])
    path = tmp_path / "posts.xlsx"
    book.save(path)
    got = read(path, AccountRef("other_social", "toutiao:ceshi"))
    assert [(p.post_id, p.published, p.comments_open) for p in got.posts] == [
        ("7001", dt.datetime(2026, 12, 6, 1, 12, tzinfo=UTC), True),
        ("7003", dt.datetime(2026, 12, 5, 0, 0, tzinfo=UTC), False)]
    assert got.problems == ["row 4 of sheet 帖子: published: 'not a date' is not a date and time "
                            "(e.g. 2026-12-06T09:12:00+08:00)"]
    assert got.account is not None and got.account["certification"] == "测试县融媒体中心"
    path.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(UnreadableFile, match="not an XLSX workbook"):
        read(path)


def test_the_adapter_archives_the_file_and_keeps_to_the_window(tmp_path: Path) -> None:
    now = dt.datetime(2026, 12, 6, 12, 0, tzinfo=UTC)
    rows = "".join(f"p{n},{(now - dt.timedelta(days=n)).isoformat()},帖文 {n}\n" for n in range(0, 40, 2))
    path = tmp_path / "douyin.csv"
    path.write_text("post_id,published,text\n" + rows, encoding="utf-8")
    account_csv = tmp_path / "douyin.account.csv"
    account_csv.write_text("name,certification\n测试发布,测试县人民政府\n", encoding="utf-8")
    account = AccountRef("other_social", "douyin:ceshi", {"import_file": str(path)})
    assert adapter_for(account) is ADAPTER and adapter_for(AccountRef("other_social", "douyin:x")) is None

    async def go(limits: CaptureLimits):  # type: ignore[no-untyped-def]  # a test helper
        async with CollectContext.create(tmp_path / "archive") as ctx:
            return await ADAPTER.capture(account, ctx, limits, now)

    got = asyncio.run(go(CaptureLimits(window_days=14)))
    assert got.status is CaptureStatus.OK and got.error is None and got.window_complete
    assert [p.post_id for p in got.posts] == [f"p{n}" for n in range(0, 15, 2)]
    assert got.profile is not None and (got.profile.platform, got.profile.name, got.profile.verified) == (
        "import:douyin", "测试发布", True)
    record = read_record(tmp_path / "archive", got.warc[0])
    assert record.payload == path.read_bytes() and record.warc_header("Content-Type") == "text/csv"
    assert {p.warc for p in got.posts} == {got.warc[0]}
    few = asyncio.run(go(CaptureLimits(window_days=30, max_posts=5)))
    assert len(few.posts) == 5 and not few.window_complete
    path.unlink()
    missing = asyncio.run(go(CaptureLimits()))
    assert missing.status is CaptureStatus.ERROR and "cannot read the import file" in (missing.error or "")


def test_docs_name_every_column_and_their_example_reads(tmp_path: Path) -> None:
    import re

    from mgov.collect.platforms.import_table import ACCOUNT_COLUMNS, POST_COLUMNS

    doc = (Path(__file__).resolve().parents[1] / "docs" / "newmedia.md").read_text(encoding="utf-8")
    section = doc.split("## Importing posts", 1)[1].split("\n## ", 1)[0]  # up to the next section
    named = {n for row in re.findall(r"^\| (`[^|]+)\|", section, flags=re.MULTILINE)
             for n in re.findall(r"`([a-z_]+)`", row)}
    assert named == set(POST_COLUMNS) | set(ACCOUNT_COLUMNS)
    example = re.search(r"```json\n(.*?)```", section, flags=re.DOTALL)
    assert example is not None
    path = tmp_path / "example.json"
    path.write_text(example.group(1), encoding="utf-8")
    got = read(path, AccountRef("wechat_account", "gh_luohu"))
    assert not got.problems and [p.post_id for p in got.posts] == ["7301"] and got.account is not None
