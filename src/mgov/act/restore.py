"""The task to restore monitoring (恢复监测): an incomplete assessment result (too many of its
monitored indicators not assessed, e.g. the channel's name did not resolve all period) opens
it like a failed indicator, with its own key and text; it is fixed when the channel's
observations since the due date, assessed the assessment's way, are complete again."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Connection

from mgov.assess.inputs import ChannelInput
from mgov.assess.score import MONITORED_SOURCES, assess_channel
from mgov.assess.store import observations_of
from mgov.profiles import Profile, resolve

MONITORING_TASK = "monitoring.incomplete"  # the task's indicator key: no profile indicator has a dot
TITLE = ("Restore monitoring", "恢复监测")
_DETAIL = ("incomplete: {missing} of {monitored} monitored indicator(s) not assessed ({share}); find why (name "
           "resolution, network access, a channel closed but still registered) and restore monitoring",
           "监测不完整：{monitored} 项监测指标中 {missing} 项未能评估（{share}）；请排查原因（域名解析、网络访问、"
           "渠道已关停未注销等）并恢复监测")
_FAR = dt.date(9999, 12, 30)  # a recheck reads every observation from the due date on


def monitoring_line(profile: Profile, result: dict[str, Any]) -> dict[str, Any]:
    """The task line of an incomplete stored result (result_dict form), shaped like a failed
    indicator's; `task` holds what its evidence adds: titles, texts and the indicators missed."""
    sources = {}
    if result.get("kind") in profile.kinds and result.get("tier"):
        sources = {i.id: i.source for i in resolve(profile, result["kind"], result["tier"])}
    missed = [line["id"] for line in result.get("indicators", [])
              if line.get("status") == "not_assessed" and sources.get(line["id"]) in MONITORED_SOURCES]
    share = result.get("not_assessed_share")
    words = {"missing": result.get("monitored_not_assessed", len(missed)), "monitored": result.get("monitored", "?"),
             "share": "?" if share is None else f"{share:.0%}"}
    return {"id": MONITORING_TASK, "rule": "monitoring", "category": None, "instances": len(missed), "points": 0.0,
            "detail": _DETAIL[0].format(**words), "evidence": [],
            "task": {"title_en": TITLE[0], "title_zh": TITLE[1], "detail_zh": _DETAIL[1].format(**words),
                     "not_assessed_share": share, "not_assessed": missed}}


def restored(conn: Connection, profile: Profile, task: dict[str, Any]) -> tuple[bool | None, dict[str, Any]]:
    """The recheck of a monitoring task: True when the channel's observations since the due
    date give a complete result, False when they do not, None when nothing was observed since."""
    ev = task.get("evidence") or {}
    kind, tier = ev.get("kind"), ev.get("tier")
    if kind not in profile.kinds or not tier:
        return None, {"why": f"the task names no kind and tier of profile {profile.id}"}
    channel = ChannelInput(str(task["channel_id"]), str(task.get("address") or ""), kind, tier)
    seen = {o.indicator_id: o for o in observations_of(conn, profile, [channel], task["due_on"], _FAR)}
    if not seen:
        return None, {"why": f"nothing observed since {task['due_on']}"}
    result = assess_channel(profile, channel, seen)
    return result.complete, {"not_assessed_share": result.not_assessed_share, "monitored": result.monitored,
                             "monitored_not_assessed": result.monitored_not_assessed}
