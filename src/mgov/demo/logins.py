"""The demo's two logins: a whole-registry administrator and the staff of one farm agency."""

from __future__ import annotations

import secrets

from sqlalchemy import Engine

from mgov.accounts import users
from mgov.demo.farm import Manifest
from mgov.errors import NotFound

ADMIN = "demo-admin"
AGENCY = "demo-agency"


def _password() -> str:
    return secrets.token_urlsafe(12)


def demo_logins(engine: Engine, manifest: Manifest) -> list[dict[str, str]]:
    """New passwords on every run."""
    agency = next(s.organization.code for s in manifest.sites if s.organization.jurisdiction == "cn")
    wanted = [(ADMIN, "admin", None), (AGENCY, "agency_staff", agency)]
    out = []
    with engine.begin() as conn:
        for username, role, org in wanted:
            password = _password()
            # The administrator has no organization to take a zone from: the demo's office is Chinese.
            zone = "Asia/Shanghai" if org is None else ""
            try:
                user_id = users.user_id_of(conn, username)
                users.edit_user(conn, user_id, role=role, organization=org or "", password=password, active=True,
                                time_zone=zone)
            except NotFound:
                users.create_user(conn, username, password, role, organization=org, time_zone=zone)
            out.append({"username": username, "password": password, "role": role, "organization": org or ""})
    return out
