"""Exports of the lists (web.exports, formats.table): every list the dashboard and the API
show, as CSV and XLSX, holds the list's rows with its filters (every page of them), in the
reader's words, within the reader's scope, and no cell a spreadsheet would evaluate."""

from __future__ import annotations

import csv
import io
import re
from types import SimpleNamespace
from typing import Any
from urllib.parse import quote

import pytest
from openpyxl import load_workbook
from sqlalchemy import insert, select, update

from mgov.act import disputes
from mgov.db.tables import CHANNELS, FINDINGS, ORGS
from mgov.errors import InvalidValue
from mgov.formats import table
from mgov.profiles.names import label
from mgov.web import exports
from test_web_zh_words import judge
from webworld import World, build_world
from zh_words import Vocabulary

FORMULA = '=HYPERLINK("https://evil.example","深圳")'


@pytest.fixture(scope="module")
def vocab() -> Vocabulary:
    return Vocabulary.shipped()


@pytest.fixture
def world(engine, tmp_path) -> World:
    """The web world, with a dispute, findings that speak Chinese (as checks do), and a channel
    of A's whose name is a formula."""
    w = build_world(engine, tmp_path)
    with engine.begin() as conn:
        disputes.file(conn, w.ids["assessment"], w.ids["channel_a"], "d_site_code", "标识码已补上", by="a_staff")
        titles = Vocabulary.shipped().ids
        for row in conn.execute(select(FINDINGS.c.id, FINDINGS.c.check_id, FINDINGS.c.status)).all():
            said = f"{titles.get(row.check_id, '检查')}：{label('finding', row.status, 'zh')}"
            conn.execute(update(FINDINGS).where(FINDINGS.c.id == row.id).values(message_zh=said))
    return w


def lists(world: World) -> list[tuple[str, str | None, str, str, Any]]:
    """(what, the dashboard's URL or None, the API's URL, the export's key column in zh, the key of
    a JSON item): each list with filters, the dashboard's and the API's asking the same."""
    a = world.ids["assessment"]
    return [
        ("channels", "/channels?kind=website&q=gov", "/api/v1/channels?kind=website&q=gov", "编号", "id"),
        ("findings", "/findings?status=fail&check=ipv6", "/api/v1/findings?status=fail&check=ipv6", "编号", "id"),
        ("tasks", "/tasks?status=open", "/api/v1/tasks?status=open", "编号", "id"),
        ("disputes", "/disputes?status=filed", "/api/v1/disputes?status=filed", "编号", "id"),
        ("audit", "/audit", "/api/v1/audit", "对象标识", lambda e: e["subject"].partition(":")[2]),
        ("rankings", f"/rankings?assessment={a}&tier=prefecture&kind=website",
         f"/api/v1/rankings?assessment={a}&tier=prefecture&kind=website", "地址", "address"),
        ("results", None, f"/api/v1/assessments/{a}/results?verdict=pass&kind=website", "地址", "address"),
        ("organizations", None, "/api/v1/organizations?tier=prefecture", "单位代码", "code"),
        ("people", None, "/api/v1/people?q=a", "人员标识", "key"),
        ("scans", None, "/api/v1/scans?kind=scan", "编号", "id"),
        ("assessments", "/reports", "/api/v1/assessments", "编号", "id"),
        ("users", "/users", "/api/v1/users", "用户名", "username"),
    ]


def read(answer: Any) -> list[list[str]]:
    """An export's rows as text (numbers as the CSV writes them)."""
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-disposition"].startswith("attachment;")
    kind = answer.headers["content-type"]
    if kind.startswith("text/csv"):
        assert answer.content.startswith("\ufeff".encode()), "no BOM: Excel reads the file as GBK"
        return list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))
    assert kind == table.MEDIA_TYPES["xlsx"]
    sheet = load_workbook(io.BytesIO(answer.content), read_only=True).worksheets[0]
    return [["" if v is None else str(v) for v in r] for r in sheet.iter_rows(values_only=True)]


def api_items(browser: Any, url: str, limit: int = 2) -> list[dict[str, Any]]:
    """Every item of an API list, page after page (two at a time: the pages join up)."""
    items, nxt = [], f"{url}{'&' if '?' in url else '?'}limit={limit}"
    while nxt:
        answer = browser.api("GET", nxt).json()
        items += answer["items"]
        nxt = answer["next"]
    return items


def zh(browser: Any) -> Any:
    browser.http.cookies.set("mgov_lang", "zh")
    browser.http.headers["accept-language"] = "zh-CN"
    return browser


def column(rows: list[list[str]], header: str) -> list[str]:
    n = rows[0].index(header)
    return [r[n] for r in rows[1:]]


@pytest.mark.parametrize("username", ["admin", "a_admin", "b_staff"])
def test_each_export_holds_the_lists_rows_with_its_filters(world, username):
    """For each list and both formats: the API's export has the rows of the API's list (every
    page, in order), the dashboard's export the same file as the API's, for an administrator and
    for agency users, who see their own organization's rows only."""
    browser = zh(world.client(username))
    checked = 0
    for what, page, api, key_header, key in lists(world):
        if browser.api("GET", api).status_code == 403:  # the list is not theirs (audit.read, users.manage)
            sep = "&" if "?" in api else "?"
            assert browser.api("GET", f"{api}{sep}format=csv").status_code == 403, what  # nor its export
            assert page is None or browser.get(f"{page}{'&' if '?' in page else '?'}format=csv").status_code == 403
            continue
        items = api_items(browser, api)
        expected = [str(key(i) if callable(key) else i[key]) for i in items]
        for fmt in ("csv", "xlsx"):
            sep = "&" if "?" in api else "?"
            rows = read(browser.api("GET", f"{api}{sep}format={fmt}"))
            assert column(rows, key_header) == expected, (what, fmt)
            if page:
                assert read(browser.get(f"{page}{'&' if '?' in page else '?'}format={fmt}")) == rows, (what, fmt)
            checked += 1
        if username == "admin":
            assert expected, f"{what}: an empty list proves nothing"
    assert checked >= 14


def test_filters_are_applied(world):
    """A filter narrows the export as it narrows the list, and `after` (the page shown) does not."""
    browser = zh(world.client("admin"))
    answer = browser.api("GET", "/api/v1/findings?format=csv")
    assert "filename*=UTF-8''" + quote("检测结果") in answer.headers["content-disposition"]  # its name in zh too
    every = read(answer)
    failed = read(browser.api("GET", "/api/v1/findings?format=csv&status=fail"))
    assert 1 < len(failed) < len(every)
    assert set(column(failed, "状态")) == {"不通过"}
    assert read(browser.api("GET", "/api/v1/findings?format=csv&status=fail&after=2&limit=1")) == failed
    one = read(browser.get("/channels?q=sz&format=xlsx"))
    assert column(one, "地址") == ["https://www.sz.gov.cn"]
    assert len(read(browser.get("/disputes?status=upheld&format=csv"))) == 1  # the header row only
    assert len(read(browser.get("/disputes?status=all&format=csv"))) == 2


def test_the_pages_export_links_carry_the_filters(world):
    browser = zh(world.client("admin"))
    page = browser.get("/channels?q=sz&kind=website&after=0").text
    links = re.findall(r'<nav class="exports"[^>]*>(.*?)</nav>', page)[0]
    assert 'href="/channels?q=sz&amp;kind=website&amp;format=csv"' in links
    assert 'href="/channels?q=sz&amp;kind=website&amp;format=xlsx"' in links
    for url in ("/tasks?status=open", "/disputes?status=all", "/audit?subject=task%3A1", "/rankings?after=0",
                f"/findings?channel={world.ids['channel_a']}&status=fail"):
        links = re.findall(r'<nav class="exports"[^>]*>(.*?)</nav>', browser.get(url).text)[0]
        kept = url.replace("after=0", "").rstrip("?")
        kept = kept.replace("&", "&amp;")
        assert f'href="{kept}{"&amp;" if "?" in kept else "?"}format=csv"' in links, (url, links)


def test_exports_in_chinese_have_no_english_and_no_raw_id(world, vocab):
    """Headers, statuses, kinds, tiers, verdicts, indicator and check names in Chinese (ids only
    beside their names), every list, both formats, dashboard and API (tests/zh_words.py)."""
    browser = zh(world.client("admin"))
    problems = []
    for _what, page, api, _key, _ in lists(world):
        for url in filter(None, (page, api)):
            for fmt in ("csv", "xlsx"):
                full = f"{url}{'&' if '?' in url else '?'}format={fmt}"
                answer = browser.get(full)
                assert answer.status_code == 200, full
                found, chinese = judge(answer, full, vocab)
                assert chinese >= 10, (full, chinese)
                problems += found
    assert not problems, "\n".join(map(str, problems))


def test_exports_in_english_and_times_in_the_readers_zone(world):
    """An English reader gets English headers and labels; a reader of Shenzhen's agency reads
    times in UTC+8 (cn's zone), the administrator without a zone in UTC."""
    browser = world.client("a_admin")
    browser.http.cookies.set("mgov_lang", "en")
    rows = read(browser.get("/disputes?status=all&format=csv"))
    assert rows[0][:3] == ["ID", "Address", "Indicator"]
    assert column(rows, "Status") == ["filed"] and column(rows, "Indicator") == ["Site ID code missing or wrong"]
    assert column(rows, "Filed")[0].endswith("UTC+8")
    english = read(browser.api("GET", "/api/v1/findings?format=xlsx&status=fail",
                               headers={"accept-language": "en"}))
    assert set(column(english, "Status")) == {"fail"} and "Reachable over IPv6" in column(english, "Check")
    admin = zh(world.client("admin"))
    assert column(read(admin.get("/disputes?status=all&format=csv")), "提交时间")[0].endswith(" UTC")


def test_formula_cells_are_neutralized(world):
    """A channel named like a formula is text in every export that shows it (a quote in front),
    in CSV and in XLSX (a string cell, not a formula)."""
    with world.engine.begin() as conn:
        conn.execute(update(CHANNELS).where(CHANNELS.c.id == world.ids["channel_a"]).values(name=FORMULA))
    browser = zh(world.client("admin"))
    a = world.ids["assessment"]
    for url in ("/channels?format={fmt}", "/api/v1/channels?format={fmt}", f"/rankings?assessment={a}&format={{fmt}}",
                f"/api/v1/assessments/{a}/results?format={{fmt}}"):
        for fmt in ("csv", "xlsx"):
            names = column(read(browser.get(url.format(fmt=fmt))), "名称")
            assert "'" + FORMULA in names, (url, fmt, names)
            assert not [n for n in names if n[:1] in "=+-@"], names
    book = load_workbook(io.BytesIO(browser.get("/channels?format=xlsx").content))
    cells = [c for row in book.worksheets[0].iter_rows() for c in row if c.value == "'" + FORMULA]
    assert cells and all(c.data_type == "s" for c in cells)


def test_a_large_list_is_read_and_written_a_page_at_a_time(world):
    """3,000 channels: the export holds each once, in the list's order, read 500 rows at a time
    (the reads follow the writing: nothing holds the whole list), the CSV written in pieces."""
    with world.engine.begin() as conn:
        owner = conn.execute(select(ORGS.c.id).where(ORGS.c.code == "cn-440100")).scalar_one()
        conn.execute(insert(CHANNELS), [{"kind": "website", "address": f"https://s{n}.gz.gov.cn", "owner_id": owner,
                                         "status": "active", "name": f"站点{n}", "tags": [], "attributes": {}}
                                        for n in range(3000)])
    browser = zh(world.client("b_staff"))
    for fmt in ("csv", "xlsx"):
        rows = read(browser.api("GET", f"/api/v1/channels?format={fmt}"))
        assert len(rows) == 3002, fmt  # the header, B's own channel and the 3,000
        assert column(rows, "编号") == [str(c["id"]) for c in api_items(browser, "/api/v1/channels", 500)], fmt

    reads = []

    def fetch(conn: Any, after: Any, limit: int) -> tuple[list[dict[str, Any]], Any]:
        reads.append(after)
        start = after or 0
        return [{"id": n} for n in range(start, min(start + limit, 1200))], (start + limit if start + limit < 1200
                                                                              else None)

    request = SimpleNamespace(app=SimpleNamespace(state=SimpleNamespace(engine=world.engine)))
    stream = exports.rows(request, fetch)  # type: ignore[arg-type]  # a stand-in request: only the engine
    assert [next(stream)["id"] for _ in range(3)] == [0, 1, 2] and reads == [None]
    assert len(list(stream)) == 1197 and reads == [None, 500, 1000]
    pieces = list(table.csv_chunks(["id"], ([n] for n in range(1200))))
    assert len(pieces) == 3 and b"".join(pieces).decode("utf-8-sig").count("\r\n") == 1201


def test_a_refused_filter_is_an_error_before_any_file_begins(world):
    """The first page is read before the answer starts: a query function that refuses its filter
    raises at once (the web answers 422), not in the middle of a file already sent as 200."""
    def refuse(conn: Any, after: Any, limit: int) -> tuple[list[dict[str, Any]], Any]:
        raise InvalidValue("unknown kind 'websit': one of website, ...")

    request = SimpleNamespace(app=SimpleNamespace(state=SimpleNamespace(engine=world.engine)))
    with pytest.raises(InvalidValue):
        exports.rows(request, refuse)  # type: ignore[arg-type]  # a stand-in request: only the engine
