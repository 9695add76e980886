"""The demo farm's hostile network, over real loopback sockets: DNS that drops and SERVFAILs
the configured shares yet answers every retry (and every TCP query) truly, jitter within its
bounds, first connections reset and the retry served; the manifest records the options and
no extra defect; verification counts what transient faults cause as false alarms; the CPU
hog keeps cores busy. And one scan of a hostile farm through mgov's pipeline (expected to
pass once collection retries)."""

from __future__ import annotations

import http.client
import itertools
import json
import os
import resource
import socket
import ssl
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import dns.exception
import dns.flags
import dns.message
import dns.query
import dns.rcode
import dns.rdatatype
import pytest
import yaml

from mgov.config import load_settings
from mgov.demo.farm import DEFECTS, Manifest, RunningFarm, Site, generate, run_in_thread
from mgov.demo.farm.cpuhog import busy_cores
from mgov.demo.farm.hostile import DROP, SERVFAIL, DnsFaults, FirstContact, Hostility, Outage, fraction
from mgov.demo.farm.manifest import Runtime
from mgov.demo.verify import Verification, verify
from mgov.formats.load import import_file
from mgov.runs import store
from mgov.runs.context import RoutingOptions
from mgov.runs.select import run_params
from mgov.runs.service import execute_run, start_run

V4 = "127.0.0.1"
DROP_SHARE, SERVFAIL_SHARE = 0.3, 0.1


def _no_verify() -> ssl.SSLContext:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname, ctx.verify_mode = False, ssl.CERT_NONE
    return ctx


def get(farm: RunningFarm, host: str, path: str = "/robots.txt", *, tls: bool = False) -> int:
    """One request on a fresh connection; its status (raises when the connection is reset)."""
    port = farm.https_port if tls else farm.http_port
    sock = socket.create_connection((V4, port), timeout=10)
    conn = http.client.HTTPConnection(host, timeout=10)
    try:
        conn.sock = _no_verify().wrap_socket(sock, server_hostname=host) if tls else sock
        conn.request("GET", path)
        resp = conn.getresponse()
        resp.read()
        return resp.status
    finally:
        conn.close()
        sock.close()


def plain(site: Site) -> bool:
    """A site whose HTTPS answers with a certificate and whose robots.txt is quick."""
    return not any(site.has(d) for d in ("https.none", "https.absent", "availability.slow"))


# --- DNS ----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def dns_farm():
    manifest = generate(5, 200)
    with run_in_thread(manifest, hostile=Hostility(dns_drop=DROP_SHARE, dns_servfail=SERVFAIL_SHARE)) as farm:
        yield farm


def questions(manifest: Manifest) -> list[tuple[str, str]]:
    """1,000 distinct questions: every site name's A and AAAA, and unknown names."""
    out = [(n, t) for s in manifest.sites for n in (s.host, s.twin) for t in ("A", "AAAA")]
    return out + [(f"nx{i}.nowhere.gov.cn", "A") for i in range(1000 - len(out))]


def ask_udp_burst(port: int, asked: list[tuple[str, str]], batch: int = 125,
                  idle: float = 0.75) -> dict[tuple[str, str], dns.message.Message]:
    """Send each question once over UDP (a batch at a time, so no buffer overflows); the
    replies by question. Unanswered questions are missing."""
    replies: dict[tuple[str, str], dns.message.Message] = {}
    ids: dict[int, tuple[str, str]] = {}
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(idle)
        for start in range(0, len(asked), batch):
            for k, (name, rdtype) in enumerate(asked[start:start + batch], start):
                q = dns.message.make_query(name, rdtype)
                q.id = k
                ids[k] = (name, rdtype)
                s.sendto(q.to_wire(), (V4, port))
            while True:
                try:
                    data = s.recv(65535)
                except TimeoutError:
                    break
                r = dns.message.from_wire(data)
                replies[ids[r.id]] = r
    return replies


def same_answer(a: dns.message.Message, b: dns.message.Message) -> bool:
    return a.rcode() == b.rcode() and sorted(map(str, a.answer)) == sorted(map(str, b.answer))


def test_dns_drops_and_servfails_the_configured_shares_and_retries_get_the_truth(dns_farm: RunningFarm) -> None:
    manifest = dns_farm.manifest
    asked = questions(manifest)
    assert len(asked) == len(set(asked)) == 1000
    replies = ask_udp_burst(dns_farm.dns_port, asked)
    dropped = [q for q in asked if q not in replies]
    failed = [q for q in asked if q in replies and replies[q].rcode() == dns.rcode.SERVFAIL]
    # About the configured shares (binomial, 1,000 draws: 4 standard deviations)...
    assert abs(len(dropped) - 300) <= 60, len(dropped)
    assert abs(len(failed) - 100) <= 40, len(failed)
    # ...and exactly the ones the seeded hash picks: the same every run.
    faults = DnsFaults(manifest.seed, DROP_SHARE, SERVFAIL_SHARE)
    predicted = {q: faults.decide(q[0].lower(), dns.rdatatype.from_text(q[1])) for q in asked}
    assert dropped == [q for q in asked if predicted[q] == DROP]
    assert failed == [q for q in asked if predicted[q] == SERVFAIL]
    assert all(not (replies[q].flags & dns.flags.AA) for q in failed)

    # TCP is always answered, with the zone's answers: NXDOMAIN for unknown names, NODATA
    # where a site has no AAAA, the address otherwise.
    truth: dict[tuple[str, str], dns.message.Message] = {}
    with socket.create_connection((V4, dns_farm.dns_port), timeout=10) as tcp:
        for name, rdtype in asked:
            truth[name, rdtype] = dns.query.tcp(dns.message.make_query(name, rdtype), V4, timeout=10,
                                                sock=tcp)
    assert {r.rcode() for r in truth.values()} == {dns.rcode.NOERROR, dns.rcode.NXDOMAIN}
    for name, rdtype in asked:
        r = truth[name, rdtype]
        if name.startswith("nx"):
            assert r.rcode() == dns.rcode.NXDOMAIN and not r.answer
    no_aaaa = next(s for s in manifest.sites if s.has("ipv6.no_aaaa"))
    r = truth[no_aaaa.host, "AAAA"]
    assert r.rcode() == dns.rcode.NOERROR and not r.answer  # NODATA
    # Answered UDP queries said what TCP says.
    for q, r in replies.items():
        if r.rcode() != dns.rcode.SERVFAIL:
            assert same_answer(r, truth[q]), q
    # One retry of every faulted question gets the true answer.
    for name, rdtype in dropped + failed:
        again = dns.query.udp(dns.message.make_query(name, rdtype), V4, port=dns_farm.dns_port, timeout=5)
        assert same_answer(again, truth[name, rdtype]), (name, rdtype)


def test_dns_never_faults_a_question_twice_in_a_row(dns_farm: RunningFarm) -> None:
    # Over the wire: one question asked 30 times, each with a single short try.
    seen = []
    for _ in range(30):
        try:
            r = dns.query.udp(dns.message.make_query("again.nowhere.gov.cn", "A"), V4, port=dns_farm.dns_port,
                              timeout=0.3)
            seen.append("servfail" if r.rcode() == dns.rcode.SERVFAIL else "ok")
        except dns.exception.Timeout:
            seen.append("drop")
    assert "ok" in seen and {"drop", "servfail"} & set(seen), seen
    assert not any(a != "ok" and b != "ok" for a, b in itertools.pairwise(seen)), seen
    # In depth, on the decision itself: deterministic, never two in a row, about p/(1+p) overall.
    def attempts() -> list[str | None]:
        faults = DnsFaults(9, 0.3, 0.05)
        return [faults.decide("x.gov.cn", 1) for _ in range(20_000)]

    runs = attempts(), attempts()
    assert runs[0] == runs[1]
    assert not any(a and b for a, b in itertools.pairwise(runs[0]))
    assert abs(sum(map(bool, runs[0])) / 20_000 - 0.35 / 1.35) < 0.02


# --- HTTP: jitter, first connections -------------------------------------------------------

def test_jitter_stays_within_its_bounds_and_slow_stays_slow() -> None:
    manifest = generate(6, 60)
    with run_in_thread(manifest, hostile=Hostility(jitter_ms=100)) as farm:
        site = next(s for s in manifest.healthy_sites())
        get(farm, site.host, tls=True)  # pages rendered
        took = []
        for _ in range(40):
            t0 = time.perf_counter()
            assert get(farm, site.host) == 301  # http: -> https:
            took.append(time.perf_counter() - t0)
        assert max(took) < 0.1 + 0.1  # the spread, and room for a busy machine
        assert min(took) < 0.04 and max(took) > 0.06  # a real spread, not a constant delay
        slow = next(s for s in manifest.sites if s.has("availability.slow"))
        t0 = time.perf_counter()
        get(farm, slow.host)
        assert 3.0 - 0.1 <= time.perf_counter() - t0 < 3.0 + 0.1 + 1.0  # slow stays slow, not slower


RESET = (ConnectionError, ssl.SSLError, http.client.RemoteDisconnected)
SERVED = (200, 301, 404)


def test_first_connections_are_reset_at_the_share_and_the_retry_is_served() -> None:
    manifest = generate(8, 300)
    share = 0.25
    with run_in_thread(manifest, hostile=Hostility(reset_share=share)) as farm:
        sites = [s for s in manifest.sites if plain(s)]
        guarded = {s.host for s in sites if fraction(manifest.seed, "reset", s.host) < share}
        assert abs(len(guarded) / len(sites) - share) < 0.08
        half = len(sites) // 2
        # Plain HTTP meets the firewall at the first request, TLS at the ClientHello.
        for tls, group in ((False, sites[:half]), (True, sites[half:])):
            reset = set()
            for s in group:
                try:
                    get(farm, s.host, tls=tls)
                except RESET:
                    reset.add(s.host)
                    assert get(farm, s.host, tls=tls) in SERVED  # the retry, on a fresh connection
            assert reset == guarded & {s.host for s in group}, tls
            # Every connection after the first is served, to the host and to its twin.
            for s in group:
                assert get(farm, s.host, tls=tls) in SERVED
                if not s.has("www.inconsistent"):
                    assert get(farm, s.twin, tls=tls) in SERVED


def test_a_client_idle_past_the_memory_is_reset_again() -> None:
    manifest = generate(8, 5, defect_rate=0)
    with run_in_thread(manifest, hostile=Hostility(reset_share=1.0, reset_memory=0.3)) as farm:
        host = manifest.sites[0].host
        for _ in range(2):
            with pytest.raises(RESET):
                get(farm, host)
            assert get(farm, host) == 301 and get(farm, host, tls=True) == 200
            time.sleep(0.5)


# --- the manifest and the verification ----------------------------------------------------

def test_manifest_records_the_options_and_no_extra_defect(tmp_path: Path) -> None:
    before = generate(4, 60)
    defects = {s.host: list(s.defects) for s in before.sites}
    with run_in_thread(before, hostile=Hostility.default()) as farm:
        assert farm.manifest.runtime is not None
        options = farm.manifest.runtime.options
        assert options["hostile_network"] is True and options["seed"] == 4
        assert {k: options[k] for k in ("dns_drop", "dns_servfail", "jitter_ms", "reset_share")} == \
            {"dns_drop": 0.3, "dns_servfail": 0.05, "jitter_ms": 150.0, "reset_share": 0.2}
        again = Manifest.from_json(farm.manifest.to_json())
    assert {s.host: s.defects for s in again.sites} == defects
    assert again.runtime is not None and again.runtime.options == options
    with run_in_thread(generate(4, 60)) as farm:
        assert farm.manifest.runtime is not None
        assert farm.manifest.runtime.options["hostile_network"] is False
    # A manifest written before the options read with none.
    doc = json.loads(before.to_json())
    del doc["runtime"]["options"]
    assert Manifest.from_dict(doc).runtime == Runtime(**{**doc["runtime"], "options": {}})
    with pytest.raises(ValueError):
        Hostility(dns_drop=0.8, dns_servfail=0.3)


def test_verification_counts_what_transient_faults_cause_as_false_alarms() -> None:
    manifest = generate(3, 60)
    healthy = manifest.healthy_sites()[0]
    slow = next(s for s in manifest.sites if s.has("availability.slow"))
    assert "robots" not in {c for d in slow.defects for c in DEFECTS[d].checks}
    # The slow site's defects all detected; a healthy site reported down, an error on each.
    findings = {healthy.host: {"availability": {"status": "fail", "message": "dns timeout"},
                               "hsts": {"status": "error", "message": "no HTTPS homepage"}},
                slow.host: {c: {"status": "warn" if c == "availability" else "fail"}
                            for d in slow.defects for c in DEFECTS[d].checks}
                | {"robots": {"status": "error"}}}
    manifest.runtime = Runtime(1, 2, 3, "ca.pem", [V4], "2026-01-01T00:00:00Z", 0.0, options={})
    calm = verify(manifest, findings)
    assert [(a["host"], a["check"]) for a in calm.false_alarms] == [(healthy.host, "availability")]
    assert calm.down_but_up == [healthy.host] and not calm.hostile
    manifest.runtime.options = Hostility.default().options(manifest.seed)
    harsh = verify(manifest, findings)
    assert harsh.hostile
    # An error on a site without defects is the fault's doing; on the slow site it may be a defect's.
    assert sorted((a["host"], a["check"]) for a in harsh.false_alarms) == \
        [(healthy.host, "availability"), (healthy.host, "hsts")]
    assert harsh.detected == len([d for d in slow.defects if DEFECTS[d].run_kind == "scan"]) >= 1
    assert harsh.recall == harsh.detected / harsh.defects < 1.0
    assert harsh.precision == harsh.detected / (harsh.detected + 2)
    assert harsh.as_dict()["down_but_up"] == [healthy.host]


# --- the busy machine ---------------------------------------------------------------------

def _nice(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[16])


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc (Linux)")
def test_cpu_hog_keeps_cores_busy_and_stops() -> None:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with busy_cores(1) as pids:
        assert len(pids) == 1 and _nice(pids[0]) == _nice(os.getpid())  # not niced
        time.sleep(1.0)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    spent = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    assert spent > 0.5, spent  # a core's worth, less what the machine gave the others
    assert not Path(f"/proc/{pids[0]}").exists()  # stopped and reaped
    with busy_cores(1, nice=19) as pids:
        assert _nice(pids[0]) == min(19, _nice(os.getpid()) + 19)
    with busy_cores(0) as none:
        assert none == []


# --- the command line ---------------------------------------------------------------------

def test_command_line_hostile_network(tmp_path: Path) -> None:
    out = tmp_path / "manifest.json"
    proc = subprocess.Popen([sys.executable, "-m", "mgov.demo.farm", "--seed", "2", "--count", "6",
                             "--hostile-network", "--dns-drop", "0.5", "--manifest-out", str(out)],
                            stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        ready = next(line for line in proc.stdout if line.startswith("READY "))
        options = json.loads(ready[6:])["options"]
        assert options["hostile_network"] and options["dns_drop"] == 0.5 and options["jitter_ms"] == 150.0
        m = Manifest.from_json(out.read_text(encoding="utf-8"))
        assert m.runtime is not None and m.runtime.options == options
    finally:
        proc.terminate()
        assert proc.wait(timeout=10) == 0
    bad = subprocess.run([sys.executable, "-m", "mgov.demo.farm", "--dns-drop", "1.5"], capture_output=True,
                         text=True, timeout=60, check=False)
    assert bad.returncode == 2 and "dns_drop" in bad.stderr


def test_first_contact_memory_is_per_site() -> None:
    gate = FirstContact(1, 1.0, 60.0)
    assert gate.guards("a.gov.cn") and gate.refuse("a.gov.cn") and not gate.refuse("a.gov.cn")
    assert gate.refuse("b.gov.cn") and gate.resets == 2


# --- a scan of a hostile farm -------------------------------------------------------------

def test_an_outage_passes() -> None:
    """A site with a passing outage answers 503 from its first request for outage_seconds,
    then is up; the share of such sites is the configured one."""
    outage = Outage(7, 0.25, 0.2)
    hosts = [f"site{i}.gov.cn" for i in range(2000)]
    hit = [h for h in hosts if outage.hits(h)]
    assert 400 < len(hit) < 600
    assert outage.down(hit[0]) and outage.down(hit[0])
    time.sleep(0.25)
    assert not outage.down(hit[0]) and outage.refused == 2


def scan_hostile(engine: Any, tmp_path: Path, manifest: Manifest, hostile: Hostility) -> Verification:
    """Scan every site of the farm with every check, through its hostile network; the
    comparison with the manifest (hostile: an error on a site without a defect is a false alarm)."""
    with run_in_thread(manifest, hostile=hostile) as farm:
        path = tmp_path / "farm.yaml"
        path.write_text(yaml.safe_dump(manifest.registry_document(), allow_unicode=True), encoding="utf-8")
        assert import_file(engine, path).problems == []
        routing = RoutingOptions(connect_to=list(farm.connect_to), dns=f"127.0.0.1:{farm.dns_port}",
                                 ca_bundle=str(farm.ca_pem), allow_private=True)
        run_id = start_run(engine, run_params(channels=[s.registry.address for s in manifest.sites],
                                              routing=routing))
        result = execute_run(engine, load_settings(home=tmp_path / "home"), run_id)
        assert result["channels"] == len(manifest.sites)
    with engine.connect() as conn:
        rows = store.findings_of(conn, run_id=run_id)
    by_host: dict[str, dict[str, Any]] = {}
    for r in rows:
        by_host.setdefault(r["address"].split("://")[1], {})[r["check_id"]] = r
    return verify(manifest, by_host)


def test_a_dns_server_losing_a_third_of_its_udp_queries_costs_no_finding(engine: Any, tmp_path: Path) -> None:
    report = scan_hostile(engine, tmp_path, generate(12, 20), Hostility(dns_drop=0.3))
    assert report.hostile and report.defects > 5
    assert report.down_but_up == [], report.down_but_up
    assert (report.precision, report.recall) == (1.0, 1.0), json.dumps(report.as_dict(), indent=1)[:4000]


@pytest.mark.heavy
def test_a_hostile_network_on_a_busy_machine_costs_no_finding(engine: Any, tmp_path: Path) -> None:
    """Lost and SERVFAILed DNS queries, reset first connections, sites down for a moment and
    jitter, while two processes
    keep both cores busy: every seeded defect is reported, nothing else; no site that is up
    is reported down, and no healthy site slow."""
    with busy_cores(2):
        report = scan_hostile(engine, tmp_path, generate(5, 40),
                              Hostility(dns_drop=0.3, dns_servfail=0.05, jitter_ms=150, reset_share=0.2,
                                        outage_share=0.1))
    assert report.hostile and report.defects > 15
    assert report.down_but_up == [], report.down_but_up
    assert (report.precision, report.recall) == (1.0, 1.0), json.dumps(report.as_dict(), indent=1)[:4000]
