"""The healthy-site contract in constants: what the checks will match, byte for byte.

Pages, headers and the tests all read these, so a change here changes the farm and its
tests together (and docs/demo-farm.md must follow).
"""

from __future__ import annotations

HSTS = "max-age=31536000; includeSubDomains; preload"
HSTS_WEAK = "max-age=86400"

# Security headers on every HTTPS response of a healthy site (HSTS apart).
SECURITY_HEADERS: dict[str, str] = {
    "Content-Security-Policy": "default-src 'self'; frame-ancestors 'self'",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "SAMEORIGIN",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}

VIEWPORT = '<meta name="viewport" content="width=device-width, initial-scale=1">'
SEARCH_FORM = ('<form action="/search" role="search"><input type="search" name="q">'
               '<button type="submit">{label}</button></form>')

# Required homepage links: (anchor text, href). Each target answers 200.
REQUIRED_LINKS: dict[str, list[tuple[str, str]]] = {
    "us": [("Privacy Policy", "/privacy"), ("Contact Us", "/contact"), ("About Us", "/about"),
           ("Accessibility", "/accessibility"), ("FOIA", "/foia")],
    "cn": [("网站地图", "/sitemap.html"), ("联系我们", "/contact.html"), ("关于我们", "/about.html"),
           ("隐私政策", "/privacy.html")],
}

DAP_HOST = "dap.digitalgov.gov"
DAP_SCRIPT = ('<script async src="https://dap.digitalgov.gov/Universal-Federated-Analytics-Min.js'
              '?agency=GSA" id="_fed_an_ua_tag"></script>')

GA_HOST = "www.googletagmanager.com"
BAIDU_HOST = "hm.baidu.com"
CNZZ_HOST = "s4.cnzz.com"
TRACKER_HOST = "track.adnetwork.example"
ICP_HOST = "beian.miit.gov.cn"
PSB_HOST = "www.beian.gov.cn"
CONAC_HOST = "bszs.conac.cn"
JIUCUO_HOST = "zfwzgl.www.gov.cn"

# Off-site link targets of the content pages (docs/demo-farm.md, "Content").
LINK_HOSTS = {"cn": "www.gov.cn", "us": "www.usa.gov"}  # the healthy external link: 200
DEAD_LINK_HOST = "archive.partner-agency.example"  # /gone/... answers 404, /error/... 500
NO_DNS_HOST = "www.retired-bureau.example"  # links.dead_external: no DNS record (NXDOMAIN)
BAD_LINK_HOST = "www.casino-bet365.example"  # redflag.bad_link (answers 200)
HIDDEN_LINK_HOST = "www.city-guide.example"  # redflag.hidden_link (answers 200)

# Third-party hosts the farm serves as well, so that every subresource and footer link of a
# farm page resolves to the farm and nothing leaves loopback.
SERVICES = [DAP_HOST, GA_HOST, BAIDU_HOST, CNZZ_HOST, TRACKER_HOST, ICP_HOST, PSB_HOST,
            CONAC_HOST, JIUCUO_HOST, LINK_HOSTS["cn"], LINK_HOSTS["us"], DEAD_LINK_HOST,
            BAD_LINK_HOST, HIDDEN_LINK_HOST]

# The farm's control endpoint: HTTP requests to the farm's HTTP port with this Host header
# (it is in no DNS zone). GET /epoch tells the epoch, POST /epoch?n=2 switches it.
CONTROL_HOST = "control.farm.invalid"

# Homepage subresources of every site (same host, all small); cn sites add the CONAC badge.
SUBRESOURCES = ["/css/site.css", "/js/site.js", "/images/logo.png", "/images/banner.png",
                "/images/news.png"]
CONAC_IMG = "/conac-red.png"
HEAVY_IMG = "/images/hero.jpg"
HEAVY_BYTES = 5_600_000  # the page.heavy image alone is over 5 MB

SITE_CODE_RE = r"^(\d{10}|bm\d{8})$"
SLOW_SECONDS = 3.0  # availability.slow

# Content timeliness (the healthy contract keeps well inside these).
NEWS_MAX_DAYS = 14  # news columns and the homepage: newest item at most this old
TIMELY_MAX_DAYS = 183  # notices and policies columns: about 6 months
REPLY_MAX_DAYS = 90  # a message is answered within this
MAX_ITEM_AGE = 330  # no dated item is older, so [MM-DD] dates never straddle a year
