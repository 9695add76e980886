"""A small PDF writer for the farm's attachments: lines of text (Chinese and English) on A4
pages, no library.

Text is set in the standard CJK font STSong-Light (Adobe-GB1, not embedded: every PDF
reader has it) through the UniGB-UCS2-H encoding, so each character is its UCS-2 code; a
ToUnicode map says the same, so text extractors read the characters back. Characters
outside the Basic Multilingual Plane are written as "?".
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Sequence

PAGE_W, PAGE_H = 595, 842  # A4 in points
MARGIN = 50
LEADING = 16
FONT_SIZE = 10


def _to_unicode(used: set[str]) -> bytes:
    """The ToUnicode map of the characters used (each code is its own UCS-2 value). Only
    those: a map of the whole plane costs extractors a second per page to expand."""
    codes = sorted({ord(ch) for ch in used if ord(ch) <= 0xFFFF})
    out = [b"/CIDInit /ProcSet findresource begin 12 dict begin begincmap",
           b"/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
           b"/CMapName /Adobe-Identity-UCS def /CMapType 2 def",
           b"1 begincodespacerange <0000> <FFFF> endcodespacerange"]
    for start in range(0, len(codes), 100):  # at most 100 entries per block
        block = codes[start:start + 100]
        out.append(b"%d beginbfchar" % len(block))
        out += [b"<%04X> <%04X>" % (c, c) for c in block]
        out.append(b"endbfchar")
    out.append(b"endcmap CMapName currentdict /CMap defineresource pop end end")
    return b"\n".join(out) + b"\n"


def _hex(text: str) -> bytes:
    units = "".join(ch if ord(ch) <= 0xFFFF else "?" for ch in text)
    return b"<" + units.encode("utf-16-be").hex().upper().encode() + b">"


def _page_stream(lines: Sequence[str]) -> bytes:
    ops = [b"BT", b"/F1 %d Tf" % FONT_SIZE, b"%d TL" % LEADING, b"%d %d Td" % (MARGIN, PAGE_H - MARGIN)]
    for line in lines:
        ops.append(_hex(line) + b" Tj T*")
    ops.append(b"ET")
    return b"\n".join(ops)


def write_pdf(lines: Iterable[str], *, title: str = "", compress: bool = True, image: bytes = b"") -> bytes:
    """A PDF of the lines, as many pages as they need (a table row is one line; cells are
    separated by spaces, as a printed table's text comes out of a PDF). image: the bytes of a
    JPEG put on the first page's resources (not drawn): the bulk of a real document (the
    benchmark's 200 KB files)."""
    per_page = (PAGE_H - 2 * MARGIN) // LEADING
    pages: list[list[str]] = [[]]
    used: set[str] = set(title)
    for line in lines:
        used.update(line)
        if len(pages[-1]) >= per_page:
            pages.append([])
        pages[-1].append(line)
    objects: list[bytes] = []

    def add(body: bytes) -> int:
        objects.append(body)
        return len(objects)

    catalog = add(b"")  # filled in below, once the page tree's number is known
    tree = add(b"")
    font = add(b"<</Type/Font/Subtype/Type0/BaseFont/STSong-Light/Encoding/UniGB-UCS2-H"
               b"/DescendantFonts[%d 0 R]/ToUnicode %d 0 R>>" % (len(objects) + 2, len(objects) + 3))
    add(b"<</Type/Font/Subtype/CIDFontType0/BaseFont/STSong-Light"
        b"/CIDSystemInfo<</Registry(Adobe)/Ordering(GB1)/Supplement 4>>/FontDescriptor %d 0 R>>"
        % (len(objects) + 3))
    cmap = _to_unicode(used)
    add(b"<</Length %d>>stream\n" % len(cmap) + cmap + b"\nendstream")
    add(b"<</Type/FontDescriptor/FontName/STSong-Light/Flags 6/FontBBox[-25 -254 1000 880]"
        b"/ItalicAngle 0/Ascent 880/Descent -120/CapHeight 880/StemV 93>>")
    xobject = b""
    if image:
        pic = add(b"<</Type/XObject/Subtype/Image/Width 640/Height 480/ColorSpace/DeviceRGB/BitsPerComponent 8"
                  b"/Filter/DCTDecode/Length %d>>stream\n" % len(image) + image + b"\nendstream")
        xobject = b"/XObject<</Im1 %d 0 R>>" % pic
    kids = []
    for page_lines in pages:
        raw = _page_stream(page_lines)
        data = zlib.compress(raw, 6) if compress else raw
        filt = b"/Filter/FlateDecode" if compress else b""
        content = add(b"<</Length %d%s>>stream\n" % (len(data), filt) + data + b"\nendstream")
        resources = b"<</Font<</F1 %d 0 R>>%s>>" % (font, xobject)
        kids.append(add(b"<</Type/Page/Parent %d 0 R/MediaBox[0 0 %d %d]/Resources%s/Contents %d 0 R>>"
                        % (tree, PAGE_W, PAGE_H, resources, content)))
    objects[catalog - 1] = b"<</Type/Catalog/Pages %d 0 R>>" % tree
    objects[tree - 1] = (b"<</Type/Pages/Kids[" + b" ".join(b"%d 0 R" % k for k in kids)
                         + b"]/Count %d>>" % len(kids))
    info = add(b"<</Title" + _hex(title) + b"/Producer(mgov demo farm)>>") if title else None
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % off for off in offsets)
    out += b"trailer\n<</Size %d/Root %d 0 R" % (len(objects) + 1, catalog)
    out += (b"/Info %d 0 R" % info if info else b"") + b">>\nstartxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)
