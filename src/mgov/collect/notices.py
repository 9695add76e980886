"""Reading a site's privacy notice for the crawl and the render pass: a notice page is one GET
through the run's client (archived like every fetch), its visible text read by content.notices.

The crawl's look (`crawl_notice`): after the crawl, the link table of its workspace is asked for
the links that may lead to the notice (content.notices: their text and their URL, in Chinese and
English), each counted in clicks from the homepage (the linking page's crawl depth plus one);
the best one is read (the next when it does not answer, three at most). On US sites the Privacy
Program page at /privacy is read too (OMB M-17-06), whether anything links to it or not: two to
four more requests a site."""

from __future__ import annotations

from urllib.parse import urlsplit

from mgov.collect.client import HttpClient
from mgov.collect.workspace import CrawlWorkspace
from mgov.content.notices import LIKE_ANCHORS, LIKE_URLS, classify_link, read_notice, speaks_of_privacy
from mgov.evidence.exchange import ScanStatus
from mgov.evidence.notices import LINKS_KEPT, NoticeLink, NoticePage, PrivacyNotice

READ_AT_MOST = 3  # candidate pages read before giving up on a site whose notice does not answer
PROGRAM_PATH = "/privacy"

_PASSING = frozenset({ScanStatus.TIMEOUT, ScanStatus.CONNECTION_RESET, ScanStatus.CONNECTION_REFUSED,
                      ScanStatus.UNKNOWN_ERROR, ScanStatus.DNS_UNRESOLVED})
_PASSING_HTTP = frozenset({408, 429, 500, 502, 503, 504})


async def read_notice_page(client: HttpClient, url: str) -> NoticePage:
    """url fetched (redirects followed) and read; never raises."""
    fetch = await client.fetch(url)
    final = fetch.final
    page = NoticePage(url=url, final_url=final.url if final else None,
                      status=final.status if final else None,
                      ref=final.response_ref if final else None)
    if not fetch.ok or final is None:
        status = fetch.status
        detail = f": {fetch.error_detail}" if fetch.error_detail else ""
        page.error = (status.value if status else "no answer") + detail
        page.transient = status in _PASSING
        return page
    page.transient = final.status in _PASSING_HTTP
    if final.text:
        text = read_notice(final.text)
        page.title, page.lang, page.headings = text.title, text.lang, text.headings
        page.text, page.truncated = text.text, text.truncated
    return page


def candidates(workspace: CrawlWorkspace) -> list[NoticeLink]:
    """The links that may lead to the notice, best first: the surest text, then the fewest
    clicks (each target once, as near the homepage as it was seen)."""
    best: dict[str, NoticeLink] = {}
    for source, target, anchor, from_home, depth in workspace.links_like(LIKE_ANCHORS, LIKE_URLS):
        score = classify_link(anchor, target)
        if not score:
            continue
        clicks = 1 if from_home else (depth + 1 if depth is not None else None)
        old = best.get(target)
        if old is None or (score, -(clicks or 99)) > (old.score, -(old.clicks or 99)):
            best[target] = NoticeLink(target, anchor, source, clicks, score)
    return sorted(best.values(), key=lambda k: (-k.score, k.clicks or 99, k.url))


async def read_candidates(client: HttpClient, notice: PrivacyNotice,
                          links: list[NoticeLink]) -> dict[str, NoticePage]:
    """The best candidate read into notice (the next when it does not answer or is no notice: the
    first page that answered stays when none is one); the pages read."""
    read: dict[str, NoticePage] = {}
    for link in links[:READ_AT_MOST]:
        page = read[link.url] = await read_notice_page(client, link.url)
        good = page.ok and speaks_of_privacy(page.text)
        if notice.policy is None or not notice.policy.ok or good:
            notice.link, notice.policy = link, page
        if good:
            break
    return read


def program_url(start_url: str) -> str:
    parts = urlsplit(start_url)
    return f"{parts.scheme}://{parts.netloc}{PROGRAM_PATH}"


async def crawl_notice(client: HttpClient, workspace: CrawlWorkspace, start_url: str,
                       jurisdiction: str | None) -> PrivacyNotice:
    """What the crawl found of the site's privacy notice (see the module docstring)."""
    links = candidates(workspace)
    notice = PrivacyNotice("crawl", links=links[:LINKS_KEPT])
    read = await read_candidates(client, notice, links)
    if jurisdiction == "us":
        url = program_url(start_url)
        notice.program = read.get(url) or await read_notice_page(client, url)
    return notice
