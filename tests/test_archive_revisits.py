"""Identical payloads stored once: the writer writes a WARC revisit record (identical
payload digest) for a response whose URL and payload it or the index already holds, and
every reference stays readable through it; capture policies say what is due on a day; a
transfer's BagIt bag and WACZ validate with their own tools."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile
from pathlib import Path

import bagit
import pytest
from sqlalchemy import select
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter as WARCWriter_

from archive_world import World, capture, page
from mgov.archive.policy import CapturePolicy, due, policy_for, profile_tables
from mgov.archive.transfer_package import pywacz
from mgov.collect.warc import WarcWriter, read_record
from mgov.collect.warc_revisit import LOCATION
from mgov.db.tables import ARCHIVE_RECORDS
from mgov.evidence.exchange import WarcRef
from mgov.runs.index_store import originals


@pytest.fixture
def world(engine, cli) -> World:
    return World(engine, Path(cli.env["MGOV_HOME"]))


def _ref(fields: dict[str, str]) -> WarcRef:
    return WarcRef(fields["filename"], int(fields["offset"]), int(fields["length"]))


def test_identical_payloads_become_revisits_that_read_whole(world, engine, cli, tmp_path) -> None:
    agency = "https://www.agency.gov"
    body, other = page("home"), page("changed")
    writer, refs = world.write([(agency, f"{agency}/", body, 3), (agency, f"{agency}/", body, 2),
                                (agency, f"{agency}/", other, 1), (agency, f"{agency}/x", body, 1)])
    assert writer.revisits == 1 and writer.revisit_bytes == len(body)
    stored = read_record(world.archive, refs[1], follow=False)
    assert stored.rec_type == "revisit" and stored.payload == b""
    assert stored.warc_header("WARC-Profile") == "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"
    assert stored.warc_header("WARC-Refers-To") == read_record(world.archive, refs[0]).warc_header("WARC-Record-ID")
    assert stored.warc_header("WARC-Refers-To-Target-URI") == f"{agency}/"
    # Evidence that points at the revisit reads the original's payload with its own head and date.
    whole = read_record(world.archive, refs[1])
    assert whole.payload == body and whole.original == refs[0] and whole.start_line == "HTTP/1.1 200 OK"
    assert whole.warc_header("WARC-Date") != read_record(world.archive, refs[0]).warc_header("WARC-Date")
    # A changed page, and the same bytes at another URL, are stored whole.
    assert [read_record(world.archive, r, follow=False).rec_type for r in refs[2:]] == ["response", "response"]

    # The next run's writer is seeded from the index: its identical capture refers to this file.
    with engine.connect() as conn:
        seeded = originals(conn, [world.ids[agency]])
    assert {(url, o.ref) for url, _, o in seeded} >= {(f"{agency}/", refs[2])}
    later = WarcWriter(world.archive)
    later.seed_originals(seeded)
    _, again = later.write_sync(capture(f"{agency}/", other, 0))
    later.close()
    assert read_record(world.archive, again, follow=False).warc_header("WARC-Refers-To-Target-URI") == f"{agency}/"
    assert read_record(world.archive, again).payload == other and again.file != refs[2].file

    # A revisit another tool wrote (no location hint) finds its original in the indexes.
    made = tmp_path / "heritrix.warc.gz"
    with made.open("wb") as fh:
        other_tool = WARCWriter_(fh, gzip=True)
        http = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
        first = other_tool.create_warc_record(f"{agency}/old", "response", payload=io.BytesIO(body),
                                              http_headers=http)
        other_tool.write_record(first)
        digest = first.rec_headers.get_header("WARC-Payload-Digest")
        other_tool.write_record(other_tool.create_revisit_record(
            f"{agency}/old", digest, f"{agency}/old", first.rec_headers.get_header("WARC-Date"),
            http_headers=StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")))
    cli("archive", "import", str(made))
    lines = [json.loads(line.split(" ", 2)[2]) for line in cli("archive", "cdx", "--url", f"{agency}/old").stdout
             .splitlines()]
    imported = next(d for d in lines if d["recordType"] == "revisit")
    assert read_record(world.archive, _ref(imported), follow=False).warc_header(LOCATION) is None
    assert read_record(world.archive, _ref(imported)).payload == body

    # Without dedup every response is stored whole.
    plain = WarcWriter(tmp_path / "plain", dedup=False)
    kinds = {read_record(tmp_path / "plain", plain.write_sync(capture(f"{agency}/", body, d))[1], follow=False).rec_type
             for d in (2, 1)}
    plain.close()
    assert kinds == {"response"}


def test_an_original_older_than_the_revisit_age_is_not_referred_to(world) -> None:
    agency = "https://www.agency.gov"
    _writer, refs = world.write([(agency, f"{agency}/", page("home"), 100), (agency, f"{agency}/", page("home"), 60),
                                (agency, f"{agency}/", page("home"), 45)])
    kinds = [read_record(world.archive, r, follow=False).rec_type for r in refs]
    assert kinds == ["response", "response", "revisit"]  # 40 days apart: stored again; then 15: a revisit


def test_capture_policy_from_defaults_profiles_and_the_channel(world, cli) -> None:
    tables = profile_tables()
    cn, _ = policy_for("website", "cn", {}, tables)
    assert (cn.homepage, cn.crawl, cn.attachments) == ("daily", "weekly", True)
    assert cn.sources["crawl"] == "profile cn-2019-website"
    account, _ = policy_for("weibo_account", "cn", {}, tables)
    assert account.posts == "daily" and account.homepage == "never"
    own, problems = policy_for("website", "cn", {"capture": {"crawl": "monthly", "day": 15}}, tables)
    assert problems == [] and own.crawl == "monthly" and own.sources["crawl"] == "attribute capture"
    _, problems = policy_for("website", "cn", {"capture": {"crawl": "hourly", "flavour": 1}}, tables)
    assert len(problems) == 2
    # What is due on a day: weekly crawls spread by the channel's id, monthly on the day named.
    weekly = CapturePolicy(homepage="daily", crawl="weekly", attachments=True)
    days = [dt.date(2026, 12, 7) + dt.timedelta(days=n) for n in range(7)]
    assert sum("crawl" in due(weekly, d, anchor=5) for d in days) == 1
    assert due(weekly, days[5], anchor=5) == ("homepage", "crawl", "attachments")
    assert [d.day for d in (dt.date(2026, 12, 1) + dt.timedelta(days=n) for n in range(31))
            if "crawl" in due(own, d)] == [15]
    shown = cli.json("archive", "policy", "--channel", "https://fgw.sz.gov.cn", "--on", "2026-12-07")
    assert shown[0]["homepage"] == "daily" and "homepage" in shown[0]["due"]


def test_a_transfer_bag_and_wacz_validate_with_their_own_tools(world, cli, engine) -> None:
    agency = "https://www.agency.gov"
    _, refs = world.write([(agency, f"{agency}/", page("home"), 40), (agency, f"{agency}/", page("home"), 20),
                           (agency, f"{agency}/about", page("about"), 19),
                           ("https://www.sz.gov.cn", "https://www.sz.gov.cn/", page("深圳"), 19)])
    out = world.home / "transfers"
    made = cli.json("archive", "transfer", "--org", "us-agency", "--from", (dt.date.today() - dt.timedelta(days=25))
                    .isoformat(), "--out", str(out), "--rights", "U.S. government work (17 U.S.C. 105)")
    # The revisit of 20 days ago brings its original of 40 days ago, outside the period.
    assert made["originals"] == 1 and made["items"] == ["grs-5-2/010"]
    bag = bagit.Bag(made["bag"])
    bag.validate()  # raises on any problem
    info = bag.info
    assert info["Title"].startswith("Web archive of organization us-agency")
    assert info["Creator"] == "Example Agency" and info["Rights"] == "U.S. government work (17 U.S.C. 105)"
    assert "grs-5-2/010" in info["Records-Schedule-Item"] and info["Records-Schedule-Authority"] == \
        "DAA-GRS-2017-0003-0001"
    with pywacz():  # py-wacz's own validator, as `wacz validate -f` runs it
        # Deferred: importing py-wacz changes cdxj-indexer's defaults (see pywacz).
        from wacz.main import main as wacz_main

        assert wacz_main(["validate", "-f", made["wacz"]]) == 0
    with zipfile.ZipFile(made["wacz"]) as package:
        described = json.loads(package.read("datapackage.json"))
        warcs = [n for n in package.namelist() if n.startswith("archive/")]
        listed = package.read("pages/pages.jsonl").decode()
    assert described["contributors"][0]["title"] == "Example Agency" and described["rights"].startswith("U.S.")
    assert described["mgov"]["scheduleItems"][0]["authority"] == "DAA-GRS-2017-0003-0001"
    assert len(warcs) == 1 and f"{agency}/about" in listed and "sz.gov.cn" not in listed
    # Only the selection travels: no other organization's records in the bag.
    text = b"".join(p.read_bytes() for p in Path(made["bag"], "data", "indexes").glob("*.cdxj")).decode()
    assert "sz,gov" not in text and "gov,agency)/about" in text
    with engine.connect() as conn:
        assert conn.execute(select(ARCHIVE_RECORDS.c.id)).first()  # the archive keeps everything it had
    assert read_record(world.archive, refs[1]).payload == page("home")
