"""Every word in the reader's language: every dashboard page (every GET route of the app, and
every link its pages lead to), every report format and every export, rendered in Chinese for an
administrator over the web tests' world, holds no untranslated English word and no raw id
(tests/zh_words.py says what counts). Routes are enumerated from the app, so a page added later
is judged as soon as it exists: a path parameter this file has no value for fails the test."""

from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
from openpyxl import load_workbook
from selectolax.lexbor import LexborHTMLParser as HTMLParser
from sqlalchemy import select, update

from mgov.accounts import access, users
from mgov.act import disputes, inspection_work, task_evidence, tasks
from mgov.act import inspections as ins
from mgov.db.tables import FINDINGS, RECTIFICATION_TASKS
from mgov.profiles.names import label
from mgov.registry import service
from mgov.registry.records import Batch, ChannelRecord, Origin
from mgov.web.body_limit import every_route
from webworld import World, _archive, add_inspections, add_rendered_finding, build_world, flash_of
from zh_words import Problem, Vocabulary, check_html, check_rows, check_text

# Routes that are not pages: the language switch and sign-out redirect, the API has its own
# display fields (tests/test_web_display.py), static files are not text of mgov's.
# Replay (/replay/...) serves the captured site's own bytes, not mgov's words (as screenshots).
NOT_PAGES = ("/api/", "/static", "/lang/", "/logout", "/docs", "/replay/")
PAGE_LIMIT = 400  # pages visited in all (routes and the links found on them)


@pytest.fixture(scope="module")
def vocab() -> Vocabulary:
    return Vocabulary.shipped()


@pytest.fixture
def world(engine, tmp_path) -> World:
    return full_world(engine, tmp_path)


def full_world(engine: Any, tmp_path: Any) -> World:
    """The web world, plus what makes every page show something: a dispute, a closed task, a
    token, an edited channel (its history), and an administrator of the province (also the
    phone-width test's world, tests/test_web_layouts.py)."""
    w = build_world(engine, tmp_path)
    with engine.begin() as conn:
        dispute = disputes.file(conn, w.ids["assessment"], w.ids["channel_a"], "d_site_code", "标识码已补上",
                                by="a_staff")
        first, second = conn.execute(select(RECTIFICATION_TASKS.c.id).where(
            RECTIFICATION_TASKS.c.channel_id == w.ids["channel_a"]).order_by(RECTIFICATION_TASKS.c.id)
        ).scalars().all()[:2]
        evidence = task_evidence.add_file(conn, w.settings.resolved_archive_dir, second, "整改截图.png",
                                          b"\x89PNG fix", by="a_staff", note="首页已更新")
        tasks.close_task(conn, first, "已整改", by="a_staff")
        admin = users.user_id_of(conn, "admin")
        _token, token = access.create_token(conn, admin, "报表下载")
        service.write(conn, Batch(channels=[ChannelRecord("website", "https://www.sz.gov.cn", Origin("test"),
                                                          status="suspended", event_note="改版暂停")]))
        # The world's findings carry a test message naming the check id (or only in English); a
        # check writes its own words in both languages: give them the Chinese a check would.
        titles = Vocabulary.shipped().ids
        for row in conn.execute(select(FINDINGS.c.id, FINDINGS.c.check_id, FINDINGS.c.status)).all():
            said = f"{titles.get(row.check_id, '检查')}：{label('finding', row.status, 'zh')}"
            conn.execute(update(FINDINGS).where(FINDINGS.c.id == row.id).values(message_zh=said))
        users.create_user(conn, "li.ming", "correct horse battery", "admin", organization="cn-440000",
                          display_name="李明")
        # Jobs started from the web: a crawl of an organization that ended, an assessment, a failed scan.
        from mgov.act import jobs

        org = service.org_row(conn, "cn-440300")["id"]
        crawl = jobs.create(conn, "crawl", jobs.Target(org, "cn-440300"), {}, "admin")[0]
        jobs.finish(conn, crawl["id"], "done", done=1, total=1, run_id=w.ids["run"])
        assess = jobs.create(conn, "assess", jobs.Target(), {"profile": "cn-2019-website", "period": "2026-01"},
                             "admin")[0]
        jobs.finish(conn, assess["id"], "done", done=2, total=2, assessment_id=w.ids["assessment"])
        scan = jobs.create(conn, "scan", jobs.Target(org, "cn-440300", w.ids["channel_a"], "https://www.sz.gov.cn"),
                           {}, "admin")[0]
        jobs.finish(conn, scan["id"], "failed", error="no registered web channel matches this selection")
        # Accounts platform search found claiming Shenzhen: one to review, one confirmed (mgov discover).
        from mgov.discover import store as discovered

        answer = _archive(w.settings, "https://m.weibo.cn/api/container/getIndex?containerid=100103type%3D3%26q%3D"
                          "%E6%B7%B1%E5%9C%B3", b'{"ok":1,"data":{"cards":[]}}')
        discovered.save(conn, [discovered.Found("weibo", "weibo_account", f"555000{n}", name, org, "深圳市人民政府",
                                                url=f"https://m.weibo.cn/u/555000{n}", evidence=answer)
                               for n, name in ((1, "深圳市人民政府便民"), (2, "深圳市政府发布厅"))])
        found = discovered.listing(conn)[0]
        discovered.decide(conn, found[1]["id"], "confirmed", confirmed_as="imposter", note="冒用市政府名义", by="admin")
    from mgov.config import ScheduleEntry

    w.settings.schedule = [ScheduleEntry(kind="scan", at="0 2 * * *", organization="cn-440300"),
                           ScheduleEntry(kind="crawl", at="30 3 * * 6", channel="https://www.gz.gov.cn"),
                           ScheduleEntry(kind="assess", at="0 6 1 1,4,7,10 *", profile="cn-2019-website",
                                         time_zone="Asia/Shanghai", note="季度考核")]
    # A finding on rendered pages: its screenshots and rule list (a check the web world knows by name).
    w.ids["rendered"] = add_rendered_finding(w, check="mobile.viewport")
    # Reviewer inspections: A's a draft with a veto awaiting its second reviewer; B's answered,
    # submitted and its veto confirmed (every state a page shows).
    with engine.begin() as conn:
        w.ids |= add_inspections(conn, w)
        submitted_inspection(conn, w.ids["inspection_b"])
        # The administrator the pages are read as fills A's: the forms of the one filling show.
        ins.assign(conn, users.load_user(conn, users.user_id_of(conn, "admin")), w.ids["inspection_a"], "admin")
    w.ids |= {"dispute": dispute["id"], "task": second, "closed_task": first, "token": token["id"],
              "user": admin, "target": 0, "evidence": evidence["id"], "jobs": [crawl["id"], assess["id"], scan["id"]],
              "discovered": [f["id"] for f in found]}
    return w


def submitted_inspection(conn: Any, inspection_id: int) -> None:
    """Answer every other item of the inspection (met, one not met twice, one not applicable),
    submit it, and have another reviewer confirm its veto."""
    reviewer, admin = (users.load_user(conn, users.user_id_of(conn, n)) for n in ("reviewer", "admin"))
    items = ins.items_of(conn, inspection_id)
    rest = [i for i in items if i["verdict"] is None]
    for n, item in enumerate(rest):
        verdict = "not_met" if n == 0 else "not_applicable" if n == 1 else "met"
        inspection_work.fill(conn, reviewer, inspection_id, item["id"], verdict, "已检查",
                             instances=2 if verdict == "not_met" else None)
    inspection_work.submit(conn, reviewer, inspection_id, "检查完毕")
    veto = next(i for i in items if i["verdict"] == "not_met" and i["rule"] == "veto")
    inspection_work.confirm(conn, admin, inspection_id, veto["id"], agree=True, note="复核属实")


def _samples(world: World) -> dict[str, list[Any]]:
    """Values of every path parameter the dashboard's routes take (a new one: add it here)."""
    i = world.ids
    return {"code": ["cn-440000", "cn-440300"], "channel_id": [i["channel_a"], i["channel_b"]],
            "finding_id": [i["finding_a"]], "assessment_id": [i["assessment"]], "fmt": ["html", "pdf", "csv", "xlsx"],
            "dispute_id": [i["dispute"]], "task_id": [i["task"], i["closed_task"]], "run_id": [i["run"]],
            "user_id": [i["user"]], "token_id": [i["token"]], "index": [0], "profile_id": ["cn-2019-website"],
            "evidence_id": [i["evidence"]], "job_id": i["jobs"], "discovered_id": i["discovered"],
            "inspection_id": [i["inspection_a"], i["inspection_b"]],
            "paths": {"/tasks/{task_id}/evidence/{evidence_id}": [f"/tasks/{i['task']}/evidence/{i['evidence']}"],
                      "/findings/{finding_id}/screenshot/{index}": [f"/findings/{i['rendered']}/screenshot/1"],
                      "/inspections/{inspection_id}/evidence/{file_id}": [
                          f"/inspections/{i['inspection_a']}/evidence/{i['file_a']}"],
                      # the archive's change history: empty forms, and a page's captures, a diff, a channel's changes
                      "/archive/url": ["/archive/url", "/archive/url?u=https%3A%2F%2Fwww.sz.gov.cn%2F"],
                      "/archive/diff": ["/archive/diff", "/archive/diff?u=https%3A%2F%2Fwww.sz.gov.cn%2F"],
                      "/archive/changes": ["/archive/changes", f"/archive/changes?channel={i['channel_a']}&days=366"
                                           "&since=2026-01-01"]}}


def dashboard_routes(app: Any) -> list[str]:
    """The GET paths of the app that are pages or downloads."""
    return sorted({r.path for r in every_route(app.routes) if "GET" in (getattr(r, "methods", None) or ())
                   and not r.path.startswith(NOT_PAGES)})


def _urls(path: str, samples: dict[str, list[Any]]) -> list[str]:
    if path in samples.get("paths", {}):  # parameters that only go together (a task's own file)
        return list(samples["paths"][path])
    urls = [path]
    for name in re.findall(r"\{(\w+)\}", path):
        assert name in samples, f"no sample value for {{{name}}} of {path}: add it to _samples"
        urls = [u.replace("{" + name + "}", str(v)) for u in urls for v in samples[name]]
    return urls


def _links(html: str, base: str) -> list[str]:
    out = []
    for node in HTMLParser(html).css("a[href]"):
        href = urljoin(base, node.attributes.get("href") or "")
        parts = urlsplit(href)
        if not parts.netloc.endswith("testserver") or parts.path.startswith(NOT_PAGES) or "lang=en" in parts.query:
            continue  # another site, not a page, or a download the reader asked for in English
        out.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return out


ATTACHED = -1  # judge()'s count for a user's own file: no words of mgov's to judge


def judge(answer: Any, url: str, vocab: Vocabulary) -> tuple[list[Problem], int]:
    """Problems of one answer, by its type; and the Chinese characters it was judged on."""
    kind = answer.headers.get("content-type", "")
    if "application/octet-stream" in kind and answer.headers.get("content-disposition", "").startswith("attachment"):
        return [], ATTACHED  # a file a user attached (a task's fix evidence): their bytes, not mgov's words
    if kind.startswith("image/"):
        return [], ATTACHED  # a screenshot of a monitored page: its bytes, not mgov's words
    if "text/html" in kind:
        return check_html(answer.text, url, vocab)
    if "text/csv" in kind:
        rows = list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))
        return check_rows(rows, url, vocab, data_columns=_data_columns(rows[0]))
    if "spreadsheet" in kind:
        problems, chinese = [], 0
        book = load_workbook(io.BytesIO(answer.content), read_only=True)
        for sheet in book.worksheets:
            rows = [list(r) for r in sheet.iter_rows(values_only=True)]
            found, n = check_rows([[sheet.title], *rows], f"{url} [{sheet.title}]", vocab,
                                  data_columns=_data_columns(rows[0] if rows else []))
            problems, chinese = problems + found, chinese + n
        return problems, chinese
    if "pdf" in kind:
        if not shutil.which("pdftotext"):
            pytest.skip("pdftotext is not installed (scripts/system-deps)")
        text = subprocess.run(["pdftotext", "-", "-"], input=answer.content, capture_output=True, check=True).stdout
        return check_text(text.decode(), url, vocab)
    raise AssertionError(f"{url}: an answer of an unknown type {kind!r}: judge it here")


def _data_columns(head: list[Any]) -> list[int]:
    """Columns a table carries as data, not words: addresses, ids and codes (by their header)."""
    return [n for n, h in enumerate(head) if str(h) in ("地址", "编号", "单位代码", "对象标识", "id", *PEOPLE_COLUMNS)]


# The exports' columns of user names and person keys (web.export_columns): what people typed.
PEOPLE_COLUMNS = ("操作人", "申诉人", "整改责任人", "人员标识", "用户名", "显示名称")


def test_every_page_report_and_export_in_chinese_has_no_english_and_no_raw_id(world, vocab):
    browser = world.client("admin")
    browser.http.cookies.set("mgov_lang", "zh")
    routes = dashboard_routes(browser.http.app)
    assert len(routes) >= 14, routes  # a shrinking list means routes went missing
    samples = _samples(world)
    queue = [u for path in routes for u in _urls(path, samples)]
    seen: set[str] = set()
    problems: list[Problem] = []
    thin = []
    while queue and len(seen) < PAGE_LIMIT:
        url = queue.pop(0)
        if url in seen:
            continue
        seen.add(url)
        answer = browser.get(url)
        if answer.status_code == 303:  # /login when signed in, /orgs for a user of one organization
            queue.append(answer.headers["location"])
            continue
        assert answer.status_code == 200, f"{url} -> {answer.status_code}"
        found, chinese = judge(answer, url, vocab)
        problems += found
        # An export of an empty list is its header row only (tests/test_web_exports.py judges full ones).
        if chinese < 20 and chinese != ATTACHED and "format=" not in url:
            thin.append((url, chinese))
        if "text/html" in answer.headers.get("content-type", ""):
            queue += _links(answer.text, f"http://testserver{url}")
    anonymous = world.client()
    anonymous.http.cookies.set("mgov_lang", "zh")
    for url in ("/login", "/verify", "/verify?url=https%3A%2F%2Fwww.sz.gov.cn%2Fcn%2Findex.html",
                "/verify?url=weibo.com%2F123456789"):
        found, _ = judge(anonymous.get(url), url, vocab)
        problems += found
    assert not thin, f"pages judged on almost no Chinese text: {thin}"
    assert len(seen) >= 30, sorted(seen)
    assert not problems, "\n".join(map(str, problems[:3000])) + f"\n({len(problems)} problems on {len(seen)} pages)"


def test_the_detector_catches_planted_raw_ids_and_english_and_passes_legitimate_text(world, vocab):
    """The detector is not blind: on a real page, a raw indicator id, a check id in code, an
    untranslated status and an English word are each caught; an id beside its name, URLs,
    codes, e-mail addresses, a period and text marked translate="no" are not."""
    browser = world.client("admin")
    browser.http.cookies.set("mgov_lang", "zh")
    page = browser.get(f"/channels/{world.ids['channel_a']}").text
    assert check_html(page, "page", vocab)[0] == []

    def planted(cell: str) -> list[str]:
        found, _ = check_html(page.replace("</main>", f"<table><tr><td>{cell}</td></tr></table></main>"), "p", vocab)
        return sorted(f"{p.what}:{p.word}" for p in found)

    assert planted("v3_homepage_stale") == ["id:v3_homepage_stale"]
    assert planted("<code>cn.site_code</code>") == ["id:cn.site_code"]  # ids are looked for in code too
    assert planted("首页 <small translate='no'>d_icp</small>") == ["id:d_icp"]  # not beside its own name
    assert planted("veto") == ["english:veto"]
    assert planted("最近一次检查：fail") == ["english:fail"]
    assert planted("Latest finding") == ["english:Latest", "english:finding"]
    assert planted("<span title='Close task'>关闭</span>") == ["english:Close", "english:task"]
    assert planted("首页不更新 <small translate='no'>v3_homepage_stale</small>") == []
    assert planted("网站标识码 cn.site_code") == []  # an id beside its check's name
    assert planted("https://www.sz.gov.cn/index.html?a=b · cn-440300 · zhao.lei@sz.example · 2026Q4 · #12") == []
    assert planted("<span translate='no'>a_staff</span> 支持 IPv6 访问 robots.txt 文件 API") == []


def test_times_are_shown_in_the_readers_zone(world):
    """A province's administrator reads times in UTC+8 (cn's default), one with a zone of their
    own in it, an organization's zone set on its page applies to its staff, and an unknown zone
    is refused with a message."""
    when = re.compile(r"\d{4}/\d{1,2}/\d{1,2} \d{1,2}:\d{2} (UTC[+-]?[\d:]*)")
    li = world.client("li.ming")  # administrator of cn-440000, no zone of their own
    li.http.cookies.set("mgov_lang", "zh")
    assert set(when.findall(li.get("/audit").text)) == {"UTC+8"}
    assert "Asia/Shanghai" in li.get("/account").text
    admin = world.client("admin")  # no organization, none of their own, none installed: UTC
    assert set(re.findall(r"UTC[+-]?[\d:]*", admin.get("/audit").text)) == {"UTC"}

    assert li.post_form("/account/settings", {"lang": "zh", "time_zone": "America/New_York"}).status_code == 303
    assert set(when.findall(li.get("/audit").text)) == {"UTC-5"}  # January: EST
    refused = li.post_form("/account/settings", {"lang": "zh", "time_zone": "Mars/Olympus"})
    assert "Mars/Olympus" in flash_of(refused).get("error", "")
    assert li.post_form("/account/settings", {"lang": "", "time_zone": ""}).status_code == 303  # back to the org's

    staff = world.client("a_staff")  # of cn-440300: Asia/Shanghai by default
    assert "UTC+8" in staff.get("/disputes?status=all").text
    assert li.post_form("/orgs/cn-440300/edit", {"time_zone": "Asia/Urumqi"}).status_code == 303
    assert "UTC+6" in world.client("a_staff").get("/disputes?status=all").text
    assert "UTC+8" in li.get("/audit").text  # the province keeps its own
