"""The demo's pipeline: registries, the farm, a scan, two crawls, two captures of the new-media
accounts and a discovery on the farm's platforms, verification, the accountability audit,
the assessments and their tasks, the demo logins."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from importlib.resources import as_file, files
from typing import Any, Protocol

import yaml
from sqlalchemy import Engine

from mgov import clock
from mgov.act.tasks import open_tasks
from mgov.act.workdays import load_calendar
from mgov.assess.service import run_assessment
from mgov.config import Settings
from mgov.crawl.store import crawl_counts
from mgov.db.engine import make_engine, upgrade
from mgov.demo.apps import APP_PROFILE, register_apps, scan_apps
from mgov.demo.farm import Manifest, RunningFarm, generate, run_in_thread
from mgov.demo.farm.hostile import Hostility
from mgov.demo.logins import demo_logins
from mgov.demo.newmedia import capture_on_farm, discover_on_farm
from mgov.demo.verify import verify
from mgov.formats.load import ImportResult, import_file
from mgov.registry.accountability import load_inputs, run_audit
from mgov.runs import store
from mgov.runs.context import RoutingOptions
from mgov.runs.select import run_params
from mgov.runs.service import execute_run, start_run

DEMO_SEED = 2026
DEMO_SITES = 60  # enough for every defect of the manifest to occur at least once
DEMO_PROFILE = "cn-2019-website"
DEMO_NEWMEDIA_PROFILE = "cn-2019-newmedia"  # the farm's Chinese Weibo and WeChat accounts
# A farm site answers in milliseconds, but a slow one (availability.slow) takes 3 s a
# response: the crawl's time budget keeps the demo within its two minutes. The budget counts
# the site's time (collect.siteclock), not the wall clock: every other site's crawl spends a
# few seconds of it, on an idle machine or a busy one, and is read whole.
DEMO_CRAWL_LIMITS = {"max_seconds": 15.0}
DEMO_CRAWL_CONCURRENCY = 16
DEMO_WORKERS = 2


@dataclass
class DemoEnv:
    """The demo's own state: the settings (its home, database and archive) and one engine."""

    settings: Settings
    _engine: Engine | None = field(default=None, repr=False)

    def engine(self) -> Engine:
        if self._engine is None:
            self._engine = make_engine(self.settings.resolved_database_url)
        return self._engine


class DemoReporter(Protocol):
    """What the demo tells as it goes (the command line prints it in the user's language)."""

    def imported(self, file: str, result: ImportResult) -> None: ...

    def run_finished(self, result: dict[str, Any]) -> None: ...

    def verified(self, message: str, sites: int, verification: dict[str, Any], **extra: Any) -> None: ...

    def accountability(self, by_rule: Counter[str], findings: int, channels: int) -> None: ...

    def assessed(self, profile: str, assessment: dict[str, Any]) -> None: ...

    def discovered(self, discovery: dict[str, Any]) -> None: ...


def run_demo(env: DemoEnv, reporter: DemoReporter, *, seed: int = DEMO_SEED,
             count: int = DEMO_SITES, hostile: bool = False) -> dict[str, Any]:
    """The demo; hostile: the farm runs a hostile network (Hostility.default()), whose
    transient faults must cost mgov no detection and raise no false alarm."""
    env.settings.home.mkdir(parents=True, exist_ok=True)
    engine = env.engine()
    upgrade(engine)
    data = files("mgov.demo") / "data"
    for fmt, name in (("dotgov", "current-full.csv"), ("native", "cn-sample.yaml")):
        with as_file(data / name) as path:
            reporter.imported(name, import_file(engine, path, fmt))

    # The WeChat accounts' article lists go beside the demo's data (the registry names them).
    manifest = generate(seed, count, exports_dir=env.settings.home / "demo-farm-exports")
    farm_file = env.settings.home / "demo-farm.yaml"
    farm_file.write_text(yaml.safe_dump(manifest.registry_document(), allow_unicode=True, sort_keys=False),
                         encoding="utf-8")
    reporter.imported(farm_file.name, import_file(engine, farm_file, "native"))

    with run_in_thread(manifest, hostile=Hostility.default() if hostile else None) as farm:
        (env.settings.home / "demo-farm-manifest.json").write_text(manifest.to_json(indent=1), encoding="utf-8")
        outcome = run_on_farm(env, manifest, farm, "scan")
        reporter.run_finished(outcome["scan"])
        reporter.verified("demo_verified", len(manifest.sites), outcome["verification"])
        # Two crawls: the second, after the farm's sites moved on (epoch 2), is what shows
        # backdated items and tampered homepages against the first one's history.
        outcome["crawls"] = []
        for epoch in (1, 2):
            farm.set_epoch(epoch)
            crawl = run_on_farm(env, manifest, farm, "crawl", epoch=epoch)
            outcome["crawls"].append(crawl)
            reporter.run_finished(crawl["scan"])
            reporter.verified("demo_crawl_verified", len(manifest.sites), crawl["verification"], epoch=epoch,
                              pages=crawl["pages"])
        # The new-media accounts, captured as the platforms show them in epoch 1, then again
        # once they moved on (epoch 2: renamed, recertified, edited and deleted posts).
        outcome["captures"] = []
        for epoch in (1, 2):
            farm.set_epoch(epoch)
            capture = capture_on_farm(env.engine(), env.settings, manifest, farm, epoch=epoch)
            outcome["captures"].append(capture)
            reporter.run_finished(capture["scan"])
            reporter.verified("demo_capture_verified", capture["accounts"], capture["verification"], epoch=epoch)
        outcome["discovery"] = discover_on_farm(env.engine(), env.settings, manifest, farm)
        reporter.discovered(outcome["discovery"])
    # The apps need no farm: their packages are files (the four bundled APKs).
    outcome["apps"] = scan_apps(engine, env.settings, register_apps(engine, env.settings.home, manifest))
    reporter.run_finished(outcome["apps"]["scan"])
    reporter.verified("demo_apps_verified", outcome["apps"]["apps"], outcome["apps"]["verification"])

    with engine.connect() as conn:
        inputs = load_inputs(conn)
    findings = run_audit(inputs, env.settings.audit, clock.today())
    reporter.accountability(Counter(f.rule for f in findings), len(findings), len(inputs.channels))
    # The accounts first: the sites' assessment, the newest, is the one the dashboard opens on.
    outcome["newmedia_assessment"] = assess_demo(env, DEMO_NEWMEDIA_PROFILE)
    reporter.assessed(DEMO_NEWMEDIA_PROFILE, outcome["newmedia_assessment"])
    outcome["app_assessment"] = assess_demo(env, APP_PROFILE)
    reporter.assessed(APP_PROFILE, outcome["app_assessment"])
    outcome["assessment"] = assess_demo(env)
    reporter.assessed(DEMO_PROFILE, outcome["assessment"])
    outcome["logins"] = demo_logins(engine, manifest)
    verifications = [outcome["verification"], *(c["verification"] for c in outcome["crawls"]),
                     *(c["verification"] for c in outcome["captures"]), outcome["apps"]["verification"]]
    outcome["ok"] = all(v["ok"] for v in verifications) and outcome["discovery"]["ok"]
    return outcome


def current_quarter() -> str:
    today = clock.today()
    return f"{today.year}Q{(today.month - 1) // 3 + 1}"


def assess_demo(env: DemoEnv, profile: str = DEMO_PROFILE) -> dict[str, Any]:
    """This quarter's assessment of the Chinese channels a profile covers (cn-2019-website: the
    sites; cn-2019-newmedia: the accounts) and its tasks."""
    engine = env.engine()
    summary = run_assessment(engine, profile, current_quarter(), profile_dirs=env.settings.profile_dirs,
                             detail=False)
    with engine.begin() as conn:
        tasks = open_tasks(conn, summary["assessment"], load_calendar(), profile_dirs=env.settings.profile_dirs,
                           actor="mgov demo")
    return {"assessment": summary["assessment"], "period": summary["period"], "verdicts": summary["verdicts"],
            "tasks": len(tasks["opened"])}


def run_on_farm(env: DemoEnv, manifest: Manifest, farm: RunningFarm, kind: str, *, epoch: int = 1) -> dict[str, Any]:
    """Scan or crawl every farm site through the farm's DNS and ports; verify against the
    manifest (the defects of that pass and of the farm's epoch)."""
    engine = env.engine()
    routing = RoutingOptions(connect_to=list(farm.connect_to), dns=f"127.0.0.1:{farm.dns_port}",
                             ca_bundle=str(farm.ca_pem), allow_private=True)
    run_id = start_run(engine, run_params(kind=kind, channels=[s.registry.address for s in manifest.sites],
                                          routing=routing, limits=DEMO_CRAWL_LIMITS if kind == "crawl" else None))
    # Worker processes leave this process's GIL to the farm's thread: two cores, not one.
    result = execute_run(engine, env.settings, run_id, workers=DEMO_WORKERS,
                         concurrency=DEMO_CRAWL_CONCURRENCY if kind == "crawl" else None)
    with engine.connect() as conn:
        rows = store.findings_of(conn, run_id=run_id)
        pages = crawl_counts(conn, run_id)["pages"] if kind == "crawl" else 0
    by_host: dict[str, dict[str, dict[str, Any]]] = {}
    for r in rows:
        host = r["address"].split("://", 1)[1].split("/", 1)[0]
        by_host.setdefault(host, {})[r["check_id"]] = {"status": r["status"], "message": r["message"]}
    return {"scan": result, "pages": pages,
            "verification": verify(manifest, by_host, run_kind=kind, epoch=epoch).as_dict()}
