"""The words people read for the ids and codes mgov stores: an indicator's name from its
profile, a check's title, and the zh/en label of every enum a page, report or command shows
(finding statuses, indicator outcomes, rules, task and dispute states, channel events, audit
severities and actions, account roles and permissions). Ids stay what machines read; these are
what people read, beside or instead of them."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from pathlib import Path

from mgov.checks.plugins import all_checks
from mgov.profiles.loader import load_all
from mgov.profiles.model import Profile, ProfileError
from mgov.registry import vocab


def _terms(table: dict[str, vocab.Term]) -> dict[str, tuple[str, str]]:
    return {code: (term.zh, term.en) for code, term in table.items()}


# table -> code -> (zh, en)
LABELS: dict[str, dict[str, tuple[str, str]]] = {
    # A check's verdict on one channel (checks.base.Status).
    "finding": {"pass": ("通过", "pass"), "fail": ("不通过", "fail"), "warn": ("警告", "warn"),
                "error": ("错误", "error"), "not_applicable": ("不适用", "not applicable")},
    # An indicator's outcome over a period (assess.results).
    "outcome": {"met": ("达标", "met"), "failed": ("未达标", "failed"), "not_assessed": ("未评估", "not assessed"),
                "not_applicable": ("不适用", "not applicable")},
    # A channel's verdict in an assessment.
    "verdict": {"pass": ("合格", "pass"), "fail": ("不合格", "fail"), "not_assessed": ("未评估", "not assessed")},
    "rule": {"veto": ("单项否决", "veto"), "deduct": ("扣分", "deduction"), "weight": ("权重", "weight"),
             "bonus": ("加分", "bonus")},
    "task": {"open": ("待整改", "open"), "escalated": ("已升级", "escalated"), "closed": ("已关闭", "closed")},
    "dispute": {"filed": ("待处理", "filed"), "upheld": ("维持原结论", "upheld"),
                "overturned": ("已撤销", "overturned")},
    "event": _terms(vocab.CHANNEL_EVENTS),
    "severity": {"error": ("错误", "error"), "warning": ("警告", "warning")},
    "trend": {"improved": ("上升", "improved"), "worse": ("下降", "worse"), "same": ("持平", "same"),
              "new": ("新增", "new")},
    "warc_record": {"request": ("请求", "request"), "response": ("响应", "response"),
                    "metadata": ("元数据", "metadata"), "resource": ("资源", "resource"),
                    "warcinfo": ("存档说明", "warcinfo")},
    "run_kind": {"scan": ("扫描", "scan"), "crawl": ("抓取", "crawl"), "assess": ("考核", "assessment"),
                 "capture": ("采集", "capture"), "render": ("渲染", "render"), "probe": ("可用性探测", "probe"),
                 "app": ("应用检测", "app scan"),
                 "archive_audit": ("归档核验", "archive audit"), "digest": ("通知摘要", "notification digest")},
    "job_state": {"queued": ("排队中", "queued"), "running": ("进行中", "running"), "done": ("已完成", "done"),
                  "failed": ("失败", "failed"), "interrupted": ("已中断", "interrupted"),
                  # a schedule's last outcome when no job row says more
                  "started": ("已启动", "started"),
                  "still_active": ("上次作业仍在进行", "previous job still under way")},
    "run_status": {"running": ("进行中", "running"), "finished": ("已完成", "finished"),
                   "failed": ("失败", "failed"), "unfinished": ("未完成", "unfinished")},
    "user_role": {"admin": ("系统管理员", "administrator"), "supervisor": ("监管人员", "supervisor"),
                  "reviewer": ("审核人员", "reviewer"), "agency_admin": ("单位管理员", "agency administrator"),
                  "agency_staff": ("单位工作人员", "agency staff"), "viewer": ("只读用户", "viewer")},
    "permission": {"read": ("查看", "read"), "registry.write": ("编辑名录", "edit the registry"),
                   "tasks.close": ("关闭整改任务", "close rectification tasks"),
                   "tasks.work": ("办理整改任务", "work on rectification tasks"),
                   "disputes.file": ("提出申诉", "file disputes"), "disputes.decide": ("裁定申诉", "decide disputes"),
                   "users.manage": ("管理用户", "manage users"), "audit.read": ("查看审计日志", "read the audit log"),
                   "notify.manage": ("管理通知", "manage notifications"),
                   "contacts.read": ("查看完整联系方式", "see contact details"),
                   "runs.start": ("发起扫描和抓取", "start scans and crawls"),
                   "assess.start": ("发起考核", "start assessments"),
                   "inspections.review": ("开展人工检查", "carry out inspections")},
    "kind": _terms(vocab.CHANNEL_KINDS),
    "status": _terms(vocab.CHANNEL_STATUSES),
    "role": _terms(vocab.ROLES),
    "jurisdiction": _terms(vocab.JURISDICTIONS),
    # A code two jurisdictions share (county) reads as the first's (县级, beside 省级 and 地市级).
    "tier": {code: (t.zh, t.en) for tiers in reversed(vocab.TIERS.values()) for code, t in tiers.items()},
}
# Rendered pages (issue 16): a screenshot's viewport, an accessibility rule's outcome (axe-core's),
# the DOM snapshot's record.
LABELS["viewport"] = {"desktop": ("桌面端", "desktop"), "phone": ("手机端", "phone"),
                      "phone320": ("窄屏手机", "narrow phone")}
LABELS["rule_outcome"] = {"passed": ("通过", "passed"), "failed": ("不通过", "failed"),
                          "inapplicable": ("不适用", "inapplicable"), "incomplete": ("需人工复核", "needs review")}
LABELS["warc_record"]["conversion"] = ("转换", "conversion")
# mgov discover (issue 17): a discovered account's review state, and what it was confirmed as.
LABELS["discovered"] = {"new": ("待审核", "new"), "confirmed": ("已确认", "confirmed"),
                        "dismissed": ("已排除", "dismissed")}
LABELS["confirmed_as"] = {"private": ("私开账号", "unfiled account (私开)"), "imposter": ("仿冒账号", "imposter")}
LABELS["permission"]["discover.decide"] = ("审核发现的账号", "decide on discovered accounts")
# Reviewer inspections (人工检查): an inspection's state, an item's verdict, which indicators its
# checklist holds, a second reviewer's word on a veto not met.
LABELS["inspection"] = {"draft": ("填写中", "draft"), "submitted": ("已提交", "submitted")}
LABELS["inspection_verdict"] = {"met": ("符合", "met"), "not_met": ("不符合", "not met"),
                                "not_applicable": ("不适用", "not applicable")}
LABELS["inspection_selection"] = {"manual": ("人工评审指标", "manual indicators"),
                                  "all": ("全部适用指标", "every applicable indicator")}
LABELS["confirmation"] = {"confirmed": ("已复核确认", "confirmed"), "rejected": ("复核驳回", "rejected")}

# The audit log's actions are "subject.verb" (task.opened): each half has its words, so an
# action added later reads right as soon as its two words are here.
ACTION_SUBJECTS: dict[str, tuple[str, str]] = {
    "task": ("整改任务", "task"), "dispute": ("申诉", "dispute"), "channel": ("渠道", "channel"),
    "organization": ("单位", "organization"), "person": ("人员", "person"), "role": ("职务", "role"),
    "user": ("用户", "user"), "token": ("API 令牌", "API token"), "job": ("后台作业", "job"),
    "notification_target": ("通知对象", "notification target"), "registry": ("名录", "registry"),
    "assessment": ("考核", "assessment"), "run": ("监测任务", "run"), "scan": ("扫描", "scan"),
    "crawl": ("抓取", "crawl"), "input": ("人工录入", "manual input"), "export": ("导出", "export"),
    "file": ("文件", "file"), "discovered": ("发现的账号", "discovered account"),
    "inspection": ("人工检查", "inspection"), "hold": ("法律保留", "legal hold"),
    "disposition": ("档案处置", "disposition"),
}
ACTION_VERBS: dict[str, tuple[str, str]] = {
    "opened": ("开启", "opened"), "closed": ("关闭", "closed"), "escalated": ("升级", "escalated"),
    "still_failing": ("复查仍未达标", "still failing"), "unchecked": ("未能复查", "not re-checked"),
    "filed": ("提交", "filed"), "decided": ("裁定", "decided"), "upheld": ("维持", "upheld"),
    "overturned": ("撤销", "overturned"), "created": ("新建", "created"), "updated": ("修改", "updated"),
    "assigned": ("任命", "assigned"), "revoked": ("吊销", "revoked"), "added": ("添加", "added"),
    "removed": ("移除", "removed"), "unlocked": ("解除锁定", "unlocked"),
    "password_changed": ("修改密码", "password changed"), "imported": ("导入", "imported"),
    "started": ("启动", "started"), "finished": ("完成", "finished"), "deleted": ("删除", "deleted"),
    "commented": ("评论", "commented"), "reassigned": ("改派", "reassigned"),
    "evidence_added": ("添加整改证明", "fix evidence added"), "recheck_requested": ("申请复查", "re-check requested"),
    "rechecked": ("复查", "re-checked"), "recheck_failed": ("复查仍未达标", "re-check still failing"),
    "recheck_unchecked": ("未能复查", "re-check could not tell"),
    "ended": ("终止", "ended"), "event_filed": ("登记事件", "event filed"),
    "confirmed": ("确认", "confirmed"), "dismissed": ("排除", "dismissed"),
    "filled": ("填写", "filled in"), "file_attached": ("附加证据文件", "evidence file attached"),
    "rejected": ("驳回", "rejected"), "submitted": ("提交", "submitted"),
}
# What stands in a task's indicator_id for a task that is not about one indicator.
PSEUDO_INDICATORS: dict[str, tuple[str, str]] = {"monitoring.incomplete": ("恢复监测", "Restore monitoring")}


def label(table: str, code: object, lang: str) -> str:
    """The label of code in table, in lang; the code itself when there is none (a new value
    reads as what it is rather than vanishing); — for None."""
    if code is None:
        return "—"
    found = LABELS[table].get(str(code))
    if found is None:
        return str(code)
    return found[0] if lang == "zh" else found[1]


def action_label(action: str, lang: str) -> str:
    """task.opened -> 整改任务开启 / task opened."""
    subject, _, verb = action.partition(".")
    noun, done = ACTION_SUBJECTS.get(subject), ACTION_VERBS.get(verb)
    if noun is None or done is None:
        return action
    return f"{noun[0]}{done[0]}" if lang == "zh" else f"{noun[1]} {done[1]}"


class Names:
    """Indicator names and profile titles (from the profiles found in dirs and the shipped
    ones) and check titles (from the check registry), in zh or en."""

    def __init__(self, dirs: Sequence[Path | str] = ()) -> None:
        self._dirs = tuple(dirs)
        self._profiles: dict[str, Profile] | None = None
        self._titles: dict[tuple[str, str], tuple[str, str]] = {}  # (profile, indicator) -> (zh, en)
        self._any: dict[str, tuple[str, str]] = {}  # indicator -> (zh, en) of the first profile having it

    @property
    def profiles(self) -> dict[str, Profile]:
        if self._profiles is None:
            try:
                self._profiles = load_all(self._dirs)
            except ProfileError:  # a broken profile of the user's must not blank every name
                self._profiles = load_all()
            for profile in self._profiles.values():
                for ind in profile.indicators:
                    self._titles[(profile.id, ind.id)] = (ind.title_zh, ind.title_en)
                    self._any.setdefault(ind.id, (ind.title_zh, ind.title_en))
        return self._profiles

    def indicator(self, indicator_id: str | None, lang: str, profile_id: str | None = None) -> str:
        """The indicator's name in its profile (any profile when none is given or it is not
        there); the id when no profile has it."""
        if indicator_id is None:
            return "—"
        found = PSEUDO_INDICATORS.get(indicator_id)
        if found is None:
            _ = self.profiles
            found = self._titles.get((profile_id or "", indicator_id)) or self._any.get(indicator_id)
        if found is None:
            return indicator_id
        return found[0] if lang == "zh" else found[1]

    def check(self, check_id: str | None, lang: str) -> str:
        """The check's title; the id when no check has it."""
        if check_id is None:
            return "—"
        found = all_checks().get(check_id)
        if found is None:
            return check_id
        return found.title_zh if lang == "zh" else found.title_en

    def check_fix(self, check_id: str, lang: str) -> str:
        found = all_checks().get(check_id)
        if found is None:
            return ""
        return found.fix_zh if lang == "zh" else found.fix_en

    def graded(self, profile_id: str | None) -> bool:
        """Whether the profile gives grades (scoring.grades): without, no grade column is shown."""
        found = self.profiles.get(profile_id or "")
        return bool(found and found.scoring.grades)

    def profile(self, profile_id: str | None, lang: str) -> str:
        if profile_id is None:
            return "—"
        found = self.profiles.get(profile_id)
        return found.title(lang) if found else profile_id


@cache
def names(dirs: tuple[str, ...] = ()) -> Names:
    """One Names per set of profile folders, made once per process."""
    return Names(dirs)


def deadline_text(text: str, lang: str) -> str:
    """A profile's deadline as stored (immediate, 5 working days, 30 calendar days) in lang."""
    if lang != "zh":
        return text
    if text == "immediate":
        return "立即整改"
    days, _, unit = text.partition(" ")
    if days.isdigit() and unit.startswith(("working", "calendar")):
        return f"{days} 个{'工作日' if unit.startswith('working') else '自然日'}"
    return text


def subject_label(subject: str, lang: str) -> str:
    """task:12 -> 整改任务 12 / task 12 (the audit log's subjects)."""
    kind, _, key = subject.partition(":")
    noun = ACTION_SUBJECTS.get(kind)
    if noun is None or not key:
        return subject
    return f"{noun[0] if lang == 'zh' else noun[1]} {key}"


# The fields of the audit log's details, and the codes some of them hold.
AUDIT_FIELDS: dict[str, tuple[str, str]] = {
    "assessment": ("考核", "assessment"), "channel_id": ("渠道", "channel"), "channel": ("渠道", "channel"),
    "indicator": ("指标", "indicator"), "reason": ("原因", "reason"), "assignees": ("责任人", "assignees"),
    "due_on": ("整改期限", "due"), "note": ("说明", "note"), "was": ("原状态", "was"), "to": ("升级至", "escalated to"),
    "on": ("日期", "on"), "dispute": ("申诉", "dispute"), "token": ("令牌", "token"), "name": ("名称", "name"),
    "addresses": ("地址数", "addresses"), "sessions_ended": ("结束的会话数", "sessions ended"),
    "code": ("代码", "code"), "evidence": ("证据", "evidence"), "overturn": ("撤销", "overturn"),
    "decision": ("裁定", "decision"), "status": ("状态", "status"), "person": ("人员", "person"),
    "role": ("职务", "role"), "username": ("用户名", "user name"), "organization": ("单位", "organization"),
    "active": ("启用", "active"), "address": ("地址", "address"), "kind": ("类型", "kind"),
    "owner": ("主办单位", "owner"),
    "tags": ("标签", "tags"), "name_zh": ("中文名称", "Chinese name"), "name_en": ("英文名称", "English name"),
    "tier": ("层级", "tier"), "no_external_service": ("无对外服务", "no external services"),
    "time_zone": ("时区", "time zone"), "display_name": ("姓名", "name"), "email": ("电子邮件", "e-mail"),
    "events": ("事件", "events"), "_truncated": ("已截短", "shortened"), "deadline": ("整改时限", "deadline"),
    "assignee": ("办理人", "assignee"), "filename": ("文件名", "file name"), "size": ("大小", "size"),
    "sha256": ("文件摘要", "SHA-256"), "url": ("链接", "link"), "comment": ("评论", "comment"),
    "level": ("升级层级", "level"), "escalation_level": ("升级层级", "escalation level"),
    "job_kind": ("作业类型", "job"), "profile": ("指标体系", "profile"), "period": ("考核期", "period"),
    "instances": ("问题数", "instances"), "items": ("检查项数", "items"),
    "inputs": ("计入考核的录入", "inputs counted"),
    "pending": ("待复核的否决项数", "vetoes awaiting confirmation"), "filled_by": ("填写人", "filled in by"),
    "input": ("计入考核的录入", "input counted"), "superseded_by": ("已被取代", "superseded by"),
    "media_type": ("文件类型", "file type"),
}
CLOSE_REASONS = {"manual": ("人工关闭", "closed by hand"), "overturned": ("申诉撤销", "dispute overturned"),
                 "recheck": ("复查达标", "re-check met")}


def audit_detail(detail: dict[str, object] | None, lang: str, found: Names) -> list[tuple[str, str, bool]]:
    """An audit entry's detail as (field, value, is_code) rows in lang: ids and codes named
    (an indicator by its name, a status by its label); is_code marks values shown as they are
    (what people wrote, keys, numbers)."""
    out = []
    zh = lang == "zh"
    for key, value in (detail or {}).items():
        name = AUDIT_FIELDS.get(key)
        field = (name[0] if zh else name[1]) if name else key
        if key == "indicator" and isinstance(value, str):
            out.append((field, found.indicator(value, lang), False))
        elif key in ("was", "status") and isinstance(value, str):
            out.append((field, label("task", value, lang), False))
        elif key == "job_kind" and isinstance(value, str):
            out.append((field, label("run_kind", value, lang), False))
        elif key == "role" and isinstance(value, str):
            out.append((field, label("role", value, lang), False))
        elif key == "reason" and value in CLOSE_REASONS:
            pair = CLOSE_REASONS[str(value)]
            out.append((field, pair[0] if zh else pair[1], False))
        elif key == "deadline" and isinstance(value, str):
            out.append((field, deadline_text(value, lang), False))
        elif isinstance(value, bool):
            out.append((field, ("是" if value else "否") if zh else ("yes" if value else "no"), False))
        elif isinstance(value, list):
            out.append((field, ("、" if zh else ", ").join(map(str, value)) or "—", True))
        else:
            out.append((field, "—" if value is None else str(value), True))
    return out

# The records archive's holds and dispositions (issue 19): permissions and audit subjects.
LABELS["permission"]["records.hold"] = ("设置法律保留", "place legal holds")
LABELS["permission"]["records.dispose"] = ("批准档案销毁", "approve dispositions")
