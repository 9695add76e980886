"""Change history and replay links in the dashboard and the API, within scope (the web
tests' world: agency A's and B's sites, each captured): A's reader sees A's captures with
their replay links on the channel page, the finding page, the URL's calendar and the API;
B's reader sees none of them, and A's collection is not B's to replay; the history helpers
themselves (calendar, diff, changes) on captures made here."""

from __future__ import annotations

import datetime as dt
from urllib.parse import quote

from mgov.archive import history, history_text
from mgov.archive.replay_links import replay_url
from mgov.collect.warc import HttpCapture, WarcWriter
from webworld import build_world


def test_a_reader_sees_their_captures_with_replay_links_and_another_agency_none(engine, tmp_path):
    world = build_world(engine, tmp_path)
    a = world.client("a_staff")
    page = a.get(f"/channels/{world.ids['channel_a']}")
    assert page.status_code == 200
    assert "/replay/cn-440300/20260120030000/https://www.sz.gov.cn/" in page.text
    finding = a.get(f"/findings/{world.ids['finding_a']}")
    assert "/replay/cn-440300/20260120030000/https://www.sz.gov.cn/" in finding.text
    url = quote("https://www.sz.gov.cn/", safe="")
    listed = a.get(f"/archive/url?u={url}")
    assert listed.status_code == 200 and "/replay/cn-440300/" in listed.text
    api = a.api("GET", f"/api/v1/archive/captures?url={url}").json()
    assert api["count"] == 1 and api["items"][0]["replay"].startswith("/replay/cn-440300/")
    assert api["calendar"] == [{"year": "2026", "count": 1, "months": [{"month": "01", "count": 1,
                                                                      "days": [{"day": "20", "count": 1}]}]}]

    b = world.client("b_staff")
    assert b.api("GET", f"/api/v1/archive/captures?url={url}").json()["count"] == 0
    other = b.get(f"/archive/url?u={url}")
    assert other.status_code == 200 and "/replay/cn-440300/" not in other.text
    assert b.get(f"/archive/changes?channel={world.ids['channel_a']}").status_code == 404
    assert b.api("GET", f"/api/v1/archive/changes?channel={world.ids['channel_a']}").status_code == 404
    assert b.get("/replay/cn-440300/20260120030000id_/https://www.sz.gov.cn/").status_code == 404
    assert b.api("GET", f"/api/v1/archive/diff?url={url}&from=2026&to=2026").status_code == 404
    # B's own: its collection is its to replay (503 here: no pywb runs in this test).
    assert b.get("/replay/cn-440100/20260120030000id_/https://www.gz.gov.cn/").status_code == 503
    # The province's supervisor replays both of its agencies' collections.
    supervisor = world.client("supervisor")
    assert supervisor.get("/replay/cn-440300/20260120030000id_/https://www.sz.gov.cn/").status_code == 503


def _capture(writer: WarcWriter, url: str, body: bytes, day: int) -> dict:
    _request, response = writer.write_sync(HttpCapture(
        url=url, request_head=b"GET / HTTP/1.1\r\nHost: x\r\n\r\n",
        response_head=b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=gbk\r\n\r\n", body=body,
        date=dt.datetime(2026, 3, day, 8, tzinfo=dt.UTC)))
    return response.as_dict()


def test_the_diff_of_two_captures_reads_text_lines_and_links(tmp_path):
    writer = WarcWriter(tmp_path)
    url = "https://www.example.gov.cn/"
    old = "<html><body><h1>欢迎访问</h1><ul><li><a href='/a.html'>通知一</a></li></ul><p>主办：某市</p></body></html>"
    new = ("<html><body><h1>欢迎访问（新版）</h1><ul><li><a href='/a.html'>通知一</a></li>"
           "<li><a href='/b.html'>新的公示</a></li></ul><p>主办：某市</p><script>x=1</script></body></html>")
    try:
        refs = [_capture(writer, url, text.encode("gbk"), day) for text, day in ((old, 1), (new, 2))]
    finally:
        writer.close()
    before, after = ({**ref, "url": url, "timestamp": f"202603{day:02d}080000", "digest": f"d{day}"}
                     for ref, day in zip(refs, (1, 2), strict=True))
    found = history.diff(before, after, history_text.read_content(tmp_path, before),
                         history_text.read_content(tmp_path, after))
    assert found.kind == "html" and found.changed
    assert found.added == ["欢迎访问（新版）", "新的公示"] and found.removed == ["欢迎访问"]
    assert found.links_added == [{"href": "https://www.example.gov.cn/b.html", "text": "新的公示"}]
    assert found.links_removed == []
    assert any(line.startswith("+新的公示") for line in found.unified)
    same = history.diff(before, before, history_text.read_content(tmp_path, before),
                        history_text.read_content(tmp_path, before))
    assert not same.changed


def test_changes_and_calendar_rules():
    def c(key: str, stamp: str, digest: str, status: str = "200", n: int = 0, kind: str = "scan") -> dict:
        return {"id": n, "urlkey": key, "url": f"https://{key}", "timestamp": stamp, "digest": digest,
                "status": status, "run_kind": kind}

    baseline = [c("a", "20260101000000", "x"), c("b", "20260101000000", "y"), c("gone", "20260101000000", "z"),
                c("err", "20260101000000", "e")]
    window = [c("a", "20260105000000", "x", n=1), c("b", "20260105000000", "y2", n=2),
              c("b", "20260105000000", "r", status="301", n=3), c("new", "20260105000000", "n", n=4),
              c("err", "20260105000000", "e4", status="404", n=5)]
    scanned = history.changes(baseline, window, "20260102000000", "20260109000000")
    assert scanned.counts == {"new": 1, "gone": 1, "changed": 1, "unchanged": 1} and not scanned.crawled
    assert [i["url"] for i in scanned.gone] == ["https://err"]  # an error now; "gone" not captured: no crawl
    crawled = history.changes(baseline, [*window, c("a", "20260106000000", "x", n=6, kind="crawl")],
                              "20260102000000", "20260109000000")
    assert crawled.crawled and sorted(i["url"] for i in crawled.gone) == ["https://err", "https://gone"]
    days = history.calendar([c("a", "20251231230000", "x"), c("a", "20260101000000", "x"),
                             c("a", "20260101120000", "x")])
    assert [(y["year"], y["count"]) for y in days] == [("2025", 1), ("2026", 2)]
    assert days[1]["months"][0]["days"][0]["count"] == 2


def test_replay_urls():
    row = {"url": "https://www.sz.gov.cn/a b?x=1", "timestamp": "20260120030000", "org_id": 3, "org": "cn-440300"}
    assert replay_url(row) == "/replay/cn-440300/20260120030000/https://www.sz.gov.cn/a%20b?x=1"
    assert replay_url(row, modifier="id_").startswith("/replay/cn-440300/20260120030000id_/")
    assert replay_url(row, "all") == "/replay/all/20260120030000/https://www.sz.gov.cn/a%20b?x=1"
    assert replay_url({**row, "org": "有 空格"}) .startswith("/replay/org-id-3/")
    assert replay_url({**row, "org_id": None, "org": None}) is None  # no agency's: not under per-org
    assert replay_url({**row, "record_type": "request"}) is None
    assert replay_url({**row, "url": "dns:www.sz.gov.cn"}) is None
