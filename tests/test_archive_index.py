"""The archive's index: mgov's CDXJ equals pywb's indexer (cdxj-indexer) on the fields both
have, for the WARCs of a real scan of demo-farm sites; the index is in the database with
the findings that point into it; records are attached to the channel they were captured for."""

from __future__ import annotations

import io
import json
import random
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import surt as surt_package
import yaml
from cdxj_indexer.main import write_cdx_index
from sqlalchemy import select

from mgov.collect.surt import surt
from mgov.collect.warc import read_record
from mgov.config import load_settings
from mgov.db.tables import ARCHIVE_RECORDS, FINDINGS
from mgov.demo.farm import generate, run_in_thread
from mgov.formats.load import import_file
from mgov.runs.context import RoutingOptions
from mgov.runs.select import run_params
from mgov.runs.service import execute_run, start_run

PYWB = ("url", "mime", "status", "digest", "length", "offset", "filename")


@pytest.fixture(scope="module")
def farm() -> Any:
    manifest = generate(11, 4)
    with run_in_thread(manifest) as running:
        yield running


def pywb_index(directory: Path, names: list[str], **options: Any) -> list[tuple[str, str, dict[str, Any]]]:
    """cdxj-indexer's lines for the files, names relative to the archive (its --dir-root)."""
    out = io.StringIO()
    write_cdx_index(out, [str(directory / n) for n in names], {"dir_root": str(directory), **options})
    lines = [line.split(" ", 2) for line in out.getvalue().splitlines() if line.strip()]
    return [(key, stamp, json.loads(data)) for key, stamp, data in lines]


def mgov_index(text: str) -> list[tuple[str, str, dict[str, Any]]]:
    lines = [line.split(" ", 2) for line in text.splitlines() if line.strip()]
    return [(key, stamp, json.loads(data)) for key, stamp, data in lines]


def same_on_shared_fields(ours: list[tuple[str, str, dict[str, Any]]],
                          theirs: list[tuple[str, str, dict[str, Any]]], extra: tuple[str, ...] = ()) -> None:
    """Equal as multisets of (key, timestamp, every field pywb wrote), and mgov writes no
    pywb field pywb left out."""
    fields = PYWB + extra

    def norm(lines: list[tuple[str, str, dict[str, Any]]]) -> Counter[str]:
        return Counter(json.dumps([k, s, {f: d[f] for f in fields if f in d}], sort_keys=True) for k, s, d in lines)

    assert len(ours) == len(theirs)
    assert norm(ours) == norm(theirs)


def scan(engine: Any, farm: Any, home: Path, count: int) -> tuple[int, list[Any]]:
    path = home / "farm.yaml"
    path.write_text(yaml.safe_dump(farm.manifest.registry_document(), allow_unicode=True), encoding="utf-8")
    assert import_file(engine, path).problems == []
    sites = farm.manifest.sites[:count]
    routing = RoutingOptions(connect_to=list(farm.connect_to), dns=f"127.0.0.1:{farm.dns_port}",
                             ca_bundle=str(farm.ca_pem), allow_private=True)
    run_id = start_run(engine, run_params(channels=[s.registry.address for s in sites], routing=routing))
    execute_run(engine, load_settings(home=home), run_id)
    return run_id, sites


def test_a_scans_index_is_pywbs_and_goes_in_with_the_findings(engine, farm, cli, tmp_path):
    home = tmp_path / "home"
    run_id, sites = scan(engine, farm, home, 3)
    archive = home / "archive"
    warcs = sorted(p.name for p in archive.glob("*.warc.gz"))
    assert warcs

    # Before any `mgov archive` command: every record a finding points at is in the database's
    # index already, folded in with the findings' transactions.
    with engine.connect() as conn:
        rows = {(r.file, r.offset): r for r in conn.execute(
            select(ARCHIVE_RECORDS.c.offset, ARCHIVE_RECORDS.c.channel_id, ARCHIVE_RECORDS.c.run_id,
                   ARCHIVE_RECORDS.c.record_type, ARCHIVE_RECORDS.c.url, ARCHIVE_RECORDS.c.record_digest,
                   ARCHIVE_RECORDS.c.file_id.label("file")))}
        names = dict(conn.exec_driver_sql("SELECT id, name FROM archive_files").all())
        evidence = [(f.channel_id, ref) for f in conn.execute(select(FINDINGS.c.channel_id, FINDINGS.c.evidence))
                    for ref in f.evidence or []]
    by_place = {(names[file], offset): row for (file, offset), row in rows.items()}
    assert evidence
    for channel_id, ref in evidence:
        row = by_place[(ref["file"], ref["offset"])]
        assert row.run_id == run_id
        # its own channel's, or (a third-party resource fetched once per run) a sibling's
        assert row.channel_id == channel_id or row.url.split("/")[2] not in {s.host for s in sites}
        read_record(archive, ref)  # and it reads

    # The default CDXJ equals cdxj-indexer's; every record with --all-records; the record
    # digests equal its -d (with -p, which computes them).
    ours = mgov_index(cli("archive", "cdx").stdout)
    same_on_shared_fields(ours, pywb_index(archive, warcs))
    everything = mgov_index(cli("archive", "cdx", "--all-records").stdout)
    same_on_shared_fields(everything, pywb_index(archive, warcs, records="all", post_append=True,
                                                 digest_records=True), extra=("recordDigest",))
    kinds = Counter(d["recordType"] for _, _, d in everything)
    # (a response identical to one before it in the run is a revisit: collect.warc_revisit)
    assert kinds["request"] == kinds["response"] + kinds["revisit"] and kinds["response"] > 10
    assert kinds["warcinfo"] == len(warcs) and kinds["metadata"]
    assert all(d["run"] == run_id for _, _, d in everything if d["recordType"] != "warcinfo")
    assert all(d["contentDigest"].startswith("sha256:") for _, _, d in everything)

    # Per channel: each site's own records, and no other site's pages.
    for site in sites:
        own = mgov_index(cli("archive", "cdx", "--channel", site.registry.address).stdout)
        assert own and all(d["channel"] == site.registry.address for _, _, d in own)
        assert any(site.host in d.get("url", "") for _, _, d in own)
        assert not any(other.host in d.get("url", "") for other in sites if other is not site
                       for _, _, d in own if d.get("url", "").startswith("http"))
    # By URL, exactly as pywb keys it; prefix and host; time limits.
    home_url = f"https://{sites[0].host}/"
    by_url = mgov_index(cli("archive", "cdx", "--url", home_url).stdout)
    assert by_url and {k for k, _, _ in by_url} == {surt(home_url)}
    assert len(mgov_index(cli("archive", "cdx", "--url", home_url, "--match", "host").stdout)) > len(by_url)
    stamp = ours[0][1]
    assert mgov_index(cli("archive", "cdx", "--from", stamp[:8], "--to", stamp[:8]).stdout)
    assert not mgov_index(cli("archive", "cdx", "--to", "1999").stdout)
    cli("archive", "cdx", "--from", "yesterday", code=2)


def test_a_record_past_a_commit_is_folded_later(engine, farm, cli, tmp_path):
    """What a run wrote but never committed (killed before) is in the sidecars: `mgov
    archive` folds it in, once, however often it runs."""
    home = tmp_path / "home"
    scan(engine, farm, home, 1)
    with engine.begin() as conn:
        total = conn.execute(select(ARCHIVE_RECORDS.c.id)).all()
        conn.execute(ARCHIVE_RECORDS.delete())
        conn.exec_driver_sql("UPDATE archive_files SET indexed_bytes = 0")
    first = mgov_index(cli("archive", "cdx", "--all-records").stdout)
    again = mgov_index(cli("archive", "cdx", "--all-records").stdout)
    assert len(first) == len(again) == len(total)


def test_surt_keys_are_the_surt_packages() -> None:
    urls = ["http://www.Example.com/a/?b=2&a=1", "https://example.com:443/", "http://example.com:8080/x/../y/./z//w/",
            "dns:example.com", "urn:mgov:screenshot:desktop:http://host/path/", "http://www2.gov.cn/%7Efoo/%2541?q=%20x",
            "http://中国.cn/路径?查询=值", "http://[::1]:8080/a", "http://3232235777/", "http://0300.0250.1.1/",
            "example.com/foo", "http:////www.vikings.com/x", "http://https://order.example.com/", "http://example.com?",
            "http://example.com/x?b&a=&c=1&a", "http://www.example.com/(S(abcdefghijklmnopqrstuvwx))/default.aspx",
            "http://example.com/?jsessionid=0123456789abcdef0123456789abcdef&b=1", "http://example.com:99999/",
            "   http://example.com/  ", "http://..example..com../", "filedesc://x.arc", "", "mailto:Foo@Bar.com"]
    rng = random.Random(19)
    alphabet = "aA0/.?&=%#:;@!~_-+ ()[]中é\t"
    urls += [rng.choice(["http://", "https://", "", "dns:", "HTTP://www.", "//"])
             + "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 25))) for _ in range(3000)]
    for url in urls:
        try:
            expected = surt_package.surt(url) if url else "-"
        except Exception:  # noqa: BLE001 - cdxj-indexer keys a URL surt cannot key as itself
            expected = url
        assert surt(url) == expected, url
