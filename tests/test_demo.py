"""`mgov demo`, the README's main job, end to end: registries, farm, scan, verification, audit."""

import re


def test_demo_reports_every_seeded_defect_without_false_alarms(cli, tmp_path):
    out = cli("demo", COLUMNS="200").stdout
    m = re.search(r"Demo farm: (\d+) sites, (\d+) seeded defects, (\d+) reported by their checks; (\d+) false alarms",
                  out)
    assert m, out[-3000:]
    sites, defects, detected, false_alarms = map(int, m.groups())
    assert sites == 60 and defects > 40 and detected == defects and false_alarms == 0
    assert "16539 rows read from current-full.csv: 0 bad" in out
    assert "org.multiple_websites" in out  # the audit of the sample registry ran too
    # The scan is stored like any other: its findings are there to query.
    fails = cli("findings", "--status", "fail", "--format", "jsonl").stdout.splitlines()
    assert len(fails) >= defects
