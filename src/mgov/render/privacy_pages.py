"""What the render pass adds for the privacy checks (evidence key "rendered_privacy"): the
privacy notice the rendered homepage links to, and the pages with forms that ask for personal
data, rendered as the start page was (desktop only).

- The notice: the homepage's links (content.notices), else the links of the pages its site
  links lead to (网站地图, 关于我们, 网站声明, About, Site map, Site policies: two clicks); the
  best one read (collect.notices). On US sites /privacy when nothing links to a notice.
- The forms: the homepage's links toward forms and message boards (我要留言, 在线咨询, 互动交流,
  Contact us, Feedback), fetched; a page with a personal-data form is kept, another one's own
  such links are followed once. At most FORM_PAGES pages are rendered, READS_AT_MOST fetched.

Everything fetched or rendered is archived like the rest of the pass."""

from __future__ import annotations

import re

from mgov.collect.browser import BrowserPool
from mgov.collect.notices import program_url, read_candidates
from mgov.collect.render_site import render_viewports
from mgov.collect.site import CollectContext
from mgov.content.notices import notice_links, page_links
from mgov.content.personal_forms import form_links, personal_forms
from mgov.evidence.notices import LINKS_KEPT, NoticeLink, PrivacyNotice
from mgov.evidence.rendered import DESKTOP, Rendering
from mgov.evidence.site import SiteEvidence

FORM_PAGES = 2
READS_AT_MOST = 6
_SITE_INFO = re.compile(r"网站地图|站点地图|关于我们|关于本网|网站声明|法律声明|帮助|\bsite ?map\b|\babout\b|"
                        r"\bsite polic(y|ies)\b|\bpolicies\b", re.I)


async def _html(ctx: CollectContext, url: str) -> str:
    fetch = await ctx.client.fetch(url)
    final = fetch.final
    return final.text or "" if fetch.ok and final is not None and final.status == 200 else ""


async def find_notice(ctx: CollectContext, home: Rendering, jurisdiction: str | None) -> PrivacyNotice:
    base = home.final_url or home.url
    links = [NoticeLink(k.url, k.anchor, base, 1, k.score) for k in notice_links(home.dom or "", base)]
    if not links:  # two clicks: the site-information pages the homepage links to
        info = [k for k in page_links(home.dom or "", base, same_site=True) if _SITE_INFO.search(k[1])][:3]
        for url, _anchor in info:
            links += [NoticeLink(k.url, k.anchor, url, 2, k.score) for k in notice_links(await _html(ctx, url), url)]
        links.sort(key=lambda k: (-k.score, k.clicks or 99))
    notice = PrivacyNotice("render", links=links[:LINKS_KEPT])
    await read_candidates(ctx.client, notice, links)
    if jurisdiction == "us" and (notice.policy is None or not notice.policy.ok):
        url = program_url(base)
        await read_candidates(ctx.client, notice, [NoticeLink(url, "", base, None, 1)])
    return notice


async def find_form_pages(ctx: CollectContext, pool: BrowserPool, home: Rendering) -> list[Rendering]:
    base = home.final_url or home.url
    queue = form_links(home.dom or "", base)
    seen = {base, *queue}
    found: list[str] = []
    reads = 0
    while queue and len(found) < FORM_PAGES and reads < READS_AT_MOST:
        url = queue.pop(0)
        html = await _html(ctx, url)
        reads += 1
        if personal_forms(html, url):
            found.append(url)
            continue
        for more in form_links(html, url, limit=3):
            if more not in seen:
                seen.add(more)
                queue.append(more)
    out: list[Rendering] = []
    for url in found:
        out += await render_viewports(pool, url, ctx.warc, (DESKTOP,))
    return out


async def add_privacy_pages(ctx: CollectContext, pool: BrowserPool, evidence: SiteEvidence) -> None:
    """The notice and the form pages into evidence, from its rendered start page (desktop first)."""
    rendered = evidence.rendered
    if rendered is None:
        return
    home = rendered.of(DESKTOP.name) or rendered.home
    if home is None or not home.ok or not home.dom:
        return
    evidence.notice = await find_notice(ctx, home, evidence.channel.jurisdiction)
    rendered.form_pages = await find_form_pages(ctx, pool, home)
