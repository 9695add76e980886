"""The dashboard: server-rendered pages (Jinja2) over the same queries and actions as the API."""

from __future__ import annotations

from fastapi import APIRouter

from mgov.web.dashboard import (
    account,
    archive_pages,
    auth,
    discover_pages,
    follow,
    inspection_pages,
    job_pages,
    pages,
    replay_pages,
    search_pages,
    task_pages,
    verify_page,
)

router = APIRouter(include_in_schema=False)
for module in (auth, pages, follow, task_pages, inspection_pages, account, job_pages, discover_pages, verify_page,
               replay_pages, archive_pages, search_pages):
    router.include_router(module.router)
