"""Accountability audit (权责明晰): who owns and answers for each channel, and where the
one-unit-one-site / one-account-per-platform rules are broken.

`load_inputs` reads the registry once; `run_audit` is a pure function of what it read.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, select

from mgov.config import AuditPolicy
from mgov.db.tables import CHANNELS, ORGS, PEOPLE, RESPONSIBILITIES, ROLES
from mgov.registry import vocab
from mgov.registry.addresses import platform_of

RULES: dict[str, dict[str, str]] = {
    "channel.no_owner": {
        "severity": "error", "basis": "权责明晰: every channel has an owner organization",
        "en": "channel has no owner organization", "zh": "渠道没有主办单位"},
    "channel.missing_role": {
        "severity": "error", "basis": "audit.required_roles (per channel kind)",
        "en": "no {role} named for this channel", "zh": "未明确该渠道的{role_zh}"},
    "channel.inactive_owner": {
        "severity": "error", "basis": "权责明晰: the owner must be an active organization",
        "en": "owner organization {org} is inactive", "zh": "主办单位 {org} 已撤销或停用"},
    "channel.role_holder_ended": {
        "severity": "warning", "basis": "role assignments (from/until)",
        "en": "{person}, named as {role}, no longer holds that role at {org} (ended {until})",
        "zh": "{person} 被列为{role_zh}，但其在 {org} 的该职务已于 {until} 结束"},
    "org.multiple_websites": {
        "severity": "warning",
        "basis": "国办发〔2017〕47号: 县级以上各级人民政府及其部门原则上一个单位最多开设一个网站",
        "en": "{count} open websites for one organization: {addresses}",
        "zh": "一个单位开设了 {count} 个网站：{addresses}"},
    "org.multiple_accounts": {
        "severity": "warning",
        "basis": "国办发〔2018〕123号: 一个单位原则上在同一平台只开设一个政务新媒体账号",
        "en": "{count} open accounts on {platform}: {addresses}",
        "zh": "同一平台（{platform}）开设了 {count} 个账号：{addresses}"},
}


@dataclass
class Finding:
    rule: str
    subject_type: str  # channel or organization
    subject: str  # "kind address" for a channel, the code for an organization
    organization: str | None
    details: dict[str, Any] = field(default_factory=dict)

    def reason(self, lang: str) -> str:
        d = {**self.details, "org": self.organization}
        if "role" in d:
            d["role_zh"] = vocab.ROLES[d["role"]].zh
        return RULES[self.rule]["zh" if lang == "zh" else "en"].format(**d)

    def as_dict(self, lang: str = "en") -> dict[str, Any]:
        return {"rule": self.rule, "severity": RULES[self.rule]["severity"],
                "basis": RULES[self.rule]["basis"], "subject_type": self.subject_type,
                "subject": self.subject, "organization": self.organization,
                "reason": self.reason(lang), "reason_en": self.reason("en"),
                "reason_zh": self.reason("zh"), "details": self.details}


@dataclass
class AuditInputs:
    orgs: dict[int, dict[str, Any]]
    channels: list[dict[str, Any]]  # open channels only
    responsible: dict[int, set[tuple[str, int]]]  # channel id -> (role, person id)
    assignments: dict[tuple[int, int, str], list[tuple[dt.date | None, dt.date | None]]]
    person_key: dict[int, str]


def load_inputs(conn: Connection) -> AuditInputs:
    orgs = {r.id: dict(r._mapping) for r in conn.execute(select(ORGS))}
    channels = [dict(r._mapping) for r in conn.execute(
        select(CHANNELS).where(CHANNELS.c.status.in_(vocab.OPEN_STATUSES))
        .order_by(CHANNELS.c.kind, CHANNELS.c.address))]
    responsible: dict[int, set[tuple[str, int]]] = defaultdict(set)
    for r in conn.execute(select(RESPONSIBILITIES)):
        responsible[r.channel_id].add((r.role, r.person_id))
    assignments: dict[tuple[int, int, str], list[Any]] = defaultdict(list)
    for r in conn.execute(select(ROLES)):
        assignments[(r.person_id, r.organization_id, r.role)].append((r.since, r.until))
    person_key = dict(conn.execute(select(PEOPLE.c.id, PEOPLE.c.key)).all())
    return AuditInputs(orgs, channels, responsible, assignments, person_key)


def run_audit(inputs: AuditInputs, policy: AuditPolicy, today: dt.date) -> list[Finding]:
    findings: list[Finding] = []
    by_owner: dict[int, list[dict[str, Any]]] = defaultdict(list)
    held_at_org = {(org, role) for (_, org, role), periods in inputs.assignments.items()
                   if role in policy.inherit_org_roles and _current(periods, today)}
    for ch in inputs.channels:
        findings += _channel_findings(ch, inputs, policy, today, held_at_org)
        if ch["owner_id"] is not None:
            by_owner[ch["owner_id"]].append(ch)
    for org_id, channels in sorted(by_owner.items(), key=lambda kv: inputs.orgs[kv[0]]["code"]):
        findings += _quota_findings(inputs.orgs[org_id], channels, policy)
    return findings


def _current(periods: list[tuple[dt.date | None, dt.date | None]], today: dt.date) -> bool:
    return any((since is None or since <= today) and (until is None or until >= today)
               for since, until in periods)


def _channel_findings(ch: dict[str, Any], inputs: AuditInputs, policy: AuditPolicy,
                      today: dt.date, held_at_org: set[tuple[int, str]]) -> list[Finding]:
    subject = f"{ch['kind']} {ch['address']}"
    owner = inputs.orgs.get(ch["owner_id"]) if ch["owner_id"] is not None else None
    code = owner["code"] if owner else None
    if owner is None:
        return [Finding("channel.no_owner", "channel", subject, None)] + [
            Finding("channel.missing_role", "channel", subject, None, {"role": role})
            for role in policy.required_roles.get(ch["kind"], [])
            if not any(r == role for r, _ in inputs.responsible.get(ch["id"], ()))]
    out = []
    if not owner["active"]:
        out.append(Finding("channel.inactive_owner", "channel", subject, code))
    held = inputs.responsible.get(ch["id"], set())
    for role in policy.required_roles.get(ch["kind"], []):
        if any(r == role for r, _ in held) or (owner["id"], role) in held_at_org:
            continue
        out.append(Finding("channel.missing_role", "channel", subject, code, {"role": role}))
    for role, person in sorted(held):
        periods = inputs.assignments.get((person, owner["id"], role), [])
        ended = [u for _, u in periods if u is not None and u < today]
        # Only an ended term is flagged; a term that starts later is a planned handover.
        if ended and not _current(periods, today):
            until = max(ended)
            out.append(Finding("channel.role_holder_ended", "channel", subject, code,
                               {"role": role, "person": inputs.person_key[person],
                                "until": until.isoformat()}))
    return out


def _quota_findings(org: dict[str, Any], channels: list[dict[str, Any]],
                    policy: AuditPolicy) -> list[Finding]:
    out = []
    jur, tier = org["jurisdiction"], org["tier"]
    if tier in policy.single_website_tiers.get(jur, []):
        sites = [c["address"] for c in channels if c["kind"] == "website"]
        if len(sites) > 1:
            out.append(Finding("org.multiple_websites", "organization", org["code"], org["code"],
                               {"count": len(sites), "addresses": ", ".join(sites)}))
    if tier in policy.single_account_tiers.get(jur, []):
        platforms: dict[str, list[str]] = defaultdict(list)
        for c in channels:
            if c["kind"] in vocab.ACCOUNT_KINDS:
                platforms[platform_of(c["kind"], c["address"])].append(c["address"])
        for platform, addresses in sorted(platforms.items()):
            if len(addresses) > 1:
                out.append(Finding("org.multiple_accounts", "organization", org["code"], org["code"],
                                   {"count": len(addresses), "platform": platform,
                                    "addresses": ", ".join(addresses)}))
    return out


def subtree(orgs: dict[int, dict[str, Any]], root_code: str) -> set[str]:
    """Codes of root_code and every organization below it."""
    children: dict[int | None, list[int]] = defaultdict(list)
    for oid, org in orgs.items():
        children[org["parent_id"]].append(oid)
    root = next((oid for oid, o in orgs.items() if o["code"] == root_code), None)
    if root is None:
        return set()
    out, stack = set(), [root]
    while stack:
        oid = stack.pop()
        out.add(orgs[oid]["code"])
        stack += children[oid]
    return out
