"""Static bytes the farm serves: images, CSS, JS, the heavy image, and the third parties.

Built once on first use and shared by every site, so that 10,000 sites cost no more memory
than one.
"""

from __future__ import annotations

import functools
import random
import struct
import zlib
from typing import NamedTuple

from mgov.demo.farm import contract as c
from mgov.demo.farm.notice_marks import tracker_script


class Asset(NamedTuple):
    content_type: str
    body: bytes


def png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """A solid-colour PNG (valid, tiny)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    row = b"\x00" + bytes(rgb) * width
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr)
            + chunk(b"IDAT", zlib.compress(row * height, 9)) + chunk(b"IEND", b""))


# A 1x1 transparent GIF, the classic tracking pixel.
PIXEL_GIF = (b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00"
             b"\x00\x00\x00,\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;")

CSS = """body{margin:0;font:16px/1.6 system-ui,sans-serif;color:#1b1b1b;overflow-wrap:anywhere}
header,main,footer{max-width:72rem;margin:0 auto;padding:1rem}
header{display:flex;gap:1rem;align-items:center;flex-wrap:wrap}
.banner{width:100%;height:auto}.news li{margin:.25rem 0}.news time{color:#565c65;margin-left:.5rem}
footer{border-top:1px solid #dfe1e2;font-size:.9rem}footer a{margin-right:1rem}
.usa-banner{background:#f0f0f0;font-size:.8rem;padding:.25rem 1rem}
@media (max-width:40em){header{display:block}}
a{display:inline-block;min-width:44px;min-height:44px;line-height:44px}
button,input,select,textarea{min-width:44px;min-height:44px;font-size:16px}
.toolbar a{margin-right:1rem}
body.elder{font-size:24px}body.elder footer,body.elder .toolbar{font-size:24px}
body.elder a,body.elder button,body.elder input{min-width:60px;min-height:60px;line-height:60px;font-size:24px}
.wide{width:1100px;border-collapse:collapse}.wide td{border:1px solid #565c65;padding:.25rem}
.share{display:flex}
.share button{width:16px;height:16px;min-width:0;min-height:0;padding:0;margin:0;border:0;background:#005ea2}
.faint{color:#c0c0c0}
.map{height:8rem;background:#e6e6e6;border:1px solid #565c65;padding:1rem}
.float-ad{position:fixed;right:1rem;bottom:1rem;width:14rem;z-index:1000;background:#fff;
  border:2px solid #b50909;padding:.5rem}
"""

JS = """// Site script: marks the current navigation entry; on cn sites (their pages name a
// SiteDomain) adds the 长者模式 (适老版) entry to the header. No third-party requests.
document.addEventListener("DOMContentLoaded", function () {
  var here = location.pathname;
  document.querySelectorAll("nav a").forEach(function (a) {
    if (a.getAttribute("href") === here) { a.setAttribute("aria-current", "page"); }
  });
  if (!document.querySelector('meta[name="SiteDomain"]')) { return; }
  var bar = document.createElement("p");
  bar.className = "toolbar";
  [["/elder/", "长者模式"]].forEach(function (entry) {
    var a = document.createElement("a");
    a.href = entry[0]; a.textContent = entry[1];
    bar.appendChild(a);
  });
  (document.querySelector("header") || document.querySelector("main") || document.body).appendChild(bar);
});
"""

TRACKER_JS = "/* {host}: stand-in for the real script, served by the mgov demo farm */\n"
# The 找错 platform's script (jiucuo form "script"): writes the entry where it stands.
JIUCUO_REMOTE_JS = f"""// 我为政府网站找错 (stand-in served by the mgov demo farm).
(function () {{
  var me = document.getElementById("_jiucuo_");
  var code = me ? me.getAttribute("sitecode") : "";
  document.write("<span id='_span_jiucuo'><a href='https://{c.JIUCUO_HOST}/exposure/jiucuo.html?site_code="
                 + code + "&url=" + encodeURIComponent(location.href) + "'>我为政府网站找错</a></span>");
}})();
"""


@functools.cache
def static_assets() -> dict[str, Asset]:
    """Same-host subresources, by path."""
    img = "image/png"
    return {
        "/css/site.css": Asset("text/css; charset=utf-8", CSS.encode()),
        "/js/site.js": Asset("text/javascript; charset=utf-8", JS.encode()),
        "/images/logo.png": Asset(img, png(64, 64, (0, 94, 162))),
        "/images/banner.png": Asset(img, png(240, 60, (26, 68, 128))),
        "/images/news.png": Asset(img, png(32, 32, (216, 57, 51))),
        c.CONAC_IMG: Asset(img, png(24, 24, (204, 0, 0))),
        "/js/legacy.js": Asset("text/javascript; charset=utf-8", b"/* legacy script */\n"),
        "/images/legacy.png": Asset(img, png(16, 16, (128, 128, 128))),
        "/favicon.ico": Asset(img, png(16, 16, (0, 94, 162))),
    }


@functools.cache
def heavy_image() -> Asset:
    """The page.heavy image: a JPEG header and incompressible filler, over 5 MB."""
    filler = random.Random(0).randbytes(c.HEAVY_BYTES - 4)
    return Asset("image/jpeg", b"\xff\xd8" + filler + b"\xff\xd9")


# Third-party hosts: (host, path) -> asset; any other path of an "info" host gets a page.
def service_asset(host: str, path: str) -> Asset | None:
    scripts = {
        (c.DAP_HOST, "/Universal-Federated-Analytics-Min.js"),
        (c.GA_HOST, "/gtag/js"),
        (c.BAIDU_HOST, "/hm.js"),
        (c.CNZZ_HOST, "/z_stat.php"),
    }
    if (script := tracker_script(host, path)) is not None:  # the ones that set cookies (notice_marks.py)
        return Asset("text/javascript; charset=utf-8", script.encode())
    if (host, path) == (c.JIUCUO_HOST, "/exposure/jiucuo.js"):
        return Asset("text/javascript; charset=utf-8", JIUCUO_REMOTE_JS.encode())
    if (host, path) in scripts:
        return Asset("text/javascript; charset=utf-8", TRACKER_JS.format(host=host).encode())
    if host == c.TRACKER_HOST:
        return Asset("image/gif", PIXEL_GIF) if path == "/pixel.gif" else None
    if host in (c.ICP_HOST, c.PSB_HOST, c.CONAC_HOST, c.JIUCUO_HOST, c.LINK_HOSTS["cn"],
                c.LINK_HOSTS["us"], c.BAD_LINK_HOST, c.HIDDEN_LINK_HOST, c.DEAD_LINK_HOST,
                c.JIUCUO_FORMER_HOST):
        if host == c.DEAD_LINK_HOST and path.startswith(("/gone/", "/error/")):
            return None  # the farm answers 404 or 500 (vhosts.py)
        body = (f'<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8">'
                f"<title>{host}</title></head><body><p>{host}：mgov 演示站点群的替身页面。"
                f"</p></body></html>")
        return Asset("text/html; charset=utf-8", body.encode())
    return None
