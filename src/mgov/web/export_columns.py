"""The columns of every exported list, in the reader's words: headers from the dashboard's
catalog, enum codes as their labels, indicators and checks by name (with the id in a column of
its own, for matching with the CLI and the API), times in the reader's zone, dates as ISO dates
(they sort as text), numbers as numbers."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from mgov.formats.table import Column
from mgov.profiles import audit_words
from mgov.profiles.names import Names, action_label, label
from mgov.web import i18n

_LETTERS = re.compile(r"[^\W\d_]")


@dataclass(frozen=True)
class Words:
    """What an export says things with: the language, the reader's zone, the names and gettext."""

    lang: str
    zone: str
    names: Names
    t: Callable[[str], str]

    def time(self, value: Any) -> str | None:
        return None if value is None else i18n.fmt_datetime(value, self.lang, self.zone)

    def yes(self, value: Any) -> str:
        return self.t("yes") if value else self.t("no")

    def message(self, row: dict[str, Any]) -> str:
        first, second = ("message_zh", "message") if self.lang == "zh" else ("message", "message_zh")
        return str(row.get(first) or row.get(second) or "")

    def org_name(self, row: dict[str, Any]) -> str | None:
        first, second = ("name_zh", "name_en") if self.lang == "zh" else ("name_en", "name_zh")
        return row.get(first) or row.get(second)

    def audit(self, detail: Any) -> str:
        """An audit entry's detail as one line; what people wrote and keys in quotes (when they
        hold letters: a number needs none)."""
        def shown(value: str, code: bool) -> str:
            return f"“{value}”" if code and _LETTERS.search(value) else value
        parts = [f"{field}{self.t(': ')}{shown(before, code) + ' → ' if before else ''}{shown(after, code)}"
                 for field, before, after, code in audit_words.rows(detail if isinstance(detail, dict) else {},
                                                                     self.lang, self.names)]
        return self.t("; ").join(parts)


def _date(value: Any) -> str | None:
    return None if value is None else str(value)[:10]


def channels(w: Words) -> list[Column]:
    return [Column(w.t("ID"), lambda r: r["id"]),
            Column(w.t("Kind"), lambda r: label("kind", r["kind"], w.lang)),
            Column(w.t("Address"), lambda r: r["address"]),
            Column(w.t("Name"), lambda r: r.get("name")),
            Column(w.t("Owner code"), lambda r: r.get("owner")),
            Column(w.t("Status"), lambda r: label("status", r["status"], w.lang))]


def findings(w: Words) -> list[Column]:
    return [Column(w.t("ID"), lambda r: r["id"]),
            Column(w.t("Observed"), lambda r: w.time(r["observed_at"])),
            Column(w.t("Address"), lambda r: r["address"]),
            Column(w.t("Check"), lambda r: w.names.check(r["check_id"], w.lang)),
            Column(w.t("Check ID"), lambda r: r["check_id"]),
            Column(w.t("Status"), lambda r: label("finding", r["status"], w.lang)),
            Column(w.t("Message"), w.message),
            Column(w.t("Scan"), lambda r: r["run_id"])]


def tasks(w: Words) -> list[Column]:
    return [Column(w.t("ID"), lambda r: r["id"]),
            Column(w.t("Address"), lambda r: r["address"]),
            Column(w.t("Indicator"), lambda r: w.names.indicator(r["indicator_id"], w.lang, r.get("profile_id"))),
            Column(w.t("Indicator ID"), lambda r: r["indicator_id"]),
            Column(w.t("Status"), lambda r: label("task", r["status"], w.lang)),
            Column(w.t("Overdue"), lambda r: w.yes(r.get("overdue"))),
            Column(w.t("Opened"), lambda r: _date(r.get("opened_on"))),
            Column(w.t("Due"), lambda r: _date(r.get("due_on"))),
            Column(w.t("Assigned to"), lambda r: r.get("assignee_name") or r.get("assignee")),
            Column(w.t("Escalated to"), lambda r: r.get("escalated_to")),
            Column(w.t("Escalation level"), lambda r: r.get("escalation_level") or 0),
            Column(w.t("Closed on"), lambda r: _date(r.get("closed_on")))]


def disputes(w: Words) -> list[Column]:
    return [Column(w.t("ID"), lambda r: r["id"]),
            Column(w.t("Address"), lambda r: r["address"]),
            Column(w.t("Indicator"), lambda r: w.names.indicator(r["indicator_id"], w.lang)),
            Column(w.t("Indicator ID"), lambda r: r["indicator_id"]),
            Column(w.t("Filed by"), lambda r: r.get("filed_by")),
            Column(w.t("Filed"), lambda r: w.time(r.get("filed_at"))),
            Column(w.t("Status"), lambda r: label("dispute", r["status"], w.lang)),
            Column(w.t("Decided"), lambda r: w.time(r.get("decided_at"))),
            Column(w.t("Reason"), lambda r: r.get("reason"))]


def audit(w: Words) -> list[Column]:
    return [Column(w.t("When"), lambda r: w.time(r["at"])),
            Column(w.t("Who"), lambda r: w.t("the system") if r["actor"] == "system" else r["actor"]),
            Column(w.t("Through"), lambda r: audit_words.face_label(r.get("face"), w.lang)),
            Column(w.t("Action"), lambda r: action_label(str(r["action"]), w.lang)),
            Column(w.t("Object"), lambda r: audit_words.kind_label(str(r["subject"]).partition(":")[0], w.lang)),
            Column(w.t("Object key"), lambda r: str(r["subject"]).partition(":")[2] or None),
            Column(w.t("Detail"), lambda r: w.audit(r.get("detail")))]


def results(w: Words) -> list[Column]:
    return [Column(w.t("Rank"), lambda r: r.get("rank")),
            Column(w.t("Name"), lambda r: r.get("name")),
            Column(w.t("Address"), lambda r: r["address"]),
            Column(w.t("Owner code"), lambda r: r.get("owner")),
            Column(w.t("Tier"), lambda r: label("tier", r["tier"], w.lang)),
            Column(w.t("Kind"), lambda r: label("kind", r["kind"], w.lang)),
            Column(w.t("Score"), lambda r: r.get("score")),
            Column(w.t("Grade"), lambda r: r.get("grade")),
            Column(w.t("Outcome"), lambda r: label("verdict", r["verdict"], w.lang)),
            Column(w.t("Complete"), lambda r: w.yes(r.get("complete"))),
            Column(w.t("Vetoes"), lambda r: r.get("vetoes") or 0)]


def organizations(w: Words) -> list[Column]:
    return [Column(w.t("Owner code"), lambda r: r["code"]),
            Column(w.t("Name"), w.org_name),
            Column(w.t("Jurisdiction"), lambda r: label("jurisdiction", r["jurisdiction"], w.lang)),
            Column(w.t("Tier"), lambda r: label("tier", r["tier"], w.lang)),
            Column(w.t("Parent code"), lambda r: r.get("parent")),
            Column(w.t("Active"), lambda r: w.yes(r.get("active")))]


def people(w: Words) -> list[Column]:
    return [Column(w.t("Person key"), lambda r: r["key"]),
            Column(w.t("Name"), lambda r: r.get("name")),
            Column(w.t("E-mail"), lambda r: r.get("email")),
            Column(w.t("Phone"), lambda r: r.get("phone"))]


def scans(w: Words) -> list[Column]:
    return [Column(w.t("ID"), lambda r: r["id"]),
            Column(w.t("Kind"), lambda r: label("run_kind", r["kind"], w.lang)),
            Column(w.t("Status"), lambda r: label("run_status", r["status"], w.lang)),
            Column(w.t("Started"), lambda r: w.time(r.get("started_at"))),
            Column(w.t("Finished"), lambda r: w.time(r.get("finished_at"))),
            Column(w.t("Channels"), lambda r: r.get("channels"))]


def assessments(w: Words) -> list[Column]:
    return [Column(w.t("ID"), lambda r: r["id"]),
            Column(w.t("Period"), lambda r: r["period"]),
            Column(w.t("Profile"), lambda r: w.names.profile(r["profile_id"], w.lang)),
            Column(w.t("Start"), lambda r: _date(r.get("start"))),
            Column(w.t("End"), lambda r: _date(r.get("end"))),
            Column(w.t("Created"), lambda r: w.time(r.get("created_at")))]


def users(w: Words) -> list[Column]:
    return [Column(w.t("User name"), lambda r: r["username"]),
            Column(w.t("Display name"), lambda r: r.get("display_name")),
            Column(w.t("Role"), lambda r: label("user_role", r["role"], w.lang)),
            Column(w.t("Organization code"), lambda r: r.get("organization")),
            Column(w.t("Last sign-in"), lambda r: w.time(r.get("last_login_at"))),
            Column(w.t("Active"), lambda r: w.yes(r.get("active")))]


COLUMNS: dict[str, Callable[[Words], list[Column]]] = {"scans": scans, "assessments": assessments, "users": users,
    "channels": channels, "findings": findings, "tasks": tasks, "disputes": disputes, "audit": audit,
    "results": results, "organizations": organizations, "people": people}
# The sheet's name.
TITLES: dict[str, Callable[[Words], str]] = {
    "channels": lambda w: w.t("Channels"), "findings": lambda w: w.t("Findings"),
    "tasks": lambda w: w.t("Rectification"), "disputes": lambda w: w.t("Disputes"), "audit": lambda w: w.t("Audit log"),
    "results": lambda w: w.t("Rankings"), "organizations": lambda w: w.t("Organizations"),
    "people": lambda w: w.t("People"), "scans": lambda w: w.t("Scans"), "assessments": lambda w: w.t("Assessments"),
    "users": lambda w: w.t("Users")}
