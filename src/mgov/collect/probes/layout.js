// The page's width against the viewport, its tap targets and its text sizes, as laid out.
// Returns {viewport: {width, height, meta}, scroll_width, client_width, overflow: [{selector, left,
// right, width}], targets: {count, small: [{selector, tag, x, y, text, width, height, gap, inline}]},
// text: {chars, px: {"<px>": chars}, small: [{selector, px, text}]}}. `small` targets are those
// under 60 CSS px either way (the largest threshold any check asks), the smallest first; `gap` is
// the distance from the target's centre to the nearest other target's box (WCAG 2.5.8's spacing
// exception holds for a threshold T when gap >= T/2); `inline` marks links inside a line of text
// (2.5.8's inline exception). Lists are capped.
async () => {
  const CAP = 100;
  const LIMIT = 20000;  // elements and text nodes looked at: a hostile 50 MB DOM stays cheap
  const sel = (el) => {
    const parts = [];
    for (let e = el; e && e.nodeType === 1 && parts.length < 6; e = e.parentElement) {
      if (e.id && document.querySelectorAll(`#${CSS.escape(e.id)}`).length === 1) {
        parts.unshift(`#${CSS.escape(e.id)}`);
        break;
      }
      let part = e.localName;
      const p = e.parentElement;
      if (p) {
        const same = Array.from(p.children).filter((c) => c.localName === e.localName);
        if (same.length > 1) part += `:nth-of-type(${same.indexOf(e) + 1})`;
      }
      parts.unshift(part);
    }
    return parts.join(" > ");
  };
  const shown = (el) => {
    const s = getComputedStyle(el);
    if (s.display === "none" || s.visibility === "hidden" || Number(s.opacity) === 0) return false;
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0;
  };
  const vw = window.innerWidth;
  const root = document.documentElement;
  const metas = document.querySelectorAll('meta[name="viewport" i]');
  const meta = metas.length ? metas[metas.length - 1].getAttribute("content") : null;

  // Elements reaching past the right edge (or the left), the widest first.
  const over = [];
  let seen = 0;
  for (const el of document.body ? document.body.querySelectorAll("*") : []) {
    if (++seen > LIMIT) break;
    const r = el.getBoundingClientRect();
    const left = r.left + scrollX, right = r.right + scrollX;  // page coordinates: the page may be scrolled
    if (r.width > 0 && (right > vw + 1 || left < -1) && shown(el)) {
      over.push({selector: sel(el), left: Math.round(left), right: Math.round(right), width: Math.round(r.width)});
    }
  }
  over.sort((a, b) => b.right - a.right || b.width - a.width);

  // Tap targets.
  const TARGETS = 'a[href], button, input:not([type="hidden"]), select, textarea, summary, [role="button"], ' +
    '[role="link"], [role="checkbox"], [role="tab"], [role="menuitem"], [onclick], [tabindex]:not([tabindex="-1"])';
  const all = Array.from(document.querySelectorAll(TARGETS)).slice(0, LIMIT / 10).filter(shown);
  const boxes = all.map((el) => el.getBoundingClientRect());
  const dist = (x, y, r) => Math.hypot(Math.max(r.left - x, 0, x - r.right), Math.max(r.top - y, 0, y - r.bottom));
  const small = [];
  all.forEach((el, i) => {
    const r = boxes[i];
    if (r.width >= 60 && r.height >= 60) return;
    const cx = (r.left + r.right) / 2, cy = (r.top + r.bottom) / 2;
    let gap = Infinity;
    boxes.forEach((o, j) => {
      // a target nested in another (an image in a link) is the same target
      if (j !== i && !all[j].contains(el) && !el.contains(all[j])) gap = Math.min(gap, dist(cx, cy, o));
    });
    const parent = el.parentElement;
    const inline = el.localName === "a" && getComputedStyle(el).display === "inline" && !!parent &&
      (parent.textContent || "").trim().length > (el.textContent || "").trim().length + 20;
    small.push({selector: sel(el), tag: el.localName, x: Math.round(r.left + scrollX), y: Math.round(r.top + scrollY), text: ((el.innerText || el.value || el.getAttribute("aria-label") ||
      "") + "").trim().slice(0, 40), width: Math.round(r.width * 10) / 10, height: Math.round(r.height * 10) / 10,
      gap: gap === Infinity ? null : Math.round(gap * 10) / 10, inline});
  });
  small.sort((a, b) => a.width * a.height - b.width * b.height);

  // Text sizes: characters by the computed font size of their element.
  const px = {};
  const tiny = [];
  let chars = 0;
  const walker = document.createTreeWalker(document.body || root, NodeFilter.SHOW_TEXT);
  seen = 0;
  for (let n = walker.nextNode(); n && ++seen <= LIMIT; n = walker.nextNode()) {
    const t = n.nodeValue.replace(/\s+/g, "");
    const el = n.parentElement;
    if (!t || !el || ["SCRIPT", "STYLE", "NOSCRIPT", "TEMPLATE"].includes(el.tagName) || !shown(el)) continue;
    const size = Math.round(parseFloat(getComputedStyle(el).fontSize) * 10) / 10;
    px[size] = (px[size] || 0) + t.length;
    chars += t.length;
    if (size < 12 && tiny.length < CAP) tiny.push({selector: sel(el), px: size, text: t.slice(0, 40)});
  }
  return {
    viewport: {width: vw, height: window.innerHeight, meta},
    scroll_width: Math.max(root.scrollWidth, document.body ? document.body.scrollWidth : 0),
    client_width: root.clientWidth,
    overflow: over.slice(0, 10),
    targets: {count: all.length, small: small.slice(0, CAP * 2)},
    text: {chars, px, small: tiny},
  };
}
