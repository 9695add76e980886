"""Packages made in tests: a minimal real DEX file (classes, strings, method references), an
APK that is a real one with that DEX added, and IPAs (a ZIP with an Info.plist).

The DEX follows the Dalvik executable format (header, string/type/proto/method ids, class
defs, string data, map list; adler32 checksum and SHA-1 signature), with classes that have no
members: enough for a parser to list class names, strings and method references.
"""

from __future__ import annotations

import hashlib
import plistlib
import struct
import zipfile
import zlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

NO_INDEX = 0xFFFFFFFF
HEADER_SIZE = 0x70


def _uleb128(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def _align(data: bytearray, boundary: int = 4) -> None:
    while len(data) % boundary:
        data.append(0)


def make_dex(classes: Sequence[str], strings: Sequence[str] = (), methods: Sequence[tuple[str, str]] = ()) -> bytes:
    """A DEX defining `classes` (descriptors like Lcom/foo/Bar;, superclass java.lang.Object),
    holding `strings`, and referencing `methods` ((class descriptor, name), each `()V`)."""
    types = sorted({*classes, "Ljava/lang/Object;", "V", *(owner for owner, _ in methods)})
    pool = sorted({*types, *strings, *(name for _, name in methods)})
    index = {s: i for i, s in enumerate(pool)}
    type_index = {t: i for i, t in enumerate(types)}
    method_items = sorted({(type_index[owner], index[name]) for owner, name in methods})

    string_ids_off = HEADER_SIZE
    type_ids_off = string_ids_off + 4 * len(pool)
    proto_ids_off = type_ids_off + 4 * len(types)
    method_ids_off = proto_ids_off + 12
    class_defs_off = method_ids_off + 8 * len(method_items)
    data_off = class_defs_off + 32 * len(classes)

    data = bytearray()
    string_offsets = []
    for s in pool:
        string_offsets.append(data_off + len(data))
        data += _uleb128(len(s)) + s.encode("utf-8") + b"\x00"
    _align(data)
    map_off = data_off + len(data)
    sections = [(0x0000, 1, 0), (0x0001, len(pool), string_ids_off), (0x0002, len(types), type_ids_off),
                (0x0003, 1, proto_ids_off)]
    if method_items:
        sections.append((0x0005, len(method_items), method_ids_off))
    if classes:
        sections.append((0x0006, len(classes), class_defs_off))
    sections += [(0x2002, len(pool), data_off), (0x1000, 1, map_off)]
    data += struct.pack("<I", len(sections)) + b"".join(struct.pack("<HHII", t, 0, n, o) for t, n, o in sections)

    body = bytearray()
    body += b"".join(struct.pack("<I", off) for off in string_offsets)
    body += b"".join(struct.pack("<I", index[t]) for t in types)
    body += struct.pack("<III", index["V"], type_index["V"], 0)  # the one proto: ()V, shorty "V"
    body += b"".join(struct.pack("<HHI", owner, 0, name) for owner, name in method_items)
    body += b"".join(struct.pack("<IIIIIIII", type_index[c], 1, type_index["Ljava/lang/Object;"], 0, NO_INDEX, 0, 0, 0)
                     for c in sorted(classes))
    file_size = HEADER_SIZE + len(body) + len(data)
    header = bytearray(b"dex\n035\x00" + bytes(4 + 20))
    header += struct.pack("<IIIII", file_size, HEADER_SIZE, 0x12345678, 0, 0)
    header += struct.pack("<I", map_off)
    header += struct.pack("<IIII", len(pool), string_ids_off, len(types), type_ids_off)
    header += struct.pack("<IIII", 1, proto_ids_off, 0, 0)
    header += struct.pack("<II", len(method_items), method_ids_off if method_items else 0)
    header += struct.pack("<II", len(classes), class_defs_off if classes else 0)
    header += struct.pack("<II", len(data), data_off)
    dex = bytearray(header + body + data)
    assert len(header) == HEADER_SIZE and len(dex) == file_size
    dex[12:32] = hashlib.sha1(dex[32:]).digest()  # noqa: S324 - the DEX format's own signature field
    dex[8:12] = struct.pack("<I", zlib.adler32(bytes(dex[12:])))
    return bytes(dex)


def apk_with(base: Path, out: Path, extra: dict[str, bytes], drop: tuple[str, ...] = ()) -> Path:
    """A copy of the APK base with entries added (or replaced) and some dropped."""
    with zipfile.ZipFile(base) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            if info.filename not in extra and info.filename not in drop:
                dst.writestr(info, src.read(info.filename))
        for name, payload in extra.items():
            dst.writestr(name, payload)
    return out


def make_ipa(out: Path, info: dict[str, Any], app: str = "Gov") -> Path:
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(f"Payload/{app}.app/Info.plist", plistlib.dumps(info, fmt=plistlib.FMT_BINARY))
        z.writestr(f"Payload/{app}.app/{app}", b"\xcf\xfa\xed\xfe" + bytes(60))  # a Mach-O magic, no code
    return out
