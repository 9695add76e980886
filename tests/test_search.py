"""The archive's full-text search on the database under test (SQLite, or PostgreSQL in the
PostgreSQL run): captures written by mgov's WARC writer and indexed from the archive's index;
Chinese queries of one to four characters and English words find exactly the documents that
hold them, with filters, the reader's scope, snippets and replay links, in the CLI, the API
and the dashboard."""

from __future__ import annotations

import datetime as dt
import re
import threading
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from archive_world import NOW, PASSWORD, World
from mgov.accounts import Scope
from mgov.collect.warc import HttpCapture, WarcWriter
from mgov.config import Settings
from mgov.db.tables import ARCHIVE_RECORDS, SEARCH_DOCUMENTS
from mgov.demo.farm.pdfwrite import write_pdf
from mgov.search import service
from mgov.search.store import Filters
from mgov.web import create_app

SZ, FGW, AGENCY, BUREAU = "https://www.sz.gov.cn", "https://fgw.sz.gov.cn", "https://www.agency.gov", "https://www.bureau.gov"


def html(title: str, body: str) -> bytes:
    return f"<!doctype html><html><head><title>{title}</title><style>.x{{}}</style></head><body><p>{body}</p>" \
           f"<script>var 低保 = 1;</script></body></html>".encode()


# (channel, URL, body, content type, days ago)
CORPUS: list[tuple[str, str, bytes, str, float]] = [
    (SZ, f"{SZ}/dibao.html", html("低保标准调整的公示", "关于2026年城乡最低生活保障（低保）标准调整的公示。"),
     "text/html", 30),
    (SZ, f"{SZ}/zhengqiu.html", html("征求意见", "关于《物业管理条例》公开征求意见的通知。保低线不变。"),
     "text/html", 20),
    (FGW, f"{FGW}/zhengshou.html", html("土地征收", "集体土地征收补偿方案公示，政府信息公开目录。"), "text/html", 10),
    (FGW, f"{FGW}/apart.html", html("目录", "政府。信息公开。公开政府信息！"), "text/html", 5),
    (SZ, f"{SZ}/report.pdf", write_pdf(["深圳市政府信息公开工作年度报告", "低保 救助 情况"]), "application/pdf", 3),
    (SZ, f"{SZ}/style.css", b"body { color: red } /* \xe4\xbd\x8e\xe4\xbf\x9d */", "text/css", 3),
    (AGENCY, f"{AGENCY}/foia.html", html("FOIA", "Freedom of Information Act annual report, 2026."), "text/html", 25),
    (AGENCY, f"{AGENCY}/notice.html", html("Notice", "Public notice of eminent domain proceedings."), "text/html", 2),
    (BUREAU, f"{BUREAU}/housing.html", html("Housing", "Public housing assistance: notice to applicants."),
     "text/html", 1),
]


def _capture(url: str, body: bytes, content_type: str, days_ago: float) -> HttpCapture:
    host = url.split("/")[2]
    head = f"HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\nContent-Length: {len(body)}\r\n\r\n".encode()
    return HttpCapture(url, f"GET / HTTP/1.1\r\nHost: {host}\r\n\r\n".encode(), head, body,
                       date=NOW - dt.timedelta(days=days_ago))


def captured(engine: Any, home: Path) -> World:
    """The archive world's registry and users, the corpus captured (not indexed yet)."""
    from mgov.archive import service as archive_service

    world = World(engine, home)
    writer = WarcWriter(world.archive)
    for channel, url, body, content_type, days_ago in CORPUS:
        writer.write_sync(_capture(url, body, content_type, days_ago), tag=(None, world.ids[channel]))
    writer.close()
    archive_service.fold(engine, world.archive)
    return world


def build(engine: Any, home: Path) -> World:
    """The archive world's registry and users, the corpus captured and indexed."""
    world = captured(engine, home)
    counts = service.index_pending(engine, world.archive)
    assert counts.indexed == 8 and counts.unreadable == 0
    return world


def urls(engine: Any, query: str, scope: Scope | None = None, **filters: Any) -> set[str]:
    with engine.connect() as conn:
        hits = service.search(conn, scope or Scope(None), query, Filters(**filters), limit=200)
    return {h["url"].rsplit("/", 1)[1] for h in hits}


@pytest.fixture
def world(engine: Any, cli: Any) -> World:
    return build(engine, Path(cli.env["MGOV_HOME"]))


EXPECTED = {
    "征": {"zhengqiu.html", "zhengshou.html"},
    "低保": {"dibao.html", "report.pdf"},  # not "保低", nor the script's or the stylesheet's
    "公示": {"dibao.html", "zhengshou.html"},
    "征收": {"zhengshou.html"},
    "政府信息公开": {"zhengshou.html", "report.pdf"},  # not 政府。信息公开 (two runs)
    "信息公开": {"zhengshou.html", "report.pdf", "apart.html"},
    "低保 公示": {"dibao.html"},
    "notice": {"notice.html", "housing.html"},
    "Public NOTICE": {"notice.html", "housing.html"},
    "freedom information": {"foia.html"},
    "report": {"foia.html"},  # the PDF's 报告 is Chinese
    "2026": {"dibao.html", "foia.html"},
    "不存在": set(),
}


def test_queries_find_exactly_the_documents_holding_them(world: World, engine: Any) -> None:
    found = {query: urls(engine, query) for query in EXPECTED}
    assert found == EXPECTED


def test_filters_narrow_by_organization_channel_date_and_type(world: World, engine: Any) -> None:
    with engine.connect() as conn:
        org = {code: conn.execute(select(func.min(ARCHIVE_RECORDS.c.org_id))
                                  .where(ARCHIVE_RECORDS.c.url.like(f"%{host}%"))).scalar()
               for code, host in (("us-agency", "agency.gov"), ("us-bureau", "bureau.gov"))}
    assert urls(engine, "notice", org_id=org["us-agency"]) == {"notice.html", "housing.html"}  # its subtree
    assert urls(engine, "notice", org_id=org["us-bureau"]) == {"housing.html"}
    assert urls(engine, "公示", channel_ids=[world.ids[FGW]]) == {"zhengshou.html"}
    assert urls(engine, "低保", kind="attachment") == {"report.pdf"}
    assert urls(engine, "低保", kind="page") == {"dibao.html"}
    assert urls(engine, "低保", content_type="application/pdf") == {"report.pdf"}
    assert urls(engine, "信息公开", since=NOW - dt.timedelta(days=7)) == {"report.pdf", "apart.html"}
    assert urls(engine, "信息公开", until=NOW - dt.timedelta(days=7)) == {"zhengshou.html"}


def test_scope_snippets_ranking_and_replay_links(world: World, engine: Any) -> None:
    with engine.connect() as conn:
        staff = urls(engine, "notice", Scope(conn.execute(select(func.min(ARCHIVE_RECORDS.c.org_id)).where(
            ARCHIVE_RECORDS.c.url.like("%bureau.gov%"))).scalar()))
        hits = service.search(conn, Scope(None), "低保", Filters(), limit=10)
    assert staff == {"housing.html"}
    by_url = {h["url"].rsplit("/", 1)[1]: h for h in hits}
    dibao = by_url["dibao.html"]
    assert dibao["title"] == "低保标准调整的公示" and dibao["kind"] == "page" and dibao["org"] == "cn-440300"
    assert [dibao["snippet"][a:b] for a, b in dibao["marks"]] == ["低保"]  # the body once
    assert dibao["replay"] == f"/replay/cn-440300/{dibao['timestamp']}/https://www.sz.gov.cn/dibao.html"
    assert "var" not in dibao["snippet"]  # the script is not text
    # Ties and order are deterministic: best first, then newest, then id.
    again = [h["url"] for h in hits]
    with engine.connect() as conn:
        assert [h["url"] for h in service.search(conn, Scope(None), "低保", Filters(), limit=10)] == again
    assert by_url["report.pdf"]["kind"] == "attachment" and by_url["report.pdf"]["content_type"] == "application/pdf"


def test_two_indexers_at_once_index_each_capture_once(engine: Any, cli: Any) -> None:
    """Two crawls ending together index at once (two workers, a job and a command): each
    capture is indexed by one of them, neither fails, and the search finds each once."""
    world = captured(engine, Path(cli.env["MGOV_HOME"]))
    start, results, errors = threading.Barrier(2), [], []

    def index() -> None:
        start.wait()
        try:
            results.append(service.index_pending(engine, world.archive))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=index) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and sum(r.indexed for r in results) == 8, (errors, results)
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(SEARCH_DOCUMENTS)).scalar_one() == 8
    assert urls(engine, "低保") == EXPECTED["低保"]


def test_indexing_reads_each_capture_once(world: World, engine: Any) -> None:
    again = service.index_pending(engine, world.archive)
    assert (again.indexed, again.skipped, again.unreadable) == (0, 0, 0)
    with engine.connect() as conn:
        linked = conn.execute(select(func.count()).select_from(ARCHIVE_RECORDS)
                              .where(ARCHIVE_RECORDS.c.text_id > 0)).scalar_one()
        assert linked == conn.execute(select(func.count()).select_from(SEARCH_DOCUMENTS)).scalar_one() == 8


def test_cli_search_and_reindex(world: World, cli: Any) -> None:
    assert cli.json("archive", "search", "--reindex", "--json")["indexed"] == 0
    found = cli.json("archive", "search", "政府信息公开", "--org", "cn-440300", "--type", "attachment", "--json")
    assert [h["url"] for h in found["hits"]] == [f"{SZ}/report.pdf"]
    assert found["hits"][0]["replay"].startswith("/replay/cn-440300/")
    assert cli.json("archive", "search", "notice", "--channel", BUREAU, "--json")["count"] == 1
    assert cli.json("archive", "search", "notice", "--since", (NOW.date() - dt.timedelta(days=1)).isoformat(),
                    "--json")["count"] == 1
    shown = cli("archive", "search", "低保", "--limit", "1").stdout
    assert "低保" in shown and "/replay/cn-440300/" in shown
    assert "--type" in cli("archive", "search", "x", "--type", "video", code=2).output


def test_api_and_dashboard_search_within_scope(world: World, engine: Any, cli: Any) -> None:
    settings = Settings(home=Path(cli.env["MGOV_HOME"]),
                        database_url=str(engine.url.render_as_string(hide_password=False)))
    client = TestClient(create_app(settings, engine=engine), follow_redirects=False)

    def login(user: str) -> None:
        client.cookies.clear()
        page = client.get("/login")
        token = re.search(r'name="csrf" value="([^"]+)"', page.text)
        assert token is not None
        assert client.post("/login", data={"username": user, "password": PASSWORD, "csrf": token.group(1),
                                           "next": "/"}).status_code == 303

    login("records.officer")
    api = client.get("/api/v1/search", params={"q": "低保", "type": "attachment"}).json()
    assert [h["url"] for h in api["items"]] == [f"{SZ}/report.pdf"]
    assert client.get("/api/v1/search", params={"q": "notice", "org": "us-bureau"}).json()["count"] == 1
    page = client.get("/search", params={"q": "低保"})
    assert page.status_code == 200 and "<mark>低保</mark>" in page.text and "/replay/cn-440300/" in page.text

    login("bureau.admin")  # us-bureau only
    assert [h["url"] for h in client.get("/api/v1/search", params={"q": "notice"}).json()["items"]] == [
        f"{BUREAU}/housing.html"]
    assert client.get("/api/v1/search", params={"q": "低保"}).json()["count"] == 0
    assert client.get("/api/v1/search", params={"q": "notice", "org": "us-agency"}).status_code == 404
    assert client.get("/api/v1/search", params={"q": "notice", "channel": world.ids[AGENCY]}).status_code == 404
    assert "<mark>" not in client.get("/search", params={"q": "低保"}).text


def test_a_destroyed_capture_leaves_the_index(world: World, engine: Any) -> None:
    """A disposition deletes index rows; their documents go with them, and a document written
    after (SQLite may give it the freed row id) is found only by its own words."""
    from sqlalchemy import delete

    with engine.begin() as conn:
        record = conn.execute(select(SEARCH_DOCUMENTS.c.record_id, SEARCH_DOCUMENTS.c.id)
                              .where(SEARCH_DOCUMENTS.c.url.like("%housing.html"))).one()
        conn.execute(delete(ARCHIVE_RECORDS).where(ARCHIVE_RECORDS.c.id == record.record_id))
    assert urls(engine, "notice") == {"notice.html"}
    writer = WarcWriter(world.archive)
    writer.write_sync(_capture(f"{BUREAU}/later.html", html("Later", "Minutes of the zoning meeting."), "text/html", 0),
                      tag=(None, world.ids[BUREAU]))
    writer.close()
    from mgov.archive import service as archive_service

    archive_service.fold(engine, world.archive)
    assert service.index_pending(engine, world.archive).indexed == 1
    assert urls(engine, "notice") == {"notice.html"} and urls(engine, "zoning") == {"later.html"}


XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def test_office_attachments_served_with_their_own_types_are_searchable(engine: Any, cli: Any) -> None:
    """XLSX and DOCX served as what they are (Office Open XML types name "xml") are documents,
    read like those served as octet streams are not; an XML feed still is none."""
    import io
    import zipfile

    from openpyxl import Workbook

    from mgov.archive import service as archive_service

    book = Workbook()
    book.active.append(["低保", "名单", "2026"])
    sheet = io.BytesIO()
    book.save(sheet)
    docx = io.BytesIO()
    with zipfile.ZipFile(docx, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", '<w:document xmlns:w="x"><w:body><w:p><w:r><w:t>征收补偿方案</w:t>'
                                        "</w:r></w:p></w:body></w:document>")
    world = World(engine, Path(cli.env["MGOV_HOME"]))
    writer = WarcWriter(world.archive)
    for url, body, mime in ((f"{SZ}/list.xlsx", sheet.getvalue(), XLSX_MIME), (f"{SZ}/plan.docx", docx.getvalue(),
                            DOCX_MIME), (f"{SZ}/feed.xml", b"<rss><item>\xe4\xbd\x8e\xe4\xbf\x9d</item></rss>",
                                         "application/rss+xml")):
        writer.write_sync(_capture(url, body, mime, 1), tag=(None, world.ids[SZ]))
    writer.close()
    archive_service.fold(engine, world.archive)
    counts = service.index_pending(engine, world.archive)
    assert (counts.indexed, counts.unreadable) == (2, 0), counts
    assert urls(engine, "低保") == {"list.xlsx"} and urls(engine, "征收") == {"plan.docx"}
