// 适老化 facts of the page: its entries to an elderly/accessible version, what floats over it,
// and its text sizes in points.
// Returns {aging_version, entries: [{selector, tag, text, href}], toolbars: [script urls],
// floating: [{selector, position, x, y, width, height, share, media, close, text}],
// text: {chars, pt: {"<pt>": chars}}}. `aging_version` says the page calls itself an 适老版
// (its title, URL or a top heading); `share` is the part of the viewport an element covers;
// `media` whether it holds an image, frame, video or canvas; `close` whether it has a close
// control (×, 关闭, close). Headers, navigation and thin full-width bars are not listed.
async () => {
  const ENTRY = /长者模式|长者版|适老版|适老化|关怀版|关怀模式|老年模式|老人模式|大字版|无障碍|读屏|accessib/i;
  const AGING = /适老版|适老化|长者模式|长者版|关怀版|关怀模式|老年模式|老人模式|大字版/;
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
  const label = (el) => [el.innerText, el.getAttribute("aria-label"), el.getAttribute("title"),
    ...Array.from(el.querySelectorAll("img[alt]")).map((i) => i.getAttribute("alt"))]
    .filter(Boolean).join(" ").replace(/\s+/g, " ").trim();

  const entries = [];
  for (const el of document.querySelectorAll('a, button, [role="button"], [role="link"], [onclick]')) {
    const text = label(el);
    if (ENTRY.test(text) && entries.length < 20) {
      entries.push({selector: sel(el), tag: el.localName, text: text.slice(0, 60), href: el.href || null});
    }
  }
  const toolbars = Array.from(document.scripts).map((s) => s.src)
    .filter((u) => /wza|barrier-?free|accessib|wuzhangai|aria\.js|cniil|assist/i.test(u)).slice(0, 10);
  const heading = document.querySelector("h1");
  const aging_version = AGING.test(`${document.title} ${decodeURI(location.href)} ${heading ? heading.innerText : ""}`);

  // Fixed or sticky elements that are not the page's own header/navigation.
  const vw = window.innerWidth, vh = window.innerHeight;
  const floating = [];
  const CLOSE = /^(×|✕|x|关闭|close|关)$/i;
  let seen = 0;
  for (const el of document.body ? document.body.querySelectorAll("*") : []) {
    if (++seen > 20000 || floating.length >= 20) break;
    const pos = getComputedStyle(el).position;
    if ((pos !== "fixed" && pos !== "sticky") || !shown(el)) continue;
    if (el.closest('header, nav, footer, [role="banner"], [role="navigation"], [role="contentinfo"]')) continue;
    if (floating.some((f) => f.el.contains(el))) continue;  // the outermost floating box
    const r = el.getBoundingClientRect();
    if (r.width >= vw * 0.95 && r.height <= 120) continue;  // a bar (a sticky header or toolbar)
    const media = !!el.querySelector("img, iframe, video, canvas, object, embed") ||
      /^(img|iframe|video|canvas)$/.test(el.localName);
    const close = Array.from(el.querySelectorAll("a, button, span, i, div, [role=button]")).some((c) =>
      CLOSE.test((c.innerText || c.getAttribute("aria-label") || "").trim()) ||
      /(^|[-_ ])close([-_ ]|$)|guanbi/i.test(String(c.className || "")));
    const share = (Math.min(r.right, vw) - Math.max(r.left, 0)) * (Math.min(r.bottom, vh) - Math.max(r.top, 0)) /
      (vw * vh);
    floating.push({el, selector: sel(el), position: pos, x: Math.round(r.left), y: Math.round(r.top),
                   width: Math.round(r.width), height: Math.round(r.height),
                   share: Math.max(0, Math.round(share * 1000) / 1000), media, close,
                   text: (el.innerText || "").replace(/\s+/g, " ").trim().slice(0, 60)});
  }

  const pt = {};
  let chars = 0;
  const walker = document.createTreeWalker(document.body || document.documentElement, NodeFilter.SHOW_TEXT);
  seen = 0;
  for (let n = walker.nextNode(); n && ++seen <= 20000; n = walker.nextNode()) {
    const t = n.nodeValue.replace(/\s+/g, "");
    const el = n.parentElement;
    if (!t || !el || ["SCRIPT", "STYLE", "NOSCRIPT", "TEMPLATE"].includes(el.tagName) || !shown(el)) continue;
    const size = Math.round(parseFloat(getComputedStyle(el).fontSize) * 0.75 * 10) / 10;  // 1pt = 4/3 px
    pt[size] = (pt[size] || 0) + t.length;
    chars += t.length;
  }
  return {aging_version, entries, toolbars, floating: floating.map(({el, ...f}) => f), text: {chars, pt}};
}
