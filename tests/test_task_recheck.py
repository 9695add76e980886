"""The re-check, for real: `mgov tasks recheck` scans the channels of the tasks asked about with
the checks behind their indicators, on the demo farm over loopback (its DNS, certificates and
ports), and closes the fixed task, notes the one still failing, and says which it cannot judge;
then the site is fixed, a re-check is asked for, and a plain `mgov scan` of it honours the
request and closes the task."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import yaml
from sqlalchemy import insert, select

from mgov.act import task_work
from mgov.act.tasks import get_task
from mgov.db.tables import ASSESSMENTS, CHANNELS, RECTIFICATION_TASKS, SCAN_RUNS
from mgov.demo.farm import Manifest, Site, generate, run_in_thread
from mgov.formats.load import import_file

SEED, SITES = 2026, 19  # the demo's seed: a Chinese site without its 找错 entry, and healthy ones


def broken_and_healthy(manifest: Manifest) -> tuple[Site, Site]:
    """A Chinese site whose only 找错 (cn.jiucuo) defect is a missing entry, and one without defects."""
    cn = [s for s in manifest.sites if s.jurisdiction == "cn" and s.role == "site"]
    broken = next(s for s in cn if "cn.jiucuo.missing" in s.defects and not any(
        d.startswith(("https.", "tls.", "availability.", "dns.")) for d in s.defects))
    healthy = next(s for s in cn if not s.defects)
    return broken, healthy


def repair_jiucuo(site: Site) -> None:
    """What the agency does: put the 找错 entry back, carrying the site's own code."""
    site.defects.remove("cn.jiucuo.missing")
    site.identifiers["jiucuo_site_code"] = site.identifiers.get("site_code") or site.registry.attributes["site_code"]


def _routing(farm: Any) -> list[str]:
    args = [a for rule in farm.connect_to for a in ("--connect-to", rule)]
    return [*args, "--dns", f"127.0.0.1:{farm.dns_port}", "--ca-bundle", str(farm.ca_pem), "--allow-private"]


@pytest.fixture
def tasks(engine, tmp_path):
    """The farm's registry, and tasks on two of its sites as an assessment would open them."""
    manifest = generate(SEED, SITES)
    path = tmp_path / "farm.yaml"
    path.write_text(yaml.safe_dump(manifest.registry_document(), allow_unicode=True), encoding="utf-8")
    assert import_file(engine, path).problems == []
    broken, healthy = broken_and_healthy(manifest)
    with engine.begin() as conn:
        ids = {r.address: r.id for r in conn.execute(select(CHANNELS.c.id, CHANNELS.c.address))}
        assessment = conn.execute(insert(ASSESSMENTS).values(
            profile_id="cn-2019-website", period="2026-01", start=dt.date(2026, 1, 1), end=dt.date(2026, 1, 31),
            params={}).returning(ASSESSMENTS.c.id)).scalar_one()

        def task(site: Site, indicator: str) -> int:
            return int(conn.execute(insert(RECTIFICATION_TASKS).values(
                assessment_id=assessment, channel_id=ids[site.registry.address], indicator_id=indicator,
                profile_id="cn-2019-website", opened_on=dt.date(2026, 2, 2), due_on=dt.date(2026, 2, 9),
                status="open", assignees=[], evidence={"kind": "website", "tier": site.organization.tier},
                history=[{"at": "2026-02-02T00:00:00+00:00", "action": "opened", "by": "test"}])
                .returning(RECTIFICATION_TASKS.c.id)).scalar_one())

        made = {"broken": task(broken, "d_jiucuo"), "healthy": task(healthy, "d_jiucuo"),
                "probe": task(healthy, "v2_unreachable")}
        for task_id in made.values():
            task_work.request_recheck(conn, task_id, by="agency")
    return {"manifest": manifest, "site": broken, **made}


def test_recheck_runs_the_checks_and_closes_what_is_fixed(engine, cli, tasks):
    manifest = tasks["manifest"]
    with run_in_thread(manifest) as farm:
        out = cli.json("tasks", "recheck", *_routing(farm), "--by", "ops")
    assert out["closed"] == [tasks["healthy"]] and out["still_failing"] == [tasks["broken"]]
    assert out["unchecked"] == [tasks["probe"]]
    assert [(r["kind"], sorted(r["tasks"])) for r in out["runs"]] == [
        ("scan", sorted([tasks["broken"], tasks["healthy"]]))]
    with engine.connect() as conn:
        run = conn.execute(select(SCAN_RUNS).where(SCAN_RUNS.c.id == out["runs"][0]["run"])).one()
        healthy, broken, probe = (get_task(conn, tasks[k]) for k in ("healthy", "broken", "probe"))
    assert run.params["checks"] == ["cn.jiucuo"] and len(run.params["channels"]) == 2  # only what was asked
    assert healthy["status"] == "closed" and healthy["history"][-1]["recheck"]["finding_status"] == "pass"
    assert healthy["history"][-1]["by"] == "ops"
    assert broken["status"] == "open" and broken["history"][-1]["action"] == "recheck_failed"
    assert broken["history"][-1]["recheck"]["finding_status"] == "fail"
    assert "week's probes" in probe["history"][-1]["recheck"]["why"]
    assert all(t["recheck_requested_at"] is None for t in (healthy, broken, probe))  # every request was met
    assert "nothing to re-check" in cli("tasks", "recheck", str(tasks["healthy"]), code=1).stderr

    # The agency fixes its site and asks again; the next scan of the site answers the request.
    repair_jiucuo(tasks["site"])
    assert "re-check asked for" in cli("tasks", "recheck", str(tasks["broken"]), "--later").stdout
    with run_in_thread(manifest) as farm:
        scanned = cli("scan", "--channel", tasks["site"].registry.address, "--checks", "cn.jiucuo,search",
                      *_routing(farm)).stdout
    assert f"re-checked: closed {tasks['broken']} " in scanned
    with engine.connect() as conn:
        fixed = get_task(conn, tasks["broken"])
    assert fixed["status"] == "closed" and fixed["recheck_requested_at"] is None
    assert [h["action"] for h in fixed["history"]][-3:] == ["recheck_failed", "recheck_requested", "closed"]
