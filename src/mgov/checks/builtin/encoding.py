"""page.encoding: does the homepage say which charset its bytes are in, and say it right?

The collector (collect.charset) reads the bytes as they are and records what the page
declares (Exchange.declared_charset, charset_declared_in, charset_labels), whether the
declaration browsers follow garbles the bytes (charset_mismatch) and how many byte sequences
it cannot decode (charset_errors). The verdicts:

- fail: the declaration browsers follow does not decode the bytes and another charset does
  ("declared utf-8, the bytes decode as gb18030"): every visitor sees garbled text. An
  unknown label in Content-Type (`charset=gbk2312`) is ignored by browsers, so the <meta>
  declaration, or none, is what counts.
- warn: no charset declared at all (no BOM, none in Content-Type, no <meta charset>) on a page
  with non-ASCII text. HTML requires a declaration (HTML §4.2.5.4), and browsers then guess from
  the bytes and the visitor's locale: a zh-CN browser usually guesses a GBK page right, others
  not. A real defect that does not always show, hence warn. An ASCII-only page passes.
- warn: the declared charset leaves more than `max_errors` byte sequences undecodable and no
  other charset reads them better (stray bytes of another charset pasted in): visitors see
  U+FFFD in their place.
"""

from __future__ import annotations

import re
from typing import Any, ClassVar

from mgov.checks.base import Finding, Status
from mgov.checks.builtin.page import _PageCheck
from mgov.checks.html import Page
from mgov.evidence.exchange import Exchange
from mgov.evidence.site import SiteEvidence

_WHERE = {"bom": ("the byte-order mark", "字节顺序标记（BOM）"),
          "header": ("the Content-Type header", "Content-Type 响应头"), "meta": ("the <meta> tag", "<meta> 标签")}

_META = re.compile(r"""<meta[^>]*?charset\s*=\s*["']?\s*([a-zA-Z0-9_.:-]+)""", re.IGNORECASE)


def declaration(ex: Exchange) -> tuple[str | None, str | None, dict[str, str]]:
    """(declared charset, where, labels) as the collector recorded them. Evidence recorded
    before these facts existed (or built by hand) has none: the labels are then read from the
    Content-Type header and the page's first <meta> charset, so that a declared page is not
    called undeclared."""
    if ex.charset_declared_in is not None or ex.charset_labels:
        return ex.declared_charset, ex.charset_declared_in, dict(ex.charset_labels)
    labels = {}
    for param in (ex.header("content-type") or "").split(";")[1:]:
        key, _, val = param.partition("=")
        if key.strip().lower() == "charset" and val.strip().strip("\"'"):
            labels["header"] = val.strip().strip("\"'")
    if (m := _META.search((ex.text or "")[:8192])) is not None:
        labels["meta"] = m.group(1)
    where = next(iter(labels), None)
    return (labels[where].lower() if where else None), where, labels


class PageEncoding(_PageCheck):
    id = "page.encoding"
    title_en = "Character encoding declared and right"
    title_zh = "字符编码声明正确"
    fix_en = ("Declare the charset the pages are saved in, in the Content-Type header (text/html; charset=utf-8) and "
              "a <meta charset> at the top of <head>; UTF-8 is recommended.")
    fix_zh = ("在 Content-Type 响应头（text/html; charset=utf-8）和 <head> 开头的 <meta charset> 中声明页面实际使用的"
              "字符编码，建议统一使用 UTF-8。")
    defaults: ClassVar[dict[str, Any]] = {"max_errors": 3, "undeclared": "warn"}
    basis = "HTML Living Standard §4.2.5.4 (character encoding declaration); WHATWG Encoding; GB/T 37668-2019"

    def judge(self, page: Page, ex: Exchange, ev: SiteEvidence, params: dict[str, Any]) -> Finding:
        declared, where, labels = declaration(ex)
        value = {"declared": declared, "declared_in": where, "labels": labels,
                 "decoded_as": ex.charset, "mismatch": ex.charset_mismatch, "errors": ex.charset_errors}
        ignored = [f"{k}: {v}" for k, v in labels.items() if k != where]
        note = f" (ignored: {', '.join(ignored)})" if ignored else ""
        note_zh = f"（被忽略的声明：{'，'.join(ignored)}）" if ignored else ""
        if ex.charset_mismatch and declared:
            place, place_zh = _WHERE.get(where or "", (where or "?", where or "?"))
            count = f" ({ex.charset_errors} undecodable sequences)" if ex.charset_errors else ""
            count_zh = f"（{ex.charset_errors} 处无法解码）" if ex.charset_errors else ""
            return self.finding(
                Status.FAIL, value,
                message=(f"declared {declared} in {place}{note}, but the bytes decode as {ex.charset}: "
                         f"visitors see garbled text{count}"),
                message_zh=(f"{place_zh}声明的编码为 {declared}{note_zh}，但页面字节实为 {ex.charset}，"
                            f"访问者看到乱码{count_zh}"),
                evidence=ex.refs)
        if where is None:
            if ex.body.isascii():
                return self.finding(Status.PASS, value, message="no charset declared; the page is ASCII only",
                                    message_zh="未声明字符编码，但页面仅含 ASCII 字符", evidence=ex.refs)
            return self.finding(
                Status(params["undeclared"]), value,
                message=(f"no charset declared (Content-Type or <meta charset>){note}: browsers guess, the bytes "
                         f"are {ex.charset}"),
                message_zh=(f"未声明字符编码（Content-Type 或 <meta charset>）{note_zh}，浏览器只能猜测；"
                            f"页面实为 {ex.charset}"),
                evidence=ex.refs)
        if ex.charset_errors > params["max_errors"]:
            return self.finding(
                Status.WARN, value,
                message=f"{ex.charset_errors} byte sequences do not decode as the declared {declared}",
                message_zh=f"{ex.charset_errors} 处字节无法按声明的 {declared} 解码，显示为乱码符号",
                evidence=ex.refs)
        return self.finding(Status.PASS, value, evidence=ex.refs)
