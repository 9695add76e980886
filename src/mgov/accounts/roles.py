"""Roles and what each may do. Every permission applies only within the user's scope (the
subtree of their organization; no organization: the whole registry)."""

from __future__ import annotations

# read: see the registry, findings, assessments, tasks, disputes and reports in scope.
# registry.write: add and edit organizations, people and channels.
# tasks.work: work on a rectification task: assign it, comment, add evidence of the fix, ask
# for a re-check, escalate it.  tasks.close: close one by hand.  disputes.file / disputes.decide.
# users.manage: add and edit users (only with roles the manager could hold themselves).
# audit.read: read the audit log.  notify.manage: notification targets.
# runs.start: start a scan or crawl of an organization's subtree or a channel from the web or
# the API (a job).  assess.start: start an assessment (the office's: it makes the rankings).
# discover.decide: confirm or dismiss the accounts `mgov discover` found claiming a unit (the
# supervising office's review of 私开账号 and imposters).
# contacts.read: people's e-mail addresses and phone numbers in full (the roles that edit the
# registry, chase its people or read the audit log, where changed contacts are written);
# without it they are masked as the command line masks them (mgov.registry.masking).
# inspections.review: carry out reviewer inspections (人工检查) of channels in scope: create and
# assign them, fill their items, confirm another reviewer's veto, submit them.
# records.hold: place and release legal holds on archived captures. records.dispose: approve a
# disposition report (the records officer's step: approved captures are destroyed).
PERMISSIONS: dict[str, frozenset[str]] = {
    "admin": frozenset({"read", "registry.write", "tasks.work", "tasks.close", "disputes.file", "disputes.decide",
                        "users.manage", "audit.read", "notify.manage", "contacts.read", "runs.start",
                        "assess.start", "discover.decide", "inspections.review", "records.hold", "records.dispose"}),
    "supervisor": frozenset({"read", "registry.write", "tasks.work", "tasks.close", "disputes.decide", "audit.read",
                             "notify.manage", "contacts.read", "runs.start", "assess.start", "discover.decide",
                             "inspections.review", "records.hold", "records.dispose"}),
    "reviewer": frozenset({"read", "disputes.decide", "audit.read", "contacts.read", "discover.decide",
                           "inspections.review"}),
    "agency_admin": frozenset({"read", "registry.write", "tasks.work", "disputes.file", "users.manage", "audit.read",
                               "notify.manage", "contacts.read", "runs.start", "records.hold"}),
    "agency_staff": frozenset({"read", "tasks.work", "disputes.file", "runs.start"}),
    "viewer": frozenset({"read"}),
}
ROLES: tuple[str, ...] = tuple(PERMISSIONS)


def permits(role: str, permission: str) -> bool:
    return permission in PERMISSIONS.get(role, frozenset())


def can_grant(granter_role: str, role: str) -> bool:
    """A user manager may hand out a role only when it permits nothing they may not do."""
    return role in PERMISSIONS and permits(granter_role, "users.manage") and (
        PERMISSIONS[role] <= PERMISSIONS[granter_role])
