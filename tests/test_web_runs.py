"""Runs and their progress on the dashboard and the API (issue 20): newest first, the
channels stored, a distributed run's channels running, queued and failed on the workers, each
reader seeing the runs of their scope (a run of everything only whole-registry users); the
page reloads itself while a run is under way and reads in Chinese."""

from __future__ import annotations

from sqlalchemy import insert

from mgov.cluster import store as tasks_store
from mgov.db.tables import SCAN_ITEMS, SCAN_RUNS
from webworld import build_world


def test_runs_with_their_progress_within_each_readers_scope(engine, tmp_path):
    w = build_world(engine, tmp_path)
    a, b = w.ids["channel_a"], w.ids["channel_b"]
    with engine.begin() as conn:
        def run(params: dict, status: str = "running") -> int:
            return conn.execute(insert(SCAN_RUNS).values(status=status, kind="crawl", params=params)
                                .returning(SCAN_RUNS.c.id)).scalar_one()

        of_a = run({"org": "cn-440300", "channels": []})  # Shenzhen's subtree: channel a, on the workers
        tasks_store.add_tasks(conn, of_a, [a])
        tasks_store.mark(conn, of_a, a, "running", worker="host-1")
        of_b = run({"org": None, "channels": ["https://www.gz.gov.cn"]}, status="finished")  # channel b, failed
        tasks_store.add_tasks(conn, of_b, [b])
        tasks_store.mark(conn, of_b, b, "failed", error="the database went away")
        both = run({"org": None, "channels": ["https://www.gz.gov.cn", "https://www.sz.gov.cn"]})  # in one process
        conn.execute(insert(SCAN_ITEMS).values(run_id=both, channel_id=a, counts={"pass": 1}))
    everything = w.ids["run"]  # build_world's scan of every channel

    admin = w.client("admin").api("GET", "/api/v1/runs").json()["items"]
    assert [r["run"] for r in admin] == [both, of_b, of_a, everything]
    by_id = {r["run"]: r for r in admin}
    assert {k: by_id[of_a][k] for k in ("distributed", "total", "running", "queued", "failed", "done", "kind")} == {
        "distributed": True, "total": 1, "running": 1, "queued": 0, "failed": 0, "done": 0, "kind": "crawl"}
    assert (by_id[of_b]["failed"], by_id[of_b]["status"], by_id[of_b]["channels"]) == (1, "finished", 1)
    assert (by_id[both]["distributed"], by_id[both]["done"], by_id[both]["total"]) == (False, 1, None)
    assert by_id[everything]["done"] == 2

    def seen(user: str) -> list[int]:
        return [r["run"] for r in w.client(user).api("GET", "/api/v1/runs").json()["items"]]

    assert seen("a_staff") == [of_a]  # b's run, the run of both and the run of everything: not theirs
    assert seen("b_staff") == [of_b]
    assert seen("supervisor") == [both, of_b, of_a]  # the province: both agencies, not everything

    pages = w.client("admin").api("GET", "/api/v1/runs", params={"limit": 2}).json()
    assert [r["run"] for r in pages["items"]] == [both, of_b] and pages["next"]
    rest = w.client("admin").api("GET", pages["next"]).json()
    assert [r["run"] for r in rest["items"]] == [of_a, everything]

    # A crawl naming b's channel and one no longer registered (whose owner nobody knows): only
    # whole-registry readers see it.
    with engine.begin() as conn:
        ghost = conn.execute(insert(SCAN_RUNS).values(status="finished", kind="crawl", params={
            "org": None, "channels": ["https://www.gz.gov.cn", "https://gone.example.gov"]})
            .returning(SCAN_RUNS.c.id)).scalar_one()
    assert seen("b_staff") == [of_b] and seen("admin")[0] == ghost

    client = w.client("admin")
    client.http.cookies.set("mgov_lang", "zh")
    page = client.get("/runs")
    assert page.status_code == 200 and '<meta http-equiv="refresh"' in page.text
    assert "运行记录" in page.text and "1 个进行中，0 个排队" in page.text and "1 个失败" in page.text
    assert "单进程运行" in page.text and "抓取" in page.text
    assert 'href="/runs"' in client.get("/jobs").text
