"""An assessment from start to finish: the one path the CLI and tests take."""

from __future__ import annotations

import datetime as dt
import gc
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select

from mgov.assess import store
from mgov.assess.channels import channels_of
from mgov.assess.chunks import Scope, chunked, scored_chunks, workers_for
from mgov.assess.counts import tally
from mgov.assess.overturned import overturned_in_period
from mgov.assess.period import parse_period
from mgov.assess.rank import rank
from mgov.assess.results import ChannelResult
from mgov.assess.score import assess
from mgov.db import rollups
from mgov.db.tables import ASSESSMENT_RESULTS, ASSESSMENTS, CHANNELS
from mgov.errors import MgovError, NotFound
from mgov.profiles import load


def run_assessment(engine: Engine, profile_id: str, period: str, *, org: str | None = None,
                   profile_dirs: list[Path] | None = None, detail: bool = True,
                   workers: int | None = None) -> dict[str, Any]:
    """Assess the channels the profile covers over the period; store and summarize (with
    each channel's indicator breakdown when detail). Assessing a profile, period and selection
    again stores a new version: the previous one stays readable, superseded by it. Chunks of
    channels are scored by `workers` processes (assess.chunks; None: one a core for a large
    assessment, 0: in this process); the results are the same either way."""
    try:
        start, end = parse_period(period)
    except ValueError as exc:
        raise MgovError(str(exc)) from exc
    profile = load(profile_id, dirs=profile_dirs or [])
    with engine.begin() as conn:  # rows from before the rollups (or written around them) are folded in first
        rollups.catch_up(conn)
    with engine.connect() as conn:
        channels = channels_of(conn, profile, org)
        if not channels:
            raise MgovError(f"no open channel of the kinds of {profile_id} ({', '.join(profile.kinds)}) "
                            f"in jurisdiction {profile.jurisdiction}" + (f" under {org}" if org else ""))
        decided = overturned_in_period(conn, profile_id, start, end)
        previous = {r.channel_id: r for r in _previous(conn, profile_id, start, org)}
    results: list[ChannelResult] = []
    trends: dict[str, Any] = {}
    scope = Scope(profile, start, end, decided, compared=bool(previous))
    # A chunk of channels at a time: the period's findings of 20,000 channels do not fit
    # in memory at once, and the results of one chunk do not depend on another's.
    chunks = chunked(channels)
    with engine.begin() as conn:
        assessment_id = store.create(conn, profile, period, start, end, {"org": org})
        version = store.supersede(conn, assessment_id, profile.id, start, end, org)
        try:
            # What the chunks before built lives to the end (ranked then): the cyclic collector
            # would walk it again and again (a third of the CPU at 20,000 channels). Frozen chunk
            # by chunk, it is left alone; each chunk's own garbage is still collected.
            for scored in scored_chunks(conn, engine, scope, chunks, previous,
                                        workers_for(engine, len(chunks), workers)):
                gc.freeze()
                store.save_results(conn, assessment_id, scored.rows)
                results.extend(scored.results)
                trends.update(scored.trends)
        finally:
            gc.unfreeze()
        ranks = rank(results)
        store.save_ranks(conn, assessment_id, ranks)
    if detail:
        return summary(engine, assessment_id, detail=True)
    # What was just stored, without reading 20,000 results back.
    places = {k.channel_id: k for k in ranks}
    rows = [{"address": r.address, "tier": r.tier, "kind": r.kind, "verdict": r.verdict, "score": r.score,
             "grade": r.grade, "rank": places[r.channel_id].rank, "of": places[r.channel_id].of,
             "vetoes": list(r.vetoes_failed), "not_assessed": r.not_assessed, "trend": trends.get(r.channel_id),
             "position": places[r.channel_id].position, "complete": r.complete,
             "not_assessed_share": r.not_assessed_share, "observed_score": r.observed_score}
            for r in results]
    return _summarized({"assessment": assessment_id, "profile": profile.id, "period": period,
                        "start": start.isoformat(), "end": end.isoformat(), "version": version,
                        "superseded_by": None}, rows)


def _previous(conn: Any, profile_id: str, start: dt.date, org: str | None) -> list[Any]:
    """The results of the newest earlier assessment with the same profile and selection (its
    current version)."""
    rows = conn.execute(select(ASSESSMENTS).where(ASSESSMENTS.c.profile_id == profile_id, ASSESSMENTS.c.end < start,
                                                  ASSESSMENTS.c.superseded_by.is_(None))
                        .order_by(ASSESSMENTS.c.end.desc(), ASSESSMENTS.c.id.desc())).all()
    prev = next((r for r in rows if (r.params or {}).get("org") == org), None)
    if prev is None:
        return []
    return [store.result_from_dict(r.result) for r in conn.execute(
        select(ASSESSMENT_RESULTS.c.result).where(ASSESSMENT_RESULTS.c.assessment_id == prev.id))]


def summary(engine: Engine, assessment_id: int | None = None, *, detail: bool = True) -> dict[str, Any]:
    """An assessment (the newest when no id: a current version) with its channels' verdicts,
    scores and ranks, and with detail each channel's indicator breakdown."""
    with engine.connect() as conn:
        query = select(ASSESSMENTS)
        query = (query.where(ASSESSMENTS.c.id == assessment_id) if assessment_id
                 else query.order_by(ASSESSMENTS.c.id.desc()).limit(1))
        head = conn.execute(query).first()
        if head is None:
            raise NotFound(f"no assessment {assessment_id}" if assessment_id
                           else "no assessment yet: run `mgov assess --profile ID --period 2026Q4`")
        rows = conn.execute(select(CHANNELS.c.address, ASSESSMENT_RESULTS)
                            .join(CHANNELS, CHANNELS.c.id == ASSESSMENT_RESULTS.c.channel_id)
                            .where(ASSESSMENT_RESULTS.c.assessment_id == head.id)).all()
    channels = [{"address": r.address, "tier": r.result["tier"], "kind": r.result["kind"],
                 "verdict": r.verdict, "score": r.score, "grade": r.grade, "rank": store.shown_rank(r),
                 "of": r.rank_of, "vetoes": r.result["vetoes_failed"], "not_assessed": r.result["not_assessed"],
                 "trend": (r.result.get("change") or {}).get("trend"), "position": r.rank, "complete": r.complete,
                 "not_assessed_share": r.not_assessed_share, "observed_score": r.result.get("observed_score"),
                 **({"indicators": r.result["indicators"], "reasons": r.result.get("reasons", [])} if detail else {})}
                for r in rows]
    return _summarized({"assessment": head.id, "profile": head.profile_id, "period": head.period,
                        "start": head.start.isoformat(), "end": head.end.isoformat(), "version": head.version,
                        "superseded_by": head.superseded_by}, channels)


def _summarized(head: dict[str, Any], channels: list[dict[str, Any]]) -> dict[str, Any]:
    """In ranking order (tier, kind, then the ranked results and the incomplete ones after
    them), with the verdict counts, the number of incomplete results and the counts every
    view shows (mgov.assess.counts)."""
    channels = sorted(channels, key=lambda c: (c["tier"], c["kind"], c["position"] or 0, c["address"]))
    verdicts: dict[str, int] = {}
    for c in channels:
        verdicts[c["verdict"]] = verdicts.get(c["verdict"], 0) + 1
    incomplete = sum(1 for c in channels if not c["complete"])
    return {**head, "channels": channels, "verdicts": verdicts, "incomplete": incomplete,
            "counts": tally(verdicts, incomplete).as_dict()}


def recompute(engine: Engine, assessment_id: int, profile_dirs: list[Path] | None = None) -> list[Any]:
    """The results computed again from the stored input snapshot (they must equal the stored ones)."""
    with engine.connect() as conn:
        head = conn.execute(select(ASSESSMENTS).where(ASSESSMENTS.c.id == assessment_id)).first()
        if head is None:
            raise NotFound(f"no assessment {assessment_id}")
        profile = load(head.profile_id, dirs=profile_dirs or [])
        rows = conn.execute(select(ASSESSMENT_RESULTS).where(ASSESSMENT_RESULTS.c.assessment_id == assessment_id)).all()
    inputs = [store.channel_from_snapshot(r.inputs["channel"]) for r in rows]
    observations = [o for r in rows for o in store.from_snapshot(r.inputs["observations"])]
    return assess(profile, inputs, observations)
