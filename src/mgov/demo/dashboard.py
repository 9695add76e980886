"""The end of `mgov demo`: assess the scanned sites, open their rectification tasks, make
demo logins, and serve the dashboard over it all."""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING, Any

from mgov import clock

if TYPE_CHECKING:
    from mgov.cli.common import State
    from mgov.demo.farm import Manifest

DEMO_PROFILE = "cn-2019-website"
ADMIN = "demo-admin"
AGENCY = "demo-agency"


def current_quarter() -> str:
    today = clock.today()
    return f"{today.year}Q{(today.month - 1) // 3 + 1}"


def assess_demo(st: State) -> dict[str, Any]:
    """The Chinese sites' assessment of this quarter (cn-2019-website) and its tasks."""
    from mgov.act.tasks import open_tasks
    from mgov.act.workdays import load_calendar
    from mgov.assess.service import run_assessment

    engine = st.engine()
    summary = run_assessment(engine, DEMO_PROFILE, current_quarter(), profile_dirs=st.settings.profile_dirs,
                             detail=False)
    with engine.begin() as conn:
        tasks = open_tasks(conn, summary["assessment"], load_calendar(), profile_dirs=st.settings.profile_dirs,
                           actor="mgov demo")
    return {"assessment": summary["assessment"], "period": summary["period"], "verdicts": summary["verdicts"],
            "tasks": len(tasks["opened"])}


def _password() -> str:
    return secrets.token_urlsafe(12)


def demo_logins(st: State, manifest: Manifest) -> list[dict[str, str]]:
    """A whole-registry admin and the staff of one farm agency (new passwords on every run)."""
    from mgov.accounts import users
    from mgov.errors import NotFound

    agency = next(s.organization.code for s in manifest.sites if s.organization.jurisdiction == "cn")
    wanted = [(ADMIN, "admin", None), (AGENCY, "agency_staff", agency)]
    out = []
    with st.engine().begin() as conn:
        for username, role, org in wanted:
            password = _password()
            try:
                user_id = users.user_id_of(conn, username)
                users.edit_user(conn, user_id, role=role, organization=org or "", password=password, active=True)
            except NotFound:
                users.create_user(conn, username, password, role, organization=org)
            out.append({"username": username, "password": password, "role": role, "organization": org or ""})
    return out


def print_logins(st: State, logins: list[dict[str, str]]) -> None:
    from mgov.cli.common import console
    from mgov.i18n import t

    for login in logins:
        console.print(t(st.lang, "demo_login", **login))


def serve(st: State, logins: list[dict[str, str]], host: str, port: int) -> None:
    import uvicorn

    from mgov.cli.common import console
    from mgov.i18n import t
    from mgov.web import create_app

    app = create_app(st.settings, engine=st.engine())
    console.print(t(st.lang, "demo_serving", url=f"http://{host}:{port}/"))
    print_logins(st, logins)
    uvicorn.run(app, host=host, port=port, log_level="warning")
