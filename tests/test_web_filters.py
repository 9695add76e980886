"""The API refuses a filter value outside its vocabulary (422, naming the choices) on every
list endpoint, instead of an empty list that reads as "nothing there" (issue 15: kind=websit)."""

from __future__ import annotations

import pytest

from webworld import build_world


@pytest.fixture
def world(engine, tmp_path):
    return build_world(engine, tmp_path)


def test_unknown_filter_values_are_refused_with_the_choices(world) -> None:
    admin = world.client("admin")
    assessment = admin.api("GET", "/api/v1/assessments").json()["items"][0]["id"]
    cases = [
        ("/api/v1/channels?kind=websit", "website"),
        ("/api/v1/channels?status=open", "suspended"),
        ("/api/v1/organizations?tier=prefect", "prefecture"),
        ("/api/v1/findings?status=failed", "not_applicable"),
        ("/api/v1/findings?check=link.dead", "links.dead"),
        ("/api/v1/scans?kind=scans", "crawl"),
        ("/api/v1/tasks?status=done", "escalated"),
        ("/api/v1/disputes?status=won", "overturned"),
        (f"/api/v1/assessments/{assessment}/results?verdict=ok", "not_assessed"),
        (f"/api/v1/assessments/{assessment}/results?kind=websit", "website"),
        ("/api/v1/rankings?tier=prefect&kind=website", "prefecture"),
        ("/api/v1/rankings?tier=county&kind=websit", "mobile_site"),
        ("/api/v1/profiles/cn-2019-website?kind=websit&tier=county", "website"),
        (f"/api/v1/assessments/{assessment}/report?format=docx", "xlsx"),
    ]
    for url, choice in cases:
        answer = admin.api("GET", url)
        assert answer.status_code == 422, (url, answer.status_code, answer.text[:300])
        message = answer.json()["error"]["message"]
        assert "choose from" in message and choice in message, (url, message)
    # The values they list are accepted.
    for url in ("/api/v1/channels?kind=website&status=active", "/api/v1/organizations?tier=prefecture",
                "/api/v1/findings?status=fail", "/api/v1/scans?kind=crawl", "/api/v1/tasks?status=open",
                "/api/v1/disputes?status=filed", "/api/v1/rankings?tier=county&kind=website"):
        assert admin.api("GET", url).status_code == 200, url
