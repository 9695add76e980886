"""Faults: a writer killed with SIGKILL in the middle of a record leaves no index entry that
cannot be read (the next writer, or `mgov archive repair`, seals the file: the cut record's
bytes go to quarantine); a full disk stops capture with ArchiveError and no broken record.

Both run the writer in a child process: killed for real, or with its file size limited
(RLIMIT_FSIZE, the kernel refusing writes past it as a full disk does); the full disk is
also a real one, a 1 MiB tmpfs, when this test runs as root and may mount it."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from sqlalchemy import select

from mgov.archive.verify import verify_files
from mgov.collect.warc import ArchiveError, HttpCapture, WarcWriter, read_record
from mgov.collect.warc_files import QUARANTINE, read_manifest, recover_directory
from mgov.collect.warc_index import read_sidecar, sidecar_of
from mgov.db.tables import ARCHIVE_RECORDS

CHILD = textwrap.dedent("""
    import os, random, resource, signal, sys, time
    import mgov.collect.warc as warc

    directory, mode = sys.argv[1], sys.argv[2]
    rng = random.Random(7)
    if mode == "cut":  # stop in the middle of the big record's bytes and wait to be killed
        whole = warc._write_all
        def halves(fd, data):
            whole(fd, data[:len(data) // 2])
            if len(data) > 200_000:
                print("mid-record", flush=True)
                time.sleep(120)
            whole(fd, data[len(data) // 2:])
        warc._write_all = halves
    if mode == "fsize":
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a refused write returns EFBIG, as ENOSPC would
        resource.setrlimit(resource.RLIMIT_FSIZE, (400_000, 400_000))
    writer = warc.WarcWriter(directory)

    def capture(i, size):
        return warc.HttpCapture(url=f"https://www.example.gov.cn/{i}", request_head=b"GET / HTTP/1.1\\r\\n\\r\\n",
                                response_head=b"HTTP/1.1 200 OK\\r\\nContent-Type: text/html\\r\\n\\r\\n",
                                body=rng.randbytes(size))
    try:
        for i in range(10_000):
            writer.write_sync(capture(i, 300_000 if (mode == "cut" and i == 6) else 30_000))
            if mode == "loop" and i == 3:
                print("writing", flush=True)
            if mode == "exit" and i == 4:
                os._exit(0)  # gone without sealing, as a killed process
    except OSError as exc:
        print("stopped:" + str(warc.ArchiveError(f"cannot write the WARC archive in {directory}: {exc}")), flush=True)
        sys.exit(3)
""")


def child(directory: Path, mode: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-c", CHILD, str(directory), mode], stdout=subprocess.PIPE, text=True)


def every_index_entry_reads(directory: Path) -> int:
    n = 0
    for warc in directory.glob("*.warc.gz"):
        for entry, _ in read_sidecar(sidecar_of(warc)):
            record = read_record(directory, {"file": entry.filename, "offset": entry.offset, "length": entry.length})
            assert record.rec_type == entry.record_type
            n += 1
    return n


def test_kill_9_in_the_middle_of_a_record_then_the_next_writer_seals_the_file(tmp_path):
    proc = child(tmp_path, "cut")
    assert proc.stdout is not None and proc.stdout.readline().strip() == "mid-record"
    proc.send_signal(signal.SIGKILL)
    proc.wait(10)
    [left] = list(tmp_path.glob("*.warc.gz"))
    size = left.stat().st_size
    indexed = [e for e, _ in read_sidecar(sidecar_of(left))]
    good = max(e.offset + e.length for e in indexed)
    assert size > good and left.name not in read_manifest(tmp_path)  # half a record at the end, never sealed

    async def next_start() -> WarcWriter:
        writer = WarcWriter(tmp_path)
        await writer.write_metadata("dns:www.example.gov.cn", b"{}", dt.datetime.now(dt.UTC))
        await writer.aclose()
        return writer

    writer = asyncio.run(next_start())
    [done] = writer.recovered
    assert (done.file, done.size, done.kept) == (left.name, size, good) and "cut" in (done.reason or "")
    tail = tmp_path / QUARANTINE / f"{left.name}.{good}.tail"
    assert done.tail == f"{QUARANTINE}/{tail.name}" and tail.stat().st_size == size - good
    assert left.stat().st_size == good  # the good prefix, as it was written
    assert left.name in read_manifest(tmp_path)
    assert every_index_entry_reads(tmp_path) == len(indexed) + 2  # + the next writer's warcinfo and record
    names = sorted(p.name for p in tmp_path.glob("*.warc.gz"))
    assert all(r.ok for r in verify_files(tmp_path, names, read_manifest(tmp_path)))


def test_kill_9_at_any_moment_then_repair(cli, tmp_path):
    archive = tmp_path / "home" / "archive"
    archive.mkdir(parents=True)
    proc = child(archive, "loop")
    assert proc.stdout is not None and proc.stdout.readline().strip() == "writing"
    time.sleep(0.3)
    proc.send_signal(signal.SIGKILL)
    proc.wait(10)
    result = cli("archive", "repair")
    assert "1 file(s) sealed" in result.stdout
    assert every_index_entry_reads(archive) > 8
    assert cli.json("archive", "verify")["ok"]
    rows = [line for line in cli("archive", "cdx", "--all-records").stdout.splitlines() if line]
    assert len(rows) == every_index_entry_reads(archive)


def full_disk_checks(directory: Path, message: str) -> None:
    assert "cannot write the WARC archive" in message
    recover_directory(directory)  # a writer that could not even seal is sealed by the next start
    [warc] = list(directory.glob("*.warc.gz"))
    entries = [e for e, _ in read_sidecar(sidecar_of(warc))]
    assert entries and max(e.offset + e.length for e in entries) == warc.stat().st_size  # no broken record
    assert every_index_entry_reads(directory) == len(entries)
    assert all(r.ok for r in verify_files(directory, [warc.name], read_manifest(directory)))


def test_a_full_disk_stops_capture_with_a_clear_error(tmp_path):
    """The file size limit: the kernel refuses the write that would pass it."""
    proc = child(tmp_path, "fsize")
    out, _ = proc.communicate(timeout=60)
    assert proc.returncode == 3, out
    full_disk_checks(tmp_path, out)


def test_a_full_tmpfs_stops_capture_with_a_clear_error(tmp_path):
    mount = tmp_path / "small"
    mount.mkdir()
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mount)],
                                           capture_output=True).returncode != 0:
        pytest.skip("mounting a tmpfs needs root (the RLIMIT_FSIZE test covers the full disk)")
    try:
        room = mount / "room"
        room.write_bytes(b"\0" * 100_000)  # freed afterwards, so the file can be sealed

        async def fill() -> str:
            writer = WarcWriter(mount)
            try:
                for i in range(1000):
                    await writer.write(HttpCapture(
                        url=f"https://www.example.gov.cn/{i}", request_head=b"GET / HTTP/1.1\r\n\r\n",
                        response_head=b"HTTP/1.1 200 OK\r\n\r\n", body=os.urandom(60_000)))
            except ArchiveError as exc:
                with contextlib.suppress(OSError):  # no room to seal: the next start does
                    await writer.aclose()
                return str(exc)
            return "the disk never filled"

        message = asyncio.run(fill())
        room.unlink()
        full_disk_checks(mount, message)
    finally:
        subprocess.run(["umount", str(mount)], check=False)


def test_index_rows_past_bytes_the_disk_lost_are_marked_lost(cli, engine, tmp_path):
    """A sidecar line whose record the disk did not keep (a power loss before the seal's
    fsync): the repair drops the line and the database marks the row lost."""
    archive = tmp_path / "home" / "archive"
    archive.mkdir(parents=True)
    assert child(archive, "exit").wait(60) == 0
    before = [line for line in cli("archive", "cdx", "--all-records").stdout.splitlines() if line]
    [warc] = list(archive.glob("*.warc.gz"))
    last = [e for e, _ in read_sidecar(sidecar_of(warc))][-1]
    os.truncate(warc, last.offset + last.length // 2)
    cli("archive", "repair")
    after = [line for line in cli("archive", "cdx", "--all-records").stdout.splitlines() if line]
    assert len(after) == len(before) - 1 and f'"offset": "{last.offset}"' not in "".join(after)
    with engine.connect() as conn:
        lost = conn.execute(select(ARCHIVE_RECORDS.c.offset).where(ARCHIVE_RECORDS.c.state == "lost")).scalars().all()
    assert lost == [last.offset]
    assert cli.json("archive", "verify")["ok"]
