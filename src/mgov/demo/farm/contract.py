"""The healthy-site contract in constants: what the checks will match, byte for byte.

Pages, headers and the tests all read these, so a change here changes the farm and its
tests together (and docs/demo-farm.md must follow).
"""

from __future__ import annotations

HSTS = "max-age=31536000; includeSubDomains; preload"
HSTS_WEAK = "max-age=86400"

# Security headers on every HTTPS response of a healthy site (HSTS apart).
SECURITY_HEADERS: dict[str, str] = {
    # The scripts healthy pages load from elsewhere: DAP (us) and the 找错 platform's (cn).
    "Content-Security-Policy": ("default-src 'self'; script-src 'self' https://dap.digitalgov.gov "
                                "https://zfwzgl.www.gov.cn; frame-ancestors 'self'"),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "SAMEORIGIN",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}

VIEWPORT = '<meta name="viewport" content="width=device-width, initial-scale=1">'
# {aria}: the field's accessible name (render_marks.search_aria; none: render.unlabeled_field).
SEARCH_FORM = ('<form action="/search" role="search"><input type="search" name="q"{aria}>'
               '<button type="submit">{label}</button></form>')

# Required homepage links: (anchor text, href). Each target answers 200.
REQUIRED_LINKS: dict[str, list[tuple[str, str]]] = {
    "us": [("Privacy Policy", "/privacy"), ("Contact Us", "/contact"), ("About Us", "/about"),
           ("Accessibility", "/accessibility"), ("FOIA", "/foia")],
    "cn": [("网站地图", "/sitemap.html"), ("联系我们", "/contact.html"), ("关于我们", "/about.html"),
           ("隐私政策", "/privacy.html")],
}

# The same links as real agencies word them ("long" link form, Site.forms["links"]): in the same
# order as REQUIRED_LINKS (links.missing drops by position), at paths the check's path patterns
# do not know, so only the wording names them. Contact stays "Contact Us" / 联系我们: the crawl's
# consultation keywords count the US one as a channel.
LONG_LINKS: dict[str, list[tuple[str, str]]] = {
    "us": [("Privacy and Security Notice", "/site-policies/notice.html"), ("Contact Us", "/contact"),
           ("About the Agency", "/agency/overview.html"),
           ("Section 508 Accessibility Statement", "/site-policies/section508.html"),
           ("Submit a Freedom of Information Act (FOIA) request", "/open/records-requests.html")],
    "cn": [("站点地图", "/wzgl/zddt.html"), ("联系我们", "/contact.html"), ("网站介绍", "/wzgl/wzjs.html"),
           ("隐私声明", "/wzgl/yssm.html")],
}
# Further footer links of the long form (not required by the check's defaults; profiles may).
MORE_LINKS: dict[str, list[tuple[str, str]]] = {
    "us": [("No FEAR Act Data", "/eeo/no-fear-act-data.html"), ("USA.gov", "https://www.usa.gov/")],
    "cn": [("政府信息公开", "/wzgl/zfxxgk.html"), ("依申请公开", "/wzgl/ysqgk.html"), ("无障碍浏览", "/wzgl/wza.html")],
}

# Real-world forms the healthy sites publish, varied by site (generate: Site.forms). The first
# of each is the plain contract above.
FORMS: dict[str, tuple[str, ...]] = {
    "viewport": ("one", "twice"),  # twice: a desktop viewport first, the good one last (it applies)
    "links": ("short", "long"),
    # cn only:
    "icp": ("plain", "spaced", "fullwidth", "bare"),  # 粤ICP备12345678号-1 / 粤ICP备 12345678号 / １２…号－１ / …号
    "psb": ("space", "colon_fw", "colon", "hao_first", "tight"),
    "jiucuo": ("link", "script", "local", "former"),  # the platform's link or script, a local copy, the old host
    "footer": ("inline", "blocks", "spans"),  # identifiers in one <p>, one block each, or one <span> each
}
CN_FORMS = frozenset({"icp", "psb", "jiucuo", "footer"})
VIEWPORT_DESKTOP = '<meta name="viewport" content="width=1200">'
# ICP numbers are filed with MIIT under these prefixes (not 川, 贵, 云, 甘); 公网安备 numbers use
# 滇 for 云南, and 蜀 or 黔 on some sites of 四川 and 贵州.
ICP_PREFIX = {"51": "蜀", "52": "黔", "53": "滇", "62": "陇"}
PSB_PREFIX = {"53": "滇"}
PSB_ALTERNATE = {"51": "蜀", "52": "黔"}
# page.charset_liar: the Content-Type labels browsers do not know (so the <meta> decides).
LIAR_LABELS = ("gbk2312", "x-unknown")

DAP_HOST = "dap.digitalgov.gov"
DAP_SCRIPT = ('<script async src="https://dap.digitalgov.gov/Universal-Federated-Analytics-Min.js'
              '?agency=GSA" id="_fed_an_ua_tag"></script>')

GA_HOST = "www.googletagmanager.com"
BAIDU_HOST = "hm.baidu.com"
CNZZ_HOST = "s4.cnzz.com"
TRACKER_HOST = "track.adnetwork.example"
CRAZYEGG_HOST = "script.crazyegg.com"  # privacy.third_parties_unnamed (us): a heat-map script
ICP_HOST = "beian.miit.gov.cn"
PSB_HOST = "www.beian.gov.cn"
CONAC_HOST = "bszs.conac.cn"
JIUCUO_HOST = "zfwzgl.www.gov.cn"
JIUCUO_FORMER_HOST = "pucha.kaipuyun.cn"  # the 找错 platform's former host (the 2015 普查's)

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
            BAD_LINK_HOST, HIDDEN_LINK_HOST, JIUCUO_FORMER_HOST, CRAZYEGG_HOST]

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

# The new-media platforms (docs/demo-farm.md, Platforms): served under their real names (the
# farm's DNS answers for them, its CA signs them) and under the farm's own domain.
FARM_DOMAIN = "gov-farm.example"
WEIBO_HOST = "m.weibo.cn"  # the mobile web client's JSON API and post pages
WEIBO_LINK_HOST = "weibo.cn"  # /sinaurl?u=...: Weibo's link wrapper (redirects to the target)
WEIBO_AVATAR_HOST = "tvax1.sinaimg.cn"
WEIBO_IMAGE_HOST = "wx1.sinaimg.cn"
WECHAT_HOST = "mp.weixin.qq.com"  # article pages
WECHAT_AVATAR_HOST = "wx.qlogo.cn"
WECHAT_IMAGE_HOST = "mmbiz.qpic.cn"
FEEDS_HOST = f"feeds.{FARM_DOMAIN}"  # RSS, Atom and JSON Feed
SOCIAL_HOST = f"social.{FARM_DOMAIN}"  # a Mastodon-like ActivityPub server
SHOP_HOST = "shop.deals-mall.example"  # newmedia.commercial's link target (answers 200)
PLATFORM_HOSTS = (WEIBO_HOST, WEIBO_LINK_HOST, WEIBO_AVATAR_HOST, WEIBO_IMAGE_HOST, WECHAT_HOST,
                  WECHAT_AVATAR_HOST, WECHAT_IMAGE_HOST, FEEDS_HOST, SOCIAL_HOST, SHOP_HOST)
