"""Fixity: a WARC file is sealed with its SHA-256 in a checksummed manifest, and one flipped
bit anywhere in a record (gzip header, compressed data, gzip footer) is found by `mgov
archive verify` and named by file and record offset."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import random
from pathlib import Path

import pytest

from mgov.archive.verify import verify_files
from mgov.collect.warc import HttpCapture, WarcWriter
from mgov.collect.warc_files import MANIFEST, manifest_problem, read_manifest
from mgov.collect.warc_index import read_sidecar, sidecar_of


def write_archive(directory: Path, count: int = 12, seed: int = 6) -> list[str]:
    rng = random.Random(seed)

    async def main() -> None:
        writer = WarcWriter(directory)
        try:
            for i in range(count):
                body = ("<html>政务公开 " * rng.randint(10, 400)).encode() + rng.randbytes(rng.randint(0, 3000))
                await writer.write(HttpCapture(
                    url=f"https://www.example.gov.cn/p/{i}", request_head=f"GET /p/{i} HTTP/1.1\r\n\r\n".encode(),
                    response_head=b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n", body=body))
            await writer.write_metadata("dns:www.example.gov.cn", b'{"a": ["127.0.0.1"]}', dt.datetime.now(dt.UTC))
        finally:
            await writer.aclose()
        return None

    asyncio.run(main())
    return sorted(p.name for p in directory.glob("*.warc.gz"))


def flip(path: Path, position: int, bit: int = 0) -> None:
    with path.open("r+b") as fh:
        fh.seek(position)
        byte = fh.read(1)[0]
        fh.seek(position)
        fh.write(bytes([byte ^ (1 << bit)]))


def test_sealed_files_verify_and_the_manifest_is_checksummed(tmp_path):
    names = write_archive(tmp_path)
    manifest = read_manifest(tmp_path)
    assert set(manifest) == set(names)
    assert manifest_problem(tmp_path) is None
    results = verify_files(tmp_path, names, manifest)
    assert all(r.ok for r in results) and sum(r.records for r in results) == 26
    flip(tmp_path / MANIFEST, 3)
    assert "altered" in (manifest_problem(tmp_path) or "")


@pytest.mark.parametrize("where", ["gzip header", "deflate data", "gzip CRC", "gzip size", "first byte"])
def test_one_flipped_bit_is_found_and_located(tmp_path, where):
    name = write_archive(tmp_path)[0]
    path = tmp_path / name
    entries = [e for e, _ in read_sidecar(sidecar_of(path))]
    target = entries[7]  # a response in the middle of the file
    start, length = target.offset, target.length
    position = {"gzip header": start + 4, "deflate data": start + length // 2, "gzip CRC": start + length - 6,
                "gzip size": start + length - 2, "first byte": start}[where]
    flip(path, position, bit=3)
    for fast in (False, True):
        result = verify_files(tmp_path, [name], read_manifest(tmp_path), fast=fast)[0]
        assert not result.ok
        located = [p for p in result.problems if p.offset is not None]
        assert located and {p.offset for p in located} == {start}, result.problems
        assert located[0].url == target.fields["url"]
        assert any(p.offset is None and "manifest" in p.what for p in result.problems)  # and the file's digest


def test_digests_alone_find_a_flip_in_a_file_without_its_index(tmp_path):
    name = write_archive(tmp_path)[0]
    path = tmp_path / name
    entries = [e for e, _ in read_sidecar(sidecar_of(path))]
    sidecar_of(path).unlink()
    target = entries[5]
    flip(path, target.offset + target.length // 2, bit=6)
    result = verify_files(tmp_path, [name], read_manifest(tmp_path))[0]
    assert [p.offset for p in result.problems if p.offset is not None][:1] == [target.offset]


def test_mgov_archive_verify_names_file_and_offset(cli, tmp_path):
    archive = tmp_path / "home" / "archive"
    name = write_archive(archive)[0]
    assert cli.json("archive", "verify")["ok"]
    entries = [e for e, _ in read_sidecar(sidecar_of(archive / name))]
    target = entries[3]
    flip(archive / name, target.offset + target.length - 5)
    result = cli("archive", "verify", code=1)
    assert f"{name} @ {target.offset}:" in result.stdout
    report = cli.json("archive", "verify", str(archive / name), code=1)
    assert not report["ok"] and report["files"][0]["problems"][0]["offset"] == target.offset
    # The rolling audit takes the files checked longest ago, and records each outcome.
    assert cli.json("archive", "verify", "--sample", "1", code=1)["files"][0]["file"] == name
    zh = cli("archive", "verify", code=1, MGOV_LANG="zh")
    assert "发现" in zh.stdout and "处问题" in zh.stdout


def test_an_unsealed_file_is_reported(tmp_path):
    name = write_archive(tmp_path)[0]
    manifest = read_manifest(tmp_path)
    del manifest[name]
    result = verify_files(tmp_path, [name], manifest)[0]
    assert [p.what for p in result.problems] == ["not in the manifest (never sealed)"]
    assert os.path.getsize(tmp_path / name) == result.size
