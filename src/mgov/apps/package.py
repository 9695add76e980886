"""A package file in, its AppEvidence out: read (bounded), digest, tell an APK from an IPA,
analyse. Bad input is a PackageError saying what is wrong with the file."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import zipfile
from pathlib import Path

from mgov import clock
from mgov.apps.android import analyze_apk
from mgov.apps.errors import PackageError
from mgov.apps.ios import analyze_ipa, info_plist_name
from mgov.evidence.app import AppEvidence, AppStatus

MAX_PACKAGE_BYTES = 1 << 30  # 1 GiB: the largest store packages are a few hundred MiB
MAX_UNPACKED_BYTES = 4 << 30  # all entries together, as the archive declares them
# Entries read whole into memory by the analysis, and the most each may unpack to.
MAX_ENTRY_BYTES = {"AndroidManifest.xml": 32 << 20, "resources.arsc": 512 << 20}


def read_package(path: Path) -> bytes:
    """The file's bytes, or a PackageError (missing, a directory, too large)."""
    try:
        size = path.stat().st_size
        if not path.is_file():
            raise PackageError(f"{path} is not a file")
        if size > MAX_PACKAGE_BYTES:
            raise PackageError(f"{path} is {size} bytes: larger than {MAX_PACKAGE_BYTES >> 20} MiB, refused")
        return path.read_bytes()
    except OSError as exc:
        raise PackageError(f"cannot read {path}: {exc.strerror or exc}") from exc


def analyze_file(path: Path, *, policy_text: str | None = None, now: dt.datetime | None = None) -> AppEvidence:
    return analyze_bytes(read_package(path), path.name, policy_text=policy_text, now=now)


def analyze_bytes(data: bytes, file_name: str, *, policy_text: str | None = None,
                  now: dt.datetime | None = None) -> AppEvidence:
    """The evidence of one package (an APK or an IPA, told apart by content, not by name)."""
    evidence = AppEvidence(status=AppStatus.OK, analysed_at=now or clock.now(), file_name=file_name,
                           sha256=hashlib.sha256(data).hexdigest(), size=len(data),
                           policy_given=policy_text is not None)
    if not data.startswith(b"PK"):
        raise PackageError(f"{file_name} is not an APK or IPA: not a ZIP archive")
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        names = set(archive.namelist())
    except (zipfile.BadZipFile, ValueError, EOFError) as exc:
        raise PackageError(f"{file_name} is a truncated or corrupt ZIP archive ({exc})") from exc
    with archive:
        _refuse_bombs(archive, file_name)
        if "AndroidManifest.xml" in names:
            analyze_apk(data, archive, evidence, policy_text)
        elif (plist := info_plist_name(archive)) is not None:
            analyze_ipa(archive, plist, evidence, policy_text)
        else:
            raise PackageError(f"{file_name} is a ZIP archive but neither an APK (no AndroidManifest.xml) nor an "
                               "IPA (no Payload/NAME.app/Info.plist)")
    return evidence


def _refuse_bombs(archive: zipfile.ZipFile, file_name: str) -> None:
    """A package whose entries unpack to far more than any app: refused before anything is read."""
    infos = archive.infolist()
    if sum(i.file_size for i in infos) > MAX_UNPACKED_BYTES:
        raise PackageError(f"{file_name} unpacks to more than {MAX_UNPACKED_BYTES >> 30} GiB: refused")
    for info in infos:
        limit = MAX_ENTRY_BYTES.get(info.filename)
        if limit is not None and info.file_size > limit:
            raise PackageError(f"{file_name}: {info.filename} unpacks to {info.file_size} bytes, more than "
                               f"{limit >> 20} MiB: refused")
