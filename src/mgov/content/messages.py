"""Message-board lists (留言列表): when each message was left and when it was answered.

Two layouts are read: a <table> whose header row names a submitted column (留言时间...)
and a replied column (回复时间...), and list rows (<li>, <dd>, <tr>) carrying labelled
values such as `留言时间：2026-01-02` and `回复时间：2026-01-05` or `未回复`.
"""

from __future__ import annotations

import re
from datetime import date

from selectolax.lexbor import LexborHTMLParser, LexborNode

from mgov.content.dates import parse_date
from mgov.content.facts import MAX_MESSAGES, MessageRow
from mgov.content.markup import NOT_LINKS, anchor_text, squash
from mgov.evidence.urls import join_url

SUBMITTED = re.compile(r"留言时间|提问时间|来信时间|写信时间|咨询时间|提交时间|留言日期|来信日期|提问日期"
                       r"|date submitted|submitted|asked on", re.I)
REPLIED = re.compile(r"回复时间|答复时间|办结时间|回复日期|答复日期|办结日期"
                     r"|date replied|replied on|replied|answered on", re.I)
_PENDING = re.compile(r"未回复|待回复|未答复|待答复|尚未回复|未办结|办理中|处理中"
                      r"|awaiting reply|not yet answered|pending", re.I)
_DONE = re.compile(r"已回复|已答复|已办结|已处理|answered|replied", re.I)
_TITLE = re.compile(r"标题|主题|事项|内容|title|subject", re.I)
_WINDOW = 40  # characters after a label where its value is looked for


def _cells(tr: LexborNode) -> list[LexborNode]:
    return [c for c in tr.iter() if c.tag in ("td", "th")]


def _own_rows(table: LexborNode) -> list[LexborNode]:
    # Rows of this table, not of tables nested in its cells.
    rows = []
    for child in table.iter():
        if child.tag == "tr":
            rows.append(child)
        elif child.tag in ("thead", "tbody", "tfoot"):
            rows.extend(c for c in child.iter() if c.tag == "tr")
    return rows


def _first_link(row: LexborNode, base: str) -> tuple[str, str | None]:
    for a in row.css("a[href]"):
        href = (a.attributes.get("href") or "").strip()
        if href and not href.lower().startswith(NOT_LINKS):
            return anchor_text(a), join_url(base, href)
    return "", None


def _reply(text: str, today: date) -> tuple[date | None, bool]:
    """(reply date, answered) of a replied cell or labelled value."""
    if _PENDING.search(text):
        return None, False
    replied = parse_date(text, today)
    return replied, replied is not None or bool(_DONE.search(text))


def _table_rows(table: LexborNode, base: str, today: date, used: set[int]) -> list[MessageRow] | None:
    rows = _own_rows(table)
    if len(rows) < 2:
        return None
    labels = [squash(c.text() or "") for c in _cells(rows[0])]
    sub = next((i for i, t in enumerate(labels) if SUBMITTED.search(t)), None)
    rep = next((i for i, t in enumerate(labels) if REPLIED.search(t)), None)
    if sub is None or rep is None:
        return None
    title_col = next((i for i, t in enumerate(labels) if _TITLE.search(t)), None)
    used.add(rows[0].mem_id)
    out = []
    for tr in rows[1:]:
        used.add(tr.mem_id)
        cells = _cells(tr)
        if len(cells) <= max(sub, rep):
            continue
        submitted = parse_date(cells[sub].text() or "", today)
        if submitted is None:  # a pager or summary row, or a date nobody can judge
            continue
        link_title, url = _first_link(tr, base)
        title = link_title or (squash(cells[title_col].text() or "") if title_col is not None and title_col < len(cells)
                               else "")
        replied, answered = _reply(squash(cells[rep].text() or ""), today)
        out.append(MessageRow(title[:200], url, submitted, replied, answered))
    return out


def _value(text: str, label: re.Match[str]) -> str:
    # The text after a label up to the next label, so one label never reads the other's date.
    window = text[label.end():label.end() + _WINDOW]
    nxt = SUBMITTED.search(window) or REPLIED.search(window)
    return window[:nxt.start()] if nxt else window


def _labelled_row(row: LexborNode, base: str, today: date) -> MessageRow | None:
    text = squash(row.text(separator=" ") or "")
    subs = list(SUBMITTED.finditer(text))
    if len(subs) == 1:  # several: a container of message rows, not one
        submitted = parse_date(_value(text, subs[0]), today)
        reply_label = REPLIED.search(text, subs[0].end()) or REPLIED.search(text)
        if reply_label is not None:
            replied, answered = _reply(_value(text, reply_label), today)
        elif _PENDING.search(text) or _DONE.search(text[subs[0].end():]):
            replied, answered = _reply(text[subs[0].end():], today)
            replied = None  # a status word without a reply label carries no reply date
        else:
            return None  # no reply information at all: nothing to judge
        head = text[:subs[0].start()]
    else:
        sub_node = row.css_first('[class*="submitted" i]')
        rep_node = row.css_first('[class*="replied" i]')
        if sub_node is None or rep_node is None:
            return None
        submitted = parse_date(sub_node.text() or "", today)
        replied, answered = _reply(squash(rep_node.text() or ""), today)
        head = ""
    if submitted is None:
        return None
    link_title, url = _first_link(row, base)
    title = link_title or head.strip(" :：|")
    return MessageRow(title[:200], url, submitted, replied, answered)


def parse_messages(tree: LexborHTMLParser, base: str, today: date, text: str) -> tuple[list[MessageRow], int]:
    """(message rows up to the cap, total rows) of a page whose visible text is text."""
    if not SUBMITTED.search(text) and tree.css_first('[class*="submitted" i]') is None:
        return [], 0
    out: list[MessageRow] = []
    total = 0
    used: set[int] = set()
    for table in tree.css("table"):
        rows = _table_rows(table, base, today, used)
        if rows is not None:
            total += len(rows)
            out.extend(rows[:MAX_MESSAGES - len(out)])
    for row in tree.css("li, dd, tr"):
        if row.mem_id in used:
            continue
        msg = _labelled_row(row, base, today)
        if msg is not None:
            total += 1
            if len(out) < MAX_MESSAGES:
                out.append(msg)
    return out, total
