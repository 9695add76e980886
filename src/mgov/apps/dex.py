"""The tables of a DEX file that app analysis reads: strings, the classes it defines, and the
methods it references (the Dalvik executable format's string_ids, type_ids, method_ids and
class_defs), read straight from the bytes.

A full parse (androguard's DEX builds every class, method and instruction) costs about 0.3 s
per MiB of DEX; a store app carries tens of MiB of it, and analysis needs none of the code.
Every offset and index is checked against the file: a malformed or hostile DEX raises
DexError, never reads outside the bytes. The tests compare every table with androguard's.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

MAGIC = b"dex\n"
HEADER_SIZE = 0x70
MAX_ITEMS = 1 << 24  # more ids than any DEX holds (the format's indices are 16 or 32 bits)


class DexError(ValueError):
    """The bytes are not a DEX file this reader can follow."""


@dataclass
class DexTables:
    strings: list[str] = field(default_factory=list)
    classes: list[str] = field(default_factory=list)  # descriptors of the classes defined, Lcom/foo/Bar;
    method_refs: list[tuple[str, str]] = field(default_factory=list)  # (class descriptor, name) of the names asked


def _section(data: bytes, header_at: int, item_size: int) -> tuple[int, int]:
    size, offset = struct.unpack_from("<II", data, header_at)
    if size > MAX_ITEMS or (size and (offset < HEADER_SIZE or offset + size * item_size > len(data))):
        raise DexError(f"a table at header offset {header_at:#x} lies outside the file")
    return size, offset


def _decode(raw: bytes) -> str:
    """Modified UTF-8 (NUL as C0 80, characters beyond the BMP as surrogate pairs)."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        text = raw.replace(b"\xc0\x80", b"\x00").decode("utf-8", "surrogatepass")
    except UnicodeDecodeError:  # not modified UTF-8 either: what can be read of it
        return raw.decode("utf-8", "replace")
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")


def _string(data: bytes, offset: int) -> tuple[str, int]:
    """The string at offset and the bytes it spans."""
    if not HEADER_SIZE <= offset < len(data):
        raise DexError("a string lies outside the file")
    pos = offset
    for _ in range(5):  # the ULEB128 length (in UTF-16 units): skipped, the bytes end at a NUL
        if pos >= len(data):
            raise DexError("a string lies outside the file")
        byte = data[pos]
        pos += 1
        if byte < 0x80:
            break
    end = data.find(b"\x00", pos)
    if end < 0:
        raise DexError("a string runs past the end of the file")
    return _decode(data[pos:end]), end - offset


def read_tables(data: bytes, method_names: frozenset[str] = frozenset()) -> DexTables:
    """The strings, defined classes and the references to methods named in method_names."""
    if len(data) < HEADER_SIZE or not data.startswith(MAGIC):
        raise DexError("not a DEX file")
    n_strings, strings_at = _section(data, 0x38, 4)
    n_types, types_at = _section(data, 0x40, 4)
    n_methods, methods_at = _section(data, 0x58, 8)
    n_classes, classes_at = _section(data, 0x60, 32)
    offsets = struct.unpack_from(f"<{n_strings}I", data, strings_at)
    strings = []
    spanned = 0
    for off in offsets:
        text, span = _string(data, off)
        spanned += span
        if spanned > len(data):  # a compiler's strings never overlap: ids made to blow memory up do
            raise DexError("the strings overlap")
        strings.append(text)
    type_ids = struct.unpack_from(f"<{n_types}I", data, types_at)
    if any(i >= n_strings for i in type_ids):
        raise DexError("a type names a string that does not exist")
    types = [strings[i] for i in type_ids]
    out = DexTables(strings=strings)
    for class_idx, *_ in struct.iter_unpack("<8I", data[classes_at:classes_at + 32 * n_classes]):
        if class_idx >= n_types:
            raise DexError("a class definition names a type that does not exist")
        out.classes.append(types[class_idx])
    wanted = {i for i, s in enumerate(strings) if s in method_names}
    if wanted:
        for class_idx, _proto, name_idx in struct.iter_unpack("<HHI", data[methods_at:methods_at + 8 * n_methods]):
            if name_idx in wanted:
                if class_idx >= n_types:
                    raise DexError("a method reference names a type that does not exist")
                out.method_refs.append((types[class_idx], strings[name_idx]))
    return out
