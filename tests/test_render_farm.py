"""The render pass over the demo farm, end to end: a real Chromium behind mgov's proxy, the
farm's DNS, certificates and sites on loopback, the probes and the rendered checks.

Every rendered defect the farm seeds (a JavaScript-built footer, overflow at phone width,
small tap targets, missing alt text, low contrast, unlabeled fields, a keyboard trap, a
floating ad on the 适老版, a tracker only a script loads) is reported by its check, and no
rendered check fails a page without them (healthy cn and us sites rendered beside them)."""

from __future__ import annotations

import dataclasses
import json

import pytest

from mgov.config import load_settings
from mgov.demo.farm import generate, run_in_thread
from mgov.demo.farm.defects import DEFECTS
from mgov.demo.verify import verify
from mgov.runs import store
from mgov.runs.select import run_params
from mgov.runs.service import execute_run, start_run
from test_scan_farm import register, routing

pytestmark = pytest.mark.heavy  # a minute of Chromium; no SQL the other tests lack

RENDERED = {k for k, d in DEFECTS.items() if d.run_kind == "render"}
SEED, SITES = 1, 60  # the smallest farm found (seeds 1-40) that seeds every rendered defect


@pytest.fixture(scope="module")
def farm():
    manifest = generate(SEED, SITES)
    with run_in_thread(manifest) as running:
        yield running


def test_every_rendered_defect_is_reported_and_healthy_pages_pass(engine, farm, tmp_path):
    m = farm.manifest
    defective = [s for s in m.sites if RENDERED & set(s.defects)]
    assert {d for s in defective for d in s.defects} >= RENDERED
    healthy = m.healthy_sites()
    chosen = defective + [s for s in healthy if s.jurisdiction == "cn"][:2] + \
        [s for s in healthy if s.jurisdiction == "us"][:2]
    assert len(chosen) == len(defective) + 4
    register(engine, m, tmp_path)
    settings = load_settings(home=tmp_path / "home")
    run_id = start_run(engine, run_params(kind="render", channels=[s.registry.address for s in chosen],
                                           routing=routing(farm)))
    result = execute_run(engine, settings, run_id)
    assert result["channels"] == len(chosen)
    with engine.connect() as conn:
        rows = store.findings_of(conn, run_id=run_id)
    by_host: dict = {}
    for r in rows:
        by_host.setdefault(r["address"].split("://")[1], {})[r["check_id"]] = r
    assert set(by_host) == {s.host for s in chosen}
    report = verify(dataclasses.replace(m, sites=chosen), by_host, run_kind="render")
    detail = json.dumps(report.as_dict(), ensure_ascii=False, indent=1)[:6000]
    assert report.missed == [] and report.false_alarms == [], detail
    assert report.detected == report.defects >= len(RENDERED)
    # The JavaScript-built footer: the bytes lack the identifiers, the rendered page has them.
    footer = next(s for s in chosen if s.has("render.js_footer"))
    identity = by_host[footer.host]["rendered.identity"]
    assert identity["status"] == "pass" and identity["value"]["script_built"], identity["value"]
    # Findings on rendered pages point at the archived screenshots.
    from mgov.collect.warc import read_record

    failing = next(r for r in rows if r["check_id"] == "a11y.images" and r["status"] == "fail")
    records = [read_record(settings.resolved_archive_dir, ref) for ref in failing["evidence"]]
    assert any(r.rec_type == "resource" and r.payload.startswith(b"\x89PNG") for r in records)
