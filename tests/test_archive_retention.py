"""Retention and disposition of the records archive: schedules load and are checked, items
are assigned by kind, organization, tag and channel, a legal hold blocks a due disposition,
nothing is destroyed without a records officer's approval, and an approved disposition
destroys exactly its records, leaving tombstones (rows, a sealed file the readers follow)
and audit entries, while what stays reads and verifies as before."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

import pytest
from cdxj_indexer.main import write_cdx_index
from sqlalchemy import func, select

from archive_world import World, page
from mgov.archive import disposition, disposition_run, retention_holds
from mgov.archive.retention import Period, RetentionError
from mgov.archive.retention_assign import assign, channel_contexts
from mgov.archive.retention_load import load
from mgov.collect.warc import read_record
from mgov.collect.warc_files import file_sha256, read_manifest
from mgov.collect.warc_revisit import RecordDisposed
from mgov.db.tables import ARCHIVE_DISPOSITION_ITEMS, ARCHIVE_FILES, ARCHIVE_RECORDS, ARCHIVE_TOMBSTONES, AUDIT_LOG
from mgov.errors import InvalidValue


@pytest.fixture
def world(engine, cli) -> World:
    return World(engine, Path(cli.env["MGOV_HOME"]))


def test_periods_and_cutoffs() -> None:
    assert Period.parse("90 days").before(dt.date(2026, 3, 31)) == dt.date(2025, 12, 31)
    assert Period.parse("1 year").before(dt.date(2028, 2, 29)) == dt.date(2027, 2, 28)
    assert Period.parse("6 Months").before(dt.date(2026, 8, 31)) == dt.date(2026, 2, 28)
    with pytest.raises(ValueError, match="'3 fortnights' is not a period"):
        Period.parse("3 fortnights")
    items = load().items
    # GRS 6.4 item 020: destroy when 90 days old (from the capture).
    assert items["grs-6-4/020"].due_before(dt.date(2026, 12, 8)) == dt.datetime(2026, 9, 9, tzinfo=dt.UTC)
    assert items["grs-6-4/020"].authority == "DAA-GRS-2016-0005-0002"
    assert items["grs-5-2/010"].authority == "DAA-GRS-2017-0003-0001"
    # DA/T 80's classes count from the 1st of January after the year of capture.
    assert items["da-t-80/30y"].due_before(dt.date(2026, 12, 8)) == dt.datetime(1996, 1, 1, tzinfo=dt.UTC)
    assert items["da-t-80/permanent"].due_before(dt.date(2126, 1, 1)) is None


def test_a_bad_schedule_file_is_a_clear_error(world, cli) -> None:
    folder = world.home / "schedules"
    folder.mkdir()
    (folder / "office.toml").write_text("""
id = "office"
title_en = "Office schedule"
title_zh = "本机关保管期限表"
authority = "Office records policy 2026"
flavour = "sweet"

[[item]]
id = "web"
title_en = "Web pages"
title_zh = "网页"
disposition = "temporary"
retain = "3 fortnights"
authority = "policy §3"

[[item]]
id = "keep"
title_en = "Kept"
title_zh = "永久"
disposition = "permanent"
retain = "10 years"
authority = "policy §4"
""", "utf-8")
    (folder / "broken.toml").write_text("id = [", "utf-8")
    (folder / "assigning.toml").write_text("""
id = "assigning"
title_en = "A"
title_zh = "甲"
authority = "x"
[[item]]
id = "short"
title_en = "Short"
title_zh = "短"
disposition = "temporary"
retain = "30 days"
authority = "x"
[[assign]]
item = "nowhere"
kinds = ["website", "blog"]
""", "utf-8")
    out = "".join(cli("archive", "schedules", code=1).output.split())  # as printed, wrapped or not
    for said in ("office.toml: flavour: unknown key", "office.toml: item 'web'.retain: '3 fortnights' is not a period",
                 "office.toml: item 'keep'.retain: a permanent item is never destroyed", "broken.toml: invalid TOML",
                 "assigning.toml: assign 1.item: unknown schedule item 'nowhere'",
                 "assigning.toml: assign 1.kinds: unknown channel kind 'blog'"):
        assert "".join(said.split()) in out, said
    with pytest.raises(RetentionError) as raised:
        load([folder])
    assert len(raised.value.errors) == 6


def test_items_are_assigned_by_kind_organization_tag_and_channel(world, cli, engine) -> None:
    office = world.home / "schedules"
    office.mkdir()
    (office / "agency.toml").write_text("""
id = "agency"
title_en = "Agency web records"
title_zh = "机构网页文件"
authority = "Agency schedule N1-123-45-6, item 1"
[[item]]
id = "web"
title_en = "Web snapshots"
title_zh = "网页快照"
disposition = "temporary"
retain = "7 years"
cutoff = "fiscal_year"
authority = "N1-123-45-6/1"
[[assign]]
item = "web"
organizations = ["us-agency"]
kinds = ["website"]
""", "utf-8")
    schedules = load([office])
    with engine.connect() as conn:
        contexts = {c.address: c for c in channel_contexts(conn)}
    got = {a: assign(schedules, c).item.key for a, c in contexts.items()}
    assert got == {"https://www.agency.gov": "agency/web",  # the office's organization rule (its subtree)
                   "https://www.bureau.gov": "agency/web",
                   "https://social.example.gov/@agency": "grs-6-4/020",  # social posts: GRS 6.4 item 020
                   "https://www.sz.gov.cn": "da-t-80/permanent",  # the portal tag
                   "https://fgw.sz.gov.cn": "da-t-80/30y"}  # kind
    cli("channel", "edit", "https://www.bureau.gov", "--attr", "retention=grs-5-2/020")
    listed = cli.json("archive", "schedules", "--channel", "https://www.bureau.gov")
    assert listed["channels"][0]["item"] == "grs-5-2/020" and "attribute" in listed["channels"][0]["how"]


def _totals(engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {"records": conn.execute(select(func.count()).select_from(ARCHIVE_RECORDS)).scalar_one(),
                "tombstones": conn.execute(select(func.count()).select_from(ARCHIVE_TOMBSTONES)).scalar_one()}


def _files(archive: Path) -> dict[str, str]:
    return {p.relative_to(archive).as_posix(): file_sha256(p) for p in archive.rglob("*.warc.gz")}


def test_a_hold_blocks_and_an_approved_disposition_destroys_exactly_its_records(world, cli, engine) -> None:
    agency, bureau, social = "https://www.agency.gov", "https://www.bureau.gov", "https://social.example.gov/@agency"
    # File A: old captures only (all due under GRS 5.2 item 010, 180 days). File B: old and new
    # captures of the agency (the new stay), and the bureau's old ones, which a hold will keep.
    _, old_refs = world.write([(agency, f"{agency}/a{n}", page(f"a{n}"), 400 + n) for n in range(3)])
    _, mixed = world.write([(agency, f"{agency}/b0", page("b0"), 300), (agency, f"{agency}/b1", page("b1"), 10),
                            (bureau, f"{bureau}/c0", page("c0"), 250), (social, f"{social}/p0", page("p0"), 120),
                            (social, f"{social}/p1", page("p1"), 20)])
    before_files, before = _files(world.archive), _totals(engine)

    hold = cli("archive", "hold", "add", "--org", "us-bureau", "--reason", "FOIA litigation 26-17")
    assert "Placed legal hold 1" in hold.stdout
    report = cli.json("archive", "disposition", "report")
    items = {i["item"]: i for i in report["items"]}
    assert items["grs-5-2/010"]["captures"] == 4 and items["grs-5-2/010"]["held"] == 2  # the bureau's request+response
    assert items["grs-6-4/020"]["captures"] == 1  # the post of 120 days ago; not the one of 20
    disposition_id = report["disposition"]

    # Nothing is destroyed without a records officer's approval.
    assert "--asUSER" in "".join(cli("archive", "disposition", "approve", str(disposition_id), code=1).output.split())
    assert "doesnotallowrecords.dispose" in "".join(cli("--as", "agency.staff", "archive", "disposition", "approve",
                                                        str(disposition_id), code=1).output.split())
    with pytest.raises(InvalidValue, match="nothing is destroyed without a records officer's approval"):
        disposition_run.execute(engine, world.archive, disposition_id)
    assert _files(world.archive) == before_files and _totals(engine) == before

    with engine.connect() as conn:
        listed = {(r.file_id, r.offset) for r in conn.execute(
            select(ARCHIVE_DISPOSITION_ITEMS).where(ARCHIVE_DISPOSITION_ITEMS.c.disposition_id == disposition_id))}
        names = dict(conn.execute(select(ARCHIVE_FILES.c.id, ARCHIVE_FILES.c.name)).all())
        listed_places = {(names[f], o) for f, o in listed}
    done = cli("--as", "records.officer", "archive", "disposition", "approve", str(disposition_id))
    assert "approved by records.officer" in done.stdout and "records" in done.stdout

    # Exactly the listed records are gone: a tombstone each, their index rows deleted.
    after = _totals(engine)
    with engine.connect() as conn:
        stones = {(t.file_name, t.offset) for t in conn.execute(select(ARCHIVE_TOMBSTONES))
                  if t.record_type != "warcinfo"}
        actions = list(conn.execute(select(AUDIT_LOG.c.action)
                                    .where(AUDIT_LOG.c.subject == f"disposition:{disposition_id}")).scalars())
    assert stones == listed_places
    assert after["records"] == before["records"] - len(listed) - 1  # and file A's warcinfo, with its file
    assert actions.count("disposition.file") == 2 and {"disposition.reported", "disposition.approved",
                                                       "disposition.done"} <= set(actions)
    assert cli.json("archive", "disposition", "show", str(disposition_id))["status"] == "done"

    # File A is gone; file B replaced by a file of the records that stay, byte for byte.
    now_files = _files(world.archive)
    assert old_refs[0].file not in now_files and mixed[0].file not in now_files
    replacement = mixed[0].file.replace(".warc.gz", f"~d{disposition_id}.warc.gz")
    assert replacement in now_files and read_manifest(world.archive)[replacement] == now_files[replacement]
    for ref in [*old_refs, mixed[0], mixed[3]]:  # destroyed: the reader says when and by whose approval
        with pytest.raises(RecordDisposed, match=f"disposition {disposition_id} approved by records.officer"):
            read_record(world.archive, ref)
    assert read_record(world.archive, mixed[1]).payload == page("b1")  # kept: read through the tombstone
    assert read_record(world.archive, mixed[2]).payload == page("c0")  # held
    tombstone = json.loads((world.archive / "tombstones" / f"{mixed[0].file}.json").read_text("utf-8"))
    assert tombstone["replaced_by"] == replacement and tombstone["sha256"] == before_files[mixed[0].file]
    assert f"tombstones/{mixed[0].file}.json" in read_manifest(world.archive)

    # What stays verifies, and its index is still pywb's.
    assert "intact" in cli("archive", "verify").stdout
    ours = sorted(line for line in cli("archive", "cdx").stdout.splitlines() if replacement in line)
    theirs = io.StringIO()
    write_cdx_index(theirs, [str(world.archive / replacement)], {"dir_root": str(world.archive)})
    pywb = sorted(theirs.getvalue().splitlines())
    assert [line.split(" ", 2)[:2] for line in ours] == [line.split(" ", 2)[:2] for line in pywb]
    for a, b in zip(ours, pywb, strict=True):
        theirs_fields = json.loads(b.split(" ", 2)[2])
        assert {k: json.loads(a.split(" ", 2)[2])[k] for k in theirs_fields} == theirs_fields

    # Released, the hold no longer keeps the bureau's capture: it is due in the next report.
    cli("archive", "hold", "release", "1", "--reason", "case closed")
    again = cli.json("archive", "disposition", "report")
    assert {i["item"]: i["captures"] for i in again["items"]}["grs-5-2/010"] == 1


def test_a_hold_placed_after_the_report_still_blocks(world, cli, engine) -> None:
    bureau = "https://www.bureau.gov"
    _, refs = world.write([(bureau, f"{bureau}/x", page("x"), 500)])
    report = cli.json("archive", "disposition", "report")
    with engine.begin() as conn:
        retention_holds.place(conn, "preservation order", channel=bureau, since=dt.date(2000, 1, 1))
    done = cli.json("--as", "records.officer", "archive", "disposition", "approve", str(report["disposition"]))
    assert done["destroyed"] == 0 and done["held"] == 2
    assert read_record(world.archive, refs[0]).payload == page("x")
    with engine.connect() as conn:
        states = {s for s, in conn.execute(select(ARCHIVE_DISPOSITION_ITEMS.c.state))}
    assert states == {"held"}


def test_a_cancelled_or_unapproved_disposition_destroys_nothing(world, cli, engine) -> None:
    agency = "https://www.agency.gov"
    world.write([(agency, f"{agency}/x", page("x"), 500)])
    files = _files(world.archive)
    first = cli.json("archive", "disposition", "report")["disposition"]
    cli("archive", "disposition", "cancel", str(first), "--reason", "wrong day")
    assert "iscancelled:nothingisdestroyed" in "".join(cli("--as", "records.officer", "archive", "disposition",
                                                       "approve", str(first), code=1).output.split())
    with engine.begin() as conn, pytest.raises(InvalidValue):
        disposition.cancel(conn, first, "again")
    assert _files(world.archive) == files
    assert _totals(engine)["tombstones"] == 0


def test_an_original_waits_for_the_revisits_that_stay(world, cli, engine) -> None:
    agency = "https://www.agency.gov"
    body = page("home")
    # Captured 200 days ago, then identical 175 days ago (a revisit of it, within 30 days):
    # the revisit is not due (180 days), so the original waits and both read.
    _, refs = world.write([(agency, f"{agency}/", body, 200), (agency, f"{agency}/", body, 175)])
    assert read_record(world.archive, refs[1], follow=False).rec_type == "revisit"
    report = cli.json("archive", "disposition", "report")
    counts = {i["item"]: i for i in report["items"]}["grs-5-2/010"]
    assert counts["waiting"] == 1 and counts["records"] == 1  # the original waits; its request goes
    cli("--as", "records.officer", "archive", "disposition", "approve", str(report["disposition"]))
    revisit = read_record(world.archive, refs[1])
    assert revisit.rec_type == "revisit" and revisit.payload == body
