"""The run_tasks rows of distributed runs: which channels were sent, and how each is doing.
Done is read from the run's items (scan_items), the one record of a stored channel. A run
started by a job (the scheduler's, the web's) is followed by nobody: its tasks write the job's
progress, and the task that completes the run ends the job (settle)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, func, insert, select, update

from mgov import clock
from mgov.act import jobs
from mgov.act.recheck import honour_requests
from mgov.db.tables import RUN_TASKS, SCAN_ITEMS, SCAN_RUNS
from mgov.runs import store as runs_store
from mgov.runs.kinds import kind_of

STATES = ("queued", "running", "failed")


def to_send(conn: Connection, run_id: int, channel_ids: list[int] | None = None) -> tuple[str, list[int]]:
    """The run's kind and the channels to send for it: channel_ids, or every channel it selects
    that is not stored yet; a queued row for each (the others' rows count those done before)."""
    params = runs_store.get_run(conn, run_id)["params"]
    run_kind = kind_of(params.get("kind", "scan"))
    if channel_ids is None:
        channels = [cid for cid, _ in runs_store.select_channels(
            conn, org=params["org"], kinds=params["kinds"], addresses=params["channels"],
            allowed=run_kind.channel_kinds, verb=run_kind.name)]
        add_tasks(conn, run_id, channels)
        done = runs_store.done_channels(conn, run_id)
        return run_kind.name, [cid for cid in channels if cid not in done]
    add_tasks(conn, run_id, channel_ids)
    return run_kind.name, channel_ids


def add_tasks(conn: Connection, run_id: int, channel_ids: Iterable[int]) -> None:
    """A queued row for each channel that has none yet (sending again keeps one row)."""
    have = set(conn.execute(select(RUN_TASKS.c.channel_id).where(RUN_TASKS.c.run_id == run_id)).scalars())
    rows = [{"run_id": run_id, "channel_id": cid, "state": "queued", "attempts": 0, "updated_at": clock.now()}
            for cid in channel_ids if cid not in have]
    if rows:
        conn.execute(insert(RUN_TASKS), rows)


def mark(conn: Connection, run_id: int, channel_id: int, state: str, *, worker: str | None = None,
         error: str | None = None) -> None:
    values: dict[str, Any] = {"state": state, "updated_at": clock.now(), "error": error}
    if state == "running":
        values["attempts"] = RUN_TASKS.c.attempts + 1
        values["worker"] = worker
    conn.execute(update(RUN_TASKS).where(RUN_TASKS.c.run_id == run_id, RUN_TASKS.c.channel_id == channel_id)
                 .values(**values))


def lacking(conn: Connection, run_id: int) -> list[int]:
    """Channels sent and neither stored nor failed: what may have to be sent again."""
    done = select(SCAN_ITEMS.c.channel_id).where(SCAN_ITEMS.c.run_id == run_id)
    return list(conn.execute(select(RUN_TASKS.c.channel_id).where(
        RUN_TASKS.c.run_id == run_id, RUN_TASKS.c.state != "failed", RUN_TASKS.c.channel_id.not_in(done))
        .order_by(RUN_TASKS.c.channel_id)).scalars())


def progress(conn: Connection, run_ids: Iterable[int]) -> dict[int, dict[str, int]]:
    """run -> total, done, running, failed, queued, for the distributed runs among run_ids."""
    ids = list(run_ids)
    out: dict[int, dict[str, int]] = {}
    if not ids:
        return out
    for run_id, state, n in conn.execute(select(RUN_TASKS.c.run_id, RUN_TASKS.c.state, func.count())
                                         .where(RUN_TASKS.c.run_id.in_(ids))
                                         .group_by(RUN_TASKS.c.run_id, RUN_TASKS.c.state)):
        row = out.setdefault(run_id, {"total": 0, "done": 0, "running": 0, "failed": 0, "queued": 0})
        row["total"] += n
        if state in ("running", "failed"):
            row[state] += n
    for run_id, n in conn.execute(select(SCAN_ITEMS.c.run_id, func.count()).where(SCAN_ITEMS.c.run_id.in_(list(out)))
                                  .group_by(SCAN_ITEMS.c.run_id)):
        out[run_id]["done"] = n
    for row in out.values():
        # A stored channel may still read running (its row is marked after the commit).
        row["running"] = max(0, min(row["running"], row["total"] - row["done"] - row["failed"]))
        row["queued"] = max(0, row["total"] - row["done"] - row["failed"] - row["running"])
    return out


def settle(conn: Connection, run_id: int, *, profile_dirs: list[Path] | None = None) -> bool:
    """A distributed run's news on the job that started it, when one did: its progress, or,
    once every channel sent is stored or failed, the run finished and the job ended (done;
    failed when no channel was stored), the re-checks it answers honoured as an in-process
    run's job does. True when the run is complete. Any task may call it: one ends the job."""
    p = progress(conn, [run_id]).get(run_id)
    if p is None:
        return False
    ended = p["done"] + p["failed"]
    if ended < p["total"]:
        jobs.run_progress(conn, run_id, done=ended, total=p["total"])
        return False
    conn.execute(update(SCAN_RUNS).where(SCAN_RUNS.c.id == run_id, SCAN_RUNS.c.status == "running")
                 .values(status="finished", finished_at=clock.now()))
    failed = p["failed"]
    error = (f"{failed} of {p['total']} channel(s) failed on the workers: `mgov runs --run {run_id}`"
             if failed else None)
    if jobs.finish_run(conn, run_id, "failed" if failed and not p["done"] else "done",
                       done=p["done"], total=p["total"], error=error) is not None:
        honour_requests(conn, run_id, profile_dirs=profile_dirs)
    return True


def stalled(conn: Connection, before: Any) -> list[tuple[int, str, list[int]]]:
    """Unfinished distributed runs none of whose tasks moved since `before`, with the channels
    they lack: (run, kind, channels), what a tender sends again."""
    quiet = (select(RUN_TASKS.c.run_id, SCAN_RUNS.c.kind).join(SCAN_RUNS, SCAN_RUNS.c.id == RUN_TASKS.c.run_id)
             .where(SCAN_RUNS.c.status == "running").group_by(RUN_TASKS.c.run_id, SCAN_RUNS.c.kind)
             .having(func.max(RUN_TASKS.c.updated_at) < before))
    return [(int(run_id), str(kind), lacking(conn, run_id)) for run_id, kind in conn.execute(quiet).all()]


def touch(conn: Connection, run_id: int, channel_ids: Iterable[int]) -> None:
    """Mark channels sent again now (a tender waits a stall's length before sending them again)."""
    conn.execute(update(RUN_TASKS).where(RUN_TASKS.c.run_id == run_id, RUN_TASKS.c.channel_id.in_(list(channel_ids)))
                 .values(updated_at=clock.now()))


def recent_runs(conn: Connection, *, limit: int, run: int | None = None,
                after: int | None = None) -> list[dict[str, Any]]:
    """Runs and their progress, as `mgov runs`, the dashboard's runs page and GET /api/v1/runs
    show them: at most `limit` runs, newest first (ids below `after`, when given; only `run`, when given)."""
    query = select(SCAN_RUNS).order_by(SCAN_RUNS.c.id.desc()).limit(limit)
    if run is not None:
        query = query.where(SCAN_RUNS.c.id == run)
    if after is not None:
        query = query.where(SCAN_RUNS.c.id < after)
    rows = [dict(r._mapping) for r in conn.execute(query)]
    ids = [r["id"] for r in rows]
    found = progress(conn, ids)
    stored = runs_store.stored_counts(conn, ids)
    out = []
    for r in rows:
        p = found.get(r["id"])
        params = r["params"] or {}
        out.append({"run": r["id"], "kind": r["kind"], "status": r["status"], "started_at": r["started_at"],
                    "finished_at": r["finished_at"], "distributed": p is not None,
                    "done": stored.get(r["id"], 0), "running": p["running"] if p else 0,
                    "queued": p["queued"] if p else 0, "failed": p["failed"] if p else 0,
                    "total": p["total"] if p else None,
                    "organization": params.get("org"), "channels": list(params.get("channels") or [])})
    return out
