"""mgov archive replay, history, diff and changes: pywb over the archive, and change history
(docs/archive.md, "Replay" and "Change history"). Added to the `mgov archive` group."""

from __future__ import annotations

from typing import Any

import typer

from mgov.cli.common import JSON_OPTION, console, print_json, state
from mgov.i18n import t

PORT_OPTION = typer.Option(None, "--port", min=0, max=65535, help="Loopback port for pywb (default: "
                           "[archive] replay_port of mgov.toml, 8091; 0: any free port).")
COLLECTION_OPTION = typer.Option(None, "--collection", help="per-org (one collection per organization, "
                                 "replayed within each reader's scope) or all (one, for readers of the whole "
                                 "registry); default: [archive] replay_collections of mgov.toml.")
SETUP_OPTION = typer.Option(False, "--setup-only", help="Install pywb in its own environment, write its "
                            "configuration and indexes, and stop (do not serve).")
URL_ARGUMENT = typer.Argument(..., help="The captured page's URL (matched by SURT key, as pywb does).")
FROM_OPTION = typer.Option(..., "--from", help="The earlier moment: YYYY[MM[DD[hh[mm[ss]]]]] or YYYY-MM-DD "
                           "(the latest capture within or before it).")
TO_OPTION = typer.Option(..., "--to", help="The later moment, same forms.")
CHANNEL_OPTION = typer.Option(..., "--channel", help="The channel (its address).")
DAYS_OPTION = typer.Option(7, "--days", min=1, max=366, help="The window: the last N days up to now.")
SINCE_OPTION = typer.Option(None, "--since", help="Start the window at this moment instead (YYYY-MM-DD...).")
UNTIL_OPTION = typer.Option(None, "--until", help="End the window at this moment (default now).")


def add_commands(app: typer.Typer) -> None:
    """Register these commands in the `mgov archive` group."""
    app.command("replay")(replay)
    app.command("history")(history)
    app.command("diff")(diff)
    app.command("changes")(changes)


def replay(ctx: typer.Context, port: int | None = PORT_OPTION, collection: str | None = COLLECTION_OPTION,
           setup_only: bool = SETUP_OPTION) -> None:
    """Replay the archive with pywb: installed in its own virtual environment, given mgov's
    index as CDXJ per collection (refreshed while it runs), served on 127.0.0.1 and reached
    through mgov's web app (/replay/...), which checks each reader's scope.

    [dim]Example: mgov archive replay --port 8091[/dim]
    """
    # The archive's modules (pywb's setup, the index queries) load only for this command.
    from mgov.archive import replay_service
    from mgov.archive.replay_setup import PYWB_REQUIREMENT

    st = state(ctx)
    if collection is not None and collection not in ("per-org", "all"):
        raise typer.BadParameter(f"{collection!r}: per-org or all", param_hint="--collection")
    lang, engine = st.lang, st.engine()
    console.print(t(lang, "replay_setting_up", venv=st.settings.resolved_pywb_venv, pywb=PYWB_REQUIREMENT))
    prepared = replay_service.prepare(st.settings, engine, collection)
    console.print(t(lang, "replay_indexed", collections=prepared.refreshed.collections,
                    rows=prepared.refreshed.rows, config=prepared.config), markup=False)
    if setup_only:
        return
    running = replay_service.start(st.settings, port, collection)
    base = (st.settings.public_url or "http://127.0.0.1:8000") + "/replay/"
    console.print(t(lang, "replay_running", url=running.url, base=base), markup=False)

    def refreshed(done: Any) -> None:
        if done.rows:
            console.print(t(lang, "replay_refreshed", rows=done.rows, collections=done.collections))

    try:
        code = replay_service.serve(st.settings, engine, running, refreshed, mode=collection)
    except KeyboardInterrupt:
        code = 0
    raise typer.Exit(code)


def history(ctx: typer.Context, url: str = URL_ARGUMENT, as_json: bool = JSON_OPTION) -> None:
    """The captures of a URL over time, by year, month and day (the Wayback calendar), each
    with its status, payload digest and replay path.

    [dim]Example: mgov archive history https://www.example.gov.cn/[/dim]
    """
    # The archive's modules load only for this command group.
    from mgov.accounts import Scope
    from mgov.archive import history_service
    from mgov.archive.replay_links import replay_url

    st = state(ctx)
    with st.connect() as conn:
        found = history_service.url_history(conn, Scope(None), url)
    mode = st.settings.archive.replay_collections
    rows = [{"timestamp": c["timestamp"], "url": c["url"], "status": c["status"], "mime": c["mime"],
             "record_type": c["record_type"], "digest": c["digest"], "org": c["org"],
             "replay": replay_url(c, mode)} for c in found["captures"]]
    if as_json:
        print_json({"url": url, "urlkey": found["urlkey"], "count": found["count"], "captures": rows,
                    "calendar": [{"year": y["year"], "count": y["count"],
                                  "months": [{"month": m["month"], "count": m["count"],
                                              "days": {d["day"]: d["count"] for d in m["days"]}}
                                             for m in y["months"]]} for y in found["calendar"]]})
        return
    if not rows:
        console.print(t(st.lang, "history_none", url=url), markup=False)
        return
    for year in found["calendar"]:
        months = ", ".join(f"{m['month']}: {m['count']}" for m in year["months"])
        console.print(t(st.lang, "history_year", year=year["year"], count=year["count"], months=months), markup=False)
    for r in rows:
        console.print(f"{r['timestamp']}  {r['status'] or '-':>3}  {r['record_type']:<8} {r['url']}  "
                      f"{r['replay'] or ''}", markup=False)


def diff(ctx: typer.Context, url: str = URL_ARGUMENT, since: str = FROM_OPTION, until: str = TO_OPTION,
         as_json: bool = JSON_OPTION) -> None:
    """What differs between two captures of a URL: text lines and links added and removed,
    and the unified diff of the pages' text.

    [dim]Example: mgov archive diff https://www.example.gov.cn/ --from 2026-11-01 --to 2026-12-01[/dim]
    """
    # The archive's modules load only for this command group.
    from mgov.accounts import Scope
    from mgov.archive import history_service

    st = state(ctx)
    with st.connect() as conn:
        found = history_service.diff_url(conn, Scope(None), st.settings.resolved_archive_dir, url, since, until)
    if as_json:
        print_json(diff_json(found))
        return
    lang = st.lang
    console.print(t(lang, "diff_between", before=found.before["timestamp"], after=found.after["timestamp"],
                    url=url), markup=False)
    for note in found.notes:
        console.print(note, markup=False)
    if not found.changed:
        console.print(t(lang, "diff_same"))
        return
    for line in found.unified:
        console.print(line, markup=False, highlight=False)
    for sign, links in (("+", found.links_added), ("-", found.links_removed)):
        for link in links:
            console.print(f"{sign} {t(lang, 'diff_link')} {link['href']}  {link['text']}", markup=False)
    console.print(t(lang, "diff_counts", added=len(found.added), removed=len(found.removed),
                    links_added=len(found.links_added), links_removed=len(found.links_removed)))


def diff_json(found: Any) -> dict[str, Any]:
    def side(c: dict[str, Any]) -> dict[str, Any]:
        return {k: c.get(k) for k in ("timestamp", "url", "status", "mime", "digest", "record_type")}

    return {"before": side(found.before), "after": side(found.after), "kind": found.kind,
            "same_payload": found.same_payload, "changed": found.changed, "added": found.added,
            "removed": found.removed, "links_added": found.links_added, "links_removed": found.links_removed,
            "unified": found.unified, "notes": found.notes}


def changes(ctx: typer.Context, channel: str = CHANNEL_OPTION, days: int = DAYS_OPTION,
            since: str | None = SINCE_OPTION, until: str | None = UNTIL_OPTION, as_json: bool = JSON_OPTION) -> None:
    """What changed on a channel's pages in a window: URLs new, gone and changed, with counts.

    [dim]Example: mgov archive changes --channel https://www.example.gov.cn --days 7[/dim]
    """
    # The archive's modules load only for this command group.
    from mgov.accounts import Scope
    from mgov.archive import history_service, store
    from mgov.cli.choices import channel_address

    st = state(ctx)
    with st.connect() as conn:
        ids = store.channel_ids(conn, channel_address(conn, st.lang, channel) or channel)
        found = history_service.channel_changes(conn, Scope(None), ids[0], days=days, since=since, until=until)
    result = found["changes"]
    if as_json:
        print_json({"channel": found["channel"]["address"], "since": result.since, "until": result.until,
                    "counts": result.counts, "crawled": result.crawled, "captures": result.captures,
                    **{kind: [_change(c) for c in getattr(result, kind)] for kind in ("new", "gone", "changed")}})
        return
    lang = st.lang
    console.print(t(lang, "changes_window", channel=found["channel"]["address"], since=result.since,
                    until=result.until, **result.counts), markup=False)
    for kind in ("new", "gone", "changed"):
        for item in getattr(result, kind):
            console.print(f"{t(lang, 'changes_' + kind)}  {item['url']}", markup=False)
    if not result.crawled:
        console.print(t(lang, "changes_no_crawl"))


def _change(item: dict[str, Any]) -> dict[str, Any]:
    def stamp(c: dict[str, Any] | None) -> dict[str, Any] | None:
        return None if c is None else {"timestamp": c["timestamp"], "status": c["status"], "digest": c["digest"]}

    return {"url": item["url"], "before": stamp(item.get("before")), "after": stamp(item.get("after"))}
