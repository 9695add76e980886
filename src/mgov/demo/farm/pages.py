"""HTML of a farm site: the page frame (head, header, footer), the homepage, the required
pages, search results, the 404 page, and the frame of the content pages.

A healthy page carries every element of the contract (contract.py); each page-level defect
removes or alters exactly one of them. Text comes from a per-site RNG seeded with the farm
seed and the host, so a page is the same on every run of the same day. The homepage's
sections and navigation come from the site's content plan (content_pages.py).
"""

from __future__ import annotations

import random
from html import escape
from typing import NamedTuple
from urllib.parse import quote

from mgov.demo.farm import contract as c
from mgov.demo.farm import notice_marks
from mgov.demo.farm.content_facts import tamper_texts
from mgov.demo.farm.manifest import Site
from mgov.demo.farm.render_marks import FOOTER_JS, home_marks, search_aria


class Page(NamedTuple):
    status: int
    content_type: str
    body: bytes


def html_type(site: Site) -> str:
    if site.has("page.charset_liar"):  # a label browsers do not know: the <meta> decides
        return f"text/html; charset={site.details['page.charset_liar']['header']}"
    if site.encoding == "utf-8":
        return "text/html; charset=utf-8"
    return f"text/html; charset={site.encoding}" if site.charset_declared else "text/html"


def footer_links(site: Site) -> list[tuple[str, str]]:
    """The required links as the site words them (Site.forms["links"]), all of them."""
    return notice_marks.footer_links(site, (c.LONG_LINKS if site.form("links") == "long"
                                            else c.REQUIRED_LINKS)[site.jurisdiction])


def html_page(site: Site, text: str, status: int = 200) -> Page:
    return Page(status, html_type(site), text.encode(site.encoding, errors="xmlcharrefreplace"))


def _head(site: Site, title: str | None, extra: str = "") -> str:
    charset = f'<meta charset="{site.encoding}">' if site.charset_declared else ""
    if site.has("page.charset_liar"):
        charset = '<meta charset="utf-8">'  # the bytes are GBK
    lang = "" if site.has("html.no_lang") else (' lang="zh-CN"' if site.language == "zh"
                                                 else ' lang="en"')
    parts = ["<!DOCTYPE html>", f"<html{lang}>", "<head>", charset]
    if not site.has("mobile.no_viewport"):
        if site.form("viewport") == "twice":  # a desktop template's tag, overridden by the last
            parts.append(c.VIEWPORT_DESKTOP)
        parts.append(c.VIEWPORT)
    if title is not None and not site.has("page.no_title"):
        parts.append(f"<title>{escape(title)}</title>")
    if site.jurisdiction == "cn":
        code = site.identifiers.get("site_code")
        parts += [f'<meta name="SiteName" content="{escape(site.registry.name)}">',
                  f'<meta name="SiteDomain" content="{site.host}">']
        if code:
            parts.append(f'<meta name="SiteIDCode" content="{code}">')
    parts += ['<link rel="stylesheet" href="/css/site.css">',
              '<script src="/js/site.js" defer></script>']
    if site.jurisdiction == "us":
        parts.append(c.DAP_SCRIPT)
    parts += [extra, "</head>"]
    return "\n".join(p for p in parts if p)


def _trackers(site: Site, rng: random.Random) -> str:
    ga = f"G-{rng.getrandbits(40):010X}"
    out = [f'<script async src="https://{c.GA_HOST}/gtag/js?id={ga}"></script>',
           ("<script>window.dataLayer=window.dataLayer||[];"
            "function gtag(){dataLayer.push(arguments);}"
            f"gtag('js',new Date());gtag('config','{ga}');</script>")]
    if site.jurisdiction == "cn":
        cnzz = rng.randint(1_000_000_000, 1_999_999_999)
        out += [f'<script src="https://{c.BAIDU_HOST}/hm.js?{rng.getrandbits(128):032x}"></script>',
                f'<script src="https://{c.CNZZ_HOST}/z_stat.php?id={cnzz}&web_id={cnzz}"></script>']
    return "\n".join(out)


def _footer(site: Site, rng: random.Random, links: bool, tampered: bool = False) -> str:
    parts = ["<footer>"]
    if links:
        dropped = set(site.details.get("links_dropped", ()))
        shown = footer_links(site) + (c.MORE_LINKS[site.jurisdiction] if site.form("links") == "long" else [])
        anchors = [f'<a href="{href}">{escape(text)}</a>' for text, href in shown if href not in dropped]
        label = "页脚链接" if site.language == "zh" else "Footer links"  # two navs: unique names
        parts.append(f'<nav class="footer-links" aria-label="{label}">{" ".join(anchors)}</nav>')
    if site.jurisdiction == "us":
        who = tamper_texts(site)["after"]["footer"] if tampered else site.organization.name_en
        parts.append(f"<p>{escape(who)} · "
                     f'<a href="mailto:webmaster@{site.host}">webmaster@{site.host}</a></p></footer>')
        return "\n".join(parts)
    ids = site.identifiers
    org = escape(site.organization.name_zh)
    phone = f"0{rng.randint(10, 999)}-{rng.randint(10_000_000, 99_999_999)}"
    if tampered:
        parts.append(f"<p>{escape(tamper_texts(site)['after']['footer'])}　联系电话：{phone}</p>")
    else:
        parts.append(f"<p>主办：{org}　承办：{org}办公室　联系电话：{phone}</p>")
    if site.has("render.js_footer"):  # the identifiers and 找错 come from a script
        parts.append(f'<script src="{FOOTER_JS}"></script>')
        ids = {**ids, "jiucuo_site_code": None}
    else:
        parts.append(identity_line(site))
    badges = []
    if ids.get("conac_id"):
        badges.append(f'<a href="https://{c.CONAC_HOST}/sitename?method=show&id={ids["conac_id"]}">'
                      f'<img src="{c.CONAC_IMG}" alt="党政机关"></a>')
    if jiucuo_code := ids.get("jiucuo_site_code"):
        badges.append(jiucuo_entry(site, jiucuo_code))
    parts += [f"<p>{' '.join(badges)}</p>", "</footer>"]
    return "\n".join(parts)


def identity_line(site: Site) -> str:
    """The footer's 网站标识码, ICP备案 and 公网安备, as the site shows them."""
    ids = site.identifiers
    line = []
    if ids.get("site_code"):
        line.append(f"网站标识码：{ids['site_code']}")
    if ids.get("icp"):
        label = "ICP备案号：" if site.form("footer") in ("blocks", "spans") else ""
        line.append(f'{label}<a href="https://{c.ICP_HOST}/" target="_blank" rel="noopener">{ids["icp"]}</a>')
    if ids.get("psb"):
        line.append(f'<a href="http://{c.PSB_HOST}/portal/registerSystemInfo?recordcode='
                    f'{ids["psb_number"]}" target="_blank" rel="noopener">{ids["psb"]}</a>')
    return _identity_line(site, line)


def _identity_line(site: Site, items: list[str]) -> str:
    """The footer's identifiers (Site.forms["footer"]): one paragraph with full-width spaces,
    a block each (网站标识码：X</p><p>ICP备案号：...), or a span each with no space between."""
    form = site.form("footer")
    if form == "blocks":
        return '<div class="identity">' + "".join(f"<p>{item}</p>" for item in items) + "</div>"
    if form == "spans":
        return '<p class="identity">' + "".join(f"<span>{item}</span>" for item in items) + "</p>"
    return f"<p>{'　'.join(items)}</p>"


def jiucuo_entry(site: Site, code: str) -> str:
    """The 我为政府网站找错 entry as the site hosts it (Site.forms["jiucuo"])."""
    form = site.form("jiucuo")
    if form == "script":
        return f'<script id="_jiucuo_" sitecode="{code}" src="https://{c.JIUCUO_HOST}/exposure/jiucuo.js"></script>'
    if form == "local":
        return f"<script id=\"_jiucuo_\" sitecode='{code}' src='{JIUCUO_LOCAL}'></script>"
    host = c.JIUCUO_FORMER_HOST if form == "former" else c.JIUCUO_HOST
    home = quote(f"https://{site.host}/", safe="")
    return f'<a href="https://{host}/exposure/jiucuo.html?site_code={code}&url={home}">我为政府网站找错</a>'


JIUCUO_LOCAL = "/js/jiucuo.js"  # a local copy of the platform's script (jiucuo form "local")
JIUCUO_JS = f"""// 我为政府网站找错: a local copy of the platform's script (served by the mgov demo farm).
var sitecode = document.getElementById("_jiucuo_").getAttribute("sitecode");
document.write("<span id='_span_jiucuo'><a href='https://{c.JIUCUO_HOST}/exposure/jiucuo.html?site_code="
               + sitecode + "&url=" + encodeURIComponent(location.href) + "'>我为政府网站找错</a></span>");
"""


def header(site: Site, tampered: bool = False) -> str:
    """The site header: logo, name, search form (every page with a header has the same one)."""
    zh = site.language == "zh"
    name = site.registry.name
    shown = tamper_texts(site)["after"]["header"] if tampered else name
    parts = ['<header class="site-header">',
             f'<a href="/"><img src="/images/logo.png" alt="{escape(name)}" width="64" height="64"></a>',
             f"<h1>{escape(shown)}</h1>"]
    if not site.has("search.missing"):
        label = "搜索" if zh else "Search"
        parts.append(c.SEARCH_FORM.format(label=label, aria=search_aria(site, label)))
    parts.append("</header>")
    return "\n".join(parts)


def home(site: Site, seed: int, *, nav: str = "", sections: str = "",
         tampered: bool = False) -> str:
    """The homepage: header, the content's navigation and sections, footer with the required
    links. `tampered`: redflag.tampered's header and footer (epoch 2)."""
    rng = random.Random(f"{seed}/{site.host}/home")
    zh = site.language == "zh"
    name = site.registry.name
    # Without a consultation channel the title does not name one either.
    title = (f"{name} - 政务公开 政务服务 {'信息公开' if site.has('interaction.none') else '互动交流'}"
             if zh else f"Home | {site.organization.name_en} - Official Website")
    extra = _trackers(site, rng) if site.has("analytics.trackers") else ""
    body = ["<body>"]
    if not zh:
        body.append('<section class="usa-banner" aria-label="Official government website">An official '
                    "website of the United States government. Here's how you know.</section>")
    body.append(header(site, tampered))
    if nav:
        body.append(nav)
    body += ["<main>", f'<img class="banner" src="/images/banner.png" alt="{escape(name)}">']
    if sections:
        body.append(sections)
    if marks := home_marks(site):
        body.append(marks)
    if site.has("page.heavy"):
        body.append(f'<img class="banner" src="{c.HEAVY_IMG}" alt="{escape(name)}">')
    if site.has("mixed_content"):
        body += [f'<script src="http://{site.host}/js/legacy.js"></script>',
                 f'<img src="http://{site.host}/images/legacy.png" alt="">']
    if site.has("cookies.third_party"):
        body.append(f'<img src="https://{c.TRACKER_HOST}/pixel.gif?site={site.host}" '
                    'width="1" height="1" alt="">')
    body += ["</main>", _footer(site, rng, links=True, tampered=tampered), "</body>", "</html>"]
    return _head(site, title, extra) + "\n" + "\n".join(body) + "\n"


def content_page(site: Site, seed: int, title: str, main: str, *,
                 metas: tuple[tuple[str, str], ...] = (), nav: str = "") -> str:
    """A content page (column list, article, message board, form): the site's header and
    navigation, `metas` as <meta name content>, `main` inside <main>, the footer."""
    rng = random.Random(f"{seed}/{site.host}/home")  # the same footer as the other pages
    all_metas = list(metas)
    if site.jurisdiction != "cn":  # cn pages have SiteName already (_head)
        all_metas.insert(0, ("SiteName", site.registry.name))
    extra = "\n".join(f'<meta name="{n}" content="{escape(v)}">' for n, v in all_metas)
    body = ["<body>", header(site)]
    if nav:
        body.append(nav)
    body += ["<main>", main, "</main>", _footer(site, rng, links=False), "</body>", "</html>"]
    return (_head(site, f"{title} - {site.registry.name}", extra) + "\n" + "\n".join(body)
            + "\n")


def page(site: Site, heading: str, paragraphs: list[str], seed: int) -> str:
    """Any other HTML page of the site: same head and footer, a heading and some text."""
    rng = random.Random(f"{seed}/{site.host}/home")  # the same footer as the homepage
    zh = site.language == "zh"
    title = f"{heading} - {site.registry.name}"
    text = "\n".join(f"<p>{p}</p>" for p in paragraphs)
    back = "返回首页" if zh else "Back to the homepage"
    body = f'<body>\n<main>\n<h1>{escape(heading)}</h1>\n{text}\n<p><a href="/">{back}</a></p>\n</main>'
    return (_head(site, title) + "\n" + body + "\n" + _footer(site, rng, links=False)
            + "\n</body>\n</html>\n")
