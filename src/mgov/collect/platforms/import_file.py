"""The generic import (adapter `import`): an account's posts and facts from a file an office or
a data provider supplies, for platforms mgov cannot read itself (Douyin, Toutiao, Kuaishou,
X, Facebook, YouTube...), so that any platform goes through the same checks.

The file is named by the channel attribute `import_file` (or `mgov capture --import FILE`),
CSV/JSON/XLSX (docs/newmedia.md, "Importing posts"). It is archived whole as a WARC `resource`
record, and every post points at that record. Rows that cannot be read are reported with
their line and skipped (the capture is then `partial`, so nothing is called deleted on its
account); the good rows are kept.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from mgov.collect.platforms.base import AccountCapture, AccountRef, CaptureLimits
from mgov.collect.platforms.import_table import CONTENT_TYPES, ImportTable, UnreadableFile, read_account_csv, read_table
from mgov.collect.platforms.import_values import ValueProblem, account_profile, post_of
from mgov.collect.site import CollectContext
from mgov.evidence.exchange import WarcRef
from mgov.evidence.newmedia import CaptureStatus, Post

MAX_BYTES = 256 * 1024 * 1024  # an export bigger than this is refused, not read into memory
PROBLEMS_SHOWN = 20
CN_KINDS = frozenset({"wechat_account", "weibo_account", "mini_program"})
# Platforms whose exports write China's time: their naive times are read as Asia/Shanghai.
CN_PLATFORMS = frozenset({"douyin", "toutiao", "kuaishou", "bilibili", "xiaohongshu", "zhihu", "baijiahao",
                          "channels", "shipinhao", "qq", "wechat", "alipay", "baidu"})
_PLATFORM = re.compile(r"^[a-z][a-z0-9_]{1,30}$")


@dataclass
class ReadImport:
    """An import file read: its posts (every good row, newest first), the ids it marks deleted,
    the account's profile facts, and what could not be read."""

    posts: list[Post] = field(default_factory=list)
    deleted_ids: list[str] = field(default_factory=list)
    account: dict[str, Any] | None = None
    problems: list[str] = field(default_factory=list)  # "line 4: published: not a date ('x')"
    notes: list[str] = field(default_factory=list)  # about the file as a whole, nothing skipped
    rows: int = 0


def platform_name(account: AccountRef) -> str:
    """The platform an account's import speaks for: `douyin` for other_social `douyin:…`."""
    if account.kind in ("other_social", "mini_program"):
        head = account.address.partition(":")[0].lower()
        return head if _PLATFORM.match(head) else account.kind
    return {"wechat_account": "wechat", "weibo_account": "weibo"}.get(account.kind, account.kind)


def time_zone(account: AccountRef) -> dt.tzinfo:
    """Where a time written without a zone was meant: the channel attribute `time_zone`, else
    China's for WeChat, Weibo, mini programs and Chinese platforms (Douyin, Toutiao, ...), else UTC."""
    name = account.attributes.get("time_zone")
    if isinstance(name, str) and name:
        try:
            return ZoneInfo(name)
        except (KeyError, ValueError):
            pass
    chinese = account.kind in CN_KINDS or platform_name(account) in CN_PLATFORMS
    return ZoneInfo("Asia/Shanghai") if chinese else dt.UTC


def read_import(path: Path, data: bytes, account: AccountRef) -> ReadImport:
    """The posts and facts of an import file's bytes (path says its format and its companion
    `NAME.account.csv`). Raises UnreadableFile when nothing in it can be read."""
    table: ImportTable = read_table(path.name, data)
    out = ReadImport(notes=list(table.notes), account=table.account)
    if table.kind == "csv" and out.account is None:
        companion = path.with_name(path.stem + ".account.csv")
        if companion.is_file():
            facts, notes = read_account_csv(companion.read_bytes())
            out.account = facts
            out.notes += [f"{companion.name}: {n}" for n in notes]
    zone = time_zone(account)
    seen: set[str] = set()
    for row in table.rows:
        out.rows += 1
        if row.error:
            out.problems.append(f"{row.where}: {row.error}")
            continue
        try:
            post, deleted = post_of(row.cells, zone)
        except ValueProblem as exc:
            out.problems.append(f"{row.where}: {exc}")
            continue
        if post.post_id in seen:
            out.problems.append(f"{row.where}: post_id {post.post_id!r} repeats an earlier row")
            continue
        seen.add(post.post_id)
        post.raw = {"row": row.where}
        if deleted:
            out.deleted_ids.append(post.post_id)
        else:
            out.posts.append(post)
    out.posts.sort(key=lambda p: (p.published is not None, p.published or dt.datetime.min.replace(tzinfo=dt.UTC)),
                   reverse=True)
    return out


def _read(path: Path) -> bytes | None:
    """The file's bytes; None when it is larger than an import may be (then nothing is read)."""
    with path.open("rb") as fh:
        if os.fstat(fh.fileno()).st_size > MAX_BYTES:
            return None
        return fh.read(MAX_BYTES + 1)


def _problem_text(problems: list[str]) -> str:
    shown = "; ".join(problems[:PROBLEMS_SHOWN])
    more = f"; and {len(problems) - PROBLEMS_SHOWN} more" if len(problems) > PROBLEMS_SHOWN else ""
    return f"{len(problems)} row(s) skipped: {shown}{more}"


class ImportAdapter:
    name = "import"

    def handles(self, account: AccountRef) -> bool:
        return bool(account.attributes.get("import_file"))

    async def capture(self, account: AccountRef, ctx: CollectContext, limits: CaptureLimits,
                      now: dt.datetime) -> AccountCapture:
        path = Path(str(account.attributes.get("import_file"))).expanduser().absolute()
        try:
            data = await asyncio.to_thread(_read, path)
        except OSError as exc:
            return AccountCapture(CaptureStatus.ERROR, error=f"cannot read the import file {path}: {exc.strerror}")
        if data is None:
            return AccountCapture(CaptureStatus.ERROR, error=f"{path}: more than the {MAX_BYTES // 2**20} MiB "
                                                             "an import may have")
        refs: list[WarcRef] = []
        if ctx.warc is not None:  # the file as given, before anything is made of it (ArchiveError: the run's)
            kind = path.suffix.lower().lstrip(".")
            ref, _ = await ctx.warc.write_resource(path.as_uri(), data,
                                                   CONTENT_TYPES.get({"txt": "csv"}.get(kind, kind), "text/plain"),
                                                   now)
            refs.append(ref)
        try:
            read = await asyncio.to_thread(read_import, path, data, account)
        except UnreadableFile as exc:
            return AccountCapture(CaptureStatus.ERROR, error=f"{path.name}: {exc}", warc=refs)
        for post in read.posts:
            post.warc = refs[0] if refs else None
        cutoff = now - dt.timedelta(days=limits.window_days)
        in_window = [p for p in read.posts if p.published is None or p.published >= cutoff]
        posts = in_window[:limits.max_posts]
        platform = platform_name(account)
        profile = None
        if read.account is not None:
            profile, account_problems = account_profile(read.account, f"import:{platform}", account.address, posts)
            read.problems += account_problems
        notes = ([_problem_text(read.problems)] if read.problems else []) + read.notes
        return AccountCapture(CaptureStatus.PARTIAL if read.problems else CaptureStatus.OK, profile=profile,
                              posts=posts, window_complete=len(in_window) <= limits.max_posts,
                              error="; ".join(notes) or None, warc=refs, deleted_ids=read.deleted_ids)


ADAPTER = ImportAdapter()
