"""HTML of a site's content (content.py's plan): navigation, the homepage's sections, column
lists, articles, the message board, the consultation form and its action, attachments.

Pages are rendered per request from the cached plan; the markup is documented in
docs/demo-farm.md ("Content"). `Links` decorates internal links: plain on every site, with a
fresh session id on the session-id-trap site.
"""

from __future__ import annotations

import secrets
from html import escape

from mgov.demo.farm import contract as c
from mgov.demo.farm.content import (
    Column,
    Item,
    Message,
    Plan,
    attachment_path,
    featured,
    form_paths,
    item_path,
    list_path,
    message_path,
    show_date,
)
from mgov.demo.farm.content_facts import broken_status
from mgov.demo.farm.notice_marks import form_marks
from mgov.demo.farm.pages import Page, content_page, home, html_page
from mgov.demo.farm.pdfwrite import write_pdf


class Links:
    """Internal hrefs as a page writes them: unchanged, or (session trap) with a session id
    that is new on every request: ?sid= on navigation, breadcrumb and "more" links
    (`column`), ;jsessionid= on list items and the rest (`__call__`). The homepage's stable
    regions (header, navigation, footer) thus differ only in query strings, which tampering
    detection ignores."""

    def __init__(self, session: bool = False) -> None:
        self.token = secrets.token_hex(8).upper() if session else ""

    def column(self, href: str) -> str:
        if not self.token or not href.startswith("/"):
            return href
        return f"{href}{'&' if '?' in href else '?'}sid={self.token.lower()}"

    def __call__(self, href: str) -> str:
        if not self.token or not href.startswith("/"):
            return href
        path, sep, query = href.partition("?")
        return f"{path};jsessionid={self.token}{sep}{query}"


PLAIN = Links()


def _zh(plan: Plan) -> bool:
    return plan.site.language == "zh"


def nav(plan: Plan, links: Links = PLAIN, extra: tuple[tuple[str, str], ...] = ()) -> str:
    """<nav class="site-nav">: the homepage and every first-level column (and `extra`)."""
    entries = [("/", "首页" if _zh(plan) else "Home")]
    entries += [(col.path, col.name) for col in plan.columns] + list(extra)
    lis = "".join(f'<li><a href="{escape(links.column(h))}">{escape(t)}</a></li>' for h, t in entries)
    return f'<nav class="site-nav"><ul>{lis}</ul></nav>'


def _extra_links_html(plan: Plan, path: str, links: Links) -> str:
    """The <li>s link defects add to the related-links block of the page at path."""
    items = [link for link in plan.links_on(path) if link.kind != "hidden"]
    lis = "".join(f'<li><a href="{escape(links(x.href))}">{escape(x.text)}</a></li>' for x in items)
    return lis


def home_page(plan: Plan, *, links: Links = PLAIN, tampered: bool = False,
              nav_extra: tuple[tuple[str, str], ...] = (),
              links_extra: tuple[tuple[str, str], ...] = ()) -> str:
    site = plan.site
    zh = _zh(plan)
    undated = site.has("content.home_undated")
    news_col, notices_col = featured(plan.columns, "news"), featured(plan.columns, "notices")

    def li(item: Item, icon: bool) -> str:
        img = '<img src="/images/news.png" alt="" width="16" height="16"> ' if icon else ""
        when = "" if undated else (f'<time datetime="{item.date.isoformat()}">'
                                   f"{show_date(item.date, plan.date_style)}</time>")
        return (f'<li>{img}<a href="{escape(links(item_path(site, item)))}">{escape(item.title)}</a>'
                f"{when}</li>")

    more = "更多" if zh else "More"
    parts = [f'<section class="news"><h2>{escape(news_col.name)}</h2><ul>',
             *(li(i, True) for i in plan.latest("news", 6)),
             f'</ul><p class="more"><a href="{escape(links.column(news_col.path))}">{more}</a></p></section>',
             f'<section class="notices"><h2>{escape(notices_col.name)}</h2><ul>',
             *(li(i, False) for i in plan.latest("notices", 5)),
             f'</ul><p class="more"><a href="{escape(links.column(notices_col.path))}">{more}</a></p></section>']
    host = c.LINK_HOSTS[site.jurisdiction]
    healthy = [(f"https://{host}/", "中国政府网" if zh else "USA.gov"), *links_extra]
    lis = "".join(f'<li><a href="{escape(h)}">{escape(t)}</a></li>' for h, t in healthy)
    lis += _extra_links_html(plan, "/", links)
    parts.append(f'<section class="links"><h2>{"相关链接" if zh else "Related sites"}</h2>'
                 f"<ul>{lis}</ul></section>")
    hidden = [x for x in plan.links_on("/") if x.kind == "hidden"]
    if hidden:
        parts.append('<div style="display:none">' + "".join(
            f'<a href="{escape(x.href)}">{escape(x.text)}</a>' for x in hidden) + "</div>")
    return home(site, plan.seed, nav=nav(plan, links, nav_extra), sections="\n".join(parts),
                tampered=tampered)


def _crumbs(plan: Plan, col: Column, links: Links) -> str:
    home_text = "首页" if _zh(plan) else "Home"
    return (f'<div class="crumbs"><a href="{escape(links.column("/"))}">{home_text}</a> &gt; '
            f'<a href="{escape(links.column(col.path))}">{escape(col.name)}</a></div>')


def _col_metas(col: Column) -> tuple[tuple[str, str], ...]:
    return (("ColumnName", col.name), ("ColumnType", col.ctype))


def column_page(plan: Plan, col: Column, k: int, links: Links = PLAIN,
                nav_extra: tuple[tuple[str, str], ...] = ()) -> str:
    site = plan.site
    zh = _zh(plan)
    items = plan.items.get(col.slug, [])
    n_pages = plan.pages_of(col)
    if plan.per_page:
        items = items[k * plan.per_page:(k + 1) * plan.per_page]
    body = [_crumbs(plan, col, links), f'<h2 class="column-title">{escape(col.name)}</h2>']
    if col.state == "blank" and col.placeholder:
        body.append(f'<p class="empty">{escape(col.placeholder)}</p>')
    else:
        body.append('<ul class="list">' + "".join(
            f'<li><a href="{escape(links(item_path(site, i)))}">{escape(i.title)}</a>'
            f"<span>{show_date(i.date, plan.date_style)}</span></li>" for i in items) + "</ul>")
    if n_pages > 1:
        nav_links = []
        if k > 0:
            nav_links.append(f'<a href="{escape(links.column(list_path(site, col, k - 1)))}">'
                             f'{"上一页" if zh else "Previous"}</a>')
        if k + 1 < n_pages:
            nav_links.append(f'<a href="{escape(links.column(list_path(site, col, k + 1)))}">'
                             f'{"下一页" if zh else "Next"}</a>')
        count = f"第{k + 1}页 共{n_pages}页" if zh else f"Page {k + 1} of {n_pages}"
        body.append(f'<div class="pages">{count} {" ".join(nav_links)}</div>')
    related = _extra_links_html(plan, col.path, links) if k == 0 else ""
    if col.ctype == "services":
        host = c.LINK_HOSTS[site.jurisdiction]
        related = (f'<li><a href="https://{host}/">{"国家政务服务平台" if zh else "USA.gov services"}'
                   "</a></li>") + related
    if related:
        body.append(f'<div class="related"><h3>{"相关链接" if zh else "Related links"}</h3>'
                    f"<ul>{related}</ul></div>")
    return content_page(site, plan.seed, col.name, "\n".join(body), metas=_col_metas(col),
                        nav=nav(plan, links, nav_extra))


def _paragraphs(plan: Plan, item: Item) -> list[str]:
    org = plan.site.organization.name_zh if _zh(plan) else plan.site.organization.name_en
    if _zh(plan):
        paras = [f"近日，{org}围绕“{item.title}”相关工作作出部署。",
                 "各有关单位要压实工作责任，细化工作举措，确保各项任务落到实处。",
                 "下一步，将持续跟踪工作进展，及时向社会公开有关情况。"]
    else:
        paras = [f"{org} shared an update: {item.title}.",
                 "Residents can find details, schedules and contacts on this page.",
                 "This page will be updated as the work progresses."]
    if item.flag == "expression" and plan.expression:
        paras.insert(1, plan.expression[2])
    return paras


def pub_date(item: Item) -> str:
    return f"{item.date.isoformat()} {item.minute // 60:02d}:{item.minute % 60:02d}"


def item_page(plan: Plan, col: Column, item: Item, links: Links = PLAIN,
              nav_extra: tuple[tuple[str, str], ...] = ()) -> str:
    site = plan.site
    zh = _zh(plan)
    org = site.organization.name_zh if zh else site.organization.name_en
    when = pub_date(item)
    info = f"发布时间：{when}　来源：{escape(org)}" if zh else f"Posted: {when} · Source: {escape(org)}"
    body = [_crumbs(plan, col, links), '<article>', f'<h2 class="article-title">{escape(item.title)}</h2>',
            f'<div class="info">{info}</div>', '<div class="content">',
            *(f"<p>{escape(p)}</p>" for p in _paragraphs(plan, item)), "</div>"]
    if item.flag == "attachment":
        name = f"{item.title}.pdf"
        body.append(f'<p class="attachment">{"附件" if zh else "Attachment"}：'
                    f'<a href="{escape(links(attachment_path(site, item)))}">{escape(name)}</a></p>')
    body.append("</article>")
    metas = (*_col_metas(col), ("ArticleTitle", item.title), ("PubDate", when))
    return content_page(site, plan.seed, item.title, "\n".join(body), metas=metas,
                        nav=nav(plan, links, nav_extra))


def board_page(plan: Plan, col: Column, links: Links = PLAIN,
               nav_extra: tuple[tuple[str, str], ...] = ()) -> str:
    """The interaction column: the message list and a link to the consultation form."""
    site = plan.site
    zh = _zh(plan)
    form, _ = form_paths(site)
    heads = ("留言标题", "留言时间", "回复时间", "状态") if zh else ("Question", "Submitted", "Replied", "Status")
    rows = []
    for m in plan.messages:
        replied = m.replied.isoformat() if m.replied else ""
        status = ("已回复" if m.replied else "未回复") if zh else ("Answered" if m.replied else "Awaiting reply")
        rows.append(f'<tr><td><a href="{escape(links(message_path(site, m)))}">{escape(m.title)}</a></td>'
                    f"<td>{m.submitted.isoformat()}</td><td>{replied}</td><td>{status}</td></tr>")
    body = [_crumbs(plan, col, links), f'<h2 class="column-title">{escape(col.name)}</h2>',
            f'<p><a class="write" href="{escape(links(form))}">{"我要留言" if zh else "Ask a question"}</a></p>',
            f'<h3>{"留言板" if zh else "Questions and answers"}</h3>',
            '<table class="messages">',
            "<thead><tr>" + "".join(f"<th>{h}</th>" for h in heads) + "</tr></thead>",
            "<tbody>", *rows, "</tbody></table>"]
    return content_page(site, plan.seed, col.name, "\n".join(body), metas=_col_metas(col),
                        nav=nav(plan, links, nav_extra))


def message_page(plan: Plan, col: Column, m: Message, links: Links = PLAIN,
                 nav_extra: tuple[tuple[str, str], ...] = ()) -> str:
    site = plan.site
    zh = _zh(plan)
    org = site.organization.name_zh if zh else site.organization.name_en
    if zh:
        rows = [("留言标题", escape(m.title)), ("留言时间", m.submitted.isoformat()),
                ("回复时间", m.replied.isoformat() if m.replied else ""),
                ("回复单位", escape(org) if m.replied else ""),
                ("回复内容", "您好，您反映的问题已转交相关部门办理，感谢您的关注。" if m.replied else "尚未回复")]
    else:
        rows = [("Question", escape(m.title)), ("Submitted", m.submitted.isoformat()),
                ("Replied", m.replied.isoformat() if m.replied else ""),
                ("Replied by", escape(org) if m.replied else ""),
                ("Answer", "Thank you. Your question was passed to the responsible office." if m.replied
                 else "Not answered yet")]
    table = "".join(f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in rows)
    body = [_crumbs(plan, col, links), f'<h2 class="article-title">{escape(m.title)}</h2>',
            f'<table class="message">{table}</table>']
    metas = (*_col_metas(col), ("ArticleTitle", m.title), ("PubDate", f"{m.submitted.isoformat()} 09:00"))
    return content_page(site, plan.seed, m.title, "\n".join(body), metas=metas,
                        nav=nav(plan, links, nav_extra))


def form_page(plan: Plan, col: Column, links: Links = PLAIN,
              nav_extra: tuple[tuple[str, str], ...] = ()) -> str:
    site = plan.site
    zh = _zh(plan)
    _, action = form_paths(site)
    if zh:
        fields = ('<p><label>姓名 <input type="text" name="name"></label></p>'
                  '<p><label>联系电话 <input type="tel" name="phone"></label></p>'
                  '<p><label>留言标题 <input type="text" name="title"></label></p>'
                  '<p><label>留言内容 <textarea name="content"></textarea></label></p>'
                  '<p><button type="submit">提交留言</button></p>')
        head = "我要留言"
    else:
        fields = ('<p><label>Name <input type="text" name="name"></label></p>'
                  '<p><label>Email <input type="email" name="email"></label></p>'
                  '<p><label>Subject <input type="text" name="title"></label></p>'
                  '<p><label>Your question <textarea name="content"></textarea></label></p>'
                  '<p><button type="submit">Send</button></p>')
        head = "Ask a question"
    body = [_crumbs(plan, col, links), f'<h2 class="article-title">{head}</h2>',
            f'<form class="consult" action="{escape(action)}" method="post">{fields}</form>']
    if marks := form_marks(site):  # privacy.tracker_on_form
        body.append(marks)
    return content_page(site, plan.seed, head, "\n".join(body), nav=nav(plan, links, nav_extra))


def action_page(plan: Plan) -> Page | None:
    """What the form's action answers (GET, HEAD or POST); None: the site's 404 page."""
    site = plan.site
    zh = _zh(plan)
    status = broken_status(site, plan.seed) or 200
    if status == 404:
        return None
    if status == 500:
        text = "服务器内部错误" if zh else "Internal server error"
        return html_page(site, content_page(site, plan.seed, text, f"<h2>{text}</h2>"), 500)
    text = "提交成功" if zh else "Thank you"
    para = "您的留言已提交，我们将及时办理回复。" if zh else "Your question was received. We will reply soon."
    return html_page(site, content_page(site, plan.seed, text, f"<h2>{text}</h2><p>{para}</p>"))


def serve(plan: Plan, path: str, links: Links = PLAIN,
          nav_extra: tuple[tuple[str, str], ...] = ()) -> Page | None:
    """The content page at path, or None when the plan has no such path."""
    hit = plan.lookup(path)
    if hit is None:
        return None
    kind, col = hit[0], hit[1]
    site = plan.site
    if kind == "column":
        if col.ctype == "interaction":
            text = board_page(plan, col, links, nav_extra)
        else:
            text = column_page(plan, col, hit[2], links, nav_extra)
    elif kind == "item":
        text = item_page(plan, col, hit[2], links, nav_extra)
    elif kind == "attachment":  # the article as a one-page PDF (the crawl reads its text)
        item = hit[2]
        return Page(200, "application/pdf", write_pdf([item.title, "", *_paragraphs(plan, item)], title=item.title))
    elif kind == "message":
        text = message_page(plan, col, hit[2], links, nav_extra)
    elif kind == "form":
        text = form_page(plan, col, links, nav_extra)
    elif kind == "action":
        return action_page(plan)
    else:  # pragma: no cover - plan() makes no other kind
        return None
    return html_page(site, text)
