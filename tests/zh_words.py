"""A detector of what a Chinese reader should never see: English words that were not translated
and raw ids from a known list (the indicator ids of the shipped profiles, the check ids, the codes
of the label tables: statuses, rules, events...). Used on dashboard pages (HTML), reports (HTML,
CSV, XLSX), exports, CLI output and notifications.

Rules, so it neither passes vacuously nor flags what is legitimately not Chinese:

- **Raw ids** (indicator and check ids; matched case-sensitively as whole tokens) are flagged
  everywhere, inside code and translate="no" too, unless the same block (the table cell, list
  item, heading, paragraph... or spreadsheet row) also holds the id's Chinese name: an id may
  appear beside its name (the secondary id), never instead of it.
- **English words** (runs of Latin letters) are flagged in visible text and in the attributes a
  person reads (title, aria-label, placeholder, alt), except inside <code>, <pre>, <script>,
  <style>, an element marked translate="no" (user names, person keys, digests: codes and what
  people typed) or lang="en" (the language switch "English"). URLs, host names, e-mail addresses,
  organization codes (cn-440300), periods (2026Q4), ISO times, time zone names, WARC file names,
  quotations in “…” (a tag as registered), known ids (judged by the first rule) and the words
  that are part of the Chinese names themselves (IPv6, HTTPS, robots.txt, Cookie...: taken from
  the zh titles and labels) are not English text. What remains is flagged.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from selectolax.lexbor import LexborHTMLParser as HTMLParser
from selectolax.lexbor import LexborNode as Node

from mgov.checks.plugins import all_checks
from mgov.profiles import load_all
from mgov.profiles.names import ACTION_SUBJECTS, ACTION_VERBS, LABELS, PSEUDO_INDICATORS

# Words that are not English text in a Chinese page: the product's name, formats and
# protocols people know by these letters, units.
ALLOWED = {"mgov", "API", "PDF", "XLSX", "CSV", "HTML", "JSON", "YAML", "UTC", "GMT", "HTTP", "HTTPS", "URL",
           "IPv4", "IPv6", "DNS", "TLS", "SSL", "ICP", "WARC", "B", "KB", "MB", "ID", "Swagger", "UI", "English",
           "Ctrl", "OpenAPI", "SVG", "App", "IANA"}
BLOCKS = {"td", "th", "li", "dd", "dt", "h1", "h2", "h3", "h4", "h5", "p", "option", "caption", "summary", "label",
          "button", "legend", "title", "figcaption", "div"}
SKIP = {"script", "style", "code", "pre", "kbd", "samp", "textarea"}
READ_ATTRIBUTES = ("title", "aria-label", "placeholder", "alt")
NOT_TEXT = re.compile(
    r"(?:https?|mailto)://\S+"  # URLs
    r"|[\w.+-]+@[\w-]+(?:\.[\w-]+)+"  # e-mail addresses
    r"|(?<![A-Za-z0-9-])(?:[A-Za-z0-9-]+\.)+(?:gov|cn|com|org|net|edu|mil|us|example|test|localhost|invalid)"
    r"(?![A-Za-z0-9-])(?:/\S*)?"  # host names
    r"|\b[a-z]{2}-[0-9A-Za-z-]*\d[0-9A-Za-z-]*\b"  # organization codes: cn-440300, us-gsa-18f
    r"|\b\d{4}-?Q[1-4]\b"  # periods
    r"|“[^”]*”"  # a quotation (a tag, a name as the registry has it)
    r"|\S+\.warc(?:\.gz)?(?:@\d+)?"  # archive files (WARC references)
    r"|\d{4}-\d{2}-\d{2}T[\d:.]+(?:[+-]\d{2}:\d{2}|Z)?"  # ISO times
    r"|\b(?:Africa|America|Antarctica|Asia|Atlantic|Australia|Europe|Indian|Pacific|Etc)/[A-Za-z_/+-]+"  # zones
    r"|#\d+")
WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*(?:[_.'’-][A-Za-z0-9]+)*")
LATIN = re.compile(r"[A-Za-z][A-Za-z0-9]*")


def _latin_words(text: str) -> set[str]:
    return set(LATIN.findall(text))


@dataclass
class Vocabulary:
    """The known ids with their Chinese names, and the Latin words the Chinese names contain."""

    ids: dict[str, str] = field(default_factory=dict)  # raw id -> its zh name
    enums: set[str] = field(default_factory=set)  # codes of the label tables (pass, veto, opened...)
    allowed: set[str] = field(default_factory=set)
    title_words: set[str] = field(default_factory=set)  # every Latin word of the Chinese names

    @classmethod
    def shipped(cls) -> Vocabulary:
        vocab = cls()
        for profile in load_all().values():
            for ind in profile.indicators:
                vocab.ids[ind.id] = ind.title_zh
        for check in all_checks().values():
            vocab.ids[check.id] = check.title_zh
        for code, (zh, _en) in PSEUDO_INDICATORS.items():
            vocab.ids[code] = zh
        zh_texts = list(vocab.ids.values())
        for table in LABELS.values():
            vocab.enums |= set(table)
            zh_texts += [zh for zh, _en in table.values()]
        zh_texts += [zh for zh, _en in (*ACTION_SUBJECTS.values(), *ACTION_VERBS.values())]
        vocab.allowed = set(ALLOWED)
        for text in zh_texts:
            vocab.title_words |= _latin_words(text)
        vocab.allowed |= vocab.title_words
        # An id-like word of the pages is never allowed just because a name holds it.
        vocab.allowed -= set(vocab.ids) | vocab.enums
        alternatives = "|".join(re.escape(i) for i in sorted(vocab.ids, key=len, reverse=True))
        vocab._id_pattern = re.compile(r"(?<![\w.-])(" + alternatives + r")(?![\w-]|\.\w)")
        # A name that holds another's id as a word (带 www 与不带 www 的域名指向同一网站: us-federal's
        # indicator `www`) shows no id where it stands whole.
        vocab._names_with_ids = sorted({n for n in vocab.ids.values() if vocab._id_pattern.search(n)}, key=len,
                                       reverse=True)
        return vocab

    _id_pattern: re.Pattern[str] = field(default=re.compile(r"(?!)"))
    _names_with_ids: list[str] = field(default_factory=list)

    def raw_ids(self, text: str, block: str) -> list[str]:
        """The known ids in text whose Chinese name is not in block."""
        for name in self._names_with_ids:
            text = text.replace(name, " ")
        return [m for m in self._id_pattern.findall(NOT_TEXT.sub(" ", text)) if self.ids[m] not in block]

    def english(self, text: str, extra_allowed: Iterable[str] = ()) -> list[str]:
        """The English words of text (see the module's rules)."""
        allowed = self.allowed | set(extra_allowed)
        words = WORD.findall(NOT_TEXT.sub(" ", text))
        # A known id is judged by raw_ids (beside its name it is fine), not as a word.
        return [w for w in words if w not in allowed and w not in self.ids and not (w.isupper() and len(w) == 1)
                and not (w not in self.enums and all(part in self.title_words for part in LATIN.findall(w)))]
        # (the last: a compound of the names' own words, robots.txt, is not a word of its own)


@dataclass
class Problem:
    where: str
    what: str  # "id" or "english"
    word: str
    context: str

    def __str__(self) -> str:
        return f"{self.where}: {self.what} {self.word!r} in {self.context[:160]!r}"


def _skipped(node: Node) -> bool:
    """Inside code, a script, or text marked as not to be translated (or as English)."""
    while node is not None and node.tag not in ("html", "-undef"):
        attrs = node.attributes
        if node.tag in SKIP or attrs.get("translate") == "no" or (attrs.get("lang") or "").startswith("en"):
            return True
        node = node.parent
    return False


def _block(node: Node) -> Node:
    while node.parent is not None and node.tag not in BLOCKS:
        node = node.parent
    return node


def check_html(html: str, where: str, vocab: Vocabulary) -> tuple[list[Problem], int]:
    """Problems of a page, and how many Chinese characters it was judged on (a page that shows
    nothing cannot pass as translated)."""
    tree = HTMLParser(html)
    problems: list[Problem] = []
    chinese = 0
    root = tree.root
    if root is None:
        return [Problem(where, "empty", "", "")], 0
    for node in root.traverse(include_text=True):
        if node.tag == "-text":
            text = node.text(deep=False)
            if not text.strip() or (node.parent is not None and node.parent.tag in ("script", "style")):
                continue
            block = _block(node.parent) if node.parent is not None else node
            block_text = block.text(separator=" ")
            problems += [Problem(where, "id", i, block_text) for i in vocab.raw_ids(text, block_text)]
            if _skipped(node.parent):
                continue
            chinese += len(re.findall(r"[\u4e00-\u9fff]", text))
            problems += [Problem(where, "english", w, block_text) for w in vocab.english(text)]
        else:
            for name in READ_ATTRIBUTES:
                value = node.attributes.get(name)
                if value and not _skipped(node):
                    problems += [Problem(where, "english", w, f"{name}={value}") for w in vocab.english(value)]
                    problems += [Problem(where, "id", i, f"{name}={value}") for i in vocab.raw_ids(value, value)]
    return problems, chinese


def check_rows(rows: Iterable[Iterable[object]], where: str, vocab: Vocabulary,
               data_columns: Iterable[int] = (), codes: Iterable[str] = ()) -> tuple[list[Problem], int]:
    """Problems of a table (CSV, a spreadsheet's sheet): a row is the block of its cells. Cells
    of data_columns (addresses, ids the format carries as such) are judged for raw ids only;
    codes are words the output shows as codes on purpose (the ids an option takes)."""
    problems: list[Problem] = []
    chinese = 0
    skip = set(data_columns)
    for n, row in enumerate(rows, 1):
        cells = ["" if c is None else str(c) for c in row]
        line = " | ".join(cells)
        for col, cell in enumerate(cells):
            problems += [Problem(f"{where} row {n}", "id", i, line) for i in vocab.raw_ids(cell, line)]
            if col in skip:
                continue
            chinese += len(re.findall(r"[\u4e00-\u9fff]", cell))
            problems += [Problem(f"{where} row {n}", "english", w, line) for w in vocab.english(cell, codes)]
    return problems, chinese


def check_text(text: str, where: str, vocab: Vocabulary, codes: Iterable[str] = ()) -> tuple[list[Problem], int]:
    """Problems of plain text (CLI output, a mail): a line is a block; codes as in check_rows."""
    return check_rows(([line] for line in text.splitlines()), where, vocab, codes=codes)
