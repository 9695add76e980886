"""The app pass as a run kind: registered app channels (app_android, app_ios) judged from the
package file the registry gives (channel attribute `package_file`), with the checks that need
the app evidence (`app.*`).

Each package is analysed off the event loop (androguard is CPU-bound), archived once per
digest as a WARC resource record (collect.app_package), and its analysis written as a WARC
metadata record of the run; every finding points at both and names the package's SHA-256.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from mgov import clock, file_charset
from mgov.apps.errors import PackageError
from mgov.apps.package import analyze_bytes, read_package
from mgov.collect.app_package import archive_package
from mgov.collect.site import CollectContext
from mgov.evidence.app import APP_KEY, APP_KINDS, AppEvidence, AppStatus
from mgov.evidence.site import ChannelFacts, SiteEvidence
from mgov.runs.kinds import RunKind, RunSetup
from mgov.runs.saver import ChannelSaver, Collector

PACKAGE_ATTRIBUTE = "package_file"  # a path to the APK or IPA (absolute, or relative to the working folder)
POLICY_ATTRIBUTE = "privacy_policy_file"  # a text file of the app's privacy policy, to judge permissions by
MAX_POLICY_BYTES = 4 << 20


def read_policy(path: Path) -> str:
    """A privacy policy's text (UTF-8, else GB18030: mgov.file_charset), or PackageError."""
    try:
        with path.open("rb") as fh:
            raw = fh.read(MAX_POLICY_BYTES)
    except OSError as exc:
        raise PackageError(f"cannot read the privacy policy {path}: {exc.strerror or exc}") from exc
    return raw.decode(file_charset.guess_lines(raw, cut=len(raw) == MAX_POLICY_BYTES), "replace")


def analyse_channel(facts: ChannelFacts) -> tuple[AppEvidence, bytes | None]:
    """The channel's package analysed (with the bytes to archive), or why it could not be."""
    now = clock.now()
    given = facts.attributes.get(PACKAGE_ATTRIBUTE)
    if not given:
        return AppEvidence(status=AppStatus.NO_PACKAGE, analysed_at=now), None
    path = Path(str(given)).expanduser()
    data = None
    # The policy apart: one that cannot be read leaves the package judged without it (the
    # permission check says no policy was given, with why), not the package unread.
    policy, policy_error = None, None
    policy_file = facts.attributes.get(POLICY_ATTRIBUTE)
    if policy_file:
        try:
            policy = read_policy(Path(str(policy_file)).expanduser())
        except PackageError as exc:
            policy_error = str(exc)
    try:
        data = read_package(path)
        evidence = analyze_bytes(data, path.name, policy_text=policy, now=now)
        evidence.error = policy_error
        return evidence, data
    except PackageError as exc:
        evidence = AppEvidence(status=AppStatus.UNREADABLE, analysed_at=now, file_name=path.name, error=str(exc))
        if data is not None:
            evidence.sha256, evidence.size = hashlib.sha256(data).hexdigest(), len(data)
        return evidence, data


class AppCollector:
    def __init__(self, ctx: CollectContext) -> None:
        self.ctx = ctx

    async def __call__(self, facts: ChannelFacts, needs: set[str]) -> SiteEvidence:
        evidence = SiteEvidence(channel=facts, collected_at=clock.now())
        if APP_KEY in needs:
            evidence.app = await self.app(facts)
        return evidence

    async def app(self, facts: ChannelFacts) -> AppEvidence:
        app, data = await asyncio.to_thread(analyse_channel, facts)
        warc = self.ctx.warc
        if warc is None or app.sha256 is None or data is None:
            return app
        package_ref = await asyncio.to_thread(archive_package, warc.directory, data, app.sha256,
                                              platform=app.platform, file_name=app.file_name, date=app.analysed_at)
        app.warc = [package_ref]
        payload = json.dumps({"channel": {"kind": facts.kind, "address": facts.address}, **app.as_dict()},
                             ensure_ascii=False, sort_keys=True).encode("utf-8")
        app.warc.append(await warc.write_metadata(f"urn:mgov:app-analysis:{app.sha256}", payload, app.analysed_at))
        return app


@contextmanager
def _open(setup: RunSetup) -> Iterator[tuple[Collector, ChannelSaver | None]]:
    yield AppCollector(setup.context), None  # findings only: the runner stores them


APP = RunKind(name="app", opener=_open, concurrency=2, evidence=frozenset({APP_KEY}), channel_kinds=APP_KINDS)
