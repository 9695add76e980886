"""`mgov archive verify` speed: MB of WARC files checked per second, against the goal of 200.

Writes an archive with mgov's own WarcWriter (pages of generated Chinese and English
government text, compressing about as real pages do, and a share of incompressible images
and PDFs), then times the check of every file: the whole-file SHA-256 against the manifest,
each record's stored bytes against its recordDigest, and each record decompressed with its
WARC block and payload digests recomputed (and, apart, --fast, which skips the last for
records whose bytes are unchanged).

    .venv/bin/python bench/archive_verify.py [--mb 256] [--files 4] [--keep DIR]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import random
import shutil
import tempfile
import time
from pathlib import Path

from mgov.archive.verify import verify_files
from mgov.collect.warc import HttpCapture, WarcWriter
from mgov.collect.warc_files import read_manifest

GOAL = 200.0  # MB/s
WORDS = ["政务", "公开", "低保", "公示", "征收", "通知", "办事", "指南", "政策", "解读", "人民政府", "信息", "年度",
         "报告", "服务", "公告", "public", "notice", "service", "county", "department", "policy", "report",
         "annual", "open", "government", "the", "of", "and", "to"]


def page(rng: random.Random, size: int) -> bytes:
    text = " ".join(rng.choice(WORDS) for _ in range(size // 6))
    return f"<html><head><title>{rng.choice(WORDS)}</title></head><body><p>{text}</p></body></html>".encode()[:size]


def write(directory: Path, megabytes: int, files: int) -> None:
    rng = random.Random(19)

    async def main() -> None:
        per_file = megabytes * 1_000_000 // files
        for _ in range(files):
            writer = WarcWriter(directory, max_size=per_file)
            size = 0
            i = 0
            while size < per_file:
                if rng.random() < 0.25:
                    body, kind = rng.randbytes(rng.randint(20_000, 400_000)), "image/jpeg"
                else:
                    body, kind = page(rng, rng.randint(8_000, 120_000)), "text/html; charset=utf-8"
                _, resp = await writer.write(HttpCapture(
                    url=f"https://www{rng.randint(1, 999)}.example.gov.cn/p/{i}",
                    request_head=f"GET /p/{i} HTTP/1.1\r\nHost: x\r\n\r\n".encode(),
                    response_head=f"HTTP/1.1 200 OK\r\nContent-Type: {kind}\r\n\r\n".encode(), body=body))
                size = resp.offset + resp.length
                i += 1
                if len(writer.files) > 1:
                    break
            await writer.aclose()

    asyncio.run(main())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--mb", type=int, default=256, help="MB of WARC to write and check")
    parser.add_argument("--files", type=int, default=4)
    parser.add_argument("--keep", type=Path, help="write (or reuse) the archive here")
    args = parser.parse_args()
    directory = args.keep or Path(tempfile.mkdtemp(prefix="mgov-verify-"))
    try:
        if not list(directory.glob("*.warc.gz")):
            started = time.perf_counter()
            write(directory, args.mb, args.files)
            print(f"wrote {args.mb} MB in {time.perf_counter() - started:.1f} s")
        names = sorted(p.name for p in directory.glob("*.warc.gz"))
        total = sum((directory / n).stat().st_size for n in names) / 1e6
        manifest = read_manifest(directory)
        print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
              f"load {os.getloadavg()[0]:.1f}")
        for label, fast in (("verify (every digest)", False), ("verify --fast", True)):
            best = per_cpu = 0.0
            for _ in range(3):
                started, cpu = time.perf_counter(), time.process_time()
                results = verify_files(directory, names, manifest, fast=fast)
                seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
                assert all(r.ok for r in results), [r.problems[:2] for r in results]
                best, per_cpu = max(best, total / seconds), max(per_cpu, total / cpu)
            records = sum(r.records for r in results)
            print(f"{label}: {total:.0f} MB, {len(names)} files, {records} records: {best:.0f} MB/s "
                  f"({best / GOAL:.2f} x the goal of {GOAL:.0f} MB/s; {per_cpu:.0f} MB per CPU second)")
    finally:
        if args.keep is None:
            shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    main()
