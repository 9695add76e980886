"""The manifest: every farm site with its identity, registry entry and defects, as JSON.

It is what tests and benchmarks compare findings with, so it says what the farm serves,
not what a check should conclude: `identifiers` are the values the pages show, the
registry entry holds the values the registry should hold, and they differ exactly where a
defect says so.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import asdict, dataclass, field, fields, is_dataclass
from pathlib import Path
from typing import Any

from mgov.demo.farm.defects_newmedia import NEWMEDIA_DEFECTS

FORMAT = "mgov-demo-farm/1"


@dataclass
class Organization:
    code: str
    name_zh: str
    name_en: str
    jurisdiction: str
    tier: str
    region_code: str | None = None  # GB/T 2260, cn only


@dataclass
class RegistryEntry:
    """The channel as the registry should hold it (mgov's channel fields)."""

    address: str
    name: str
    owner: str
    kind: str = "website"
    attributes: dict[str, Any] = field(default_factory=dict)  # cn: {"site_code": ...}


@dataclass
class Site:
    host: str  # canonical host: https://HOST/ is the site
    twin: str  # the www./apex twin, which redirects to HOST (or fails to resolve)
    jurisdiction: str  # cn | us
    language: str  # zh | en
    encoding: str  # utf-8 | gbk
    charset_declared: bool  # False: no meta charset and no charset in Content-Type
    organization: Organization
    registry: RegistryEntry
    defects: list[str] = field(default_factory=list)
    twin_cname: bool = False  # the twin is a DNS CNAME to HOST rather than its own A/AAAA
    # What the pages show (cn): site_code, icp, psb, psb_number, conac_id, jiucuo_site_code;
    # None where the page shows nothing.
    identifiers: dict[str, str | None] = field(default_factory=dict)
    # Defect parameters and facts: links_dropped (links.missing); for each content defect, its
    # id -> the concrete facts a test compares with (URLs, pages, titles; docs/demo-farm.md).
    details: dict[str, Any] = field(default_factory=dict)
    # "site"; the extra sites of generate(traps=True, big_site_pages=N): "calendar_trap",
    # "session_trap", "big".
    role: str = "site"
    # The real-world forms the pages publish (contract.FORMS), e.g. {"viewport": "twice",
    # "links": "long", "icp": "fullwidth", "psb": "colon_fw", "jiucuo": "former", "footer":
    # "blocks"}; a missing key is the plain contract's form.
    forms: dict[str, str] = field(default_factory=dict)

    def form(self, name: str) -> str:
        """The site's form of one element (the contract's first when none was given)."""
        return self.forms.get(name, "")

    def has(self, defect: str) -> bool:
        return defect in self.defects

    @property
    def healthy(self) -> bool:
        return not self.defects

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Site:
        d = dict(d)
        d["organization"] = Organization(**d["organization"])
        d["registry"] = RegistryEntry(**d["registry"])
        return cls(**d)


@dataclass
class Account:
    """A new-media account the farm's platforms serve (docs/demo-farm.md, Platforms): as the
    registry should hold it (kind, address, name, attributes), how it posts, and its defect."""

    platform: str  # the adapter that reads it: weibo | wechat | activitypub | feed
    kind: str  # weibo_account | wechat_account | other_social
    address: str  # the registry's: uid | gh_... | mastodon:@user@host | rss:<name>
    name: str  # the name the platform shows in epoch 1 (the registry's channel name)
    organization: Organization  # the unit it belongs to (or, unregistered, claims)
    language: str  # zh | en
    no: int  # serial: post ids and article tokens derive from it
    handle: str  # uid, original id (gh_...), user name or feed name
    description: str
    certification: str | None = None  # 认证 text (Weibo verified_reason, WeChat 微信认证)
    site: str | None = None  # the unit's farm site (https://HOST/) when it is healthy: a link target
    posts_per_day: float = 1.0  # >= 1: that many posts a day; < 1: one every round(1/x) days
    phase: int = 0  # days the newest post lies further back (posts_per_day < 1)
    stale_days: int = 0  # > 0 (newmedia.stale): no post after this many days before today
    utc_offset: int = 8  # hours: the account's local time (posts' times, its "day")
    registered: bool = True  # False: a 私开账号 the platform search finds (Manifest.discover_entries)
    attributes: dict[str, Any] = field(default_factory=dict)  # registry attributes (feed_url, ...)
    defects: list[str] = field(default_factory=list)  # at most one (defects_newmedia)
    details: dict[str, Any] = field(default_factory=dict)  # the defect's facts (post ids, words, names)

    @property
    def healthy(self) -> bool:
        return self.registered and not self.defects

    def has(self, defect: str) -> bool:
        return defect in self.defects

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Account:
        d = dict(d)
        d["organization"] = Organization(**d["organization"])
        return cls(**d)


@dataclass
class Runtime:
    """Where a running farm listens; set by Farm.start."""

    http_port: int
    https_port: int
    dns_port: int
    ca_pem: str
    addresses: list[str]
    started_at: str  # ISO 8601, UTC
    startup_seconds: float
    # How the farm ran: the hostile network's options (hostile.Hostility.options; transient
    # faults, never defects) and where the HTTP-only sites live (http_only_address).
    options: dict[str, Any] = field(default_factory=dict)


@dataclass
class Manifest:
    seed: int
    count: int
    latency_ms: float
    defect_rate: float
    sites: list[Site]
    services: list[str]  # third-party hosts the farm also serves (trackers, badge and link targets)
    runtime: Runtime | None = None
    format: str = FORMAT
    # The content's "today" (ISO date): item dates are relative to it.
    today: str = field(default_factory=lambda: dt.date.today().isoformat())
    traps: bool = False  # the calendar-trap and session-id-trap sites are in `sites`
    big_site_pages: int = 0  # the big site's tree pages (0: no big site)
    big_site_dead: float = 0.0  # the big site's share of dead link targets
    # The new-media accounts on the farm's platforms (registered ones and the unregistered ones
    # the platform search finds), and where the farm writes the WeChat article lists (set by
    # generate(exports_dir=) or by Farm.start: the state directory's "exports").
    accounts: list[Account] = field(default_factory=list)
    exports_dir: str | None = None

    @property
    def today_date(self) -> dt.date:
        return dt.date.fromisoformat(self.today)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def to_json(self, indent: int | None = None) -> str:
        # The same as to_dict, without asdict's deep copy (a second for 10,000 sites).
        return json.dumps(_plain(self), ensure_ascii=False, indent=indent)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> Manifest:
        if d.get("format") != FORMAT:
            raise ValueError(f"not a farm manifest (format {d.get('format')!r}, want {FORMAT!r})")
        d = dict(d)
        d["sites"] = [Site.from_dict(s) for s in d["sites"]]
        d["runtime"] = Runtime(**d["runtime"]) if d.get("runtime") else None
        d["accounts"] = [Account.from_dict(a) for a in d.get("accounts", [])]
        return cls(**d)

    @classmethod
    def from_json(cls, text: str | bytes) -> Manifest:
        return cls.from_dict(json.loads(text))

    def site(self, host: str) -> Site:
        """The site whose canonical host or twin is host."""
        host = host.lower().rstrip(".")
        for s in self.sites:
            if host in (s.host, s.twin):
                return s
        raise KeyError(host)

    def with_defect(self, defect: str) -> list[Site]:
        return [s for s in self.sites if defect in s.defects]

    def healthy_sites(self) -> list[Site]:
        return [s for s in self.sites if not s.defects]

    def role(self, role: str) -> Site:
        """The one site of a role ("big", "calendar_trap", "session_trap")."""
        return next(s for s in self.sites if s.role == role)

    def registry_document(self) -> dict[str, Any]:
        """The sites and the registered accounts as an mgov native registry document
        (organizations and channels, with the channel attributes the checks and adapters read:
        the cn site codes; feed_url, article_list (once exports_dir is known), certification)."""
        orgs: dict[str, dict[str, Any]] = {}
        channels = []
        for s in self.sites:
            o = s.organization
            orgs.setdefault(o.code, {k: v for k, v in asdict(o).items() if v is not None})
            channels.append({"kind": s.registry.kind, "address": s.registry.address,
                             "name": s.registry.name, "owner": s.registry.owner,
                             "attributes": dict(s.registry.attributes or {})})
        for a in self.accounts:
            if not a.registered:
                continue
            o = a.organization
            orgs.setdefault(o.code, {k: v for k, v in asdict(o).items() if v is not None})
            channels.append({"kind": a.kind, "address": a.address, "name": a.name, "owner": o.code,
                             "attributes": self.account_attributes(a)})
        return {"format": "mgov-registry/1", "organizations": list(orgs.values()),
                "channels": channels}

    def account_attributes(self, a: Account) -> dict[str, Any]:
        """A registered account's channel attributes; a WeChat account's article_list names
        the export file the farm writes for it (only once exports_dir is known)."""
        attrs = dict(a.attributes)
        if a.platform == "wechat" and self.exports_dir:
            attrs["article_list"] = str(Path(self.exports_dir) / f"{a.handle}.json")
        return attrs

    def account(self, address: str) -> Account:
        """The account at a registry address (registered or not)."""
        for a in self.accounts:
            if a.address == address:
                return a
        raise KeyError(address)

    def newmedia_defects(self, epoch: int | None = None) -> list[dict[str, Any]]:
        """The new-media defects (run kind "capture"), one entry per account and defect: the
        channel's kind and address, the defect, the checks that must report it, the checks it
        may make fail besides (obscures), its first epoch and its facts. epoch: only the
        defects the farm shows in that epoch."""
        out = []
        for a in self.accounts:
            for d in a.defects:
                spec = NEWMEDIA_DEFECTS[d]
                if epoch is not None and spec.epoch > epoch:
                    continue
                out.append({"kind": a.kind, "address": a.address, "platform": a.platform,
                            "defect": d, "checks": list(spec.checks), "obscures": list(spec.obscures),
                            "run_kind": spec.run_kind, "epoch": spec.epoch,
                            "facts": a.details.get(d, {})})
        return out

    def discover_entries(self) -> list[dict[str, Any]]:
        """The accounts the platforms' search returns that claim a registered unit but are not
        in the registry (私开账号): what `mgov discover` must list, and nothing else."""
        return [{"platform": a.platform, "kind": a.kind, "address": a.address, "name": a.name,
                 "claims": a.organization.code, "query": a.details.get("query", a.organization.name_zh)}
                for a in self.accounts if not a.registered]

def _plain(obj: Any) -> Any:
    """A dataclass tree as dicts for json.dumps; lists and dicts are shared, not copied."""
    if is_dataclass(obj):
        return {f.name: _plain(getattr(obj, f.name)) for f in fields(obj)}
    if isinstance(obj, list) and obj and is_dataclass(obj[0]):
        return [_plain(x) for x in obj]
    return obj
