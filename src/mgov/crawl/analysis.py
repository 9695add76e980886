"""Page analysis in a separate process, so a crawl uses a second core: each page parsed once
there, for its links (which the crawl follows) and its content facts, and scanned for
personal data.

The pool's process is spawned once per run and holds the run's content rules (sent once,
at start); a channel with its own rules sends them with each page."""

from __future__ import annotations

import asyncio
import datetime as dt
import multiprocessing as mp
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from selectolax.lexbor import LexborHTMLParser

from mgov.collect.links import ExtractedLinks, links_in
from mgov.content.facts import PageFacts
from mgov.content.page import analyze_page
from mgov.content.rules import ContentRules
from mgov.evidence.privacy import PiiDocument
from mgov.privacy.summary import scan_page

_RULES: ContentRules | None = None  # the run's rules, in the pool's process


def _init(overrides: dict[str, Any]) -> None:
    global _RULES
    _RULES = ContentRules.from_mapping(overrides)


Analysis = tuple[PageFacts, PiiDocument | None]
Read = tuple[ExtractedLinks, Analysis]  # a page's links and its analysis, from one parse


def analyze(url: str, text: str, is_home: bool, today: dt.date, rules: ContentRules) -> Analysis:
    """A page's content facts and the personal data in it (masked samples only)."""
    return (analyze_page(url, text, is_home=is_home, today=today, rules=rules),
            scan_page(url, text, today=today))


def read(url: str, base_url: str, text: str, is_home: bool, cap: int, today: dt.date,
         rules: ContentRules) -> Read:
    """A page's links (against base_url, the first cap) and its analysis, from one parse."""
    try:
        tree = LexborHTMLParser(text)
    except (ValueError, UnicodeError, TypeError):  # unparseable: no links, the facts of an empty page
        return ExtractedLinks(), analyze(url, "", is_home, today, rules)
    links = links_in(tree, base_url, cap=cap)  # before analyze_page strips the scripts
    return links, (analyze_page(url, text, is_home=is_home, today=today, rules=rules, tree=tree),
                   scan_page(url, text, today=today))


def _rules(rules: ContentRules | None) -> ContentRules:
    chosen = rules or _RULES
    if chosen is None:  # cannot happen: the pool's initializer sets the run's rules
        raise RuntimeError("the analysis process has no content rules")
    return chosen


def _read(url: str, base_url: str, text: str, is_home: bool, cap: int, today: dt.date,
          rules: ContentRules | None) -> Read:
    return read(url, base_url, text, is_home, cap, today, _rules(rules))


class AnalysisPool:
    def __init__(self, overrides: dict[str, Any], rules: ContentRules, processes: int = 1) -> None:
        """rules: made from overrides here; the pool's process makes its own from them."""
        self._pool = ProcessPoolExecutor(max_workers=processes, mp_context=mp.get_context("spawn"),
                                         initializer=_init, initargs=(overrides,))
        self._rules = rules
        self.broken: str | None = None  # why the pool died; pages are then analysed here

    async def read(self, url: str, base_url: str, text: str, is_home: bool, cap: int, today: dt.date,
                   rules: ContentRules | None) -> Read:
        """read() in the pool's process (here, when the pool has died)."""
        if self.broken is None:
            loop = asyncio.get_running_loop()
            try:
                return await loop.run_in_executor(self._pool, _read, url, base_url, text, is_home, cap, today, rules)
            except BrokenProcessPool as exc:  # killed (OOM) or could not start: slower, not wrong
                self.broken = str(exc) or type(exc).__name__
        return read(url, base_url, text, is_home, cap, today, rules or self._rules)

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
