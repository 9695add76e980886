"""`mgov discover`: a searching adapter (test-local, reading the Weibo search shape of
platform-shapes.md from a real HTTP server on loopback, through the collect layer's client and
the CLI's routing options) finds the accounts that claim a unit's name; the unregistered ones
are stored with their WARC evidence, exactly; decisions are kept across runs and audited."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest

from mgov.collect.platforms.base import AccountCapture, AccountRef, CaptureLimits, FoundAccount
from mgov.collect.warc import read_record
from mgov.discover import service
from mgov.discover.match import claim, normalize, unit_names
from mgov.evidence.newmedia import CaptureStatus

REGISTRY = """
organizations:
  - {code: cn-440000, name_zh: 广东省人民政府, name_en: Guangdong Provincial Government, jurisdiction: cn,
     tier: provincial}
  - {code: cn-440300, name_zh: 深圳市人民政府, name_en: Shenzhen Municipal Government, jurisdiction: cn,
     tier: prefecture, parent: cn-440000}
  - {code: cn-440300-bgt, name_zh: 深圳市人民政府办公厅, jurisdiction: cn, tier: prefecture, parent: cn-440300}
  - {code: cn-440100, name_zh: 广州市人民政府, jurisdiction: cn, tier: prefecture, parent: cn-440000}
channels:
  - {kind: weibo_account, address: "1000000001", owner: cn-440300, name: 深圳市人民政府新闻办公室}
  - {kind: other_social, address: "weibo:1000000002", owner: cn-440100, name: 广州市人民政府服务号}
"""
# What the platform's search knows: (uid, screen name, verified reason).
USERS = [
    ("1000000001", "深圳市人民政府新闻办公室", "深圳市人民政府新闻办公室官方微博"),  # registered
    ("1000000002", "广州市人民政府服务号", None),  # registered (as other_social weibo:UID)
    ("2000000001", "深圳市人民政府便民服务", None),  # claims 深圳市人民政府
    ("2000000002", "深圳市政府 发布厅", None),  # claims it by its short name
    ("2000000003", "深圳市人民政府办公厅（粉丝站）", None),  # full-width brackets: claims the 办公厅
    ("2000000004", "广州市人民政府微服务", None),  # claims Guangzhou
    ("3000000001", "深圳美食攻略", None),  # returned by a fuzzy search, claims nobody
    ("3000000002", "广东省人民", None),  # a namesake's fragment: claims nobody
]
UNREGISTERED = {"2000000001": "cn-440300", "2000000002": "cn-440300", "2000000003": "cn-440300-bgt",
                "2000000004": "cn-440100"}


class WeiboSearch(BaseHTTPRequestHandler):
    """m.weibo.cn's account search: /api/container/getIndex?containerid=100103type=3&q=…&page_type=searchall."""

    queries: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        params = parse_qs(urlsplit(self.path).query)
        container = params.get("containerid", [""])[0]
        query = parse_qs(container.partition("100103")[2]).get("q", [""])[0]
        self.queries.append(query)
        if query == "广东省政府":  # the platform fails on one search: reported, the rest goes on
            self._send(502, b"bad gateway")
            return
        # A fuzzy search, as platforms do: any user sharing the query's first two characters.
        hits = [{"card_type": 10, "user": {"id": int(uid), "screen_name": name, "verified": reason is not None,
                                           "verified_reason": reason or ""}}
                for uid, name, reason in USERS if query[:2] in name]
        body = {"ok": 1, "data": {"cards": [{"card_type": 11, "card_group": hits}]}}
        self._send(200, json.dumps(body, ensure_ascii=False).encode())

    def _send(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@dataclass
class LocalWeibo:
    """A searching adapter for this test: reads the search answer through the run's client (so
    it is archived and passes the SSRF guard) from the real host name, which the test's
    --connect-to sends to the loopback server."""

    name: str = "weibo"

    def handles(self, account: AccountRef) -> bool:
        return account.kind == "weibo_account"

    async def capture(self, account: AccountRef, ctx: Any, limits: CaptureLimits, now: Any) -> AccountCapture:
        return AccountCapture(CaptureStatus.UNSUPPORTED)

    async def search(self, query: str, ctx: Any, limit: int = 20) -> list[FoundAccount]:
        url = "http://m.weibo.cn/api/container/getIndex?" + urlencode(
            {"containerid": f"100103type=3&q={query}", "page_type": "searchall"})
        fetched = await ctx.client.fetch(url)
        final = fetched.final
        if final is None or final.status != 200:
            raise RuntimeError(f"search answered {final.status if final else fetched.status}")
        cards = json.loads(final.body)["data"]["cards"]
        users = [c["user"] for card in cards for c in card.get("card_group", []) if "user" in c]
        return [FoundAccount("weibo", "weibo_account", str(u["id"]), u["screen_name"],
                             url=f"https://m.weibo.cn/u/{u['id']}", certification=u.get("verified_reason") or None,
                             warc=fetched.refs) for u in users[:limit]]


@pytest.fixture
def weibo(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    WeiboSearch.queries = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), WeiboSearch)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setattr(service, "all_adapters", lambda: (LocalWeibo(),))
    yield [f"m.weibo.cn:80:127.0.0.1:{server.server_address[1]}"]
    server.shutdown()
    server.server_close()


def _discover(cli: Any, route: list[str], *args: str, code: int = 0) -> dict[str, Any]:
    out = cli("discover", "--connect-to", route[0], "--allow-private", "--json", *args, code=code)
    return json.loads(out.stdout) if code == 0 else {"output": out.output}


def test_discover_lists_exactly_the_unregistered_accounts_that_claim_a_unit(cli, weibo, tmp_path):
    registry = tmp_path / "registry.yaml"
    registry.write_text(REGISTRY, encoding="utf-8")
    cli("import", str(registry))
    result = _discover(cli, weibo)
    assert result["platforms"] == ["weibo"] and result["units"] == 4
    assert (result["new"], result["seen_again"], result["registered"], result["unclaimed"]) == (4, 0, 2, 2)
    assert len(result["errors"]) == 1 and "广东省政府" in result["errors"][0]  # the failed search, named
    assert "深圳市政府" in WeiboSearch.queries and "Shenzhen Municipal Government" in WeiboSearch.queries

    rows = cli.json("discover", "list")
    assert {r["address"]: r["organization"] for r in rows} == UNREGISTERED
    one = next(r for r in rows if r["address"] == "2000000002")
    assert (one["platform"], one["kind"], one["name"], one["matched"], one["state"]) == (
        "weibo", "weibo_account", "深圳市政府 发布厅", "深圳市政府", "new")
    assert one["url"] == "https://m.weibo.cn/u/2000000002" and one["first_seen"] == one["last_seen"]
    # The evidence is the archived search answer that returned it.
    home = cli.env["MGOV_HOME"]
    records = [read_record(f"{home}/archive", ref) for ref in one["evidence"]]
    assert {r.rec_type for r in records} == {"request", "response"}
    answer = next(r for r in records if r.rec_type == "response")
    assert "深圳市政府 发布厅" in answer.payload.decode()
    assert "containerid=100103type%3D3%26q%3D" in answer.warc_header("WARC-Target-URI")


def test_decisions_are_kept_across_runs_and_audited(cli, weibo, tmp_path):
    registry = tmp_path / "registry.yaml"
    registry.write_text(REGISTRY, encoding="utf-8")
    cli("import", str(registry))
    _discover(cli, weibo)
    ids = {r["address"]: r["id"] for r in cli.json("discover", "list")}
    refused = cli("discover", "confirm", str(ids["2000000001"]), "--verdict", "private", "--note", " ", code=1)
    assert "needs a note" in refused.output
    cli("discover", "confirm", str(ids["2000000001"]), "--verdict", "private", "--note", "单位承认未备案",
        "--json")
    cli("--as", "wang.reviewer", "discover", "dismiss", str(ids["2000000004"]), "--note", "同名企业")
    assert cli("discover", "confirm", str(ids["2000000002"]), "--verdict", "fan", "--note", "x", code=2)

    again = _discover(cli, weibo)
    assert (again["new"], again["seen_again"]) == (0, 4)
    rows = {r["address"]: r for r in cli.json("discover", "list")}
    assert (rows["2000000001"]["state"], rows["2000000001"]["confirmed_as"], rows["2000000001"]["note"]) == (
        "confirmed", "private", "单位承认未备案")
    assert rows["2000000004"]["state"] == "dismissed" and rows["2000000004"]["decided_by"] == "wang.reviewer"
    first, latest = (rows["2000000002"]["evidence"][0], rows["2000000002"]["evidence"][-1])
    assert first["file"] and latest != first and len(rows["2000000002"]["evidence"]) <= 20  # both runs', capped
    assert rows["2000000002"]["last_seen"] > rows["2000000002"]["first_seen"]
    assert [r["address"] for r in cli.json("discover", "list", "--state", "new")] == ["2000000002", "2000000003"]
    assert [r["address"] for r in cli.json("discover", "list", "--org", "cn-440100")] == ["2000000004"]

    log = cli.json("audit", "list", "--object", "discovered")["items"]
    assert [(e["action"], e["actor"]) for e in log][:2] == [("discovered.dismissed", "wang.reviewer"),
                                                          ("discovered.confirmed", log[1]["actor"])]
    confirmed = log[1]
    assert confirmed["detail"]["changes"]["state"] == ["new", "confirmed"]
    assert confirmed["detail"]["changes"]["confirmed_as"] == [None, "private"]


def test_the_selection_and_its_refusals(cli, weibo, tmp_path):
    registry = tmp_path / "registry.yaml"
    registry.write_text(REGISTRY, encoding="utf-8")
    cli("import", str(registry))
    only = _discover(cli, weibo, "--org", "cn-440100", "--platform", "weibo")
    assert (only["units"], only["new"]) == (1, 1)
    assert [r["address"] for r in cli.json("discover", "list")] == ["2000000004"]
    assert "no platform adapter offers search for douyin" in _discover(cli, weibo, "--platform", "douyin",
                                                                       code=1)["output"]
    assert "no organization with code 'cn-999999'" in _discover(cli, weibo, "--org", "cn-999999", code=1)["output"]
    # Without --allow-private the SSRF guard refuses the loopback server: every search fails, none is stored.
    blocked = json.loads(cli("discover", "--connect-to", weibo[0], "--json").stdout)
    assert blocked["searches"] == len(blocked["errors"]) and blocked["new"] == 0


@pytest.mark.parametrize(("account", "names", "matched"), [
    ("深圳市人民政府", ("深圳市人民政府", None), "深圳市人民政府"),  # exact
    ("深圳市人民政府发布", ("深圳市人民政府", None), "深圳市人民政府"),  # containing
    ("深圳 市人民政府·发布", ("深圳市人民政府", None), "深圳市人民政府"),  # spaces and a middle dot
    ("深圳市人民政府（官方）", ("深圳市人民政府", None), "深圳市人民政府"),  # full-width brackets
    ("深圳市政府便民", ("深圳市人民政府", None), "深圳市政府"),  # the short name
    ("外交部发言人办公室", ("中华人民共和国外交部", None), "外交部"),  # without 中华人民共和国
    ("ＧＳＡ　Ｎｅｗｓ", (None, "General Services Administration"), "GSA"),  # full-width initials as a word
    ("GSA_Events", (None, "General Services Administration"), "GSA"),
    ("u.s. general services administration", (None, "The U.S. General Services Administration"),
     "U.S. General Services Administration"),  # the longest of its names it holds
    ("GSA: General Services Administration news", (None, "The U.S. General Services Administration"),
     "General Services Administration"),
    ("GSAX Holdings", (None, "General Services Administration"), None),  # initials inside a word
    ("深圳美食", ("深圳市人民政府", None), None),
    ("政府", ("深圳市人民政府", None), None),
])
def test_matching_rules(account, names, matched):
    assert claim(account, unit_names(1, "x", *names)) == matched


def test_too_short_names_are_never_used():
    unit = unit_names(1, "x", "区", "EPA")  # one character; an English name too short for itself
    assert unit.names == () and unit.initials is None
    assert normalize("Ａ－Ｂ　ｃ·（d）") == "abcd"
