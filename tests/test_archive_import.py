"""Captures made by other tools: imported as they are, indexed as pywb's indexer indexes
them, attached to registered channels by URL host; a WACZ's WARCs checked against its
datapackage; the same bytes never imported twice."""

from __future__ import annotations

import errno
import hashlib

from archive_shapes import browsertrix, heritrix, plain, wacz
from mgov.collect.warc_index import Sidecar
from test_archive_index import mgov_index, pywb_index, same_on_shared_fields


def register(cli, *addresses: str) -> None:
    cli("org", "add", "GOV-ORG", "--name-zh", "示例单位", "--jurisdiction", "cn", "--tier", "county")
    for address in addresses:
        cli("channel", "add", "website", address, "--owner", "GOV-ORG")


def test_other_tools_warcs_index_as_pywb_and_attach_by_host(cli, tmp_path):
    register(cli, "https://www.example.gov.cn/", "http://example.org.cn/")
    sources = [browsertrix(tmp_path / "rec-20261102-crawl.warc.gz"), heritrix(tmp_path / "HERITRIX-00001.warc.gz"),
               plain(tmp_path / "plain.warc")]
    result = cli("archive", "import", *map(str, sources))
    assert "records indexed" in result.stdout
    archive = tmp_path / "home" / "archive"
    names = [f"imported/{s.name}" for s in sources]
    for source, name in zip(sources, names, strict=True):
        assert (archive / name).read_bytes() == source.read_bytes()  # copied, never rewritten

    ours = mgov_index(cli("archive", "cdx").stdout)
    same_on_shared_fields(ours, pywb_index(archive, names))
    everything = mgov_index(cli("archive", "cdx", "--all-records").stdout)
    same_on_shared_fields(everything, pywb_index(archive, names, records="all"))
    kinds = {d["recordType"] for _, _, d in everything}
    assert kinds == {"warcinfo", "request", "response", "revisit", "resource", "metadata"}
    # What pywb leaves out by default: requests, warcinfo, warc-fields metadata.
    assert {d["recordType"] for _, _, d in ours} == {"response", "revisit", "resource"}

    by_url = {(d.get("url"), d["recordType"], s): d for _, s, d in everything}
    revisit = by_url[("https://www.example.gov.cn/", "revisit", "20261109080000")]
    assert revisit["mime"] == "warc/revisit" and revisit["refersToUri"] == "https://www.example.gov.cn/"
    assert revisit["channel"] == "https://www.example.gov.cn" and revisit["org"] == "GOV-ORG"
    # www.example.org.cn is the registered example.org.cn's twin; dns: and urn: records have no host to match.
    assert by_url[("http://www.example.org.cn/index.html", "response", "20261102080001")]["channel"] == \
        "http://example.org.cn"
    assert "channel" not in by_url[("dns:www.example.org.cn", "response", "20261102080000")]
    assert "channel" not in by_url[("urn:pageinfo:https://www.example.gov.cn/", "resource", "20261102080004")]
    chunked = by_url[("https://www.example.gov.cn/chunked", "response", "20261102080002")]
    assert chunked["contentDigest"] == "sha256:" + hashlib.sha256(b"hello world").hexdigest()
    bare = by_url[("http://www.example.org.cn/bare.txt", "response", "20261103080001")]
    assert bare["digest"].startswith("sha1:")  # computed, as pywb computes it for a record without one

    channel = mgov_index(cli("archive", "cdx", "--channel", "http://example.org.cn/", "--all-records").stdout)
    assert channel and all("example.org.cn" in d["url"] for _, _, d in channel)

    # The same bytes again: not a second copy.
    again = cli("archive", "import", str(sources[0]))
    assert "already" in again.stdout
    assert len(list((archive / "imported").glob("rec-*"))) == 2  # the file and its index
    # Every imported file is sealed and verifies; the record without digests is counted as such.
    report = cli.json("archive", "verify")
    assert report["ok"] and {f["file"] for f in report["files"]} == set(names)
    assert sum(f["without_digests"] for f in report["files"]) == 1
    assert sum(f["not_checked"] for f in report["files"]) == 2  # the revisits' payload digests


def test_a_wacz_is_unpacked_checked_and_indexed(cli, tmp_path):
    register(cli, "https://www.example.gov.cn/")
    inner = browsertrix(tmp_path / "data.warc.gz")
    package = wacz(tmp_path / "crawl-2026.wacz", inner)
    done = cli.json("archive", "import", str(package))
    assert [d["name"] for d in done] == ["imported/crawl-2026/data.warc.gz"] and done[0]["records"] == 12
    archive = tmp_path / "home" / "archive"
    assert (archive / "imported/crawl-2026/data.warc.gz").read_bytes() == inner.read_bytes()
    ours = mgov_index(cli("archive", "cdx", "--url", "https://www.example.gov.cn/").stdout)
    assert [d["recordType"] for _, _, d in ours] == ["response", "revisit"]
    assert ours[0][2]["filename"] == "imported/crawl-2026/data.warc.gz"

    bad = wacz(tmp_path / "tampered.wacz", inner, wrong_hash=True)
    result = cli("archive", "import", str(bad), code=1)
    assert "SHA-256" in result.output
    assert not list((archive / "imported/tampered").glob("*.warc*"))


def test_bad_files_are_refused_clearly(cli, tmp_path):
    text = tmp_path / "notes.txt"
    text.write_text("not an archive")
    assert "not a WARC" in cli("archive", "import", str(text), code=1).output
    assert "no such file" in cli("archive", "import", str(tmp_path / "absent.warc.gz"), code=1).output
    broken = tmp_path / "broken.wacz"
    broken.write_bytes(b"PK\x03\x04 not really a zip")
    assert "not a WACZ" in cli("archive", "import", str(broken), code=1).output


def test_a_disk_failing_while_the_index_is_written_fails_the_import_and_keeps_nothing(cli, tmp_path, monkeypatch):
    """The archive's disk fills while an imported file's sidecar is written: the import fails
    with the reason, and neither the file, its index nor a manifest line stays; with room
    again, the same file imports whole. (A full disk is injected at the sidecar's write: a
    real one would need a filesystem of its own mounted, which tests cannot assume.)"""
    register(cli, "https://www.example.gov.cn/")
    first = heritrix(tmp_path / "FIRST-00001.warc.gz")
    source = browsertrix(tmp_path / "rec-20261102-crawl.warc.gz")
    real_append = Sidecar.append
    written = {"n": 0}

    def filling(self, entry):
        if self.path.name.startswith("rec-") and written["n"] >= 2:
            raise OSError(errno.ENOSPC, "No space left on device")
        written["n"] += self.path.name.startswith("rec-")
        return real_append(self, entry)

    monkeypatch.setattr(Sidecar, "append", filling)
    failed = cli("archive", "import", str(first), str(source), code=1)
    assert "could not be indexed and sealed" in failed.output and "No space left" in failed.output
    archive = tmp_path / "home" / "archive"
    left = sorted(p.relative_to(archive).as_posix() for p in (archive / "imported").rglob("*") if p.is_file())
    assert left == ["imported/FIRST-00001.warc.gz", "imported/FIRST-00001.warc.gz.cdxj"], left
    assert "rec-20261102" not in (archive / "manifest-sha256.txt").read_text()
    # The file imported before the failure is sealed and indexed in the database too.
    assert any(d.get("filename") == "imported/FIRST-00001.warc.gz"
               for _, _, d in mgov_index(cli("archive", "cdx").stdout))

    monkeypatch.setattr(Sidecar, "append", real_append)
    again = cli("archive", "import", str(source))
    assert "records indexed" in again.stdout
    assert (archive / "imported" / source.name).read_bytes() == source.read_bytes()
