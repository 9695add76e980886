"""An indicator's detail in the reader's language. The assessment stores its detail in English
("latest finding 2026-12-06: fail", aggregate.py and score.py); stored results never change, so
the Chinese is made when shown, from the same forms. A form not known here is shown as stored."""

from __future__ import annotations

import re
from collections.abc import Callable

from mgov.profiles.names import label

# The counts instances_from_value reads (aggregate.SCOPE_KEYS, and "stale" of column types).
VALUE_KEYS = {"dead_home": ("首页错链断链", "dead links on the homepage"),
              "dead_other": ("其他页面错链断链", "dead links on other pages"), "dead": ("错链断链", "dead links"),
              "stale": ("未按时更新的栏目", "stale columns"),
              "missing": ("隐私政策缺少的内容", "items the privacy policy lacks")}

Form = tuple[re.Pattern[str], Callable[[re.Match[str]], str]]



def _finding_status(code: str) -> str:
    return label("finding", code, "zh")


def _key(key: str) -> str:
    return VALUE_KEYS.get(key, (key, key))[0]


# One form per detail aggregate.py and score.py write; each part of a detail joined with "; "
# is one form.
FORMS: list[Form] = [(re.compile(p), f) for p, f in (
    (r"no observation for the period", lambda m: "本期无监测数据"),
    (r"the check does not apply to this channel", lambda m: "该检查不适用于此渠道"),
    (r"no usable finding \((\d+) error finding\(s\)\)", lambda m: f"无可用的检查结果（{m[1]} 条检查出错）"),
    (r"the check does not apply \((\S+)\)", lambda m: f"该检查不适用（{m[1]}）"),
    (r"latest finding (\S+): (pass|fail|warn|error|not_applicable)",
     lambda m: f"最近一次检查 {m[1]}：{_finding_status(m[2])}"),
    (r"worst finding (\S+): (\w+) \((\d+) day\(s\)\)",
     lambda m: f"最差一次检查 {m[1]}：{_finding_status(m[2])}（共 {m[3]} 天）"),
    (r"(\d+) failing day\(s\) of (\d+) \(fails at >= (\S+)\)",
     lambda m: f"{m[2]} 天中 {m[1]} 天不通过（达到 {m[3]} 即未达标）"),
    (r"(\d+) failing day\(s\) of (\d+)", lambda m: f"{m[2]} 天中 {m[1]} 天不通过"),
    (r"finding (\S+) has no count '([^']*)' in its value", lambda m: f"{m[1]} 的检查结果中没有“{_key(m[2])}”计数"),
    (r"latest finding (\S+): (\d+) (\w+) \((.*)\)", lambda m: f"最近一次检查 {m[1]}：{_key(m[3])}（{m[4]}）{m[2]} 个"),
    (r"latest finding (\S+): (\d+) (\w+)", lambda m: f"最近一次检查 {m[1]}：{_key(m[3])} {m[2]} 个"),
    (r"no week with >= (\S+) probes a day \((\d+) week\(s\) with too few probes\)",
     lambda m: f"没有一周达到每天 {m[1]} 次探测（{m[2]} 周探测次数不足）"),
    (r"(\d+) of (\d+) week\(s\) with >= (\S+) failed probes",
     lambda m: f"{m[2]} 周中 {m[1]} 周探测失败率达到 {m[3]}"),
    (r"(\d+) week\(s\) with too few probes not counted", lambda m: f"{m[1]} 周探测次数不足，未计入"),
    (r"warning: (\d+) week\(s\) at >= (\S+)", lambda m: f"预警：{m[1]} 周失败率达到 {m[2]}"),
    (r"(\d+) 差评 not rectified in time of (\d+) rating\(s\)", lambda m: f"{m[2]} 条评价中 {m[1]} 条差评未按时整改"),
    (r"(\d+) 差评 of (\d+) rating\(s\)", lambda m: f"{m[2]} 条评价中差评 {m[1]} 条"),
    (r"no usage threshold \(min_visits, min_mobile_share\) in aggregate", lambda m: "指标未设定访问量门槛"),
    (r"no mobile share in the usage figures", lambda m: "访问数据中没有移动端占比"),
    (r"visits (\d+) < (\S+)", lambda m: f"访问量 {m[1]}，低于 {m[2]}"),
    (r"mobile share (\S+) < (\S+)", lambda m: f"移动端占比 {m[1]}，低于 {m[2]}"),
    (r"visits (\d+)", lambda m: f"访问量 {m[1]}"),
    (r"not inspected: the organization has no external services", lambda m: "不检查：该单位无对外服务"),
    (r"bonus only for channels tagged '([^']*)'", lambda m: f"加分仅适用于标记为“{m[1]}”的渠道"),
)]


def _part(text: str) -> str:
    for pattern, make in FORMS:
        if m := pattern.fullmatch(text):
            return make(m)
    return text


def detail_text(detail: str | None, lang: str) -> str:
    """The stored detail of an indicator result, in lang (en: as stored)."""
    if not detail or lang != "zh":
        return detail or ""
    if detail == "reviewer":
        return "人工审核"
    if detail.startswith("reviewer: "):  # the reviewer's own note follows: shown as written
        return f"人工审核：{detail[len('reviewer: '):]}"
    return "；".join(_part(p) for p in detail.split("; "))


def detail_is_known(detail: str) -> bool:
    """Whether every part of detail has a Chinese form (tests: no detail is left in English)."""
    if detail == "reviewer" or detail.startswith("reviewer: "):
        return True
    return all(any(p.fullmatch(part) for p, _ in FORMS) for part in detail.split("; "))
