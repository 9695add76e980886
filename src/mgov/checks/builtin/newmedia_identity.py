"""New-media checks of what the registry must know: the account's identity (name, avatar,
certification) changed without a filing, two registered accounts of one unit on one platform,
and posts edited or deleted after publication (kept, for a reviewer)."""

from __future__ import annotations

from typing import Any

from mgov.checks.base import Finding, Status
from mgov.checks.builtin.newmedia_base import LISTED, PLATFORM_KINDS, REFS, NewMediaCheck, account, post_row, refs
from mgov.evidence.newmedia import ChangeKind, NewMediaEvidence, PostChange, ProfileChange
from mgov.evidence.site import SiteEvidence

SPEC = "国办秘函〔2019〕19号 政务新媒体检查指标"
FIELDS_ZH = {"name": "名称", "avatar": "头像", "certification": "认证"}
TEXT_KEPT = 200  # characters of a post's earlier text shown in a finding (all of it is archived)


def _change_row(c: ProfileChange) -> dict[str, Any]:
    return {"field": c.field, "before": c.before, "after": c.after, "filed": c.filed,
            "seen_at": c.seen_at.isoformat() if c.seen_at else None}


def _said(rows: list[dict[str, Any]]) -> tuple[str, str]:
    en = "; ".join(f"{r['field']} {r['before']!r} -> {r['after']!r}" for r in rows)
    zh = "；".join(f"{FIELDS_ZH.get(r['field'], r['field'])}由“{r['before'] or '无'}”变为“{r['after'] or '无'}”"
                  for r in rows)
    return en, zh


class Identity(NewMediaCheck):
    id = "newmedia.identity"
    title_en = "Name, avatar and certification changes filed"
    title_zh = "名称、头像、认证变更报备"
    fix_en = ("File each change listed with the registry (a 'changed' event), or restore the account's "
              "registered name, avatar and certification.")
    fix_zh = "在登记系统中对所列变更进行报备（变更事件），或恢复账号登记的名称、头像和认证信息。"
    basis = (f"{SPEC} §1.5 扣分情形: 认证、名称变更未报备 (甘肃 2021-Q2); names and avatars must not change "
             "arbitrarily and every change is filed (国办发〔2018〕123号, spec §3.2)")
    kinds = PLATFORM_KINDS

    def judge(self, nm: NewMediaEvidence, ev: SiteEvidence, params: dict[str, Any]) -> Finding:
        rows = [_change_row(c) for c in nm.profile_changes]
        unfiled = [r for r in rows if not r["filed"]]
        filed = [r for r in rows if r["filed"]]
        value = {**account(nm), "compared": nm.previous_profile is not None or bool(rows), "changes": rows,
                 "unfiled": unfiled, "filed": filed}
        if unfiled:
            en, zh = _said(unfiled)
            return self.finding(Status.FAIL, value, message=f"changed with no filing in the registry: {en}",
                                message_zh=f"账号信息变更未报备：{zh}", evidence=nm.warc[:REFS])
        if filed:
            en, zh = _said(filed)
            return self.finding(Status.PASS, value, message=f"changed and filed: {en}",
                                message_zh=f"账号信息已变更并报备：{zh}", evidence=nm.warc[:REFS])
        return self.finding(Status.PASS, value, evidence=nm.warc[:REFS])


class Duplicates(NewMediaCheck):
    id = "newmedia.duplicates"
    title_en = "One account per unit on a platform"
    title_zh = "同一平台不重复开设账号"
    fix_en = "Merge the accounts listed into one main account and close (and deregister) the others."
    fix_zh = "将所列账号整合为一个主账号，其余账号关停并在登记系统中注销。"
    basis = ("国办发〔2018〕123号: 一个单位原则上在同一平台只开设一个政务新媒体账号 (spec §3.2); "
             f"{SPEC} §1.5 扣分情形: 重复开设 (甘肃 2021-Q2)")
    kinds = PLATFORM_KINDS
    judges_unread = True  # the registry's fact, whatever the platform answered

    def judge(self, nm: NewMediaEvidence, ev: SiteEvidence, params: dict[str, Any]) -> Finding:
        siblings = sorted(set(nm.siblings))
        value = {"address": ev.channel.address, "platform": nm.platform, "siblings": siblings}
        if not siblings:
            return self.finding(Status.PASS, value)
        return self.finding(Status.FAIL, value,
                            message=f"{len(siblings)} other registered account(s) of the same organization on "
                                    f"{nm.platform}: {', '.join(siblings)}",
                            message_zh=f"同一单位在同一平台（{nm.platform}）另开设 {len(siblings)} 个账号："
                                       f"{'、'.join(siblings)}")


def _post_change_row(c: PostChange, nm: NewMediaEvidence) -> dict[str, Any]:
    post = next((p for p in nm.posts if p.post_id == c.post_id), None)
    row: dict[str, Any] = {"post_id": c.post_id, "kind": c.kind.value, "seen_at": c.seen_at.isoformat(),
                           "before_digest": c.before_digest, "after_digest": c.after_digest,
                           "before_text": (c.before_text or "")[:TEXT_KEPT] or None}
    if post is not None:
        row["post"] = post_row(post)
    return row


class PostChanges(NewMediaCheck):
    id = "newmedia.post_changes"
    title_en = "Posts edited or deleted after publication (for review)"
    title_zh = "已发布信息被修改或删除（待人工复核）"
    fix_en = ("Review each change listed: a correction should say so in the post; a deleted post stays a "
              "record (every version is kept in the archive).")
    fix_zh = "逐条复核所列变更：更正应在文中说明；删除的信息仍属档案（各版本均已存档）。"
    basis = ("NARA Bulletin 2014-02 and memo AC 06.2023: agency posts are records, not deleted without an "
             "approved disposition; 国办发〔2018〕123号 先审后发 (spec §3.3): a post changed after "
             "publication is a reviewer's matter")

    def judge(self, nm: NewMediaEvidence, ev: SiteEvidence, params: dict[str, Any]) -> Finding:
        rows = [_post_change_row(c, nm) for c in nm.changes]
        edited = [r for r in rows if r["kind"] == ChangeKind.EDITED.value]
        deleted = [r for r in rows if r["kind"] == ChangeKind.DELETED.value]
        restored = [r for r in rows if r["kind"] == ChangeKind.RESTORED.value]
        value = {"edited": edited[:LISTED], "deleted": deleted[:LISTED], "restored": restored[:LISTED],
                 "counts": {"edited": len(edited), "deleted": len(deleted), "restored": len(restored)}}
        changed = {c.post_id for c in nm.changes}
        evidence = refs((p for p in nm.posts if p.post_id in changed), nm)
        if not edited and not deleted:
            return self.finding(Status.PASS, value, evidence=evidence)
        ids = ", ".join(r["post_id"] for r in [*edited, *deleted][:10])
        return self.finding(Status.WARN, value,
                            message=f"{len(edited)} post(s) edited and {len(deleted)} deleted since the last "
                                    f"capture: {ids}",
                            message_zh=f"自上次采集以来 {len(edited)} 条信息被修改、{len(deleted)} 条被删除：{ids}",
                            evidence=evidence)
