"""Files people attach as evidence (a rectification task's fix, an inspection item's
screenshots), kept under the archive by content: `<archive>/<folder>/<sha256[:2]>/<sha256>`.

The path never comes from the upload, and the same file attached twice is kept once. A file's
name and type are only shown; what its bytes are is read from the bytes themselves (`sniff`),
and a file is served as a type a browser will not run.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
import unicodedata
from pathlib import Path

from mgov.errors import InvalidValue, NotFound

MAX_FILE = 5 * 1024 * 1024  # bytes of one file: screenshots and letters, not recordings
# Types served as themselves (each inert under the dashboard's CSP and nosniff); any other
# file is served as application/octet-stream.
SHOWN_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp", "application/pdf", "text/plain"})
_UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f/\\:*?\"<>|]")
# Magic numbers of the types evidence may be (the WHATWG MIME Sniffing standard's image and PDF
# patterns); WebP is RIFF....WEBP.
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "image/png"), (b"\xff\xd8\xff", "image/jpeg"), (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"), (b"%PDF-", "application/pdf"),
)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
# Text a browser would run as markup (the WHATWG sniffing patterns of HTML, plus XML and SVG):
# never kept as plain text.
_MARKUP = re.compile(rb"^(?:\xef\xbb\xbf)?[\t\n\x0c\r ]*<(?:!doctype html|html|head|script|iframe|h1|div|font|table|a|"
                     rb"style|title|b|body|br|p|!--|\?xml|svg)(?:[ >/\t\n\x0c\r]|$)", re.IGNORECASE)
TEXT_SNIFFED = 64 * 1024  # bytes of a file read to tell text from binary


def safe_name(raw: str | None) -> str:
    """A file name to show and offer for download: its last path part, without control and
    path characters, at most 200 characters (the extension kept)."""
    name = unicodedata.normalize("NFC", (raw or "").replace("\\", "/").rsplit("/", 1)[-1])
    name = _UNSAFE_NAME.sub("_", name).strip(" .") or "evidence"
    if len(name) > 200:
        stem, dot, ext = name.rpartition(".")
        name = (stem[:190] + dot + ext[:9]) if dot and len(ext) < 10 else name[:200]
    return name


def media_type(raw: str | None) -> str:
    """A declared type as stored (lower case, no parameters), application/octet-stream when it
    is not one."""
    text = (raw or "").split(";", 1)[0].strip().lower()
    return text if re.fullmatch(r"[a-z0-9.+-]+/[a-z0-9.+-]+", text) and len(text) <= 100 else "application/octet-stream"


def _is_text(head: bytes) -> bool:
    for encoding in ("utf-8", "gb18030"):
        try:
            text = head.decode(encoding)
        except UnicodeDecodeError as exc:
            if exc.start < len(head) - 4:  # not a character cut at the window's end
                continue
            text = head[:exc.start].decode(encoding)
        return not _CONTROL.search(text)
    return False


def sniff(data: bytes) -> str | None:
    """What the bytes are, by their content: one of SHOWN_TYPES (plain text: UTF-8 or GB18030
    without control characters), text/html for markup, or None."""
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            return kind
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if _MARKUP.match(data[:512]):
        return "text/html"
    return "text/plain" if data and _is_text(data[:TEXT_SNIFFED]) else None


def checked_type(data: bytes, declared: str | None) -> str:
    """The type a file is stored as: what its bytes are, which must be a type evidence may be
    (an image, a PDF, plain text) and agree with the type the upload declared, if any
    (a text/* declaration fits plain text). InvalidValue otherwise."""
    found = sniff(data)
    if found is None or found not in SHOWN_TYPES:
        raise InvalidValue("the file is not an image (PNG, JPEG, GIF, WebP), a PDF or plain text: "
                           "attach a screenshot, a scan or a text")
    said = media_type(declared)
    if said not in ("application/octet-stream", found) and not (found == "text/plain" and said.startswith("text/")):
        raise InvalidValue(f"the file was sent as {said} but its content is {found}")
    return found


def path_of(archive_dir: Path, folder: str, sha256: str) -> Path:
    if not re.fullmatch(r"[0-9a-f]{64}", sha256):
        raise NotFound("no such evidence file")
    return archive_dir / folder / sha256[:2] / sha256


def check_size(data: bytes) -> None:
    if not data:
        raise InvalidValue("the evidence file is empty")
    if len(data) > MAX_FILE:
        raise InvalidValue(f"the evidence file has {len(data)} bytes: at most {MAX_FILE} ({MAX_FILE // 2**20} MiB)")


def store(archive_dir: Path, folder: str, data: bytes) -> str:
    """Keep data under archive_dir/folder by its SHA-256; the digest."""
    digest = hashlib.sha256(data).hexdigest()
    target = path_of(archive_dir, folder, digest)
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        # Written aside and renamed: a reader never sees half a file, two writers of one file agree.
        fd, temp = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
            os.replace(temp, target)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
    return digest


def read(archive_dir: Path, folder: str, sha256: str, what: str) -> bytes:
    """The kept file's bytes; NotFound naming what when it is missing from the archive."""
    path = path_of(archive_dir, folder, sha256)
    if not path.is_file():
        raise NotFound(f"the file of {what} is missing from the archive ({folder}/)")
    return path.read_bytes()


def served_type(kind: str | None) -> str:
    return kind if kind in SHOWN_TYPES else "application/octet-stream"
