// requires: vendor/axe.min.js
// axe-core's WCAG 2.0/2.1/2.2 A and AA rules and its best practices, every rule's outcome.
// Returns {version, rules: [{id, tags, sc, actIds, impact, outcome, count, nodes: [{selector, html, box}]}]}:
// outcome is "failed", "incomplete", "passed" or "inapplicable"; nodes are the failing (or, for
// incomplete, the undecided) elements, at most MAX_NODES of them, each snippet capped.
async () => {
  const MAX_NODES = 20;
  const MAX_HTML = 300;
  const TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa", "best-practice"];
  const meta = {};
  for (const r of axe.getRules(TAGS)) meta[r.ruleId] = r;
  const results = await axe.run(document, {
    runOnly: {type: "tag", values: TAGS},
    resultTypes: ["violations", "incomplete"],  // passes and inapplicable: the rule ids only
    elementRef: false,
    // Only this document: axe is injected in the main frame alone, and waiting on frames that
    // never answer (a refused third-party map) would hold the page for axe's frame timeout.
    iframes: false,
  });
  // "wcag111" -> "1.1.1", "wcag1410" -> "1.4.10": the success criteria among axe's tags.
  const sc = (tags) => tags.filter((t) => /^wcag\d{3,}$/.test(t)).map((t) => {
    const d = t.slice(4);
    return `${d[0]}.${d[1]}.${d.slice(2)}`;
  });
  // Where the element is on the full-page screenshot: [x, y, width, height] in CSS px of the
  // page, or null (in a frame or a shadow root, or gone).
  const box = (selector) => {
    try {
      const el = selector.includes(" >>> ") ? null : document.querySelector(selector);
      if (!el) return null;
      const r = el.getBoundingClientRect();
      return [Math.round(r.left + scrollX), Math.round(r.top + scrollY), Math.round(r.width), Math.round(r.height)];
    } catch (e) {
      return null;
    }
  };
  const rules = {};
  const put = (r, outcome) => {
    const old = rules[r.id];
    // A rule with failing and undecided elements is failed; its undecided ones are not listed.
    if (old && (old.outcome === "failed" || outcome !== "failed")) return;
    const m = meta[r.id] || {};
    const nodes = outcome === "failed" || outcome === "incomplete" ? r.nodes : [];
    rules[r.id] = {
      id: r.id, tags: r.tags, sc: sc(r.tags), actIds: m.actIds || [], impact: r.impact || null, outcome,
      count: nodes.length,
      nodes: nodes.slice(0, MAX_NODES).map((n) => {
        const selector = (n.target || []).map((t) => Array.isArray(t) ? t.join(" >>> ") : String(t)).join(" >>> ");
        return {selector, html: (n.html || "").slice(0, MAX_HTML), box: box(selector)};
      }),
    };
  };
  for (const r of results.violations) put(r, "failed");
  for (const r of results.incomplete) put(r, "incomplete");
  for (const r of results.passes) put(r, "passed");
  for (const r of results.inapplicable) put(r, "inapplicable");
  return {version: axe.version, rules: Object.values(rules).sort((a, b) => (a.id < b.id ? -1 : 1))};
}
