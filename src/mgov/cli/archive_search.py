"""mgov archive search: full text over captured pages and attachments, Chinese and English,
with filters, ranked, snippets marked (docs/archive.md, "Search"); registered in the
`archive` group. The command line reads the whole registry, as the operator does."""

from __future__ import annotations

import datetime as dt
from typing import Any

import typer
from rich.markup import escape

from mgov.cli.choices import channel_address, org_code
from mgov.cli.common import JSON_OPTION, console, print_json, state

MESSAGES: dict[str, tuple[str, str]] = {
    "indexed": ("Search index: {indexed} document(s) added, {skipped} capture(s) without a document, "
                "{unreadable} unreadable",
                "检索索引：新增 {indexed} 个文档，{skipped} 条采集无文档，{unreadable} 条无法读取"),
    "none": ("No capture matches {query!r}", "没有与“{query}”匹配的采集内容"),
    "no_query": ("Give a query, or --reindex", "请给出检索词，或使用 --reindex"),
    "page": ("page", "网页"),
    "attachment": ("attachment", "附件"),
    "replay": ("replay", "回放"),
}
TYPE_CHOICES = ("page", "attachment")
QUERY_ARGUMENT = typer.Argument(None, help="Words to find: Chinese (低保, 公示, 政府信息公开) or English; every "
                                           "term must appear.")
ORG_OPTION = typer.Option(None, "--org", help="Only captures of this organization and those below it (its code).")
CHANNEL_OPTION = typer.Option(None, "--channel", help="Only captures of this channel (its address).")
SINCE_OPTION = typer.Option(None, "--since", help="Captured on or after this day (YYYY-MM-DD).")
UNTIL_OPTION = typer.Option(None, "--until", help="Captured on or before this day (YYYY-MM-DD).")
TYPE_OPTION = typer.Option(None, "--type", help="page, attachment, or a content type (application/pdf).")
LIMIT_OPTION = typer.Option(20, "--limit", min=1, max=200, help="Hits shown at most.")
REINDEX_OPTION = typer.Option(False, "--reindex", help="First index every capture not indexed yet (captures from "
                                                       "before the search existed, imported WARCs).")


def _t(lang: str, key: str, **kw: Any) -> str:
    en, zh = MESSAGES[key]
    return (zh if lang == "zh" else en).format(**kw)


def _day(value: str | None, option: str, *, end: bool = False) -> dt.datetime | None:
    if value is None:
        return None
    try:
        day = dt.date.fromisoformat(value.strip())
    except ValueError:
        raise typer.BadParameter(f"{value!r}: a day as YYYY-MM-DD", param_hint=option) from None
    return dt.datetime.combine(day + dt.timedelta(days=1 if end else 0), dt.time(), dt.UTC)


def add_commands(app: typer.Typer) -> None:
    """Register `search` in the `mgov archive` group."""
    app.command("search")(search)


def search(ctx: typer.Context, query: str | None = QUERY_ARGUMENT, org: str | None = ORG_OPTION,
           channel: str | None = CHANNEL_OPTION, since: str | None = SINCE_OPTION, until: str | None = UNTIL_OPTION,
           kind: str | None = TYPE_OPTION, limit: int = LIMIT_OPTION, reindex: bool = REINDEX_OPTION,
           as_json: bool = JSON_OPTION) -> None:
    """Find captured pages and attachments by their text: Chinese terms of one character or
    more and English words, ranked, each hit with a snippet and its replay path.

    [dim]Example: mgov archive search 低保 --org cn-440300 --since 2026-01-01 --type attachment[/dim]
    """
    # The archive's readers (warcio, the document readers) load only for this command.
    from mgov.accounts import Scope
    from mgov.archive.store import channel_ids
    from mgov.registry.service import org_row
    from mgov.search import service
    from mgov.search.store import Filters

    st = state(ctx)
    lang = st.lang
    if kind is not None and kind not in TYPE_CHOICES and "/" not in kind:
        raise typer.BadParameter(f"{kind!r}: page, attachment or a content type", param_hint="--type")
    engine = st.engine()
    if reindex:
        counts = service.index_pending(engine, st.settings.resolved_archive_dir)
        if not query:
            if as_json:
                print_json({"indexed": counts.indexed, "skipped": counts.skipped, "unreadable": counts.unreadable,
                            "errors": counts.errors})
            else:
                console.print(_t(lang, "indexed", indexed=counts.indexed, skipped=counts.skipped,
                                 unreadable=counts.unreadable), markup=False)
            return
    if not query or not query.strip():
        raise typer.BadParameter(_t(lang, "no_query"), param_hint="QUERY")
    with st.connect() as conn:
        org_id = int(org_row(conn, org_code(conn, lang, org) or "")["id"]) if org else None
        ids = list(channel_ids(conn, channel_address(conn, lang, channel) or channel)) if channel else None
        filters = Filters(org_id=org_id, channel_ids=ids, since=_day(since, "--since"),
                          until=_day(until, "--until", end=True),
                          kind=kind if kind in TYPE_CHOICES else None,
                          content_type=kind if kind is not None and kind not in TYPE_CHOICES else None)
        hits = service.search(conn, Scope(None), query, filters, limit=limit,
                              replay_mode=st.settings.archive.replay_collections)
    if as_json:
        print_json({"query": query, "count": len(hits),
                    "hits": [{k: h[k] for k in ("url", "title", "timestamp", "captured_at", "kind", "content_type",
                                                "org", "channel", "score", "snippet", "marks", "replay")}
                             for h in hits]})
        return
    if not hits:
        console.print(_t(lang, "none", query=query), markup=False)
        return
    for h in hits:
        console.print(f"{h['timestamp']}  {_t(lang, h['kind'])}  {h['org'] or '-'}  {h['title'] or ''}", markup=False)
        console.print(f"  {h['url']}", markup=False)
        line = "".join(f"[bold]{escape(part)}[/bold]" if hit else escape(part) for part, hit in h["parts"])
        console.print(f"  {line}")
        if h["replay"]:
            console.print(f"  {_t(lang, 'replay')}: {h['replay']}", markup=False)
