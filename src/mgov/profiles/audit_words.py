"""An audit entry as people read it: a table of field, before, after, every field and code in
the reader's language (no JSON), and the words of who acted through which face.

A writer's entry keeps its change as {"changes": {field: [before, after]}}; its other keys
are facts of the step (a task's note, an import's counts), shown with an empty before."""

from __future__ import annotations

from mgov.profiles.names import ACTION_SUBJECTS, AUDIT_FIELDS, Names, audit_detail, label
from mgov.registry import vocab

# Fields the registry's writer, accounts and imports name, beside names.AUDIT_FIELDS.
FIELDS: dict[str, tuple[str, str]] = {
    "parent": ("上级单位", "parent"), "jurisdiction": ("辖区", "jurisdiction"), "phone": ("电话", "phone"),
    "lang": ("语言", "language"), "password_changed": ("已修改密码", "password changed"),
    "responsible": ("责任人", "responsible people"), "attributes": ("属性", "attributes"),
    "since": ("起始日期", "since"), "until": ("终止日期", "until"), "event": ("事件", "event"),
    "file": ("文件", "file"), "format": ("格式", "format"), "read": ("读取记录数", "records read"),
    "bad": ("有误记录数", "bad records"), "created": ("新建数", "created"), "updated": ("修改数", "updated"),
    "closed": ("关停数", "closed"), "unchanged": ("未变数", "unchanged"), "key": ("标识", "key"),
    "profile": ("指标体系", "profile"), "period": ("考核周期", "period"), "values": ("录入内容", "values"),
    "entered_by": ("录入人", "entered by"), "verdict": ("检查结论", "verdict"),
    "state": ("审核状态", "state"), "confirmed_as": ("认定为", "confirmed as"), "platform": ("平台", "platform"),
    "selection": ("检查范围", "checklist"), "confirmation": ("复核", "confirmation"),
}
FACES: dict[str, tuple[str, str]] = {"web": ("网页", "web"), "api": ("接口", "API"), "cli": ("命令行", "command line")}
# The actions a reader filters by (others are found by their object kind).
ACTIONS = ("registry.imported", "organization.created", "organization.updated", "person.created", "person.updated",
           "role.assigned", "role.ended", "channel.created", "channel.updated", "channel.closed",
           "channel.event_filed", "user.created", "user.updated", "user.unlocked", "user.password_changed",
           "token.created", "token.revoked", "notification_target.added", "notification_target.removed",
           "task.opened", "task.assigned", "task.commented", "task.escalated", "task.closed", "dispute.filed",
           "dispute.upheld", "dispute.overturned", "discovered.confirmed", "discovered.dismissed")
# An import's file formats (formats.load.FORMATS).
FORMATS: dict[str, tuple[str, str]] = {"native": ("mgov 名录格式", "mgov registry format"),
                                       "dotgov": (".gov 域名注册表", ".gov domain registry"),
                                       "usdr": ("美国数字注册库", "U.S. Digital Registry")}
# Fields whose values are codes of a label table.
_CODES = {"role": "role", "status": "status", "kind": "kind", "tier": "tier", "jurisdiction": "jurisdiction",
          "event": "event", "state": "discovered", "confirmed_as": "confirmed_as",
          "verdict": "inspection_verdict", "selection": "inspection_selection", "confirmation": "confirmation"}


def field_label(key: str, lang: str) -> str:
    pair = FIELDS.get(key) or AUDIT_FIELDS.get(key)
    if pair is None:
        return key
    return pair[0] if lang == "zh" else pair[1]


def kind_label(kind: str, lang: str) -> str:
    """channel -> 渠道 / channel (an object kind of the audit log)."""
    pair = ACTION_SUBJECTS.get(kind)
    if pair is None:
        return kind
    return pair[0] if lang == "zh" else pair[1]


def face_label(face: str | None, lang: str) -> str:
    pair = FACES.get(face or "")
    if pair is None:
        return "—" if face is None else face
    return pair[0] if lang == "zh" else pair[1]


def value_text(key: str, value: object, lang: str) -> tuple[str, bool]:
    """A value in lang, and whether it is shown as written (translate="no")."""
    zh = lang == "zh"
    if value is None or value == "" or value == [] or value == {}:
        return "—", False
    if isinstance(value, bool):
        return (("是" if value else "否") if zh else ("yes" if value else "no")), False
    if key == "role" and isinstance(value, str):
        return label("role" if value in vocab.ROLES else "user_role", value, lang), False
    if key == "format" and isinstance(value, str) and value in FORMATS:
        return FORMATS[value][0 if zh else 1], False
    if key in _CODES and isinstance(value, str):
        return label(_CODES[key], value, lang), False
    if isinstance(value, dict):  # responsible people by role, attributes
        sep = "；" if zh else "; "
        return sep.join(f"{value_text('role', k, lang)[0] if key == 'responsible' else k}{'：' if zh else ': '}"
                        f"{value_text(key + '.item', v, lang)[0]}" for k, v in value.items()), True
    if isinstance(value, list):
        return ("、" if zh else ", ").join(str(v) for v in value), True
    return str(value), True  # what people wrote, keys, addresses, numbers


def rows(detail: dict[str, object] | None, lang: str, found: Names) -> list[tuple[str, str, str, bool]]:
    """(field, before, after, as_written) for each change of an entry, then its other facts
    (with an empty before), all in lang."""
    detail = dict(detail or {})
    changes = detail.pop("changes", None)
    out: list[tuple[str, str, str, bool]] = []
    if isinstance(changes, dict):
        for key, pair in changes.items():
            before, after = pair if isinstance(pair, list) and len(pair) == 2 else (None, pair)
            old, new = value_text(key, before, lang), value_text(key, after, lang)
            out.append((field_label(key, lang), old[0], new[0], old[1] or new[1]))
    for key, value in detail.items():
        if key in FIELDS and key not in AUDIT_FIELDS:
            text, as_is = value_text(key, value, lang)
            out.append((field_label(key, lang), "", text, as_is))
        else:
            out += [(name, "", text, as_is) for name, text, as_is in audit_detail({key: value}, lang, found)]
    return out
