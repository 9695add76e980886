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
// Returns {focusables, steps, reached_end, prevented, trap: null | {at, cycle: [selectors], how}, path: [selectors],
// walk: "quick" | "steps"} (which walk gave the answer, see below),
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
  // A quick walk first: each element focused in order with its Tab keydown, without waiting
  // between steps. When the page neither cancels a Tab nor moves focus itself, during the walk
  // or within a settle after it, Tab simply follows the order and nothing traps it: that is the
  // answer. Anything else, and the step-by-step walk below decides. (Waiting at every step cost
  // about 0.4 s of CPU a page: the browser restyled and painted the focus between steps.)
  const quick = async () => {
    let ours = null;
    let moved = false;
    const onFocus = (e) => { if (e.target !== ours) moved = true; };
    document.addEventListener("focusin", onFocus, true);
    try {
      for (const el of order.slice(0, MAX_STEPS)) {
        ours = el;
        el.focus({preventScroll: true});
        if (moved || document.activeElement !== el) return null;
        const ev = new KeyboardEvent("keydown", {key: "Tab", code: "Tab", keyCode: 9, which: 9, bubbles: true,
                                                 cancelable: true, composed: true});
        if (!el.dispatchEvent(ev) || moved || document.activeElement !== el) return null;
      }
      ours = undefined;
      await tick(SETTLE_MS * 2);
      return moved ? null : order.slice(0, MAX_STEPS);
    } finally {
      document.removeEventListener("focusin", onFocus, true);
    }
  };
  const walked = order.length ? await quick() : null;
  if (walked) {
    if (document.activeElement && document.activeElement.blur) document.activeElement.blur();
    window.scrollTo(0, 0);
    return {focusables: order.length, steps: walked.length, reached_end: order.length < MAX_STEPS, prevented: 0,
            trap: null, path: walked.slice(0, 50).map(sel), walk: "quick"};
  }
  const left = new Map();  // element -> step at which Tab was pressed on it
  const path = [];
  let prevented = 0;
  let trap = null;
  let reached_end = order.length === 0;
  let steps = 0;
  let current = order[0] || null;
  if (current) {
    current.focus({preventScroll: true});
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
      next.focus({preventScroll: true});
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
  return {focusables: order.length, steps, reached_end, prevented, trap, path: path.slice(0, 50), walk: "steps"};
}
