"""mgov archive: the records archive's index (CDXJ), imports, fixity and repair."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import typer

from mgov.cli import archive_history, archive_records, archive_search
from mgov.cli.choices import channel_address
from mgov.cli.common import JSON_OPTION, console, print_json, state
from mgov.i18n import t

app = typer.Typer(help="The records archive: every WARC record indexed (CDXJ, as pywb), captures of other tools "
                       "imported, fixity verified. [dim]Example: mgov archive cdx --url https://www.gov.cn/[/dim]",
                  no_args_is_help=True)

CHANNEL_OPTION = typer.Option(None, "--channel", help="Only records captured for this channel (its address).")
URL_OPTION = typer.Option(None, "--url", help="Only records of this URL (compared by SURT key, as pywb does).")
MATCH_OPTION = typer.Option("exact", "--match", help="How --url matches: exact, prefix (the URL and below) "
                                                     "or host (the whole host).")
FROM_OPTION = typer.Option(None, "--from", help="From this time: YYYY[MM[DD[hh[mm[ss]]]]] or YYYY-MM-DD.")
TO_OPTION = typer.Option(None, "--to", help="Up to this time, same forms (a prefix covers its whole span).")
ALL_OPTION = typer.Option(False, "--all-records", help="Every record (requests and warcinfo too), as "
                                                       "cdxj-indexer --records all; default: what pywb indexes.")
FILES_ARGUMENT = typer.Argument(..., help="WARC (.warc, .warc.gz) or WACZ files.")
VERIFY_ARGUMENT = typer.Argument(None, help="Files to check (default: every file of the archive).")
SAMPLE_OPTION = typer.Option(None, "--sample", min=1, help="Check the N files checked longest ago (a rolling "
                             "audit: schedule it and every file comes round).")
FAST_OPTION = typer.Option(False, "--fast", help="Skip decompressing records whose stored bytes still match the "
                           "SHA-256 recorded when they were written or imported.")
STAMP = re.compile(r"^\d{4}(\d{2}){0,5}$")


def _stamp(value: str | None, option: str) -> str | None:
    if value is None:
        return None
    digits = re.sub(r"[-:T ]", "", value.strip())
    if not STAMP.fullmatch(digits):
        raise typer.BadParameter(f"{value!r}: a time as YYYY[MM[DD[hh[mm[ss]]]]] or YYYY-MM-DD", param_hint=option)
    return digits


@app.command("cdx")
def cdx(ctx: typer.Context, channel: str | None = CHANNEL_OPTION, url: str | None = URL_OPTION,
        match: str = MATCH_OPTION, since: str | None = FROM_OPTION, until: str | None = TO_OPTION,
        every_record: bool = ALL_OPTION) -> None:
    """Print the archive's index as CDXJ lines (SURT key, timestamp, JSON: pywb's fields, then
    mgov's: record type, content digest, run, channel, organization).

    [dim]Example: mgov archive cdx --channel https://www.example.gov.cn/ --from 2026-12-01[/dim]
    """
    # The archive's modules (warcio, the index queries) load only for this command group.
    from mgov.archive import service, store
    from mgov.collect.surt import surt

    st = state(ctx)
    if match not in ("exact", "prefix", "host"):
        raise typer.BadParameter(f"{match!r}: exact, prefix or host", param_hint="--match")
    ids = None
    if channel is not None:
        with st.connect() as conn:
            ids = store.channel_ids(conn, channel_address(conn, st.lang, channel) or channel)
    query = store.CdxQuery(channel_ids=ids, urlkey=surt(url) if url else None, match=match,
                           since=_stamp(since, "--from"), until=_stamp(until, "--to"), every_record=every_record)
    for line in service.cdx(st.engine(), st.settings.resolved_archive_dir, query):
        typer.echo(line)


@app.command("import")
def import_(ctx: typer.Context, files: list[Path] = FILES_ARGUMENT, as_json: bool = JSON_OPTION) -> None:
    """Bring captures made by other tools (Browsertrix, Heritrix, pywb) into the archive:
    copied as they are, indexed, sealed, and attached to registered channels by URL host.

    [dim]Example: mgov archive import crawl-2026.wacz heritrix-00001.warc.gz[/dim]
    """
    # The archive's modules load only for this command group.
    from mgov.archive import service

    st = state(ctx)
    done = service.import_files(st.engine(), st.settings.resolved_archive_dir, files)
    if as_json:
        print_json([vars(d) for d in done])
        return
    for d in done:
        if d.duplicate_of:
            console.print(t(st.lang, "archive_duplicate", file=d.name, name=d.duplicate_of))
            continue
        console.print(t(st.lang, "archive_imported", file=d.name, records=d.records, name=d.name))
        for problem in d.problems:
            console.print(t(st.lang, "archive_import_problem", name=d.name, problem=problem))


@app.command("verify")
def verify(ctx: typer.Context, files: list[str] = VERIFY_ARGUMENT, sample: int | None = SAMPLE_OPTION,
           fast: bool = FAST_OPTION, as_json: bool = JSON_OPTION) -> None:
    """Re-read WARC files: each file against the manifest, each record's bytes, block and
    payload digests; a changed bit is named by file and record offset. Exit 1 on any problem.

    [dim]Example: mgov archive verify --sample 20[/dim]
    """
    # The archive's modules load only for this command group.
    from mgov.archive import service

    st = state(ctx)
    result = service.verify(st.engine(), st.settings.resolved_archive_dir, files or None, sample=sample, fast=fast)
    lang = st.lang
    if as_json:
        print_json({"ok": result.ok, "manifest": result.manifest, "seconds": round(result.seconds, 3),
                    "bytes": result.bytes, "live": result.live, "recovered": [vars(r) for r in result.recovered],
                    "files": [{"file": f.file, "size": f.size, "records": f.records, "sha256": f.sha256,
                               "without_digests": f.without_digests, "not_checked": f.not_checked,
                               "problems": [vars(p) for p in f.problems]} for f in result.files]})
    else:
        _recovered(lang, result.recovered)
        if result.manifest:
            console.print(t(lang, "archive_manifest_bad", what=result.manifest), markup=False)
        for p in result.problems:
            what = p.what + (f" ({p.url})" if p.url else "")
            console.print(t(lang, "archive_problem", file=p.file, offset="-" if p.offset is None else p.offset,
                            what=what), markup=False)
        if result.live:
            console.print(t(lang, "archive_live", n=len(result.live)))
        without = sum(f.without_digests for f in result.files)
        revisits = sum(f.not_checked for f in result.files)
        if without:
            console.print(t(lang, "archive_no_digests", n=without))
        if revisits:
            console.print(t(lang, "archive_revisits", n=revisits))
        problems = len(result.problems) + (1 if result.manifest else 0)
        mb = result.bytes / 1e6
        console.print(t(lang, "archive_verified", files=len(result.files), records=sum(f.records for f in result.files),
                        mb=f"{mb:.1f}", seconds=f"{result.seconds:.2f}",
                        rate=f"{mb / result.seconds:.0f}" if result.seconds > 0 else "-",
                        verdict=t(lang, "archive_intact") if result.ok else t(lang, "archive_damaged", n=problems)))
    if not result.ok:
        raise typer.Exit(1)


@app.command("repair")
def repair(ctx: typer.Context) -> None:
    """Seal WARC files a writer left open when it died (a cut last record moved to
    quarantine/), index files from before the index, and bring the database's index up to date.

    [dim]Example: mgov archive repair[/dim]
    """
    # The archive's modules load only for this command group.
    from mgov.archive import service

    st = state(ctx)
    recovered = service.repair(st.engine(), st.settings.resolved_archive_dir)
    _recovered(st.lang, recovered)
    console.print(t(st.lang, "archive_repaired", n=len(recovered)))


def _recovered(lang: str, recovered: list[Any]) -> None:
    for r in recovered:
        tail = t(lang, "archive_tail", tail=r.tail) if r.tail else ""
        console.print(t(lang, "archive_recovered", file=r.file, kept=r.kept, size=r.size, tail=tail), markup=False)


archive_history.add_commands(app)  # replay, history, diff, changes (cli/archive_history.py)
archive_records.register(app)  # schedules, policy, hold, disposition, transfer
archive_search.add_commands(app)  # search (cli/archive_search.py)
