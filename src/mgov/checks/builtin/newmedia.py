"""New-media checks of an account's life: it can be read, it is updated (the 14-day veto and
its warnings), it posts often enough, and a citizen can reach it (the interaction veto).

They read the capture pass's evidence (`SiteEvidence.newmedia`, mgov.evidence.newmedia). The
thresholds are China's 2019 inspection indicators for 政务新媒体 (spec §1.5, §1.6) and the
tiered warnings of local rules (§3.3); profiles override them through the checks' parameters.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, ClassVar

from mgov.checks.base import Finding, Status
from mgov.checks.builtin.newmedia_base import (
    LISTED,
    PLATFORM_KINDS,
    REFS,
    NewMediaCheck,
    account,
    complete,
    local_day,
    post_row,
    refs,
    zone_of,
)
from mgov.evidence.exchange import ScanStatus
from mgov.evidence.newmedia import CaptureStatus, NewMediaEvidence
from mgov.evidence.site import SiteEvidence

SPEC = "国办秘函〔2019〕19号 政务新媒体检查指标"


class Capture(NewMediaCheck):
    id = "newmedia.capture"
    title_en = "Account can be read on its platform"
    title_zh = "账号可正常访问"
    fix_en = ("If the account was closed or moved, file the change with the registry (关停/注销/变更); "
              "otherwise restore it on the platform.")
    fix_zh = "账号如已关停、注销或迁移，请在登记系统中报备；否则请在平台上恢复该账号。"
    basis = (f"{SPEC} §1.5 扣分情形: 在没有报备申请的情况下自行下线 (青海); 国办发〔2018〕123号 "
             "(开设、变更、关停、注销 are filed, spec §3.2)")
    kinds = PLATFORM_KINDS
    judges_unread = True

    def judge(self, nm: NewMediaEvidence, ev: SiteEvidence, params: dict[str, Any]) -> Finding:
        value = {**account(nm), "status": nm.status.value, "source": nm.source, "posts": len(nm.posts),
                 "window_complete": nm.window_complete, "captured_at": nm.captured_at.isoformat(),
                 "error": nm.error}
        if nm.status in (CaptureStatus.OK, CaptureStatus.PARTIAL):
            return self.finding(Status.PASS, value, evidence=nm.warc[:REFS])
        if nm.status is CaptureStatus.NOT_FOUND:
            finding = self.finding(Status.FAIL, value,
                                   message=f"the account no longer exists on {nm.platform}"
                                           + (f" ({nm.error})" if nm.error else ""),
                                   message_zh=f"账号在平台（{nm.platform}）上已不存在，且未在登记系统报备",
                                   evidence=nm.warc[:REFS])
            finding.recheck = True  # a vanished account must be seen twice
            return finding
        return self.unread(nm)


def _levels(warn_days: list[int]) -> list[tuple[int, str, str]]:
    """(days, level, 级别) of the warnings, lowest first: the first a notice, the others warnings."""
    return [(d, "notice" if n == 0 else "warning", "提示" if n == 0 else "预警") for n, d in enumerate(warn_days)]


class LastUpdate(NewMediaCheck):
    id = "newmedia.last_update"
    title_en = "Updated within 14 days"
    title_zh = "账号更新（两周内）"
    fix_en = "Post at least once every two weeks; an account nobody keeps up should be merged or closed."
    fix_zh = "至少每两周发布一次信息；确实无力维护的账号应整合或关停。"
    basis = (f"{SPEC} §1.5 M-V2 内容不更新: 监测时间点前2周内无更新 (单项否决; spec §1.6 no_update "
             "window_days 14); tiered warnings at 7 and 10 days (spec §3.3)")
    defaults: ClassVar[dict[str, Any]] = {"window_days": 14, "warn_days": [7, 10]}

    def judge(self, nm: NewMediaEvidence, ev: SiteEvidence, params: dict[str, Any]) -> Finding:
        window = int(params["window_days"])
        warns = sorted({int(d) for d in params["warn_days"] if 0 < int(d) < window})
        zone = zone_of(ev)
        today = local_day(nm.captured_at, zone)
        dated = [p for p in nm.posts if p.published is not None]
        value: dict[str, Any] = {"day": today.isoformat(), "window_days": window, "warn_days": warns,
                                 "posts": len(nm.posts), "undated": len(nm.posts) - len(dated),
                                 "newest": None, "days_since": None, "level": None}
        if not nm.posts:
            if not complete(nm):
                return self.incomplete(nm, value, "no post found", "未发现任何信息")
            if nm.window_days is not None and nm.window_days < window:
                return self.finding(Status.ERROR, value,
                                    message=f"not assessed: no post found, but the capture read only "
                                            f"{nm.window_days} day(s) back, fewer than {window}",
                                    message_zh=f"未评估：未发现信息，但采集仅回溯 {nm.window_days} 天"
                                               f"（不足 {window} 天）",
                                    evidence=nm.warc[:REFS], scan_status=ScanStatus.INCOMPLETE)
            value["level"] = "veto"
            return self.finding(Status.FAIL, value,
                                message="the account has no post at all (none in the window read)",
                                message_zh="账号未发布任何信息（采集窗口内无信息），视为未更新",
                                evidence=nm.warc[:REFS])
        newest = nm.newest_post()
        if newest is None or newest.published is None:
            return self.finding(Status.ERROR, value,
                                message=f"not assessed: none of the {len(nm.posts)} post(s) read carries a date",
                                message_zh=f"未评估：读取的 {len(nm.posts)} 条信息均无发布时间",
                                evidence=refs(nm.posts, nm))
        days = max(0, (today - local_day(newest.published, zone)).days)
        reached = [lv for lv in _levels(warns) if days >= lv[0]]
        value.update(newest=post_row(newest, zone), days_since=days,
                     level="veto" if days >= window else (reached[-1][1] if reached else None))
        evidence = refs([newest], nm)
        if days < window and not reached:
            return self.finding(Status.PASS, value, evidence=evidence)
        when = value["newest"]["day"]  # the office's calendar day
        if days >= window:
            status, en, zh = (Status.FAIL, f"the newest post is {days} days old ({when}): no update in {window} days",
                              f"最新信息发布于 {days} 天前（{when}），{window} 天内未更新")
        else:
            limit, level, level_zh = reached[-1]
            status, en, zh = (Status.WARN, f"the newest post is {days} days old ({when}): {level} at {limit} days, "
                                           f"the veto at {window}",
                              f"最新信息发布于 {days} 天前（{when}），已达 {limit} 天{level_zh}"
                              f"（{window} 天为单项否决）")
        position = next(n for n, p in enumerate(nm.posts) if p is newest)
        if any(p.published is None for p in nm.posts[:position]):
            return self.finding(Status.ERROR, value, message=f"not assessed: {en}, but a post listed before it "
                                                             "carries no date (it may be newer)",
                                message_zh=f"未评估：{zh}，但排在其前的信息无发布时间（可能更新）", evidence=evidence)
        if not complete(nm):
            return self.incomplete(nm, value, en, zh)
        return self.finding(status, value, message=en, message_zh=zh, evidence=evidence)


class Rhythm(NewMediaCheck):
    id = "newmedia.rhythm"
    title_en = "Posts every week"
    title_zh = "更新频率（每周）"
    fix_en = "Publish at least the posts a week the profile asks (one by default) in every week."
    fix_zh = "每周发布信息不少于规定数量（默认每周至少 1 条）。"
    basis = (f"{SPEC} §1.5 扣分情形: 内容更新不及时 (连云港 2023); at least 1 post a week, some localities 3 "
             "(spec §1.5, §3.3: 每周至少更新1次; 夏邑 2022)")
    defaults: ClassVar[dict[str, Any]] = {"min_posts_per_week": 1, "weeks": 4}

    def judge(self, nm: NewMediaEvidence, ev: SiteEvidence, params: dict[str, Any]) -> Finding:
        need, weeks = float(params["min_posts_per_week"]), max(1, int(params["weeks"]))
        zone = zone_of(ev)
        today = local_day(nm.captured_at, zone)
        read_from = _read_from(nm, zone)
        days = [local_day(p.published, zone) for p in nm.posts if p.published is not None]
        spans: list[dict[str, Any]] = []
        for n in range(weeks):
            end = today - dt.timedelta(days=7 * n)
            start = end - dt.timedelta(days=6)
            spans.append({"from": start.isoformat(), "to": end.isoformat(),
                          "posts": sum(1 for d in days if start <= d <= end),
                          "complete": read_from is not None and start >= read_from})
        undated = len(nm.posts) - len(days)
        total = sum(s["posts"] for s in spans)
        short = [s for s in spans if s["posts"] < need]
        value = {"min_posts_per_week": params["min_posts_per_week"], "weeks": spans, "posts": total,
                 "per_week": round(total / weeks, 2), "short_weeks": len(short), "undated": undated,
                 "window_complete": nm.window_complete}
        evidence = refs(nm.posts, nm)
        if not short:
            return self.finding(Status.PASS, value, evidence=evidence)
        listed = ", ".join(f"{s['from']}..{s['to']}: {s['posts']}" for s in short)
        en = f"{len(short)} of the last {weeks} week(s) had fewer than {need:g} post(s) ({listed})"
        zh = f"近 {weeks} 周中有 {len(short)} 周发布信息少于 {need:g} 条"
        if undated:
            return self.finding(Status.ERROR, value, message=f"not assessed: {en}, but {undated} post(s) carry no date",
                                message_zh=f"未评估：{zh}，但 {undated} 条信息无发布时间", evidence=evidence)
        if not any(s["complete"] for s in short):
            return self.incomplete(nm, value, en, zh)
        return self.finding(Status.FAIL, value, message=en, message_zh=zh, evidence=evidence)


def _read_from(nm: NewMediaEvidence, zone: str) -> dt.date | None:
    """The first day whose posts were all read (None: no day for certain): the window's
    start after its first, partly read day; for a window cut short, the day after the oldest
    post read (posts are read newest first); for a partial capture (a page failed), none."""
    if nm.status is not CaptureStatus.OK:
        return None
    if not nm.window_complete:
        dated = [p.published for p in nm.posts if p.published is not None]
        return local_day(min(dated), zone) + dt.timedelta(days=1) if dated else None
    if nm.window_days is None:
        return dt.date.min
    return local_day(nm.captured_at - dt.timedelta(days=nm.window_days), zone) + dt.timedelta(days=1)


class Interaction(NewMediaCheck):
    id = "newmedia.interaction"
    title_en = "Working interaction function"
    title_zh = "有效互动功能"
    fix_en = "Open comments, messages (留言/私信) or a consultation menu on the account and keep them working."
    fix_zh = "开放评论、留言（私信）或咨询菜单等互动功能，并确保可用。"
    basis = f"{SPEC} §1.5 M-V3 互动回应差: 未提供有效互动功能 (留言/评论/私信/咨询) (单项否决)"

    def judge(self, nm: NewMediaEvidence, ev: SiteEvidence, params: dict[str, Any]) -> Finding:
        p = nm.profile
        if p is None:
            return self.finding(Status.ERROR, message="not assessed: the capture has no account profile",
                                message_zh="未评估：采集结果中没有账号信息", evidence=nm.warc[:REFS])
        i = p.interaction
        open_posts = [post for post in nm.posts if post.comments_open]
        effective = True if open_posts else i.effective
        value = {"comments": i.comments, "messages": i.messages, "consult_menu": i.consult_menu,
                 "effective": effective, "detail": i.detail,
                 "menus": [{"name": m.name, "url": m.url, "kind": m.kind} for m in p.menus][:LISTED],
                 "posts_with_comments_open": [post_row(post) for post in open_posts[:5]]}
        if effective:
            return self.finding(Status.PASS, value, evidence=refs(open_posts, nm))
        if effective is None:
            return self.finding(Status.ERROR, value,
                                message="not assessed: the platform did not say whether comments, messages or a "
                                        "consultation menu are open (a reviewer must try them)",
                                message_zh="未评估：平台未显示评论、留言或咨询菜单是否开放（需人工核查）",
                                evidence=nm.warc[:REFS])
        closed = [name for name, state in (("comments", i.comments), ("messages", i.messages),
                                           ("consultation menu", i.consult_menu)) if state is False]
        closed_zh = [name for name, state in (("评论", i.comments), ("留言/私信", i.messages),
                                              ("咨询菜单", i.consult_menu)) if state is False]
        return self.finding(Status.FAIL, value,
                            message=f"no effective interaction: {', '.join(closed)} closed or absent"
                                    + (f" ({i.detail})" if i.detail else ""),
                            message_zh=f"未提供有效互动功能：{'、'.join(closed_zh)}未开放", evidence=nm.warc[:REFS])
