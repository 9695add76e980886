"""The words of notification e-mails, in Chinese and English: a subject and a plain-text body
per event, listing the batch's items (webhooks carry the same items as JSON)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Protocol

from mgov.assess.wording import detail_text
from mgov.profiles.names import names

# Long batches are cut in a mail body (a webhook carries every item); the count says so.
MAX_LINES = 200

SUBJECTS: dict[str, tuple[str, str]] = {  # event: (en, zh)
    "veto": ("[mgov] {n} new veto failure(s): {org}", "【mgov】{org}：新增单项否决问题 {n} 项"),
    "overdue": ("[mgov] {n} overdue rectification task(s): {org}", "【mgov】{org}：逾期整改任务 {n} 项"),
    "escalated": ("[mgov] {n} rectification task(s) escalated: {org}", "【mgov】{org}：提级督办整改任务 {n} 项"),
    "digest": ("[mgov] Weekly digest {week}: {org}", "【mgov】{org} 每周汇总（{week}）"),
}
INTROS: dict[str, tuple[str, str]] = {
    "veto": ("These channels failed a veto indicator (one failure decides the verdict):",
             "以下渠道存在单项否决问题（一项不达标即判定为不合格）："),
    "overdue": ("These rectification tasks are past their deadline:", "以下整改任务已超过整改期限："),
    "escalated": ("These rectification tasks were escalated to a supervising organization:",
                  "以下整改任务已提级至上级主管单位督办："),
    "digest": ("The week's summary of the channels in your scope:", "本周职责范围内渠道情况汇总："),
}
VETO_LINE = ("- {address} ({owner}): {indicator}, assessment {assessment} ({profile} {period}){detail}",
             "- {address}（{owner}）：{indicator}，考核 {assessment}（{profile} {period}）{detail}")
TASK_LINE = ("- task {task}: {address} ({owner}), {indicator}, due {due_on}, {days_overdue} day(s) overdue, {status}",
             "- 任务 {task}：{address}（{owner}），{indicator}，整改期限 {due_on}，已逾期 {days_overdue} 天，{status}")
ESCALATED_LINE = ("- task {task}: {address} ({owner}), {indicator}, due {due_on}, "
                  "escalated to {to} (level {level})",
                  "- 任务 {task}：{address}（{owner}），{indicator}，整改期限 {due_on}，"
                  "已提级至 {to} 督办（第 {level} 级）")
STATUS = {"open": ("open", "待整改"), "escalated": ("escalated to {to}", "已提级督办（{to}）")}
VERDICTS = {"pass": ("pass", "合格"), "fail": ("fail", "不合格"), "not_assessed": ("not assessed", "未评估")}
DIGEST = {
    "channels": ("Channels in operation: {n}", "在用渠道：{n} 个"),
    "assessment": ("Assessment {assessment} ({profile} {period}): {verdicts}; veto failures: {vetoes}",
                   "考核 {assessment}（{profile} {period}）：{verdicts}；单项否决问题 {vetoes} 项"),
    "no_assessment": ("No assessment yet.", "暂无考核结果。"),
    "tasks": ("Rectification tasks: {open} open, {escalated} escalated, {overdue} overdue",
              "整改任务：待整改 {open} 项，已提级督办 {escalated} 项，其中逾期 {overdue} 项"),
    "disputes": ("Disputes awaiting a decision: {n}", "待处理申诉：{n} 件"),
}
MORE = ("... and {n} more", "……另有 {n} 项")
EVERYONE = ("all organizations", "全部单位")
FOOTER = ("Sent by mgov on {date}. This is an automatic message; reply to your supervising office, not to it.",
          "本邮件由 mgov 于 {date} 自动发送，请勿直接回复；如有疑问请联系主管部门。")


class OrgNames(Protocol):
    """What a label needs of an organization (a row of the organizations table)."""

    @property
    def code(self) -> str: ...
    @property
    def name_zh(self) -> str | None: ...
    @property
    def name_en(self) -> str | None: ...


def _pick(pair: tuple[str, str], lang: str) -> str:
    return pair[1] if lang == "zh" else pair[0]


def org_label(org: OrgNames | None, lang: str) -> str:
    """The organization's name in the language (else its other name, else its code)."""
    if org is None:
        return _pick(EVERYONE, lang)
    names = (org.name_zh, org.name_en) if lang == "zh" else (org.name_en, org.name_zh)
    return next((n for n in names if n), org.code)


def subject(event: str, lang: str, org: str, items: list[dict[str, Any]]) -> str:
    week = items[0].get("week", "") if items else ""
    text = _pick(SUBJECTS[event], lang).format(n=len(items), org=org, week=week)
    return " ".join(text.split())  # a line break in a registry name must not break the header


def indicator_text(indicator_id: str, lang: str, profile_id: str | None = None) -> str:
    """The indicator by its name in the profile, its id after it: 首页不更新（v3_homepage_stale）."""
    name = names().indicator(indicator_id, lang, profile_id)
    if name == indicator_id:
        return name
    return f"{name}（{indicator_id}）" if lang == "zh" else f"{name} ({indicator_id})"


def _line(event: str, lang: str, item: dict[str, Any]) -> str:
    indicator = indicator_text(item["indicator"], lang, item.get("profile"))
    if event == "veto":
        sep = "：" if lang == "zh" else ": "
        detail = f"{sep}{detail_text(item['detail'], lang)}" if item.get("detail") else ""
        return _pick(VETO_LINE, lang).format(**{**item, "owner": item.get("owner") or "-", "detail": detail,
                                                "indicator": indicator,
                                                "profile": names().profile(item.get("profile"), lang)})
    if event == "escalated":
        return _pick(ESCALATED_LINE, lang).format(**{**item, "owner": item.get("owner") or "-",
                                                     "to": item.get("escalated_to") or "-"})
    status = _pick(STATUS.get(item["status"], (item["status"], item["status"])), lang)
    return _pick(TASK_LINE, lang).format(**{**item, "owner": item.get("owner") or "-", "indicator": indicator,
                                            "status": status.format(to=item.get("escalated_to") or "-")})


def _digest_lines(lang: str, d: dict[str, Any]) -> list[str]:
    lines = [_pick(DIGEST["channels"], lang).format(n=d["channels"])]
    sep = "，" if lang == "zh" else ", "
    for a in d["assessments"]:
        verdicts = sep.join(f"{_pick(VERDICTS.get(v, (v, v)), lang)} {n}" for v, n in sorted(a["verdicts"].items()))
        lines.append(_pick(DIGEST["assessment"], lang).format(
            **{**a, "verdicts": verdicts, "profile": names().profile(a.get("profile"), lang)}))
    if not d["assessments"]:
        lines.append(_pick(DIGEST["no_assessment"], lang))
    lines.append(_pick(DIGEST["tasks"], lang).format(**d["tasks"]))
    lines.append(_pick(DIGEST["disputes"], lang).format(n=d["disputes_open"]))
    return lines


def body(event: str, lang: str, org: str, items: list[dict[str, Any]], sent_on: dt.date) -> str:
    lines = [org, "", _pick(INTROS[event], lang), ""]
    if event == "digest":
        lines += _digest_lines(lang, items[0])
    else:
        lines += [_line(event, lang, i) for i in items[:MAX_LINES]]
        if len(items) > MAX_LINES:
            lines.append(_pick(MORE, lang).format(n=len(items) - MAX_LINES))
    lines += ["", "--", _pick(FOOTER, lang).format(date=sent_on.isoformat())]
    return "\n".join(lines) + "\n"
