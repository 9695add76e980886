"""Change history over the archive's captures (docs/archive.md, "Change history"): the
captures of a URL by year, month and day (the Wayback calendar's job), what differs between
two captures (text lines and links added and removed, a unified diff), and what changed on a
channel in a window (URLs new, gone, changed). Pure: index rows and contents in, answers out."""

from __future__ import annotations

import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from mgov.archive.history_text import Content

CONTEXT = 2  # lines of context around each change in the unified diff
MAX_DIFF_LINES = 4000
LISTED = 200  # URLs listed per kind of change (all are counted)


def calendar(captures: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Captures grouped as [{year, count, months: [{month, count, days: [{day, count, captures}]}]}],
    oldest first; the stamps are the captures' own (UTC, as WARC-Date)."""
    years: dict[str, dict[str, dict[str, list[dict[str, Any]]]]] = {}
    for c in captures:
        stamp = str(c["timestamp"])
        years.setdefault(stamp[:4], {}).setdefault(stamp[4:6], {}).setdefault(stamp[6:8], []).append(c)
    out: list[dict[str, Any]] = []
    for year, months in sorted(years.items()):
        month_list: list[dict[str, Any]] = []
        for month, days in sorted(months.items()):
            day_list = [{"day": d, "count": len(cs), "captures": cs} for d, cs in sorted(days.items())]
            month_list.append({"month": month, "count": sum(len(cs) for cs in days.values()), "days": day_list})
        out.append({"year": year, "count": sum(len(cs) for ds in months.values() for cs in ds.values()),
                    "months": month_list})
    return out


@dataclass
class Diff:
    before: dict[str, Any]
    after: dict[str, Any]
    kind: str  # html, text, binary, unreadable (the weaker of the two)
    same_payload: bool
    added: list[str] = field(default_factory=list)  # text lines
    removed: list[str] = field(default_factory=list)
    unified: list[str] = field(default_factory=list)
    links_added: list[dict[str, str]] = field(default_factory=list)  # {href, text}
    links_removed: list[dict[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.added or self.removed or self.links_added or self.links_removed) or (
            not self.same_payload and self.kind in ("binary", "unreadable"))


def diff(before: dict[str, Any], after: dict[str, Any], old: Content, new: Content) -> Diff:
    """What differs from the capture before to the capture after."""
    same = bool(before.get("digest")) and before.get("digest") == after.get("digest")
    kinds = ("unreadable", "binary", "text", "html")
    kind = min(old.kind, new.kind, key=kinds.index)
    out = Diff(before, after, kind, same)
    for label, content in (("before", old), ("after", new)):
        if content.problem:
            out.notes.append(f"{label}: {content.problem}")
        if content.truncated:
            out.notes.append(f"{label}: only the first bytes were compared")
    if kind in ("text", "html"):
        matcher = difflib.SequenceMatcher(None, old.lines, new.lines, autojunk=False)
        for tag, i1, i2, j1, j2 in matcher.get_opcodes():
            if tag in ("replace", "delete"):
                out.removed += old.lines[i1:i2]
            if tag in ("replace", "insert"):
                out.added += new.lines[j1:j2]
        unified = list(difflib.unified_diff(old.lines, new.lines, fromfile=_label(before), tofile=_label(after),
                                            n=CONTEXT, lineterm=""))
        if len(unified) > MAX_DIFF_LINES:
            out.notes.append(f"the unified diff is cut at {MAX_DIFF_LINES} of {len(unified)} lines")
        out.unified = unified[:MAX_DIFF_LINES]
        out.links_added = [{"href": h, "text": new.links[h]} for h in sorted(set(new.links) - set(old.links))]
        out.links_removed = [{"href": h, "text": old.links[h]} for h in sorted(set(old.links) - set(new.links))]
    return out


def _label(capture: dict[str, Any]) -> str:
    return f"{capture.get('url')} @ {capture.get('timestamp')}"


@dataclass
class Changes:
    """A channel's URLs in a window against the window's start: new (first captured in it),
    gone (captured before, now answering an error, or not reached by a crawl of the window),
    changed (another payload), unchanged; each listed up to LISTED, all counted."""

    since: str
    until: str
    counts: dict[str, int] = field(default_factory=lambda: {"new": 0, "gone": 0, "changed": 0, "unchanged": 0})
    new: list[dict[str, Any]] = field(default_factory=list)
    gone: list[dict[str, Any]] = field(default_factory=list)
    changed: list[dict[str, Any]] = field(default_factory=list)
    crawled: bool = False  # a crawl of the channel ran in the window (what "gone" rests on)
    captures: int = 0


def changes(baseline: Iterable[dict[str, Any]], window: Iterable[dict[str, Any]], since: str, until: str) -> Changes:
    """Compare each URL's latest capture at the window's start with its latest in the window."""
    before: dict[str, dict[str, Any]] = {}
    for c in baseline:
        before[c["urlkey"]] = _better(before.get(c["urlkey"]), c)
    now: dict[str, dict[str, Any]] = {}
    out = Changes(since, until)
    for c in window:
        out.captures += 1
        out.crawled = out.crawled or c.get("run_kind") == "crawl"
        now[c["urlkey"]] = _better(now.get(c["urlkey"]), c)
    for key, current in sorted(now.items()):
        old = before.get(key)
        if old is None:
            _add(out, "new", {"url": current["url"], "after": current})
        elif _ok(old) and not _ok(current):
            _add(out, "gone", {"url": current["url"], "before": old, "after": current})
        elif old.get("digest") != current.get("digest") or old.get("status") != current.get("status"):
            _add(out, "changed", {"url": current["url"], "before": old, "after": current})
        else:
            out.counts["unchanged"] += 1
    if out.crawled:
        for key, old in sorted(before.items()):
            if key not in now and _ok(old):
                _add(out, "gone", {"url": old["url"], "before": old, "after": None})
    return out


def _ok(capture: dict[str, Any]) -> bool:
    return str(capture.get("status") or "200")[:1] in ("2", "3")


def _better(held: dict[str, Any] | None, c: dict[str, Any]) -> dict[str, Any]:
    """Of two captures of one URL key (a site's http://, https:// and www. twins share one):
    a page (2xx) over a redirect or an error, then the later one."""
    if held is None:
        return c
    rank = (str(c.get("status") or "200")[:1] == "2", c["timestamp"], c["id"])
    return c if rank > (str(held.get("status") or "200")[:1] == "2", held["timestamp"], held["id"]) else held


def _add(out: Changes, kind: str, item: dict[str, Any]) -> None:
    out.counts[kind] += 1
    listed: list[dict[str, Any]] = getattr(out, kind)
    if len(listed) < LISTED:
        listed.append(item)
