"""Benchmark: the personal-data scan of 10,000 crawled documents (issue 18).

Goal: 10,000 documents, a realistic mix of HTML, PDF, DOCX and XLSX of about 200 KB each,
scanned (text extracted, every kind detected, summarized with masked samples) in under 5
minutes on this machine, with a peak RSS under 1 GiB (the scanning processes together).

What runs:
  1. the documents are generated into a temporary directory before the clock starts (500
     distinct ones, each written under 20 names; a
     quarter of each format; about one in twenty holds a 低保-style list of ID numbers and
     phones, the rest public notices with decoys: masked values, order and document numbers,
     timestamps; the office's phone and e-mail on many):
     - HTML: a notice page with navigation, paragraphs and a table, ~200 KB of markup;
     - PDF: ~12 pages of text (the farm's PDF writer) and a 150 KB image, as scanned or
       designed PDFs carry;
     - DOCX: ~15,000 characters of paragraphs and a table, and a 150 KB image in word/media;
     - XLSX: ~5,000 rows of 6 columns (openpyxl), which compress to about 200 KB;
  2. `python bench/pii_scan.py --scan DIR` as a subprocess, measured from the outside (wall
     time, CPU, peak RSS of its process tree, sampled from /proc): a pool of one process per
     core runs privacy.document.read_document on each file (what the crawl's guarded reader
     process runs for each attachment; pages go through privacy.summary.scan_page, the same
     detector), and prints what it found.

    .venv/bin/python bench/pii_scan.py [--documents 10000] [--distinct 500] [--processes 2] [--seed 1] [--keep]
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import random
import shutil
import sys
import tempfile
import time
import zipfile
from collections import Counter
from pathlib import Path

from _procs import run_measured  # bench/_procs.py, beside this script

ROOT = Path(__file__).resolve().parents[1]
GOAL_SECONDS = 300.0
GOAL_RSS = 1 << 30
FORMATS = ("html", "pdf", "docx", "xlsx")
LEAK_SHARE = 0.05


# --- the documents ---------------------------------------------------------------------------

def _lines(rng: random.Random, n: int, leak: bool) -> list[str]:
    from mgov.demo.farm.pii_corpus import corpus, table

    filler = ("根据有关规定，现将相关事项公示如下，公示期内如有异议请与我单位联系。",
              "各有关单位要压实工作责任，细化工作举措，确保各项任务落到实处。",
              "The county will hold a public hearing on the proposed budget in the council chambers.")
    out = [rng.choice(filler) for _ in range(n)]
    decoys = [x.text for x in corpus(rng.randrange(10**9), n // 8, real_share=0.0)]
    for k, text in enumerate(decoys):
        out[(k * 7) % n] = text
    out[n // 2] = "咨询电话：0591-87654321，邮箱：office@agency.gov.cn"
    if leak:
        text, _ = table(rng.randrange(10**9), 40)
        out[n // 3:n // 3] = text.splitlines()
    return out


def _html(rng: random.Random, leak: bool) -> bytes:
    lines = _lines(rng, 600, leak)
    nav = "".join(f'<li><a href="/col{k}/index.html" class="nav-item">栏目{k}</a></li>' for k in range(40))
    body = []
    for line in lines:
        if "\t" in line:
            body.append("<tr>" + "".join(f"<td>{c}</td>" for c in line.split("\t")) + "</tr>")
        else:
            body.append(f'<p class="para" style="text-indent:2em;line-height:1.8">{line}</p>')
    page = (f'<!DOCTYPE html><html lang="zh-CN"><head><meta charset="utf-8"><title>公示</title>'
            f'<style>{"." * 2000}</style><script>var cfg={{"id":1715491845000}};</script></head><body>'
            f'<nav><ul>{nav * 3}</ul></nav><main><table>{"".join(body)}</table></main>'
            f'<footer>{"<p>版权所有</p>" * 50}</footer></body></html>')
    while len(page) < 190_000:
        page = page.replace("</footer>", '<div class="links">' + nav + "</div></footer>", 1)
    return page.encode()


def _pdf(rng: random.Random, leak: bool) -> bytes:
    from mgov.demo.farm.pdfwrite import write_pdf

    lines = [x.replace("\t", "  ") for x in _lines(rng, 500, leak)]
    return write_pdf(lines, title="公示", image=rng.randbytes(150_000))


def _docx(rng: random.Random, leak: bool) -> bytes:
    from xml.sax.saxutils import escape

    w = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
    parts = []
    for line in _lines(rng, 450, leak):
        if "\t" in line:
            cells = "".join(f"<w:tc><w:p><w:r><w:t>{escape(c)}</w:t></w:r></w:p></w:tc>" for c in line.split("\t"))
            parts.append(f"<w:tbl><w:tr>{cells}</w:tr></w:tbl>")
        else:
            parts.append(f'<w:p><w:pPr><w:jc w:val="both"/></w:pPr><w:r><w:rPr><w:sz w:val="24"/></w:rPr>'
                         f"<w:t>{escape(line)}</w:t></w:r></w:p>")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", '<?xml version="1.0"?><Types/>')
        zf.writestr("word/document.xml", f'<?xml version="1.0"?><w:document {w}><w:body>{"".join(parts)}'
                                         "</w:body></w:document>")
        zf.writestr("word/media/image1.jpeg", rng.randbytes(150_000), compress_type=zipfile.ZIP_STORED)
    return out.getvalue()


def _xlsx(rng: random.Random, leak: bool) -> bytes:
    from openpyxl import Workbook

    from mgov.demo.farm.pii_corpus import cn_id, mobile

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Sheet1")
    sheet.append(["序号", "项目名称", "单位", "金额（元）", "日期", "备注"])
    for k in range(1, 5001):
        sheet.append([k, f"城乡道路维护工程第{k}标段", "城关镇人民政府", rng.randint(1000, 999999),
                      f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}", f"ORD{rng.randrange(10**12)}"])
    if leak:
        sheet.append(["序号", "姓名", "身份证号码", "联系电话", "金额（元）", "备注"])
        for k in range(1, 41):
            sheet.append([k, "王伟", cn_id(rng), mobile(rng), rng.randint(400, 1600), ""])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def generate(directory: Path, n: int, seed: int, distinct: int) -> dict[str, int]:
    """n files: `distinct` different documents (a quarter of each format), each written under
    n / distinct names (generating 10,000 distinct ones took most of an hour; the scanner
    keeps nothing between files, so a copy costs it what the original did)."""
    makers = {"html": _html, "pdf": _pdf, "docx": _docx, "xlsx": _xlsx}
    sizes: Counter[str] = Counter()
    made: dict[int, bytes] = {}
    for k in range(n):
        fmt = FORMATS[k % len(FORMATS)]
        key = k % max(distinct, len(FORMATS))
        if key not in made:
            rng = random.Random(f"{seed}/{key}")
            made[key] = makers[fmt](rng, rng.random() < LEAK_SHARE)
        (directory / f"doc{k:05d}.{fmt}").write_bytes(made[key])
        sizes[fmt] += len(made[key])
    return dict(sizes)


# --- the scan (the measured subprocess) ------------------------------------------------------------

def _scan_one(path: str) -> tuple[str, str | None, dict[str, int], str | None]:
    from mgov.privacy.document import read_document

    data = Path(path).read_bytes()
    result = read_document(path, path.rsplit(".", 1)[-1], data)
    found = result.found
    reason = result.unscanned.reason if result.unscanned else None
    return result.format, found.severity if found else None, dict(found.counts) if found else {}, reason


def scan(directory: Path, processes: int) -> None:
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor

    files = sorted(str(p) for p in directory.iterdir())
    severities: Counter[str] = Counter()
    kinds: Counter[str] = Counter()
    unscanned: Counter[str] = Counter()
    start = time.perf_counter()
    with ProcessPoolExecutor(processes, mp_context=mp.get_context("spawn")) as pool:
        for _fmt, severity, counts, reason in pool.map(_scan_one, files, chunksize=16):
            severities[severity or "none"] += 1
            kinds.update(counts)
            if reason:
                unscanned[reason] += 1
    print(json.dumps({"documents": len(files), "seconds": round(time.perf_counter() - start, 1),
                      "severities": severities, "kinds": kinds, "unscanned": unscanned}))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--documents", type=int, default=10_000)
    ap.add_argument("--processes", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--distinct", type=int, default=500, help="different documents among them")
    ap.add_argument("--keep", action="store_true")
    ap.add_argument("--scan", type=Path, help=argparse.SUPPRESS)  # the measured subprocess
    args = ap.parse_args()
    if args.scan:
        scan(args.scan, args.processes)
        return
    directory = Path(tempfile.mkdtemp(prefix="mgov-pii-bench-"))
    try:
        t0 = time.perf_counter()
        sizes = generate(directory, args.documents, args.seed, args.distinct)
        total = sum(sizes.values())
        print(f"generated {args.documents} documents, {total / 1e6:.0f} MB "
              f"({', '.join(f'{f} {sizes[f] / 1e3 / (args.documents / 4):.0f} KB avg' for f in FORMATS)}) "
              f"in {time.perf_counter() - t0:.0f} s")
        env = {**os.environ, "PYTHONPATH": f"{ROOT / 'src'}:{ROOT / 'bench'}"}
        got = run_measured([sys.executable, str(Path(__file__).resolve()), "--scan", str(directory),
                            "--processes", str(args.processes)], env)
        if got["rc"] != 0:
            sys.exit(got["stderr"][-3000:])
        summary = json.loads(got["stdout"].strip().splitlines()[-1])
        wall, rss = got["elapsed"], got["rss"]
        scale = 10_000 / args.documents
        print(json.dumps(summary, ensure_ascii=False))
        print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
              f"load average {os.getloadavg()[0]:.2f} at the end")
        print(f"wall {wall:.1f} s for {args.documents} documents ({args.documents / wall:.1f}/s, "
              f"{total / 1e6 / wall:.1f} MB/s), CPU {got['cpu']:.1f} s, peak RSS {rss / 2**20:.0f} MiB")
        print(f"time vs goal (10,000 in {GOAL_SECONDS:.0f} s): {wall * scale / GOAL_SECONDS:.2f} of the budget; "
              f"peak RSS vs goal (1 GiB): {rss / GOAL_RSS:.2f}")
    finally:
        if args.keep:
            print(f"kept {directory}")
        else:
            shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    main()
