"""The US .gov registry (CISA dotgov-data current-full.csv / current-federal.csv).

Rows become: the organization (and its suborganization as a child), one website channel
per domain at https://DOMAIN, and the security contact as a person holding the
security_officer role for the organization and the channel.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from mgov.errors import ImportFailed, InvalidValue
from mgov.formats.slugs import unique_slugs
from mgov.formats.textfile import read_csv
from mgov.registry.addresses import normalize_email, normalize_url
from mgov.registry.records import Batch, ChannelRecord, OrgRecord, Origin, PersonRecord, Problem, RoleRecord

COLUMNS = ("Domain name", "Domain type", "Organization name", "Suborganization name",
           "City", "State", "Security contact email")
BLANK = {"", "(blank)"}

BRANCHES = {
    "Executive": ("us-executive", "executive_branch", "Executive Branch of the U.S. Government",
                  "美国联邦政府行政分支"),
    "Legislative": ("us-legislative", "legislative_branch", "Legislative Branch of the U.S. Government",
                    "美国联邦政府立法分支"),
    "Judicial": ("us-judicial", "judicial_branch", "Judicial Branch of the U.S. Government",
                 "美国联邦政府司法分支"),
}
NON_FEDERAL_TIERS = {
    "City": "city", "County": "county", "State or territory": "state", "Interstate": "interstate",
    "School district": "school_district", "Special district": "special_district", "Tribal": "tribal",
    "Independent Intrastate": "special_district",
}


@dataclass
class _Row:
    line: int
    domain: str
    federal: bool
    branch: str | None
    tier: str
    org: str
    sub: str
    state: str
    email: str | None
    tags: tuple[str, ...]


def parse_dotgov(path: Path, encoding: str | None = None,
                 on_bytes: Callable[[int], None] | None = None) -> tuple[Batch, list[Problem], int]:
    """The records of a .gov registry CSV, the rows that could not be used, and rows read."""
    header, rows = read_csv(path, encoding, on_bytes)
    missing = [c for c in COLUMNS if c not in header]
    if missing:
        raise ImportFailed(f"{path}: not a .gov registry file: missing columns {', '.join(missing)}")
    problems: list[Problem] = []
    parsed: list[_Row] = []
    read = 0
    for row in rows:
        read += 1
        origin = Origin(str(path), row.line)
        try:
            if row.error:
                raise InvalidValue(row.error)
            parsed.append(_parse_row(row.line, row.cells, origin, problems))
        except InvalidValue as exc:
            problems.append(Problem(origin, str(exc), "domain"))
    return _records(parsed, path), problems, read


def _parse_row(line: int, cells: dict[str, str], origin: Origin, problems: list[Problem]) -> _Row:
    domain = cells["Domain name"].lower()
    if not domain:
        raise InvalidValue("missing Domain name")
    normalize_url("https://" + domain)
    kind = cells["Domain type"]
    base, _, election = kind.partition(" - ")
    org = cells["Organization name"]
    if not org:
        raise InvalidValue("missing Organization name")
    if base == "Federal":
        branch = election or None  # "Federal - Executive": the part after the dash is the branch
        tier, election = "agency", ""
    elif base in NON_FEDERAL_TIERS:
        branch, tier = None, NON_FEDERAL_TIERS[base]
    else:
        raise InvalidValue(f"unknown Domain type {kind!r}")
    raw_email, email = cells["Security contact email"], None
    if raw_email not in BLANK:
        try:
            email = normalize_email(raw_email)
        except InvalidValue as exc:
            problems.append(Problem(origin, f"{exc}: {domain} imported without a security contact", "contact"))
    tags = ("dotgov", tier.replace("_", "-")) + (("election",) if election else ())
    return _Row(line, domain, base == "Federal", branch, tier, org, cells["Suborganization name"],
                cells["State"].upper(), email, tags)


def _records(rows: list[_Row], path: Path) -> Batch:
    batch = Batch()
    fed_slugs = unique_slugs({r.org for r in rows if r.federal})
    local_slugs = unique_slugs({f"{r.state} {r.org}" for r in rows if not r.federal})
    orgs: dict[str, OrgRecord] = {}
    people: set[str] = set()
    roles: set[tuple[str, str]] = set()

    def org(code: str, line: int, **fields: object) -> None:
        if code not in orgs:
            orgs[code] = OrgRecord(code, Origin(str(path), line), jurisdiction="us", **fields)

    for r in rows:
        if r.federal:
            parent = None
            if r.branch in BRANCHES:
                parent, tier, name_en, name_zh = BRANCHES[r.branch]
                org(parent, r.line, tier=tier, name_en=name_en, name_zh=name_zh, parent=None)
            code = f"us-fed-{fed_slugs[r.org]}"
            tier = "department" if r.org.startswith("Department of") else "agency"
            org(code, r.line, tier=tier, name_en=r.org, parent=parent)
            region = None
        else:
            key = f"{r.state} {r.org}"
            code = f"us-{r.state.lower()}-{local_slugs[key]}" if r.state else f"us-{local_slugs[key]}"
            region = f"US-{r.state}" if r.state else None
            org(code, r.line, tier=r.tier, name_en=r.org, parent=None, region_code=region)
        owner = code
        if r.sub:
            owner = f"{code}.{unique_slugs({r.sub})[r.sub]}"
            org(owner, r.line, tier="bureau" if r.federal else r.tier, name_en=r.sub, parent=code,
                region_code=region)
        origin = Origin(str(path), r.line)
        if r.email:
            if r.email not in people:
                people.add(r.email)
                batch.people.append(PersonRecord(r.email, origin, email=r.email))
            if (r.email, owner) not in roles:
                roles.add((r.email, owner))
                batch.roles.append(RoleRecord(r.email, owner, "security_officer", origin))
        batch.channels.append(ChannelRecord(
            "website", normalize_url("https://" + r.domain), origin, name=r.domain, owner=owner,
            tags_add=r.tags, responsible={"security_officer": [r.email] if r.email else []},
            responsible_roles=frozenset({"security_officer"}),
        ))
    batch.organizations = list(orgs.values())
    return batch
