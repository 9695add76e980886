"""The assessment's database side: the inputs of a period read into snapshots, and results
stored with them. The engine (score, aggregate) stays pure; its I/O is here and in the input
readers beside it (channels, manual, overturned)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, bindparam, case, func, insert, null, select, update

from mgov import clock
from mgov.assess import manual
from mgov.assess.aggregate import mode_of
from mgov.assess.inputs import (
    ChannelInput,
    DailyFinding,
    FindingStatus,
    ManualInput,
    Observation,
    ProbeWeek,
    RatingCounts,
    UsageFigures,
)
from mgov.assess.results import ChannelResult, IndicatorResult, Rank
from mgov.db import rollups
from mgov.db.tables import ASSESSMENT_RESULTS, ASSESSMENTS, CHANNELS, FINDING_DAYS, FINDINGS, PROBE_DAYS, PROBES
from mgov.profiles import Profile, resolve
from mgov.profiles.model import Indicator


def observations_of(conn: Connection, profile: Profile, channels: list[ChannelInput], start: dt.date,
                    end: dt.date, *, caught_up: bool = False) -> list[Observation]:
    """What each channel's indicators saw in the period: the bound check's finding of each day
    (the day's last; only the latest when every indicator on it reads only that), the
    availability probes by week, and the stored inputs of exactly this period
    (mgov.assess.manual; the newest per channel, indicator and kind): a reviewer's decision on
    any indicator (it outranks findings and probes), 好差评 counts for rating indicators, usage
    figures for usage indicators. Indicators with none stay not assessed. Findings and probes
    are read from their rollups (db.rollups), brought up to date first (unless the caller
    did: caught_up)."""
    if not caught_up:
        rollups.catch_up(conn)
    ids = [int(c.channel_id) for c in channels]
    by_kind: dict[tuple[str, str], list[Indicator]] = {}  # resolved once per kind and tier, not per channel

    def indicators(c: ChannelInput) -> list[Indicator]:
        key = (c.kind, c.tier)
        if key not in by_kind:
            by_kind[key] = resolve(profile, c.kind, c.tier)
        return by_kind[key]

    # (check id, variant) -> channel ids: an indicator with parameters reads the findings
    # judged with exactly those (mgov scan --profile), others the check's own.
    wanted: dict[tuple[str, str | None], set[str]] = defaultdict(set)
    probes_wanted: set[str] = set()
    for c in channels:
        for ind in indicators(c):
            if ind.source == "check" and ind.check:
                wanted[(ind.check, ind.variant)].add(c.channel_id)
            elif ind.source == "probe":
                probes_wanted.add(c.channel_id)
    bound = [ind for key in by_kind for ind in by_kind[key] if ind.source == "check" and ind.check]
    daily = daily_findings(conn, _reading(bound, _EVERY_DAY_MODES), wanted, start, end,
                           valued=_reading(bound, ("instances_from_value",)))
    weeks = probe_day_weeks(conn, [int(c) for c in probes_wanted], start, end) if probes_wanted else {}
    entered = manual.newest(conn, profile.id, ids, start, end)
    out = []
    for c in channels:
        for ind in indicators(c):
            obs: dict[str, Any] = {}
            key = (c.channel_id, ind.check or "", ind.variant)
            if ind.source == "check" and ind.check and key in daily:
                obs["findings"] = daily[key]
            elif ind.source == "probe" and weeks.get(c.channel_id):
                obs["probes"] = weeks[c.channel_id]
            elif ind.source == "rating" and (row := entered.get((c.channel_id, ind.id, "rating"))) is not None:
                obs["ratings"] = manual.as_ratings(row)
            elif ind.source == "usage" and (row := entered.get((c.channel_id, ind.id, "usage"))
                                            or entered.get((c.channel_id, manual.ANY_INDICATOR, "usage"))) is not None:
                obs["usage"] = manual.as_usage(row)
            if (row := entered.get((c.channel_id, ind.id, "manual"))) is not None:
                obs["manual"] = manual.as_manual(row)
            if obs:
                out.append(Observation(c.channel_id, ind.id, **obs))
    return out


def probe_weeks(conn: Connection, channel_ids: list[int], since: dt.datetime,
                until: dt.datetime | None = None) -> dict[str, list[ProbeWeek]]:
    """Per channel, its availability probes in [since, until) as weeks (Monday to Sunday, UTC),
    read from the probes themselves (a task's re-check of one channel, any time of day): the
    database counts them per day, Python folds the days into weeks."""
    day = _utc_day(conn, PROBES.c.at)
    weeks: dict[str, dict[dt.date, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for i in range(0, len(channel_ids), 500):
        query = (select(PROBES.c.channel_id, day, func.count(), func.sum(case((PROBES.c.ok, 0), else_=1)))
                 .where(PROBES.c.channel_id.in_(channel_ids[i:i + 500]), PROBES.c.at >= since)
                 .group_by(PROBES.c.channel_id, day))
        if until is not None:
            query = query.where(PROBES.c.at < until)
        for cid, on, n, failed in conn.execute(query):
            on = _as_date(on)
            week = weeks[str(cid)][on - dt.timedelta(days=on.weekday())]
            week[0] += int(n)
            week[1] += int(failed or 0)
    return {cid: [ProbeWeek(w, n, failed) for w, (n, failed) in sorted(by_week.items())]
            for cid, by_week in weeks.items()}


def _as_date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


def _utc_day(conn: Connection, column: Any) -> Any:
    """The UTC date of a timestamp column, in SQL."""
    if conn.dialect.name == "postgresql":
        return func.date(func.timezone("UTC", column))
    return func.date(column)  # SQLite stores UTC text


def probe_day_weeks(conn: Connection, channel_ids: list[int], start: dt.date,
                    end: dt.date | None = None) -> dict[str, list[ProbeWeek]]:
    """Per channel, its availability probes from start to end (inclusive) as weeks (Monday to
    Sunday, UTC), from the counts per UTC day (probe_days)."""
    weeks: dict[str, dict[dt.date, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    for i in range(0, len(channel_ids), 500):
        query = (select(PROBE_DAYS.c.channel_id, PROBE_DAYS.c.day, PROBE_DAYS.c.probes, PROBE_DAYS.c.failed)
                 .where(PROBE_DAYS.c.channel_id.in_(channel_ids[i:i + 500]), PROBE_DAYS.c.day >= start))
        if end is not None:
            query = query.where(PROBE_DAYS.c.day <= end)
        for cid, on, n, failed in conn.execute(query):
            week = weeks[str(cid)][on - dt.timedelta(days=on.weekday())]
            week[0] += int(n)
            week[1] += int(failed)
    return {cid: [ProbeWeek(w, n, failed) for w, (n, failed) in sorted(by_week.items())]
            for cid, by_week in weeks.items() if by_week}


# Modes that read every day of the window; the others (latest, instances_from_value) read the
# latest usable finding only.
_EVERY_DAY_MODES = ("worst", "any_fail", "fail_days_ratio")
_USABLE = ("pass", "warn", "fail")
_Key = tuple[str, str, str | None]  # channel id, check id, variant
_Day = tuple[dt.date, FindingStatus, int]  # day, the day's last status, its finding id


def _reading(indicators: list[Indicator], modes: tuple[str, ...]) -> set[tuple[str, str | None]]:
    """The (check, variant) pairs some of these check indicators aggregate with one of these modes."""
    return {(ind.check or "", ind.variant) for ind in indicators if mode_of(ind) in modes}


def daily_findings(conn: Connection, every_day: set[tuple[str, str | None]],
                   wanted: Mapping[tuple[str, str | None], set[str]], start: dt.date,
                   end: dt.date, valued: set[tuple[str, str | None]] | None = None) -> dict[_Key, list[DailyFinding]]:
    """Per (channel, check, variant), from finding_days: the day's last finding of every day
    (for the pairs in every_day), or else only the latest day's, one row each, when that
    one is usable (the latest modes read nothing else; when it is not, every day, as the
    aggregation then counts them). Evidence (JSON, the costly part) is read from the findings
    for the latest usable and the last finding, and for every-day pairs the failing and
    warning days; the value as well for the pairs in valued (None: all), the ones an
    indicator counts instances from."""
    days: dict[_Key, list[_Day]] = {}
    for (check, variant), channel_ids in wanted.items():
        ids = sorted(int(c) for c in channel_ids)
        if (check, variant) in every_day:
            days.update(_all_days(conn, check, variant, ids, start, end))
            continue
        latest = _latest_days(conn, check, variant, ids, start, end)
        days.update(latest)
        unusable = sorted(int(cid) for (cid, _, _), rows in latest.items() if rows[-1][1] not in _USABLE)
        if unusable:
            days.update(_all_days(conn, check, variant, unusable, start, end))
    needed: set[int] = set()
    for (_, check, variant), ordered in days.items():
        needed.add(ordered[-1][2])
        usable = [fid for _, status, fid in ordered if status in _USABLE]
        if usable:
            needed.add(usable[-1])
        if (check, variant) in every_day:
            needed.update(fid for _, status, fid in ordered if status in ("fail", "warn"))
    with_value = {fid for (_, check, variant), ordered in days.items()
                  if valued is None or (check, variant) in valued for _, _, fid in ordered} & needed
    data: dict[int, tuple[Any, Any]] = {}
    for ids, value_column in ((sorted(with_value), FINDINGS.c.value),
                              (sorted(needed - with_value), null().label("value"))):
        for i in range(0, len(ids), 500):
            rows = select(FINDINGS.c.id, value_column, FINDINGS.c.evidence).where(FINDINGS.c.id.in_(ids[i:i + 500]))
            data.update((fid, (value, evidence)) for fid, value, evidence in conn.execute(rows))
    return {key: [DailyFinding(day, status, *(data[fid][0], data[fid][1] or ()) if fid in data else (None, ()))
                  for day, status, fid in ordered]
            for key, ordered in days.items()}


def _all_days(conn: Connection, check: str, variant: str | None, ids: list[int], start: dt.date,
              end: dt.date) -> dict[_Key, list[_Day]]:
    fd = FINDING_DAYS.c
    out: dict[_Key, list[_Day]] = defaultdict(list)
    for i in range(0, len(ids), 500):
        query = (select(fd.channel_id, fd.day, fd.status, fd.finding_id)
                 .where(fd.channel_id.in_(ids[i:i + 500]), fd.check_id == check, fd.variant == (variant or ""),
                        fd.day >= start, fd.day <= end)
                 .order_by(fd.channel_id, fd.day))
        for cid, day, status, fid in conn.execute(query):
            out[(str(cid), check, variant)].append((day, status, fid))
    return out


def _latest_days(conn: Connection, check: str, variant: str | None, ids: list[int], start: dt.date,
                 end: dt.date) -> dict[_Key, list[_Day]]:
    """Each channel's latest day of the period: one index seek per channel (the rollup's key)."""
    fd, d2 = FINDING_DAYS.c, FINDING_DAYS.alias("d2").c
    last = (select(func.max(d2.day)).where(d2.channel_id == CHANNELS.c.id, d2.check_id == check,
                                            d2.variant == (variant or ""), d2.day >= start, d2.day <= end)
            .scalar_subquery())
    out: dict[_Key, list[_Day]] = {}
    for i in range(0, len(ids), 500):
        query = (select(fd.channel_id, fd.day, fd.status, fd.finding_id)
                 .select_from(CHANNELS.join(FINDING_DAYS, (fd.channel_id == CHANNELS.c.id) & (fd.check_id == check)
                                            & (fd.variant == (variant or "")) & (fd.day == last)))
                 .where(CHANNELS.c.id.in_(ids[i:i + 500])))
        for cid, day, status, fid in conn.execute(query):
            out[(str(cid), check, variant)] = [(day, status, fid)]
    return out


def _utc(at: dt.datetime) -> dt.datetime:
    return at.replace(tzinfo=dt.UTC) if at.tzinfo is None else at.astimezone(dt.UTC)


def plain(value: Any) -> Any:
    """JSON-ready: dataclasses as dicts, tuples as lists, dates as ISO strings."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):  # an instance, not a dataclass itself
        value = dataclasses.asdict(value)
    return json.loads(json.dumps(value, default=lambda v: v.isoformat() if hasattr(v, "isoformat") else str(v)))


def snapshot(observations: Iterable[Observation]) -> dict[str, list[dict[str, Any]]]:
    """Per channel, its observations as JSON (what the result was computed from)."""
    out: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for o in observations:
        out[o.channel_id].append(observation_dict(o))
    return out


def channel_from_snapshot(d: dict[str, Any]) -> ChannelInput:
    return ChannelInput(d["channel_id"], d["address"], d["kind"], d["tier"], d["org_code"], tuple(d["tags"]),
                        d["no_external_service"])


def observation_from_snapshot(o: Mapping[str, Any]) -> Observation:
    """The inverse of store.plain() for one observation, inputs included (manual, ratings,
    usage), so a recomputation from the stored snapshot sees what the assessment saw."""
    m, r, u = o.get("manual"), o.get("ratings"), o.get("usage")
    return Observation(
        o["channel_id"], o["indicator_id"],
        findings=_findings_from_snapshot(o.get("findings") or ()),
        probes=[ProbeWeek(dt.date.fromisoformat(p["week_start"]), p["probes"], p["failed"])
                for p in o.get("probes", ())],
        manual=ManualInput(m["status"], m["instances"], m["note"], m["evidence"]) if m else None,
        ratings=RatingCounts(r["total"], r["bad"], r["overdue"]) if r else None,
        usage=UsageFigures(u["visits"], u["mobile_share"]) if u else None)


# A day's finding status in a snapshot, one letter each ('.': no finding that day).
_LETTER: dict[FindingStatus, str] = {"pass": "p", "fail": "f", "warn": "w", "error": "e", "not_applicable": "n"}
_STATUS: dict[str, FindingStatus] = {v: k for k, v in _LETTER.items()}


def _findings_snapshot(findings: Sequence[DailyFinding]) -> dict[str, Any] | list[Any]:
    """The daily findings, compact: the first day, a letter per day, and the value and
    evidence of the findings that carry them (the ones the aggregation read)."""
    if not findings:
        return []
    if len(findings) == 1:  # the latest modes' usual case, kept short
        f = findings[0]
        return {"from": f.day.isoformat(), "statuses": _LETTER[f.status],
                "data": [[0, f.value, list(f.evidence)]] if f.value is not None or f.evidence else []}
    first = findings[0].day
    letters = ["."] * ((findings[-1].day - first).days + 1)
    data = []
    for f in findings:
        offset = (f.day - first).days
        letters[offset] = _LETTER[f.status]
        if f.value is not None or f.evidence:
            data.append([offset, f.value, list(f.evidence)])  # fresh dicts already (DailyFinding copies)
    return {"from": first.isoformat(), "statuses": "".join(letters), "data": data}


def _findings_from_snapshot(stored: Any) -> list[DailyFinding]:
    """The inverse of _findings_snapshot; also reads the earlier form (a dict per day)."""
    if not stored:
        return []
    if isinstance(stored, list):
        return [DailyFinding(dt.date.fromisoformat(f["day"]), f["status"], f.get("value"), f.get("evidence") or ())
                for f in stored]
    first = dt.date.fromisoformat(stored["from"])
    data = {offset: (value, evidence) for offset, value, evidence in stored["data"]}
    return [DailyFinding(first + dt.timedelta(days=i), _STATUS[letter], *data.get(i, (None, ())))
            for i, letter in enumerate(stored["statuses"]) if letter != "."]


def from_snapshot(rows: list[dict[str, Any]]) -> list[Observation]:
    """The inverse of snapshot() for one channel."""
    return [observation_from_snapshot(o) for o in rows]


def result_from_dict(d: dict[str, Any]) -> ChannelResult:
    fields = {f.name for f in dataclasses.fields(ChannelResult)}
    data = {k: v for k, v in d.items() if k in fields}
    data["indicators"] = tuple(IndicatorResult(**{**i, "evidence": tuple(i["evidence"])}) for i in d["indicators"])
    data["vetoes_failed"] = tuple(d["vetoes_failed"])
    data["reasons"] = tuple(d.get("reasons", ()))
    return ChannelResult(**data)


def create(conn: Connection, profile: Profile, period: str, start: dt.date, end: dt.date,
           params: dict[str, Any]) -> int:
    return int(conn.execute(insert(ASSESSMENTS).values(
        profile_id=profile.id, period=period, start=start, end=end, created_at=clock.now(),
        params=params).returning(ASSESSMENTS.c.id)).scalar_one())


def supersede(conn: Connection, assessment_id: int, profile_id: str, start: dt.date, end: dt.date,
              org: str | None) -> int:
    """Make assessment_id the current version of its profile, period and selection: the
    current one before it (if any) is superseded by it, kept for history. Its version number."""
    rows = conn.execute(select(ASSESSMENTS.c.id, ASSESSMENTS.c.version, ASSESSMENTS.c.params).where(
        ASSESSMENTS.c.profile_id == profile_id, ASSESSMENTS.c.start == start, ASSESSMENTS.c.end == end,
        ASSESSMENTS.c.id != assessment_id)).all()
    same = [r for r in rows if (r.params or {}).get("org") == org]
    version = max((r.version or 1 for r in same), default=0) + 1
    if same:
        conn.execute(update(ASSESSMENTS).where(ASSESSMENTS.c.id.in_([r.id for r in same]),
                                               ASSESSMENTS.c.superseded_by.is_(None))
                     .values(superseded_by=assessment_id))
    conn.execute(update(ASSESSMENTS).where(ASSESSMENTS.c.id == assessment_id).values(version=version))
    return version


def shown_rank(row: Any) -> int | None:
    """The rank a result row shows: its competition rank (place) when ranked; rows stored
    without one fall back to the listing position."""
    if not row.complete or row.verdict == "not_assessed":
        return None
    shown = row.place if row.place is not None else row.rank
    return None if shown is None else int(shown)


# result_rows() gives the columns after assessment_id, in this order ({j}: a cast to json on PostgreSQL).
_RESULTS_INSERT = ("INSERT INTO assessment_results (assessment_id, channel_id, verdict, score, grade, tier, kind, "
                   "vetoes, complete, not_assessed_share, result, inputs) "
                   "VALUES ({m}, {m}, {m}, {m}, {m}, {m}, {m}, {m}, {m}, {m}, {m}{j}, {m}{j})")


def result_rows(channels: list[ChannelInput], results: list[ChannelResult],
                inputs: dict[str, list[dict[str, Any]]], changes: dict[str, Any]) -> list[tuple[Any, ...]]:
    """The rows of some channels' results (the columns of _RESULTS_INSERT), each with its input snapshot,
    short of the assessment's id (ranks come later). The JSON columns are encoded here: a
    worker process that scores chunks (assess.chunks) hands over strings, cheap to pass."""
    channel_inputs = {c.channel_id: plain(c) for c in channels}
    return [(int(r.channel_id), r.verdict, r.score, r.grade, r.tier, r.kind, len(r.vetoes_failed), r.complete,
             r.not_assessed_share, json.dumps({**result_dict(r), "change": changes.get(r.channel_id)}),
             json.dumps({"channel": channel_inputs[r.channel_id], "observations": inputs.get(r.channel_id, [])}))
            for r in results]


def save_results(conn: Connection, assessment_id: int, rows: list[tuple[Any, ...]]) -> None:
    """Rows of result_rows(), stored as the assessment's, through the driver's executemany
    (the JSON is encoded already)."""
    if not rows:
        return
    qmark = conn.dialect.paramstyle == "qmark"
    conn.exec_driver_sql(_RESULTS_INSERT.format(m="?" if qmark else "%s", j="" if qmark else "::json"),
                         [(assessment_id, *r) for r in rows])


def save_ranks(conn: Connection, assessment_id: int, ranks: list[Rank]) -> None:
    """The rank column holds the listing position (ranked results 1..k, then the incomplete
    ones; the ranking index pages by it), place the rank shown (ties share it), rank_of the
    number ranked; `complete` tells which."""
    statement = (update(ASSESSMENT_RESULTS)
                 .where(ASSESSMENT_RESULTS.c.assessment_id == bindparam("aid"),
                        ASSESSMENT_RESULTS.c.channel_id == bindparam("cid"))
                 .values(rank=bindparam("r"), rank_of=bindparam("n"), place=bindparam("p")))
    rows = [{"aid": assessment_id, "cid": int(k.channel_id), "r": k.position, "n": k.of, "p": k.rank}
            for k in ranks]
    for i in range(0, len(rows), 1000):
        conn.execute(statement, rows[i:i + 1000])


def result_dict(r: ChannelResult) -> dict[str, Any]:
    """A result as JSON-ready data, built directly (plain() would deep-copy and re-encode it)."""
    return {"profile_id": r.profile_id, "channel_id": r.channel_id, "address": r.address, "kind": r.kind,
            "tier": r.tier, "org_code": r.org_code, "verdict": r.verdict, "score": r.score, "grade": r.grade,
            "vetoes_failed": list(r.vetoes_failed), "not_assessed": r.not_assessed, "base": r.base,
            "bonus": r.bonus, "reasons": list(r.reasons), "complete": r.complete,
            "not_assessed_share": r.not_assessed_share, "monitored": r.monitored,
            "monitored_not_assessed": r.monitored_not_assessed, "observed_score": r.observed_score,
            "indicators": [{"id": i.id, "rule": i.rule, "category": i.category, "status": i.status,
                            "instances": i.instances, "points": i.points,
                            "evidence": list(i.evidence), "detail": i.detail} for i in r.indicators]}


def observation_dict(o: Observation) -> dict[str, Any]:
    """An observation as JSON-ready data, built directly; observation_from_snapshot reads it."""
    m, r, u = o.manual, o.ratings, o.usage
    out: dict[str, Any] = {"channel_id": o.channel_id, "indicator_id": o.indicator_id}
    # Only the sources observed: 20,000 channels x 50 indicators of empty keys add up.
    if o.findings:
        out["findings"] = _findings_snapshot(o.findings)
    if o.probes:
        out["probes"] = [{"week_start": p.week_start.isoformat(), "probes": p.probes, "failed": p.failed}
                         for p in o.probes]
    if m:
        out["manual"] = {"status": m.status, "instances": m.instances, "note": m.note,
                         "evidence": [dict(e) for e in m.evidence]}
    if r:
        out["ratings"] = {"total": r.total, "bad": r.bad, "overdue": r.overdue}
    if u:
        out["usage"] = {"visits": u.visits, "mobile_share": u.mobile_share}
    return out
