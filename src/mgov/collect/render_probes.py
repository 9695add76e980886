"""What the rendering collector measures in the page besides the DOM: the timing observer
installed before load, the in-page probes (src/mgov/collect/probes/<name>.js), and the
page's own requests and cookies as the browser saw them.

A probe file's content is a JavaScript function expression, `async () => { ...; return
jsonable; }`, run with `page.evaluate` once the page settled; its result is stored as
`rendering.probes[<name>]`, an exception as `rendering.probe_errors[<name>]`. Header lines:
`// requires: vendor/axe.min.js` (a file relative to the probes dir, injected before the
probe; repeatable), `// viewports: phone,phone320` (only in these viewports; default all).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

from mgov.checks.html import site_of
from mgov.evidence.rendered import PageCookie, PageTimings

PROBES_DIR = Path(__file__).with_name("probes")

# Installed with add_init_script, so it observes from the first byte (buffered entries too).
TIMING_SCRIPT = """(() => {
  if (window.__mgovPerf) return;
  const m = window.__mgovPerf = {lcp: null, cls: 0, fcp: null, longtasks: []};
  const watch = (type, fn) => {
    try { new PerformanceObserver(l => l.getEntries().forEach(fn)).observe({type, buffered: true}); } catch (e) {}
  };
  watch('largest-contentful-paint', e => { m.lcp = e.startTime; });
  watch('layout-shift', e => { if (!e.hadRecentInput) m.cls += e.value; });
  watch('paint', e => { if (e.name === 'first-contentful-paint') m.fcp = e.startTime; });
  watch('longtask', e => { if (m.longtasks.length < 1000) m.longtasks.push([e.startTime, e.duration]); });
})();"""

READ_TIMINGS = """() => {
  const m = window.__mgovPerf || {};
  const nav = performance.getEntriesByType('navigation')[0];
  return {lcp: m.lcp, cls: m.cls, fcp: m.fcp, longtasks: m.longtasks || [],
          load: nav && nav.loadEventStart > 0 ? nav.loadEventStart : null};
}"""

READ_DOM = """(cap) => {
  const root = document.documentElement;
  const html = root ? root.outerHTML : '';
  const doctype = document.doctype ? '<!DOCTYPE ' + document.doctype.name + '>' : '';
  return [doctype.length + html.length, doctype + html.slice(0, cap)];
}"""

PAGE_HEIGHT = "() => Math.max(document.documentElement ? document.documentElement.scrollHeight : 0, " \
              "document.body ? document.body.scrollHeight : 0)"


@dataclass(frozen=True)
class Probe:
    name: str
    source: str
    requires: tuple[str, ...] = ()  # sources injected first
    viewports: frozenset[str] | None = None  # None: every viewport


def load_probes(directory: Path | None = None) -> list[Probe]:
    """Every <name>.js of the directory (the package's probes by default), in name order."""
    directory = directory or PROBES_DIR
    probes = []
    for path in sorted(directory.glob("*.js")) if directory.is_dir() else []:
        source = path.read_text(encoding="utf-8")
        requires, viewports = [], None
        for line in source.splitlines():
            if not line.startswith("//"):
                break
            key, _, value = line[2:].partition(":")
            if key.strip() == "requires":
                requires.append((directory / value.strip()).read_text(encoding="utf-8"))
            elif key.strip() == "viewports":
                viewports = frozenset(v.strip() for v in value.split(",") if v.strip())
        probes.append(Probe(path.stem, source, tuple(requires), viewports))
    return probes


def timings(raw: dict[str, Any]) -> PageTimings:
    """Total blocking time: each long task's time past 50 ms, from the first contentful paint on."""
    fcp = raw.get("fcp")
    tbt = sum(max(0.0, d - 50.0) for start, d in raw.get("longtasks") or [] if fcp is None or start >= fcp)
    return PageTimings(load_ms=raw.get("load"), lcp_ms=raw.get("lcp"), cls=raw.get("cls"), tbt_ms=tbt, fcp_ms=fcp)


_URL_ATTR = re.compile(r"""(?:src|href|data-src|poster|action|data)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.I)


def html_urls(html: str, base: str) -> set[str]:
    """The URLs the server's HTML names itself (a request for anything else was started by
    a script or a stylesheet)."""
    found = set()
    for match in _URL_ATTR.finditer(html):
        ref = next(g for g in match.groups() if g is not None).strip()
        if ref and not ref.startswith(("javascript:", "data:", "#")):
            found.add(urljoin(base, ref.replace("&amp;", "&")).split("#", 1)[0])
    return found


NOT_BY_SCRIPT = frozenset({"stylesheet", "font", "manifest", "other"})  # come from markup or CSS


def by_script(url: str, resource_type: str, named: set[str]) -> bool:
    return resource_type not in NOT_BY_SCRIPT and url.split("#", 1)[0] not in named


def third_party(url_or_host: str, page_url: str) -> bool:
    host = urlsplit(url_or_host).hostname if "://" in url_or_host else url_or_host.lstrip(".")
    page_host = urlsplit(page_url).hostname or ""
    return bool(host) and site_of(host or "") != site_of(page_host)


def cookie(raw: Any, page_url: str) -> PageCookie:
    expires = raw.get("expires")
    return PageCookie(name=raw.get("name", ""), domain=raw.get("domain", ""),
                      third_party=third_party(raw.get("domain", ""), page_url), secure=bool(raw.get("secure")),
                      http_only=bool(raw.get("httpOnly")), same_site=raw.get("sameSite"),
                      expires=expires if isinstance(expires, (int, float)) and expires > 0 else None)
