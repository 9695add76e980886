"""Charsets: what a page declares, what browsers do with it, and what its bytes are.

Unit rules of collect.charset, then the charset liar served by a real server on loopback
through mgov's client: decoded right, and reported by page.encoding."""

from __future__ import annotations

import asyncio
import codecs
import datetime as dt
import random
import time
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from mgov.checks.base import Status
from mgov.checks.plugins import all_checks
from mgov.collect.charset import SAMPLE, sniff
from mgov.evidence.exchange import Fetch
from mgov.evidence.site import ChannelFacts, SiteEvidence
from test_collect_support import RawHandler, lab, read_request, run

ZH = "<p>政务公开 通知公告 政策文件 互动交流 办事服务 网站标识码 欢迎访问本网站，今天是个好日子。</p>" * 5
TW = "<p>政府資訊公開 通知公告 政策文件 互動交流 辦事服務 歡迎光臨本網站，今天是個好日子。</p>" * 5


def page(body_html: str, meta: str = "") -> str:
    return f"<!doctype html><html><head>{meta}<title>t</title></head><body>{body_html}</body></html>"


@pytest.mark.parametrize(("body", "ctype", "charset", "declared", "where", "mismatch"), [
    # The charset liar: an unknown label in Content-Type is ignored, the meta says utf-8, the bytes are GBK.
    (page(ZH, '<meta charset="utf-8">').encode("gbk"), "text/html; charset=gbk2312", "gb18030", "utf-8", "meta",
     True),
    (page(ZH, '<meta charset="utf-8">').encode("gbk"), "text/html; charset=x-unknown", "gb18030", "utf-8", "meta",
     True),
    # A known but wrong header wins over a right meta: browsers follow the header.
    (page(ZH, '<meta charset="gbk">').encode("gbk"), "text/html; charset=utf-8", "gb18030", "utf-8", "header", True),
    (page(ZH).encode(), "text/html; charset=gbk", "utf-8", "gb18030", "header", True),
    (page("café crème brûlée résumé").encode(), "text/html; charset=iso-8859-1", "utf-8", "cp1252", "header",
     True),
    (page(TW).encode("big5"), "text/html", "big5hkscs", None, None, False),  # undeclared Big5
    # A server's default ISO-8859-1 header on a GBK page: browsers follow the header.
    (page(ZH, '<meta charset="gbk">').encode("gbk"), "text/html;charset=ISO-8859-1", "gb18030", "cp1252", "header",
     True),
    (page(TW, '<meta charset="gbk">').encode("big5"), None, "big5hkscs", "gb18030", "meta", True),
    (page("Café, naïve, façade, Zürich").encode("latin-1"), "text/html; charset=iso-8859-1", "cp1252", "cp1252",
     "header", False),
    (page(ZH).encode("gbk"), "text/html", "gb18030", None, None, False),  # undeclared GBK
    (page(ZH).encode(), "text/html", "utf-8", None, None, False),  # undeclared UTF-8
    (page(TW, '<meta charset="big5">').encode("big5"), "text/html", "big5hkscs", "big5hkscs", "meta", False),
    (page(ZH, '<meta charset="gb2312">').encode("gbk"), "text/html", "gb18030", "gb18030", "meta", False),
    # Several meta declarations: the first one browsers know wins (HTML's pre-scan).
    (page(ZH, '<meta charset="x-bogus"><meta charset="gbk"><meta charset="utf-8">').encode("gbk"), None,
     "gb18030", "gb18030", "meta", False),
    (page(ZH, '<meta http-equiv="Content-Type" content="text/html; charset=utf-8"><meta charset="gbk">').encode(),
     None, "utf-8", "utf-8", "meta", False),
    (codecs.BOM_UTF8 + page(ZH).encode(), "text/html; charset=gbk", "utf-8", "utf-8", "bom", False),
    (b"<html>plain ascii</html>", "text/html; charset=x-unknown", "utf-8", None, None, False),
])
def test_sniff(body: bytes, ctype: str | None, charset: str, declared: str | None, where: str | None,
               mismatch: bool) -> None:
    facts = sniff(body, ctype)
    assert (facts.charset, facts.declared, facts.declared_in, facts.mismatch) == (charset, declared, where, mismatch)
    if mismatch and declared == "utf-8":
        # What the visitor's browser cannot decode. Legacy charsets may read other bytes without
        # an error, as wrong characters (UTF-8's é as cp1252's Ã©, Big5 as GBK hanzi).
        assert facts.errors > 0


def test_labels_record_what_browsers_ignore() -> None:
    facts = sniff(page(ZH, '<meta charset="utf-8">').encode("gbk"), "text/html; charset=gbk2312")
    assert facts.labels == {"header": "gbk2312", "meta": "utf-8"}


def test_stray_bytes_are_not_a_mismatch() -> None:
    # A UTF-8 page with a Windows-1252 quote pasted in: a stray byte, not another charset.
    body = page(ZH, '<meta charset="utf-8">').encode() + b"It\x92s"
    facts = sniff(body, "text/html; charset=utf-8")
    assert facts.charset == "utf-8" and not facts.mismatch and facts.errors == 1


def test_many_stray_bytes_without_another_charset_are_errors_not_a_mismatch() -> None:
    body = page("It\x92s the agency\x92s page; we\x92re here. " * 4, '<meta charset="utf-8">').encode("latin-1")
    facts = sniff(body, "text/html; charset=utf-8")
    assert (facts.charset, facts.mismatch, facts.errors) == ("utf-8", False, 12)


def test_decision_is_taken_on_a_bounded_window() -> None:
    # Megabytes of ASCII before the first Chinese character: the window starts there.
    body = b"<html><head><meta charset=utf-8></head><body>" + b"x" * (3 << 20) + page(ZH).encode("gbk")
    started = time.perf_counter()
    facts = sniff(body, "text/html")
    assert facts.charset == "gb18030" and facts.mismatch
    # Hostile input: megabytes of random bytes decide in a bounded time too.
    noise = random.Random(3).randbytes(5 << 20)
    assert sniff(noise, "text/html; charset=utf-8").charset == "utf-8"  # nothing fits: the declaration
    assert time.perf_counter() - started < 2.0
    assert SAMPLE <= 1 << 16


def test_truncated_body_cut_inside_a_character() -> None:
    body = page(ZH).encode()
    cut = body[:body.index("公".encode()) + 1]
    assert sniff(cut, "text/html; charset=utf-8", truncated=True).errors == 0


@given(st.binary(max_size=3000), st.sampled_from([None, "text/html", "text/html; charset=utf-8",
                                                  "text/html; charset=gbk", "text/html; charset=gbk2312"]))
def test_sniff_never_raises(data: bytes, ctype: str | None) -> None:
    facts = sniff(data, ctype)
    assert data.decode(facts.charset, "replace") is not None


# --- the liar served over HTTP, through mgov's client ---------------------------------------

LIAR = ("<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><title>某市人民政府门户网站</title>"
        "<meta name=\"SiteIDCode\" content=\"4401000059\">"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"></head><body>"
        "<p>欢迎访问某市人民政府门户网站</p><footer><p>网站标识码：4401000059</p>"
        "<p><a href=\"https://beian.miit.gov.cn/\">粤ICP备12345678号-1</a></p></footer></body></html>")


def server(ctype: str, body: bytes) -> RawHandler:
    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await read_request(reader)
        writer.write(f"HTTP/1.1 200 OK\r\nContent-Type: {ctype}\r\nContent-Length: {len(body)}\r\n"
                     "Connection: close\r\n\r\n".encode() + body)
        await writer.drain()
    return handle


def evidence(url: str, fetch: Fetch) -> SiteEvidence:
    host = url.split("/")[2]
    return SiteEvidence(channel=ChannelFacts("website", url, host, "cn", "prefecture", "org",
                                             {"site_code": "4401000059"}),
                        collected_at=dt.datetime.now(dt.UTC), http_home=fetch)


def test_charset_liar_over_http_is_decoded_right_and_reported(tmp_path: Path) -> None:
    handlers = {"liar.test": server("text/html; charset=gbk2312", LIAR.encode("gbk")),
                "bare.test": server("text/html", LIAR.replace('<meta charset="utf-8">', "").encode("gbk")),
                "honest.test": server("text/html; charset=utf-8", LIAR.encode())}

    async def main() -> dict[str, Fetch]:
        async with lab(tmp_path, raw=handlers) as L:
            names = list(handlers)
            fetches = await asyncio.gather(*(L.ctx.client.fetch(f"http://{h}/") for h in names))
            return dict(zip(names, fetches, strict=True))

    got = run(main())
    checks = all_checks()
    liar = got["liar.test"].final
    assert liar is not None and liar.text is not None and "某市人民政府门户网站" in liar.text
    assert (liar.charset, liar.declared_charset, liar.charset_declared_in) == ("gb18030", "utf-8", "meta")
    assert liar.charset_mismatch and liar.charset_errors > 0
    assert liar.charset_labels == {"header": "gbk2312", "meta": "utf-8"}
    ev = evidence("http://liar.test/", got["liar.test"])
    f = checks["page.encoding"].run(ev)
    assert f.status is Status.FAIL, f.message
    assert "declared utf-8" in f.message and "gb18030" in f.message and "garbled" in f.message
    assert "乱码" in f.message_zh and f.evidence
    # The other checks read the right text: the identifiers are there.
    for cid in ("cn.icp", "cn.site_code", "page.title"):
        assert checks[cid].run(ev).status is Status.PASS, cid
    bare = checks["page.encoding"].run(evidence("http://bare.test/", got["bare.test"]))
    assert bare.status is Status.WARN and "no charset declared" in bare.message
    assert bare.value["decoded_as"] == "gb18030"
    honest = checks["page.encoding"].run(evidence("http://honest.test/", got["honest.test"]))
    assert honest.status is Status.PASS and honest.value["declared_in"] == "header"
