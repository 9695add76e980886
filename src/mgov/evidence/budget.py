"""What a parser may be given: markup no deeper than browsers build.

HTML parsers (lexbor's, every browser's) spend time on each element in proportion to how
deep it sits, so a page of 200,000 nested <div>s takes minutes to parse: generated markup,
a broken CMS template or an attacker can freeze a scan. Browsers stop nesting at a depth
(Blink: 512) and put deeper elements beside, not inside, the last one. `within_budget` does
the same to a page's text before any parser sees it: the start and end tags of container
elements past MAX_DEPTH are taken out (their text, links, forms and scripts stay), so every
parse is linear in the page and nothing a reader sees is lost. The body as received is kept (and archived) whole.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import accumulate

MAX_DEPTH = 512  # as Blink's HTML parser (kMaximumHTMLParserDOMTreeDepth)

# Elements that never have content, and those whose end tag may be left out (a parser closes
# them itself): neither makes a document deeper.
_VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source",
                   "track", "wbr", "keygen", "basefont", "bgsound", "frame", "image", "isindex"})
_IMPLIED = frozenset({"p", "li", "dt", "dd", "tr", "td", "th", "option", "optgroup", "rb", "rt", "rp", "rtc",
                      "tbody", "thead", "tfoot", "colgroup", "caption", "html", "head", "body",
                      # These never nest in themselves (a parser closes the open one), and they
                      # carry what checks read (links, forms): always kept whole.
                      "a", "form", "button", "select", "label"})
_RAW = ("script", "style", "textarea", "title", "xmp", "noscript", "noembed", "noframes", "plaintext")
# A comment, an element whose content is text (scripts, styles...) taken whole, or a tag
# (group 1: "/" for an end tag; group 2: its name).
_TOKEN = re.compile(
    "|".join([r"<!--.*?(?:-->|\Z)", *(rf"<{n}\b[^>]*>.*?(?:</{n}\s*>|\Z)" for n in _RAW),
              r"<(/?)([A-Za-z][A-Za-z0-9:-]*)[^>]*>"]),
    re.S | re.I)
_SHALLOW = _VOID | _IMPLIED


# Start and end tags but for the usual void and implied ones: a fast (C-speed) upper bound of
# the depth, exact enough that the full scan runs only for pages that may really be deep.
_ROUGH = re.compile(r"<(/?)(?!(?:br|img|meta|input|link|hr|p|li|td|tr|th|option|dt|dd|area|col|wbr|source|"
                    r"param|embed|base|track|a|form|html|head|body)\b)[a-zA-Z]", re.I)
_STEP = {"": 1, "/": -1}.__getitem__


@dataclass(frozen=True)
class Flattened:
    """The page nested deeper than MAX_DEPTH: how deep, and how many tags were taken out."""

    depth: int
    removed: int


def max_depth(html: str) -> int:
    """How deep the page's elements nest (those that must be closed explicitly)."""
    depth = deepest = 0
    for token in _TOKEN.finditer(html):
        name = token.group(2)
        if name is None or name.lower() in _SHALLOW:
            continue  # a comment, a text-content element, a void or self-closing one: no deeper
        if token.group(1):
            depth = max(0, depth - 1)
        else:
            depth += 1
            deepest = max(deepest, depth)
    return deepest


def within_budget(html: str) -> tuple[str, Flattened | None]:
    """html itself when no deeper than MAX_DEPTH, else flattened past it (see above)."""
    if html.count("<") <= MAX_DEPTH:
        return html, None  # too few tags to nest that deep
    if max(accumulate(map(_STEP, _ROUGH.findall(html))), default=0) <= MAX_DEPTH:
        return html, None  # no deeper even by the rough count (which never counts low)
    depth = deepest = removed = 0
    excess: dict[str, int] = {}  # start tags taken out, per element: their end tags go too

    def keep(token: re.Match[str]) -> str:
        nonlocal depth, deepest, removed
        name = token.group(2)
        if name is None:
            return token.group(0)
        name = name.lower()
        if name in _SHALLOW:
            return token.group(0)
        if token.group(1):
            if excess.get(name):
                excess[name] -= 1
                removed += 1
                return ""
            depth = max(0, depth - 1)
            return token.group(0)
        if depth >= MAX_DEPTH:
            excess[name] = excess.get(name, 0) + 1
            removed += 1
            deepest = max(deepest, depth + excess[name])
            return ""
        depth += 1
        deepest = max(deepest, depth)
        return token.group(0)

    flat = _TOKEN.sub(keep, html)
    return (flat, Flattened(deepest, removed)) if removed else (html, None)
