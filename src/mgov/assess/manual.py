"""Assessment inputs mgov cannot observe itself, stored per channel, indicator and period:

- manual: a reviewer's decision on an indicator (met, failed or not applicable, instances, a
  note, evidence). It applies to any indicator, also one bound to a check: the engine ranks it
  above findings, so a reviewer confirms or rejects what a check found (e.g. an 严重表述错误
  candidate). `mgov review` enters one; a submitted inspection (mgov.act.inspections) enters
  one per item of its checklist, through `record` like every other.
- rating: 好差评 counts per level (非常满意 … 非常不满意; 不满意 and 非常不满意 are 差评) and,
  when known, the 差评 not rectified in time (overdue).
- usage: visits and the mobile share, from an analytics.usa.gov-style export.

Periods: an input belongs to exactly one period (first and last day, inclusive) and is read
only by an assessment of exactly that period. Counts and shares are totals over their period,
and neither a month's 差评 nor a quarter's mobile share can be turned into another period's
without the underlying data, so inputs are never summed, split or carried over. Enter
them with the same --period the assessment uses.

History: rows are never updated. A newer input for the same (channel, profile, indicator,
period, kind) supersedes the older ones; reading takes the newest (entered_at, then id).

Usage figures belong to a channel, not an indicator: an import stores them under the
indicator '*', which every usage indicator of the channel reads (an input for a named usage
indicator wins over '*').
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import Connection, Row, insert, select

from mgov import clock
from mgov.assess.channels import channels_of
from mgov.assess.inputs import MANUAL_STATUSES, RATING_LEVELS, ChannelInput, ManualInput, RatingCounts, UsageFigures
from mgov.db import audit
from mgov.db.tables import ASSESSMENT_INPUTS as AI
from mgov.errors import ImportFailed, InvalidValue, MgovError, NotFound
from mgov.formats.textfile import read_csv
from mgov.profiles import Indicator, Profile, resolve
from mgov.registry.addresses import normalize_url

KINDS: tuple[str, ...] = ("manual", "rating", "usage")
ANY_INDICATOR = "*"  # usage figures for every usage indicator of the channel
SOURCE_OF_KIND = {"rating": "rating", "usage": "usage"}  # manual applies to any source

LEVEL_NAMES: dict[str, str] = {  # header (normalized) -> level
    **{level: level for level in RATING_LEVELS},
    "very_satisfied": "非常满意", "satisfied": "满意", "basically_satisfied": "基本满意",
    "fairly_satisfied": "基本满意", "dissatisfied": "不满意", "very_dissatisfied": "非常不满意",
}
RATING_CHANNEL = ("channel", "address", "channel_address", "url", "渠道", "地址", "网址", "渠道地址")
RATING_INDICATOR = ("indicator", "indicator_id", "指标", "指标编号")
RATING_OVERDUE = ("overdue", "overdue_bad", "逾期", "超期", "逾期未整改", "超期未整改")
USAGE_DOMAIN = ("domain", "hostname", "host", "site", "域名", "网站", "address", "channel", "url")
USAGE_VISITS = ("visits", "sessions", "访问量", "访问次数")
USAGE_DEVICE = ("device", "device_category", "设备", "设备类型")
USAGE_MOBILE_SHARE = ("mobile_share", "mobile_percent", "移动端占比", "移动端比例")
USAGE_MOBILE_VISITS = ("mobile_visits", "移动端访问量")
USAGE_DATE = ("date", "日期")
MOBILE_DEVICES = ("mobile", "tablet", "移动", "手机", "平板")  # tablets count as mobile
KNOWN_DEVICES = (*MOBILE_DEVICES, "desktop", "smart tv", "smart_tv", "other", "(other)", "桌面", "电脑", "其他")


# --- storing and reading ------------------------------------------------------------------------


def validate_payload(kind: str, payload: Mapping[str, Any]) -> None:
    """ValueError when payload is not a valid input of kind (the observation it becomes is built)."""
    if kind not in KINDS:
        raise ValueError(f"unknown input kind {kind!r} (choose from: {', '.join(KINDS)})")
    if kind == "manual":
        ManualInput(payload["status"], int(payload.get("instances", 1)))
    elif kind == "rating":
        RatingCounts.from_levels(payload["levels"], payload.get("overdue"))
        if any(int(n) < 0 for n in payload["levels"].values()):
            raise ValueError("rating counts must be >= 0")
    else:
        visits, share = payload["visits"], payload.get("mobile_share")
        if int(visits) < 0:
            raise ValueError(f"visits must be >= 0, not {visits}")
        if share is not None and not 0 <= share <= 1:
            raise ValueError(f"mobile share must be between 0 and 1, not {share}")


def record(conn: Connection, *, channel_id: int, profile_id: str, indicator_id: str, start: dt.date, end: dt.date,
           kind: str, payload: Mapping[str, Any], note: str | None = None,
           evidence: Sequence[Mapping[str, Any]] = (), by: str | None = None, at: dt.datetime | None = None) -> int:
    """Store one input (it supersedes older ones with the same key); its id."""
    if end < start:
        raise MgovError(f"period ends ({end}) before it starts ({start})")
    try:
        validate_payload(kind, payload)
    except (KeyError, TypeError, ValueError) as exc:
        raise InvalidValue(f"bad {kind} input: {exc}") from None
    input_id = int(conn.execute(insert(AI).values(
        channel_id=int(channel_id), profile_id=profile_id, indicator_id=indicator_id, period_start=start,
        period_end=end, kind=kind, payload=dict(payload), note=note, evidence=[dict(e) for e in evidence],
        entered_by=by, entered_at=at or clock.now()).returning(AI.c.id)).scalar_one())
    audit.record(conn, "input.created", f"channel:{channel_id}",
                 {"indicator": indicator_id, "profile": profile_id, "period": f"{start} – {end}",
                  "values": dict(payload), "note": note, "entered_by": by}, channel_id=int(channel_id))
    return input_id


def newest(conn: Connection, profile_id: str, channel_ids: Iterable[int | str], start: dt.date,
           end: dt.date) -> dict[tuple[str, str, str], Row[Any]]:
    """The current input per (channel id, indicator id, kind) for exactly the period [start, end]."""
    ids = sorted({int(c) for c in channel_ids})
    out: dict[tuple[str, str, str], Row[Any]] = {}
    for i in range(0, len(ids), 500):
        query = (select(AI).where(AI.c.profile_id == profile_id, AI.c.period_start == start, AI.c.period_end == end,
                                  AI.c.channel_id.in_(ids[i:i + 500]))
                 .order_by(AI.c.entered_at, AI.c.id))
        for row in conn.execute(query):
            out[(str(row.channel_id), row.indicator_id, row.kind)] = row  # later rows win
    return out


def history(conn: Connection, profile_id: str, start: dt.date, end: dt.date, channel_id: int | None = None,
            indicator_id: str | None = None) -> list[dict[str, Any]]:
    """Every input of the period, newest first, each marked current or superseded."""
    query = select(AI).where(AI.c.profile_id == profile_id, AI.c.period_start == start, AI.c.period_end == end)
    if channel_id is not None:
        query = query.where(AI.c.channel_id == channel_id)
    if indicator_id is not None:
        query = query.where(AI.c.indicator_id == indicator_id)
    rows = conn.execute(query.order_by(AI.c.entered_at.desc(), AI.c.id.desc())).all()
    seen: set[tuple[int, str, str]] = set()
    out = []
    for r in rows:
        key = (r.channel_id, r.indicator_id, r.kind)
        out.append({**r._asdict(), "current": key not in seen})
        seen.add(key)
    return out


def as_manual(row: Any) -> ManualInput:
    note = row.note or ""
    if row.entered_by:
        note = f"{row.entered_by}: {note}" if note else row.entered_by
    return ManualInput(row.payload["status"], int(row.payload.get("instances", 1)), note, row.evidence or ())


def as_ratings(row: Any) -> RatingCounts:
    return RatingCounts.from_levels({k: int(v) for k, v in row.payload["levels"].items()}, row.payload.get("overdue"))


def as_usage(row: Any) -> UsageFigures:
    return UsageFigures(int(row.payload["visits"]), row.payload.get("mobile_share"))


# --- targets: channels and indicators -----------------------------------------------------------


def _address_keys(raw: str) -> list[str]:
    text = raw.strip()
    keys = [text]
    with contextlib.suppress(InvalidValue):
        keys.append(normalize_url(text))
    return keys


class Channels:
    """The channels a profile covers, found by address (or, for usage, by host name)."""

    def __init__(self, channels: Sequence[ChannelInput]) -> None:
        self.by_address: dict[str, list[ChannelInput]] = defaultdict(list)
        self.by_host: dict[str, list[ChannelInput]] = defaultdict(list)
        for c in channels:
            self.by_address[c.address].append(c)
            if "://" in c.address:
                host = (urlsplit(c.address).hostname or "").lower()
                if host:
                    self.by_host[host].append(c)

    @classmethod
    def of(cls, conn: Connection, profile: Profile) -> Channels:
        return cls(channels_of(conn, profile))

    def find(self, address: str) -> ChannelInput:
        found: list[ChannelInput] = []
        for key in _address_keys(address):
            found = self.by_address.get(key, [])
            if found:
                break
        return self._one(address, found)

    def find_host(self, domain: str) -> ChannelInput:
        text = domain.strip().lower()
        host = (urlsplit(text).hostname or "") if "://" in text else text.split("/")[0]
        host = host.rstrip(".")
        found = self.by_host.get(host, [])
        if not found:
            alt = host[4:] if host.startswith("www.") else "www." + host
            found = self.by_host.get(alt, [])
        return self._one(domain, found)

    @staticmethod
    def _one(what: str, found: list[ChannelInput]) -> ChannelInput:
        if not found:
            raise NotFound(f"unknown channel {what!r} (not an open channel this profile covers)")
        if len(found) > 1:
            raise MgovError(f"{what!r} matches {len(found)} channels: "
                            + ", ".join(f"{c.kind} {c.address}" for c in found))
        return found[0]


def indicator_for(profile: Profile, channel: ChannelInput, indicator_id: str | None, kind: str) -> Indicator:
    """The indicator an input of kind for channel goes to: the one named (it must exist in the
    profile, apply to the channel's kind and tier and, for ratings and usage, take that source),
    or else the only one of the channel's indicators with that source."""
    applicable = resolve(profile, channel.kind, channel.tier)
    source = SOURCE_OF_KIND.get(kind)
    if indicator_id:
        if indicator_id not in {i.id for i in profile.indicators}:
            raise NotFound(f"no indicator {indicator_id!r} in profile {profile.id}")
        ind = next((i for i in applicable if i.id == indicator_id), None)
        if ind is None:
            raise MgovError(f"indicator {indicator_id} of {profile.id} does not apply to {channel.address} "
                            f"({channel.kind}, {channel.tier})")
        if source and ind.source != source:
            raise MgovError(f"indicator {indicator_id} takes its input from {ind.source}, not {source}")
        return ind
    if source is None:
        raise MgovError("name the indicator")
    candidates = [i for i in applicable if i.source == source]
    if len(candidates) != 1:
        what = ", ".join(i.id for i in candidates) if candidates else "none"
        raise MgovError(f"{len(candidates) or 'no'} {source} indicator(s) of {profile.id} apply to "
                        f"{channel.address} ({what}): name the indicator")
    return candidates[0]


# --- the API: a review, ratings, usage ----------------------------------------------------------


def _supersedes(conn: Connection, channel_id: int, profile_id: str, indicator_id: str, start: dt.date,
                end: dt.date, kind: str, new_id: int) -> list[int]:
    return [int(i) for i in conn.execute(select(AI.c.id).where(
        AI.c.channel_id == channel_id, AI.c.profile_id == profile_id, AI.c.indicator_id == indicator_id,
        AI.c.period_start == start, AI.c.period_end == end, AI.c.kind == kind, AI.c.id != new_id)
        .order_by(AI.c.id)).scalars()]


def review(conn: Connection, profile: Profile, start: dt.date, end: dt.date, address: str, indicator_id: str,
           status: str, *, note: str, instances: int | None = None, evidence: Sequence[str | Mapping[str, Any]] = (),
           by: str | None = None, channels: Channels | None = None) -> dict[str, Any]:
    """A reviewer's decision on one indicator of one channel for the period (manual input)."""
    if status not in MANUAL_STATUSES:
        raise InvalidValue(f"review status must be met or failed (or not_applicable), not {status!r}")
    if not note.strip():
        raise InvalidValue("a review needs a note saying what was found")
    channel = (channels or Channels.of(conn, profile)).find(address)
    ind = indicator_for(profile, channel, indicator_id, "manual")
    if instances is None:
        instances = 1 if status == "failed" or (ind.rule == "bonus" and status == "met") else 0
    refs = [{"url": e} if isinstance(e, str) else dict(e) for e in evidence]
    new_id = record(conn, channel_id=int(channel.channel_id), profile_id=profile.id, indicator_id=ind.id,
                    start=start, end=end, kind="manual", payload={"status": status, "instances": instances},
                    note=note.strip(), evidence=refs, by=by)
    return {"id": new_id, "address": channel.address, "indicator_id": ind.id, "rule": ind.rule,
            "source": ind.source, "status": status, "instances": instances,
            "supersedes": _supersedes(conn, int(channel.channel_id), profile.id, ind.id, start, end, "manual", new_id)}


def record_ratings(conn: Connection, profile: Profile, start: dt.date, end: dt.date, address: str,
                   levels: Mapping[str, int], *, overdue: int | None = None, indicator_id: str | None = None,
                   by: str | None = None, note: str | None = None, evidence: Sequence[Mapping[str, Any]] = (),
                   channels: Channels | None = None) -> dict[str, Any]:
    """好差评 counts of a channel for the period; levels in Chinese or English names."""
    canon: dict[str, int] = {}
    for name, n in levels.items():
        level = LEVEL_NAMES.get(_norm(name))
        if level is None:
            raise InvalidValue(f"unknown rating level {name!r} (choose from: {', '.join(RATING_LEVELS)})")
        canon[level] = canon.get(level, 0) + int(n)
    channel = (channels or Channels.of(conn, profile)).find(address)
    ind = indicator_for(profile, channel, indicator_id, "rating")
    counts = {level: canon.get(level, 0) for level in RATING_LEVELS}
    new_id = record(conn, channel_id=int(channel.channel_id), profile_id=profile.id, indicator_id=ind.id,
                    start=start, end=end, kind="rating", payload={"levels": counts, "overdue": overdue},
                    note=note, evidence=evidence, by=by)
    r = RatingCounts.from_levels(counts, overdue)
    return {"id": new_id, "address": channel.address, "indicator_id": ind.id, "total": r.total, "bad": r.bad,
            "overdue": overdue}


def record_usage(conn: Connection, profile: Profile, start: dt.date, end: dt.date, address: str, visits: int, *,
                 mobile_share: float | None = None, mobile_visits: int | None = None,
                 indicator_id: str | None = None, by: str | None = None, note: str | None = None,
                 evidence: Sequence[Mapping[str, Any]] = (), channels: Channels | None = None,
                 by_host: bool = False) -> dict[str, Any]:
    """Usage figures of a channel for the period (for every usage indicator, or the one named)."""
    index = channels or Channels.of(conn, profile)
    channel = index.find_host(address) if by_host else index.find(address)
    target = indicator_for(profile, channel, indicator_id, "usage").id if indicator_id else ANY_INDICATOR
    if mobile_share is None and mobile_visits is not None:
        if mobile_visits > visits:
            raise InvalidValue(f"mobile visits ({mobile_visits}) exceed visits ({visits})")
        mobile_share = round(mobile_visits / visits, 6) if visits else None
    new_id = record(conn, channel_id=int(channel.channel_id), profile_id=profile.id, indicator_id=target,
                    start=start, end=end, kind="usage",
                    payload={"visits": visits, "mobile_share": mobile_share, "mobile_visits": mobile_visits},
                    note=note, evidence=evidence, by=by)
    scored = [i.id for i in resolve(profile, channel.kind, channel.tier) if i.source == "usage"
              and (target == ANY_INDICATOR or i.id == target)]
    return {"id": new_id, "address": channel.address, "indicator_id": target, "visits": visits,
            "mobile_share": mobile_share, "scored_by": scored}


# --- CSV imports --------------------------------------------------------------------------------


@dataclass
class ImportReport:
    """What an import did: rows read, inputs stored, bad rows (line, problem), unknown channels,
    and channels whose figures no indicator of the profile scores."""

    file: str
    kind: str
    rows: int = 0
    imported: list[dict[str, Any]] = field(default_factory=list)
    problems: list[dict[str, Any]] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    unscored: list[str] = field(default_factory=list)

    def problem(self, line: int, message: str) -> None:
        self.problems.append({"line": line, "problem": message})

    def as_dict(self) -> dict[str, Any]:
        return {"file": self.file, "kind": self.kind, "rows": self.rows, "imported": len(self.imported),
                "inputs": self.imported, "problems": self.problems, "unknown": self.unknown,
                "unscored": self.unscored}


def _norm(header: str) -> str:
    return re.sub(r"[\s\-]+", "_", header.strip().lower())


def _column(header: list[str], names: Sequence[str]) -> str | None:
    wanted = {_norm(n) for n in names}
    return next((h for h in header if _norm(h) in wanted), None)


def _count(value: str, what: str, blank: int | None = 0) -> int | None:
    text = value.strip().replace(",", "").replace("_", "")
    if not text:
        return blank
    try:
        number = float(text)
    except ValueError:
        raise ValueError(f"{what}: {value!r} is not a number") from None
    if number < 0 or number != int(number):
        raise ValueError(f"{what}: {value!r} is not a whole number >= 0")
    return int(number)


def _share(value: str) -> float | None:
    text = value.strip()
    if not text:
        return None
    percent = text.endswith("%")
    try:
        number = float(text.rstrip("%").strip())
    except ValueError:
        raise ValueError(f"mobile share: {value!r} is not a number") from None
    if percent or number > 1:
        number /= 100  # 45% and 45 both mean 0.45
    if not 0 <= number <= 1:
        raise ValueError(f"mobile share: {value!r} is not between 0 and 100 %")
    return number


def import_ratings(conn: Connection, profile: Profile, start: dt.date, end: dt.date, path: Path, *,
                   by: str | None = None, encoding: str | None = None) -> ImportReport:
    """好差评 counts from a CSV (UTF-8 or GB18030/GBK): a channel address column, an optional
    indicator column (default: the channel's only rating indicator), a column per level
    (非常满意,满意,基本满意,不满意,非常不满意 or very_satisfied,satisfied,basically_satisfied,
    dissatisfied,very_dissatisfied; a blank cell is 0) and an optional overdue column (差评 not
    rectified in time; blank: unknown). Bad rows are reported with their line and skipped; a
    channel given twice keeps its first row."""
    header, rows = read_csv(path, encoding)
    report = ImportReport(str(path), "rating")
    address_col = _column(header, RATING_CHANNEL)
    levels = {h: LEVEL_NAMES[_norm(h)] for h in header if _norm(h) in LEVEL_NAMES}
    if address_col is None or not levels:
        missing = "channel column (channel, address, 渠道)" if address_col is None else "rating level column"
        raise ImportFailed(f"{path}:1: no {missing} (非常满意 … 非常不满意 or very_satisfied … "
                           f"very_dissatisfied); columns: {', '.join(header)}")
    indicator_col = _column(header, RATING_INDICATOR)
    overdue_col = _column(header, RATING_OVERDUE)
    channels = Channels.of(conn, profile)
    seen: dict[tuple[str, str], int] = {}
    for row in rows:
        report.rows += 1
        if row.error:
            report.problem(row.line, row.error)
            continue
        address = row.cells.get(address_col, "")
        try:
            if not address:
                raise InvalidValue("no channel address")
            counts: dict[str, int] = {}
            for col, level in levels.items():
                counts[level] = counts.get(level, 0) + (_count(row.cells.get(col, ""), col) or 0)
            overdue = _count(row.cells.get(overdue_col, ""), overdue_col, None) if overdue_col else None
            RatingCounts.from_levels(counts, overdue)  # overdue <= 差评
            channel = channels.find(address)
            ind = indicator_for(profile, channel, (row.cells.get(indicator_col) or None) if indicator_col else None,
                                "rating")
            key = (channel.channel_id, ind.id)
            if key in seen:
                raise InvalidValue(f"{channel.address} {ind.id} already given at line {seen[key]}")
            seen[key] = row.line
            report.imported.append(record_ratings(
                conn, profile, start, end, channel.address, counts, overdue=overdue, indicator_id=ind.id, by=by,
                note=f"imported from {path.name}:{row.line}", evidence=[{"file": path.name, "line": row.line}],
                channels=channels))
        except NotFound as exc:
            report.unknown.append(address)
            report.problem(row.line, str(exc))
        except (MgovError, ValueError) as exc:
            report.problem(row.line, str(exc))
    return report


def import_usage(conn: Connection, profile: Profile, start: dt.date, end: dt.date, path: Path, *,
                 by: str | None = None, encoding: str | None = None) -> ImportReport:
    """Usage figures from a CSV shaped like the analytics.usa.gov (DAP analytics-reporter) exports.

    Accepted, in any column order, extra columns ignored:
    - a domain column: domain (the exports' name for the host), hostname, host, site, 域名, or a
      channel address / URL; matched to a channel by host name, with or without 'www.';
    - visits (the exports' sessions), or sessions, 访问量;
    - optionally device (desktop, mobile, tablet, smart tv: the devices report) with visits per
      device: the channel's visits are the sum and its mobile share (mobile + tablet) / visits;
    - or optionally mobile_share (0.45, 45 or 45%) or mobile_visits per row;
    - optionally date: rows are summed per domain over the period; a date outside it is a bad row.
    So `domain,visits` (all-domains / top-domains reports), `date,device,visits,domain` (a
    site's devices report) and `domain,visits,mobile_share` all import. Without a date or device
    column a domain given twice is a bad row (its first row counts)."""
    header, rows = read_csv(path, encoding)
    report = ImportReport(str(path), "usage")
    domain_col, visits_col = _column(header, USAGE_DOMAIN), _column(header, USAGE_VISITS)
    if domain_col is None or visits_col is None:
        missing = "domain (or hostname, 域名)" if domain_col is None else "visits (or sessions, 访问量)"
        raise ImportFailed(f"{path}:1: no {missing} column; columns: {', '.join(header)}")
    device_col, date_col = _column(header, USAGE_DEVICE), _column(header, USAGE_DATE)
    share_col, mobile_col = _column(header, USAGE_MOBILE_SHARE), _column(header, USAGE_MOBILE_VISITS)
    channels = Channels.of(conn, profile)
    totals: dict[str, list[Any]] = {}  # channel id -> [visits, mobile visits or None, first line, channel]
    first_line: dict[str, int] = {}
    for row in rows:
        report.rows += 1
        if row.error:
            report.problem(row.line, row.error)
            continue
        domain = row.cells.get(domain_col, "")
        try:
            if not domain:
                raise InvalidValue("no domain")
            visits = _count(row.cells.get(visits_col, ""), visits_col, None)
            if visits is None:
                raise InvalidValue("no visits")
            if date_col:
                day = dt.date.fromisoformat(row.cells.get(date_col, "").strip())
                if not start <= day <= end:
                    raise InvalidValue(f"date {day} is outside the period {start}..{end}")
            mobile: float | None
            if device_col:
                device = row.cells.get(device_col, "").strip().lower()
                if device not in KNOWN_DEVICES:
                    raise InvalidValue(f"unknown device {device!r} (desktop, mobile, tablet, smart tv)")
                mobile = visits if device in MOBILE_DEVICES else 0
            elif mobile_col and row.cells.get(mobile_col, "").strip():
                mobile = _count(row.cells[mobile_col], mobile_col)
                if mobile is not None and mobile > visits:
                    raise InvalidValue(f"mobile visits ({mobile}) exceed visits ({visits})")
            elif share_col and row.cells.get(share_col, "").strip():
                share = _share(row.cells[share_col])
                mobile = None if share is None else share * visits
            else:
                mobile = None
            channel = channels.find_host(domain)
            if not (device_col or date_col) and channel.channel_id in first_line:
                raise InvalidValue(f"{domain} already given at line {first_line[channel.channel_id]}")
            first_line.setdefault(channel.channel_id, row.line)
            slot = totals.setdefault(channel.channel_id, [0, 0.0, row.line, channel])
            slot[0] += visits
            slot[1] = None if slot[1] is None or mobile is None else slot[1] + mobile
        except NotFound as exc:
            report.unknown.append(domain)
            report.problem(row.line, str(exc))
        except (MgovError, ValueError) as exc:
            report.problem(row.line, str(exc))
    for visits, mobile, line, channel in totals.values():
        share = round(mobile / visits, 6) if mobile is not None and visits else None
        out = record_usage(conn, profile, start, end, channel.address, visits, mobile_share=share, by=by,
                           note=f"imported from {path.name}", evidence=[{"file": path.name, "line": line}],
                           channels=channels)
        report.imported.append(out)
        if not out["scored_by"]:
            report.unscored.append(channel.address)
    return report
