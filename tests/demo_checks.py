"""`mgov demo`, the README's main job, end to end: registries, farm, scan, two crawls, two
captures of the new-media accounts and a discovery on the farm's platforms, the bundled apps,
verification,
audit, assessments. This module holds no test of its own: the README tour runs the demo
as written and asserts what is here (a demo run is minutes; the suite runs it once)."""

import json
import re


def check_demo_output(cli, out: str) -> None:
    """What `mgov demo` must show; called by the README tour (tests/test_readme.py), which
    runs the demo as written, so the suite runs it once, not twice."""
    m = re.search(r"Demo farm: (\d+) sites, (\d+) seeded defects, (\d+) reported by their checks; (\d+) false alarms",
                  out)
    assert m, out[-3000:]
    sites, defects, detected, false_alarms = map(int, m.groups())
    assert sites == 60 and defects > 40 and detected == defects and false_alarms == 0
    assert "16539 rows read from current-full.csv: 0 bad" in out
    assert re.search(r"\d+ findings in \d+ open channels", out)  # the accountability audit ran too
    # Two crawls follow the scan, the second after the farm's sites moved on (epoch 2).
    crawls = re.findall(r"Crawl (\d) of the demo farm: (\d+) sites, (\d+) pages, (\d+) seeded content defects, "
                        r"(\d+) reported by their checks; (\d+) false alarms", out)
    assert [c[0] for c in crawls] == ["1", "2"], out[-3000:]
    for _, sites, pages, defects_c, detected_c, alarms_c in crawls:
        assert int(sites) == 60 and int(pages) > 3000 and int(defects_c) >= 10
        assert int(detected_c) == int(defects_c) and int(alarms_c) == 0
    assert int(crawls[1][3]) > int(crawls[0][3])  # backdated and tampered sites show in epoch 2
    # Then the new-media accounts, captured twice: the second time after the platforms moved on
    # (renamed and recertified accounts, an edited and a deleted post).
    captures = re.findall(r"Capture (\d) of the demo farm's new media: (\d+) accounts, (\d+) seeded defects, "
                          r"(\d+) reported by their checks; (\d+) false alarms", out)
    assert [c[0] for c in captures] == ["1", "2"], out[-3000:]
    for _, accounts, defects_n, detected_n, alarms_n in captures:
        assert int(accounts) == 36 and int(defects_n) >= 10
        assert int(detected_n) == int(defects_n) and int(alarms_n) == 0
    assert int(captures[1][2]) > int(captures[0][2])  # the epoch-2 defects show in the second capture
    discovered = re.search(r"Discovery on the demo farm's platforms: (\d+) units searched \((\d+) searches\), "
                           r"(\d+) of (\d+) unregistered accounts found; (\d+) others", out)
    assert discovered, out[-3000:]
    units, searches, found, expected, others = map(int, discovered.groups())
    assert units >= 10 and searches > units and found == expected >= 2 and others == 0
    changed = [json.loads(line) for line in cli("posts", "--changed", "--format", "jsonl").stdout.splitlines()]
    assert any(p["deleted"] for p in changed) and any(p["versions"] >= 2 for p in changed), changed[:5]
    assert {d["state"] for d in cli.json("discover", "list")} == {"new"}
    # The scan is stored like any other: its findings are there to query.
    fails = cli("findings", "--run", "1", "--status", "fail", "--format", "jsonl").stdout.splitlines()
    assert len(fails) >= defects
    # The charset liar is among them, read right: declared utf-8, the bytes GB18030.
    assert any("page.encoding" in line and "gb18030" in line for line in fails)
    dead = cli("links", "--format", "jsonl").stdout.splitlines()
    assert dead and all('"pages": [{' in line for line in dead)
    # Then the Chinese sites are assessed and their tasks opened; --no-serve prints no password
    # (the logins open only the server it does not start), and says when they are printed.
    assessed = re.search(r"Assessment (\d+) \(cn-2019-website, \d{4}Q[1-4]\): .*?; (\d+) rectification tasks opened",
                         out, flags=re.S)
    assert assessed and int(assessed.group(2)) > 0, out[-2000:]
    # The Chinese accounts too, under cn-2019-newmedia: the stale and closed ones fail a veto.
    newmedia = re.search(r"Assessment (\d+) \(cn-2019-newmedia, \d{4}Q[1-4]\): (.*?); (\d+) rectification tasks "
                         r"opened", out)
    assert newmedia and "fail" in newmedia.group(2) and int(newmedia.group(3)) > 0, out[-2000:]
    # The four bundled APKs, as the units' apps: every verdict their packages call for, no other.
    apps = re.search(r"The demo's apps: (\d+) Android packages, (\d+) verdicts their packages call for, (\d+) given "
                     r"by their checks; (\d+) false alarms", out)
    assert apps, out[-3000:]
    packages, due, given, alarms_a = map(int, apps.groups())
    assert packages == 4 and due >= 20 and given == due and alarms_a == 0
    app_assessment = re.search(r"Assessment (\d+) \(cn-pipl-app, \d{4}Q[1-4]\): (.*?); (\d+) rectification tasks "
                               r"opened", out)
    assert app_assessment and int(app_assessment.group(3)) > 0, out[-2000:]
    assert "sign in as" not in out and "demo logins are printed when the dashboard is served" in out
    assert cli.json("user", "list")[0]["username"] == "demo-admin"
