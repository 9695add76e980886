// Keyboard traps: walk the page's sequential focus order as Tab would, and see whether the page
// keeps focus from moving on.
// Method (in-page script cannot press real keys): the focusable elements in sequential focus
// order (positive tabindex ascending, then tabindex 0 in document order; visible, not disabled)
// are walked from the first. At each step a synthetic keydown Tab (bubbling, cancelable) is
// dispatched on document.activeElement. When a handler cancels it, the page moved focus itself
// and the walk goes on from wherever focus now is; otherwise the probe does the browser's part
// and focuses the next element in order, and notes when a blur/focus handler pulls focus
// elsewhere. Coming back to an element already left by Tab is a cycle: a trap. Limits: the
// events are untrusted (handlers that test isTrusted are not seen); focus inside iframes and
// shadow roots is not walked; a trap built on timers later than SETTLE_MS is missed;
// a cycle the page ends with Escape (WCAG 2.1.2 allows one the user is told how to leave) still
// counts.
// Returns {focusables, steps, reached_end, prevented, trap: null | {at, cycle: [selectors], how}, path: [selectors]},
// or {skipped: "touch", ...} on a touch screen.
async () => {
  // A touch screen (the phone viewports) has no Tab key: the desktop rendering is walked.
  if (matchMedia("(pointer: coarse)").matches) return {skipped: "touch", focusables: 0, steps: 0, trap: null};
  const MAX_STEPS = 120;
  // How long a step waits for the page's handlers: a focus trap built on a short timer (W3C ACT
  // a1b64e's failed example refocuses 10 ms after blur) is seen; 120 steps stay under 3 s.
  const SETTLE_MS = 12;
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
    if (s.display === "none" || s.visibility === "hidden") return false;
    const r = el.getBoundingClientRect();
    return r.width > 0 && r.height > 0;
  };
  const FOCUSABLE = 'a[href], area[href], button, input:not([type="hidden"]), select, textarea, iframe, summary, ' +
    '[tabindex], [contenteditable=""], [contenteditable="true"], audio[controls], video[controls]';
  const candidates = Array.from(document.querySelectorAll(FOCUSABLE))
    .filter((el) => el.tabIndex >= 0 && !el.disabled && !el.closest("[inert]") && shown(el));
  const positive = candidates.filter((el) => el.tabIndex > 0).sort((a, b) => a.tabIndex - b.tabIndex);
  const order = [...positive, ...candidates.filter((el) => el.tabIndex === 0)];
  const tick = (ms = SETTLE_MS) => new Promise((resolve) => setTimeout(resolve, ms));
  const nextAfter = (el) => {
    const i = order.indexOf(el);
    return i < 0 ? null : order[i + 1] || null;
  };
  const left = new Map();  // element -> step at which Tab was pressed on it
  const path = [];
  let prevented = 0;
  let trap = null;
  let reached_end = order.length === 0;
  let steps = 0;
  let current = order[0] || null;
  if (current) {
    current.focus();
    await tick();
    current = document.activeElement;
  }
  while (current && current !== document.body && steps < MAX_STEPS) {
    if (left.has(current)) {
      const from = left.get(current);
      trap = {at: sel(current), cycle: path.slice(from), how: prevented ? "tab_prevented" : "focus_pulled"};
      break;
    }
    left.set(current, path.length);
    path.push(sel(current));
    steps++;
    const before = current;
    const ev = new KeyboardEvent("keydown", {key: "Tab", code: "Tab", keyCode: 9, which: 9, bubbles: true,
                                             cancelable: true, composed: true});
    const proceed = before.dispatchEvent(ev);
    await tick(0);  // a keydown handler acts at once; the timers that matter follow the focus move
    if (!proceed) {
      prevented++;
      current = document.activeElement;
      if (current === before) {  // Tab does nothing at all
        trap = {at: sel(before), cycle: [sel(before)], how: "tab_prevented"};
        break;
      }
      continue;
    }
    // The browser's default: on to the next element in order from wherever focus is; an element
    // that refuses focus is passed over, as the browser would.
    let next = nextAfter(document.activeElement !== before ? document.activeElement : before);
    current = null;
    let pulled = false;
    while (next) {
      let got = false;
      const seen = () => { got = true; };
      next.addEventListener("focus", seen, {once: true});
      next.focus();
      await tick();
      next.removeEventListener("focus", seen);
      if (document.activeElement !== before && document.activeElement !== document.body) {
        current = document.activeElement;
        break;
      }
      if (got && document.activeElement === before) {  // it took focus, and the page took it back
        pulled = true;
        break;
      }
      next = nextAfter(next);
    }
    if (pulled) {
      trap = {at: sel(before), cycle: [sel(before)], how: "focus_pulled"};
      break;
    }
    if (!current) {
      reached_end = true;
      break;
    }
  }
  // Leave the page as found for the probes that run after this one: nothing focused, not scrolled.
  if (document.activeElement && document.activeElement.blur) document.activeElement.blur();
  window.scrollTo(0, 0);
  return {focusables: order.length, steps, reached_end, prevented, trap, path: path.slice(0, 50)};
}
