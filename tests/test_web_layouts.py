"""Phone width, in a real browser (Debian's Chromium, Playwright) against the real app in a real
uvicorn server: every dashboard page (every GET route of the app, enumerated as the zh sweep
does, tests/test_web_zh_words.py) at 320 and 390 CSS pixels holds without the page scrolling
sideways; long digests, addresses and ids wrap or scroll inside their own box; badges stay on
one line and Chinese names are not squeezed into two-character lines. Error pages (404, 403)
come inside the normal frame, with the navigation, in the reader's language. Also the
organizations page as a searchable tree (`?q=`).

The width is Chromium's own device-metrics emulation (Playwright's viewport sets it over CDP):
window.innerWidth is the width asked for, and every page declares
<meta name="viewport" content="width=device-width, initial-scale=1"> (checked) so that a
phone lays it out at its own width. One browser, one small world (the zh sweep's world,
tests/test_web_zh_words.py, over tests/webworld.py)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from selectolax.lexbor import LexborHTMLParser as HTMLParser
from sqlalchemy import select

from mgov.db.tables import CHANNELS
from mgov.registry import service
from mgov.registry.records import Batch, ChannelRecord, OrgRecord, Origin
from test_web_zh_words import _samples as zh_samples
from test_web_zh_words import _urls, dashboard_routes, full_world
from webserver import Server, launch_chromium, sign_in
from webworld import PASSWORD, World

pytestmark = pytest.mark.browser  # left out of the PostgreSQL run (tests/conftest.py)

WIDTHS = (320, 390)
HEIGHT = 740
# A channel whose address is one long unbreakable word, as real ones are.
LONG_ADDRESS = ("https://www.zhengwufuwu-xinxigongkai-hulianwangzhengwu.sz.gov.cn/"
                "col/col1234567890/art/2026/art_0123456789abcdef0123456789abcdef.html")
DOWNLOADS = ("/evidence/",)  # a user's attached file: not a page
# Pages whose filters show more than their route's default does.
FILTERED = ("/disputes?status=all", "/tasks?status=closed", "/orgs?q=南山", "/channels?q=gov")

# The page's measure: how wide it scrolls, and what sticks out of the window (the outermost
# element that does, not inside a box that scrolls or clips by itself); badges broken over
# lines; table cells whose Chinese text is squeezed into a column of two or three characters.
MEASURE = """() => {
  const vw = window.innerWidth;
  const describe = (el) => {
    const r = el.getBoundingClientRect();
    const name = el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
      (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\\s+/).join('.') : '');
    return `${name} (${Math.round(r.left)}..${Math.round(r.left + Math.max(r.width, el.scrollWidth))} px): ` +
      (el.innerText || '').trim().slice(0, 80);
  };
  const clipped = (el) => {
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      const o = getComputedStyle(p).overflowX;
      if (o !== 'visible') return true;
    }
    return false;
  };
  // An element's text can stick out of its box (an unbreakable digest): its scrollWidth says.
  const reach = (el) => {
    const r = el.getBoundingClientRect();
    return getComputedStyle(el).overflowX === 'visible' ? Math.max(r.right, r.left + el.scrollWidth) : r.right;
  };
  let widest = null, right = vw + 1;
  for (const el of document.body.querySelectorAll('*')) {
    const edge = reach(el);
    if (el.getBoundingClientRect().width === 0 || edge < right || clipped(el)) continue;
    widest = el; right = edge;  // on a tie the inner element: the one whose own content sticks out
  }
  const broken = [];
  for (const b of document.querySelectorAll('.badge')) {
    const size = parseFloat(getComputedStyle(b).fontSize);
    if (b.getClientRects().length > 1 || b.getBoundingClientRect().height > 2 * size) broken.push(describe(b));
  }
  const squeezed = [];
  for (const cell of document.querySelectorAll('td, th')) {
    const text = (cell.innerText || '').trim();
    const size = parseFloat(getComputedStyle(cell).fontSize);
    const cjk = (text.match(/[\\u4e00-\\u9fff]/g) || []).length;
    const inner = cell.clientWidth - parseFloat(getComputedStyle(cell).paddingLeft)
      - parseFloat(getComputedStyle(cell).paddingRight);
    if (cjk >= 5 && inner < 4 * size) squeezed.push(describe(cell));
  }
  // A box that scrolls sideways takes the keyboard's focus (axe: scrollable-region-focusable).
  const unreachable = [...document.querySelectorAll('table, pre')].filter((el) =>
    el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflowX !== 'visible'
    && el.tabIndex < 0 && !el.querySelector('a[href], button, input, select, textarea, [tabindex]')).map(describe);
  const viewport = document.querySelector('meta[name=viewport]');
  return {scroll: document.documentElement.scrollWidth, inner: vw, widest: widest && describe(widest),
          broken, squeezed, unreachable, viewport: viewport ? viewport.content : ''};
}"""


@pytest.fixture
def world(engine: Any, tmp_path: Any) -> World:
    """The zh sweep's world, plus a channel with a long address and an organization deep in
    the tree (for the search)."""
    w = full_world(engine, tmp_path)
    origin = Origin("test")
    with engine.begin() as conn:
        service.write(conn, Batch(
            organizations=[OrgRecord("cn-440305", origin, name_zh="深圳市南山区人民政府", name_en="Nanshan District",
                            jurisdiction="cn", tier="county", parent="cn-440300")],
            channels=[ChannelRecord("website", LONG_ADDRESS, origin, owner="cn-440305",
                                    name="南山区政务服务和数据管理局信息公开专栏网站")]))
        found = conn.execute(select(CHANNELS.c.id).where(CHANNELS.c.address == LONG_ADDRESS)).scalar_one()
    w.ids["long_channel"] = found
    return w


@pytest.fixture
def served(world: World) -> Iterator[Server]:
    server = Server(world.app())
    server.start()
    yield server
    server.stop()


def _pages(world: World, username: str) -> list[str]:
    """Every page of the app's GET routes with sample values, as `username` reaches it (a
    redirect followed), that answers HTML: downloads and reports in other formats left out."""
    samples = zh_samples(world)
    samples["fmt"] = ["html"]
    samples["channel_id"] = [*samples["channel_id"], world.ids["long_channel"]]
    samples["code"] = [*samples["code"], "cn-440305"]
    client = world.client(username)
    out = []
    for path in [*dashboard_routes(client.http.app), *FILTERED]:
        for url in _urls(path, samples):
            if any(part in url for part in DOWNLOADS):
                continue
            answer = client.get(url)
            while answer.status_code == 303:
                url = answer.headers["location"]
                answer = client.get(url)
            if answer.status_code == 200 and "text/html" in answer.headers.get("content-type", ""):
                out.append(url)
    return sorted(set(out))


def _measure(page: Any, base: str, urls: list[str], who: str) -> list[str]:
    problems = []
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": HEIGHT})
        for url in urls:
            answer = page.goto(f"{base}{url}")
            assert answer is not None and answer.status in (200, 403, 404), f"{url} -> {answer and answer.status}"
            m = page.evaluate(MEASURE)
            where = f"{who} {width}px {url}"
            if "width=device-width" not in m["viewport"]:
                problems.append(f"{where}: no viewport meta tag ({m['viewport']!r})")
            if m["scroll"] > m["inner"] + 1:
                problems.append(f"{where}: the page is {m['scroll']} px wide; widest: {m['widest']}")
            problems += [f"{where}: a badge breaks over lines: {b}" for b in m["broken"]]
            problems += [f"{where}: Chinese squeezed into a narrow column: {c}" for c in m["squeezed"]]
            problems += [f"{where}: scrolls sideways out of the keyboard's reach: {u}" for u in m["unreachable"]]
    return problems


TITLES = {404: {"zh": "未找到", "en": "Not found"}, 403: {"zh": "无权访问", "en": "Not allowed"}}


def _error_frames(page: Any, base: str, errors: list[tuple[str, int]], username: str, lang: str) -> list[str]:
    problems = []
    for url, status in errors:
        answer = page.goto(f"{base}{url}")
        where = f"{username} {lang} {url}"
        if answer is None or answer.status != status:
            problems.append(f"{where}: answered {answer and answer.status}, not {status}")
        if page.locator("header.top nav a[href='/orgs']").count() != 1:
            problems.append(f"{where}: no navigation")
        if page.locator("header .who").count() != 1 or username not in page.locator("header .who").inner_text():
            problems.append(f"{where}: not signed in as {username}, says the frame")
        title = page.locator("h1").first.inner_text() if page.locator("h1").count() else ""
        if title != TITLES[status][lang]:
            problems.append(f"{where}: the title is {title!r}, not {TITLES[status][lang]!r}")
        if page.locator("html").get_attribute("lang") != ("zh-CN" if lang == "zh" else "en"):
            problems.append(f"{where}: not in the reader's language")
    return problems


def test_every_page_holds_at_phone_width_and_errors_keep_the_frame(world: World, served: Server) -> None:
    admin_pages = _pages(world, "admin")
    assert len(admin_pages) >= 20, admin_pages  # a shrinking list means routes went missing
    staff_pages = [u for u in _pages(world, "a_staff") if not u.startswith(("/reports", "/account"))][:8]
    missing = "/channels/2147483000"
    with launch_chromium() as chromium:
        problems: list[str] = []
        for username, lang, urls in (("", "zh", ["/login"]), ("admin", "zh", admin_pages),
                                     ("admin", "en", admin_pages), ("a_staff", "zh", [*staff_pages, "/users"])):
            ctx = chromium.new_context(viewport={"width": WIDTHS[0], "height": HEIGHT},
                                       locale="zh-CN" if lang == "zh" else "en-US")
            ctx.add_cookies([{"name": "mgov_lang", "value": lang, "url": served.url}])
            page = ctx.new_page()
            if not username:  # signed out: the sign-in page
                problems += _measure(page, served.url, urls, "anonymous")
                ctx.close()
                continue
            sign_in(page, served.url, username, PASSWORD)
            problems += _measure(page, served.url, [*urls, "/no/such/page", missing], f"{username} {lang}")

            # Errors inside the frame: the navigation, the reader's language, the right status.
            errors = [("/no/such/page", 404), (missing, 404), *([("/users", 403)] if username == "a_staff" else [])]
            problems += _error_frames(page, served.url, errors, username, lang)
            ctx.close()
    assert not problems, "\n".join(problems)


def _tree(html: str) -> dict[str, Any]:
    """The organization tree of /orgs: code -> (parent's code, its branch open, marked as a match)."""
    out: dict[str, Any] = {}
    for li in HTMLParser(html).css("ul.tree li"):
        code = li.css_first("small.id").text()
        up = li.parent
        while up is not None and up.tag != "li":
            up = up.parent
        details = [d for d in li.css("details") if d.parent == li]
        out[code] = (up.css_first("small.id").text() if up is not None else None,
                     bool(details) and "open" in details[0].attributes,
                     "match" in (li.attributes.get("class") or ""))
    return out


def test_organizations_are_a_tree_searchable_by_name_and_code(world: World) -> None:
    admin = world.client("admin")
    admin.http.cookies.set("mgov_lang", "zh")
    page = admin.get("/orgs")
    assert page.status_code == 200
    # Nested by parent; the top level open, the branches below folded.
    assert _tree(page.text) == {"cn-440000": (None, True, False), "cn-440100": ("cn-440000", False, False),
                                "cn-440300": ("cn-440000", False, False), "cn-440305": ("cn-440300", False, False)}
    assert "深圳市南山区人民政府" in page.text and "<details" in page.text

    # A match by name, shown under its ancestors (every branch open); the others left out.
    found = admin.get("/orgs", params={"q": "南山"}).text
    assert _tree(found) == {"cn-440000": (None, True, False), "cn-440300": ("cn-440000", True, False),
                            "cn-440305": ("cn-440300", False, True)}
    assert "共 1 个单位符合" in found
    # By code, and by the English name whatever its case.
    assert {c for c, (_, _, m) in _tree(admin.get("/orgs?q=cn-4401").text).items() if m} == {"cn-440100"}
    assert set(_tree(admin.get("/orgs?q=cn-4401").text)) == {"cn-440000", "cn-440100"}
    assert {c for c, (_, _, m) in _tree(admin.get("/orgs?q=nanshan DISTRICT").text).items() if m} == {"cn-440305"}
    # The search's characters are taken literally (no LIKE wildcards), and nothing found says so.
    for literal in ("_", "%", "广州%深圳"):
        none = admin.get("/orgs", params={"q": literal}).text
        assert _tree(none) == {} and "没有符合的单位" in none, literal

    # Within one's scope: agency A's staff see A's subtree, and never B's by a search.
    staff = world.client("a_staff")
    assert set(_tree(staff.get("/orgs").text)) == {"cn-440300", "cn-440305"}
    assert _tree(staff.get("/orgs", params={"q": "广州"}).text) == {}
    assert set(_tree(staff.get("/orgs", params={"q": "南山"}).text)) == {"cn-440300", "cn-440305"}
    # Staff of an organization with none under it land on its page.
    b_staff = world.client("b_staff")
    assert b_staff.get("/orgs").headers["location"] == "/orgs/cn-440100"
    assert set(_tree(b_staff.get("/orgs", params={"q": "广州"}).text)) == {"cn-440100"}
