"""The 我为政府网站找错 entry, however a site hosts it (cn.jiucuo judges what is found here).

The platform (the State Council General Office's 政府网站找错 platform) gives sites one snippet:
`<script id="_jiucuo_" sitecode="4403000002" src="https://zfwzgl.www.gov.cn/exposure/jiucuo.js">`.
The script reads its own `sitecode` attribute, writes an icon (`/exposure/images/jiucuo.png?v=CODE`)
and opens `/exposure/jiucuo.html?site_code=CODE&url=...` on the platform. Real pages carry it as:

- the script from the platform, or a link straight to jiucuo.html (often around an image);
- a local copy of the script (`/js/jiucuo.js`, a saved page's `./x_files/jiucuo.js`): still the
  entry, recognized by its signature (`id="_jiucuo_"` or a `sitecode` attribute);
- the rendered icon (`<span id="_span_jiucuo"><img onclick="Link('CODE')" src=".../jiucuo.png?v=CODE">`);
- the platform's former host: the 2015 普查 platform at pucha.kaipuyun.cn (address 121.43.68.40),
  which thousands of sites still name; the platform's own script on zfwzgl.www.gov.cn keeps the
  old 121.43.68.40 URL as a comment. mgov counts such an entry and says it is outdated.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import NamedTuple
from urllib.parse import parse_qs, urlsplit

from mgov.checks.html import Page, host_of, site_of

CURRENT_HOSTS = ("zfwzgl.www.gov.cn",)
FORMER_HOSTS = ("pucha.kaipuyun.cn", "121.43.68.40")
_PAGE = re.compile(r"/exposure/jiucuo\.html?$", re.I)
_SCRIPT = re.compile(r"/(?:exposure/)?jiucuo\.js\b", re.I)
_ICON = re.compile(r"/exposure/images/jiucuo\.(?:png|gif|jpg)$", re.I)


class Entry(NamedTuple):
    url: str
    code: str | None  # the site code it carries
    form: str  # "script", "link" or "icon"
    hosted: str  # "platform", "former" (the platform's former host), "local" (this site), "other"
    host: str


def find_entries(page: Page, hosts: Iterable[str], former: Iterable[str]) -> list[Entry]:
    """Every 找错 entry on the page, scripts first (the official form), then links, then icons."""
    current, old = {h.lower() for h in hosts}, {h.lower() for h in former}
    platform = current | old
    out = []
    for s in page.scripts:
        src = s["src"]
        signed = s.get("id") == "_jiucuo_" or "sitecode" in s
        if signed or (host_of(src) in platform and _SCRIPT.search(urlsplit(src).path)):
            out.append(Entry(src, s.get("sitecode") or None, "script", _hosted(page, src, current, old),
                             host_of(src)))
    for link in page.links:
        if host_of(link.href) in platform and _PAGE.search(urlsplit(link.href).path):
            out.append(Entry(link.href, _param(link.href, "site_code"), "link",
                             _hosted(page, link.href, current, old), host_of(link.href)))
    for tag, url in page.subresources:
        if tag == "img" and host_of(url) in platform and _ICON.search(urlsplit(url).path):
            out.append(Entry(url, _param(url, "v"), "icon", _hosted(page, url, current, old), host_of(url)))
    return out


def _param(url: str, name: str) -> str | None:
    return next(iter(parse_qs(urlsplit(url).query).get(name, [])), None)


def _hosted(page: Page, url: str, current: set[str], old: set[str]) -> str:
    host = host_of(url)
    if host in current:
        return "platform"
    if host in old:
        return "former"
    return "local" if site_of(host) == site_of(host_of(page.url)) else "other"
