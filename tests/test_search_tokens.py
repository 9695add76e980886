"""The search's tokenizer and snippets (pure): CJK runs as bigrams and unigrams spelled in
ASCII, Latin words folded, queries as phrases of bigrams; snippets mark every term."""

from __future__ import annotations

from mgov.search.snippets import snippet
from mgov.search.tokens import (
    MAX_TOKENS,
    SEPARATOR,
    bigram,
    document_tokens,
    fts5_match,
    parse_query,
    pg_tsquery,
    unigram,
    word,
)


def test_cjk_runs_become_bigrams_in_sequence_then_distinct_unigrams() -> None:
    tokens = document_tokens("低保公示").split()
    assert tokens == [bigram("低", "保"), bigram("保", "公"), bigram("公", "示"),
                      unigram("低"), unigram("保"), unigram("公"), unigram("示")]
    assert all(t.isascii() and t.isalpha() for t in tokens)
    # Two runs apart: a separator, so a phrase of bigrams never spans them.
    assert document_tokens("政府。信息").split()[:3] == [bigram("政", "府"), SEPARATOR, bigram("信", "息")]


def test_latin_words_are_folded_and_q_words_escaped() -> None:
    assert document_tokens("Freedom of INFORMATION, café ２０２６ v1.2") .split() == [
        "freedom", "of", "information", "cafe", "2026", "v1", "2"]
    assert word("query") == "qquery" and document_tokens("Quality") == "qquality"
    # No Latin word can be read as a CJK token: those start with qu or qb, escaped words with qq.
    assert not document_tokens("qbabc qu").startswith(("qb", "qu"))


def test_queries_of_one_to_four_characters_and_words() -> None:
    assert [t.tokens for t in parse_query("征")] == [(unigram("征"),)]
    assert [t.tokens for t in parse_query("低保")] == [(bigram("低", "保"),)]
    assert [t.tokens for t in parse_query("征收款")] == [(bigram("征", "收"), bigram("收", "款"))]
    four = parse_query("信息公开")
    assert [t.text for t in four] == ["信息公开"] and len(four[0].tokens) == 3
    mixed = parse_query('低保 "Annual" report -x OR')
    assert [t.text for t in mixed] == ["低保", "annual", "report", "x", "or"]
    assert fts5_match(parse_query("信息公开 report")) == (
        f'"{bigram("信", "息")} {bigram("息", "公")} {bigram("公", "开")}" AND "report"')
    assert pg_tsquery(parse_query("低保 report")) == f"({bigram('低', '保')}) & (report)"
    assert parse_query("，。!") == []


def test_a_long_document_stops_at_the_token_cap() -> None:
    assert len(document_tokens("公" * 40_000).split()) == MAX_TOKENS


def test_snippets_mark_every_term_around_the_first_match() -> None:
    text = "前言。" * 100 + "关于低保标准的公示：Annual REPORT on 低保" + "后记" * 100
    found = snippet(text, parse_query("低保 report"))
    assert found.text.startswith("…") and found.text.endswith("…")
    assert [found.text[a:b] for a, b in found.marks] == ["低保", "REPORT", "低保"]
    assert "".join(p for p, _ in found.parts()) == found.text
    assert snippet("reporting", parse_query("report")).marks == ()  # whole words only, as indexed


def test_a_page_nested_past_the_parsers_depth_reads_as_its_text():
    """Archived markup is flattened past the safe depth before it is read (history and search
    read it as the checks do): 100,000 nested divs still give their text."""
    from mgov.archive.history_text import html_lines

    page = "<html><body>" + "<div>" * 100_000 + "低保公示" + "</div>" * 100_000 + "<p>Notice</p></body></html>"
    assert html_lines(page) == ["低保公示", "Notice"]
