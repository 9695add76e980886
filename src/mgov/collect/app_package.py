"""An app package in the archive, once per digest: a WARC `resource` record alone in
`apps/<sha256>.warc.gz` under the archive directory.

Every run that judges the same package points its findings at the same record, so a package
analysed daily is stored once; a new version (a new digest) is a new file. The file is made
under a temporary name and linked into place, so two processes archiving the same package at
once leave one complete file and both read their reference from it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import os
import uuid
from pathlib import Path

from warcio.utils import Digester
from warcio.warcwriter import WARCWriter

from mgov.collect.warc import ArchiveError
from mgov.evidence.exchange import WarcRef

FOLDER = "apps"
CONTENT_TYPES = {"android": "application/vnd.android.package-archive", "ios": "application/octet-stream"}


def package_uri(sha256: str) -> str:
    return f"urn:sha256:{sha256}"


def archive_package(archive_dir: str | Path, data: bytes, sha256: str, *, platform: str | None,
                    file_name: str | None, date: dt.datetime) -> WarcRef:
    """The reference of the package's record, writing it when this digest is new."""
    folder = Path(archive_dir) / FOLDER
    name = f"{FOLDER}/{sha256}.warc.gz"
    final = folder / f"{sha256}.warc.gz"
    try:
        if not final.exists():
            folder.mkdir(parents=True, exist_ok=True)
            temporary = folder / f".{sha256}.{uuid.uuid4().hex}.tmp"
            try:
                temporary.write_bytes(_record(data, sha256, platform, file_name, date))
                with contextlib.suppress(FileExistsError):
                    os.link(temporary, final)  # never replaces a file another writer made first
            finally:
                temporary.unlink(missing_ok=True)
        return WarcRef(name, 0, final.stat().st_size)
    except OSError as exc:
        raise ArchiveError(f"cannot archive the package in {folder}: {exc}") from exc


def _record(data: bytes, sha256: str, platform: str | None, file_name: str | None, date: dt.datetime) -> bytes:
    digester = Digester("sha256")
    digester.update(data)
    headers = {"WARC-Target-URI": package_uri(sha256), "WARC-Date": date.astimezone(dt.UTC).strftime(
        "%Y-%m-%dT%H:%M:%SZ"), "WARC-Record-ID": f"<urn:uuid:{uuid.uuid4()}>",
        "WARC-Payload-Digest": str(digester), "WARC-Block-Digest": str(digester)}
    if file_name:
        headers["X-Mgov-File-Name"] = file_name  # the name it was registered under (a WARC extension field)
    out = io.BytesIO()
    writer = WARCWriter(out, gzip=True, warc_version="1.1")
    record = writer.create_warc_record("", "resource", payload=io.BytesIO(data), length=len(data),
                                       warc_content_type=CONTENT_TYPES.get(platform or "", "application/octet-stream"),
                                       warc_headers_dict=headers)
    writer.write_record(record)
    return out.getvalue()
