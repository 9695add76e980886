"""The REST API (/api/v1): JSON in and out, every read and write within the caller's scope."""

from __future__ import annotations

from fastapi import APIRouter

from mgov.web.api import (
    accounts,
    act,
    archive_history,
    assessments,
    discovered,
    inspections,
    jobs,
    monitoring,
    notify,
    registry,
    runs,
    search,
    task_work,
    verify,
)

router = APIRouter()
for module in (registry, monitoring, assessments, act, task_work, inspections, accounts, notify, jobs, verify,
               discovered, archive_history, search, runs):
    router.include_router(module.router)
