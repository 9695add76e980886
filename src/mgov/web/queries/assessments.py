"""Assessments, their results and rankings, and the overview's figures, within scope."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Integer, case, cast, func, select

from mgov.accounts import Scope
from mgov.assess.counts import tally
from mgov.db.tables import ASSESSMENT_RESULTS, ASSESSMENTS, CHANNELS, ORGS
from mgov.errors import NotFound
from mgov.web.queries import Memo, page

R = ASSESSMENT_RESULTS
HEAD = (ASSESSMENTS.c.id, ASSESSMENTS.c.profile_id, ASSESSMENTS.c.period, ASSESSMENTS.c.start, ASSESSMENTS.c.end,
        ASSESSMENTS.c.created_at, ASSESSMENTS.c.version, ASSESSMENTS.c.superseded_by)
RESULT = (R.c.channel_id, CHANNELS.c.address, CHANNELS.c.name, ORGS.c.code.label("owner"), R.c.tier, R.c.kind,
          R.c.verdict, R.c.vetoes, R.c.score, R.c.grade, R.c.rank, R.c.rank_of, R.c.place, R.c.complete,
          R.c.not_assessed_share)
CURRENT = ASSESSMENTS.c.superseded_by.is_(None)  # the latest version of each profile, period and selection


def _ranked(row: dict[str, Any]) -> dict[str, Any]:
    """A result row as the faces show it: the stored rank column is the place in the ranking
    listing (`position`); only a complete result has a rank, shared by ties (the stored place;
    rank_of: the number ranked)."""
    row["position"] = row["rank"]
    place = row.pop("place", None)
    if not row["complete"] or row.get("verdict") == "not_assessed":
        row["rank"] = None
    elif place is not None:
        row["rank"] = place
    return row


def list_assessments(conn: Connection, scope: Scope, *, profile: str | None = None, after: int | None = None,
                     limit: int = 50, versions: bool = False) -> tuple[list[dict[str, Any]], Any]:
    """Assessments newest first that assessed at least one channel in scope: the current
    version of each (with versions, the superseded ones too)."""
    query = select(*HEAD).order_by(ASSESSMENTS.c.id.desc()).limit(limit + 1)
    if not versions:
        query = query.where(CURRENT)
    if not scope.everything:
        query = query.where(ASSESSMENTS.c.id.in_(select(R.c.assessment_id).where(scope.channels(R.c.channel_id))))
    if profile:
        query = query.where(ASSESSMENTS.c.profile_id == profile)
    if after:
        query = query.where(ASSESSMENTS.c.id < after)
    return page([dict(r._mapping) for r in conn.execute(query)], limit)


def head(conn: Connection, scope: Scope, assessment_id: int | None = None) -> dict[str, Any]:
    """One assessment (the newest in scope when no id) with its verdict counts in scope."""
    if assessment_id is None:
        rows, _ = list_assessments(conn, scope, limit=1)
        if not rows:
            raise NotFound("no assessment yet")
        return head(conn, scope, rows[0]["id"])
    row = conn.execute(select(*HEAD).where(ASSESSMENTS.c.id == assessment_id)).first()
    verdicts: dict[str, int] = {}
    incomplete = 0
    for verdict, complete, n in conn.execute(select(R.c.verdict, R.c.complete, func.count()).where(
            R.c.assessment_id == assessment_id, scope.channels(R.c.channel_id)).group_by(R.c.verdict, R.c.complete)):
        verdicts[verdict] = verdicts.get(verdict, 0) + n
        incomplete += 0 if complete else n
    if row is None or not verdicts:
        raise NotFound(f"no assessment {assessment_id}")
    groups = conn.execute(select(R.c.tier, R.c.kind, func.count()).where(
        R.c.assessment_id == assessment_id, scope.channels(R.c.channel_id)).group_by(R.c.tier, R.c.kind)
        .order_by(R.c.tier, R.c.kind)).all()
    return {**dict(row._mapping), "verdicts": verdicts, "incomplete": incomplete,
            "counts": tally(verdicts, incomplete).as_dict(),
            "groups": [{"tier": t, "kind": k, "channels": n} for t, k, n in groups]}


def results(conn: Connection, scope: Scope, assessment_id: int, *, tier: str | None = None, kind: str | None = None,
            verdict: str | None = None, vetoed: bool | None = None, complete: bool | None = None, after: int = 0,
            limit: int = 50) -> tuple[list[dict[str, Any]], Any]:
    """Results in ranking order (tier, kind, position: the ranked results, then the incomplete
    ones, 1..n without gaps within a tier and kind; the rank column holds it). Within one tier
    and kind `after` is the last position of the previous page (a range read of the ranking
    index, however deep); across groups it is an offset."""
    keyset = tier is not None and kind is not None
    ids = (select(R.c.channel_id, R.c.tier, R.c.kind, R.c.rank)
           .where(R.c.assessment_id == assessment_id, scope.channels(R.c.channel_id))
           .order_by(R.c.tier, R.c.kind, R.c.rank).limit(limit + 1))
    for column, value in ((R.c.tier, tier), (R.c.kind, kind), (R.c.verdict, verdict)):
        if value:
            ids = ids.where(column == value)
    if vetoed is not None:
        ids = ids.where(R.c.vetoes > 0 if vetoed else R.c.vetoes == 0)
    if complete is not None:
        ids = ids.where(R.c.complete.is_(complete))
    ids = ids.where(R.c.rank > after) if keyset else ids.offset(after)
    # The page's 51 channel ids first (from the index), then their details: the joins run for
    # the page, not for every row an offset skips.
    chosen = ids.subquery()
    query = (select(*RESULT).select_from(chosen)
             .join(R, (R.c.assessment_id == assessment_id) & (R.c.channel_id == chosen.c.channel_id))
             .join(CHANNELS, CHANNELS.c.id == R.c.channel_id).outerjoin(ORGS, ORGS.c.id == CHANNELS.c.owner_id)
             .order_by(chosen.c.tier, chosen.c.kind, chosen.c.rank))
    rows = [_ranked(dict(r._mapping)) for r in conn.execute(query)]
    items, more = page(rows, limit, key="position")
    if more is None:
        return items, None
    return items, (more if keyset else after + limit)


def result(conn: Connection, scope: Scope, assessment_id: int, channel_id: int) -> dict[str, Any]:
    """A channel's result with its indicator breakdown and evidence."""
    row = conn.execute(select(*RESULT, R.c.result).join(CHANNELS, CHANNELS.c.id == R.c.channel_id)
                       .outerjoin(ORGS, ORGS.c.id == CHANNELS.c.owner_id)
                       .where(R.c.assessment_id == assessment_id, R.c.channel_id == channel_id,
                              scope.channels(R.c.channel_id))).first()
    if row is None:
        raise NotFound(f"channel {channel_id} has no result in assessment {assessment_id}")
    out = dict(row._mapping)
    full = out.pop("result")
    return {**_ranked(out), "assessment": assessment_id, "vetoes_failed": full.get("vetoes_failed", []),
            "not_assessed": full.get("not_assessed"), "base": full.get("base"), "bonus": full.get("bonus"),
            "reasons": full.get("reasons", []), "change": full.get("change"),
            "observed_score": full.get("observed_score"), "monitored": full.get("monitored"),
            "monitored_not_assessed": full.get("monitored_not_assessed"), "indicators": full.get("indicators", [])}


def channel_scores(conn: Connection, channel_id: int, limit: int = 12) -> list[dict[str, Any]]:
    """A channel's results across assessments (their current versions), newest first (the
    caller checked scope)."""
    return [_ranked(dict(r._mapping)) for r in conn.execute(
        select(*HEAD, R.c.verdict, R.c.score, R.c.grade, R.c.rank, R.c.rank_of, R.c.place, R.c.complete,
               R.c.not_assessed_share)
        .join(R, R.c.assessment_id == ASSESSMENTS.c.id).where(R.c.channel_id == channel_id, CURRENT)
        .order_by(ASSESSMENTS.c.id.desc()).limit(limit))]


def score_histogram(conn: Connection, scope: Scope, assessment_id: int, bins: int = 10,
                    total: float = 100.0) -> dict[str, list[int]]:
    """Per tier: how many scored channels fall in each of `bins` equal score bands
    (bonus points above the total count in the top band)."""
    width = total / bins
    # CAST truncates like floor for scores >= 0, and every SQLite has it (floor() is optional).
    band = case((R.c.score >= total, bins - 1), else_=cast(R.c.score / width, Integer))
    rows = conn.execute(select(R.c.tier, band.label("band"), func.count())
                        .where(R.c.assessment_id == assessment_id, R.c.score.is_not(None),
                               scope.channels(R.c.channel_id)).group_by(R.c.tier, band)).all()
    out: dict[str, list[int]] = {}
    for tier, b, n in rows:
        out.setdefault(tier or "?", [0] * bins)[max(0, min(int(b), bins - 1))] += n
    return out


def veto_count(conn: Connection, scope: Scope, assessment_id: int) -> int:
    return int(conn.execute(select(func.count()).select_from(R).where(
        R.c.assessment_id == assessment_id, R.c.vetoes > 0, scope.channels(R.c.channel_id))).scalar_one())


def trend(conn: Connection, scope: Scope, profile_id: str, limit: int = 8) -> list[dict[str, Any]]:
    """Mean score and vetoed share of the newest assessments of a profile (current versions),
    oldest first."""
    rows = conn.execute(
        select(ASSESSMENTS.c.id, ASSESSMENTS.c.period, func.avg(R.c.score).label("mean"),
               func.count().label("channels"), func.sum(case((R.c.vetoes > 0, 1), else_=0)).label("vetoed"))
        .join(R, R.c.assessment_id == ASSESSMENTS.c.id)
        .where(ASSESSMENTS.c.profile_id == profile_id, CURRENT, scope.channels(R.c.channel_id))
        .group_by(ASSESSMENTS.c.id, ASSESSMENTS.c.period).order_by(ASSESSMENTS.c.id.desc()).limit(limit)).all()
    return [{"assessment": r.id, "period": r.period, "mean": round(float(r.mean), 2) if r.mean is not None else None,
             "channels": r.channels, "vetoed": int(r.vetoed or 0)} for r in reversed(rows)]


def channel_status_counts(conn: Connection, scope: Scope) -> dict[str, int]:
    return dict(conn.execute(select(CHANNELS.c.status, func.count()).where(scope.orgs(CHANNELS.c.owner_id))
                             .group_by(CHANNELS.c.status)).all())


def overview(conn: Connection, scope: Scope, memo: Memo) -> dict[str, Any]:
    """The overview's figures: channels by status, and of the newest assessment in scope its
    verdicts, groups, vetoed channels, score histogram per tier and the profile's trend (those
    memoized per assessment and scope: a stored assessment never changes)."""
    out: dict[str, Any] = {"statuses": channel_status_counts(conn, scope), "assessment": None}
    newest, _ = list_assessments(conn, scope, limit=1)
    if newest:
        aid = newest[0]["id"]

        def figures() -> dict[str, Any]:
            top = head(conn, scope, aid)
            return {"assessment": top, "vetoes": veto_count(conn, scope, aid),
                    "histogram": score_histogram(conn, scope, aid), "trend": trend(conn, scope, top["profile_id"])}

        out.update(memo.get(("overview", aid, scope.root_id), figures))
    return out


def head_memo(conn: Connection, scope: Scope, assessment_id: int, memo: Memo) -> dict[str, Any]:
    """head(), memoized: a stored assessment's counts never change; only superseded_by does
    (a re-run of its profile and period), so that is read afresh."""
    found = memo.get(("head", assessment_id, scope.root_id), lambda: head(conn, scope, assessment_id))
    newer = conn.execute(select(ASSESSMENTS.c.superseded_by).where(ASSESSMENTS.c.id == assessment_id)).scalar()
    return {**found, "superseded_by": newer}
