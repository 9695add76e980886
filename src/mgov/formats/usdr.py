"""The U.S. Digital Registry (GSA's registry of official social media accounts and mobile
apps; API at api.gsa.gov/technology/digital-registry/v1) as registry records.

An export holds `agencies`, `social_media` and `mobile_apps`, as the API's list endpoints
give them (docs/registry-usdr.md names every field and what it becomes):

- an agency is an organization (jurisdiction us), matched to a registered one by its English
  name, else `us-fed-<slug of the name>` (the code the .gov import gives the same name);
- a social media account is an `other_social` channel `service_key:account`, owned by its
  first agency, with its URL, language and registry id as attributes;
- a mobile app is one channel per store URL of its versions: `app_ios` (`id…` from the App
  Store URL), `app_android` (the package from Google Play's `?id=`), `mobile_site` for a web
  version;
- the contacts of an account or app are people holding a role (content_manager unless the
  contact says another) at its owner and answering for the channel.

The export carries no history but the record's creation (an `opened` event) and, for an
archived record, its last update (a `closed` event). Attributes, tags and the roles the file
speaks for are merged, so what was added by hand stays.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from mgov.errors import InvalidValue
from mgov.formats.jsonrecords import JsonRecord, read_json_records
from mgov.formats.slugs import slugify
from mgov.formats.usdr_contacts import Contacts
from mgov.registry import vocab
from mgov.registry.addresses import normalize_address, normalize_url
from mgov.registry.records import UNSET, Batch, ChannelRecord, EventRecord, OrgRecord, Origin, Problem

SECTIONS = ("agencies", "social_media", "mobile_apps")
NOTE = "U.S. Digital Registry"
# Platforms told by the host of an account's URL when its record names none (the registry's
# own service keys: lib/services of its source).
HOSTS = {"twitter.com": "twitter", "x.com": "twitter", "facebook.com": "facebook", "youtube.com": "youtube",
         "instagram.com": "instagram", "flickr.com": "flickr", "linkedin.com": "linkedin", "github.com": "github",
         "medium.com": "medium", "pinterest.com": "pinterest", "tumblr.com": "tumblr", "vimeo.com": "vimeo",
         "weibo.com": "weibo", "weibo.cn": "weibo", "threads.net": "threads", "tiktok.com": "tiktok"}
ARCHIVED = frozenset({"archived", "closed", "deleted", "inactive"})
PUBLISHED = frozenset({"published", "active", "verified"})


def org_key(name: str) -> str:
    """An organization's English name as names are compared: case, width, punctuation and
    spacing do not count ("Dept. of the Interior" is not "Department of the Interior")."""
    text = unicodedata.normalize("NFKC", name).casefold()
    return " ".join(re.sub(r"[^\w]+", " ", text).split())


@dataclass
class _Agency:
    code: str
    name: str
    acronym: str | None


@dataclass
class _Parse:
    path: Path
    known_orgs: Mapping[str, str]  # org_key(English name) -> code, of the registered organizations
    batch: Batch = field(default_factory=Batch)
    problems: list[Problem] = field(default_factory=list)
    by_id: dict[str, _Agency] = field(default_factory=dict)  # the agencies section's, by registry id
    orgs: dict[str, OrgRecord] = field(default_factory=dict)
    contacts: Contacts = field(init=False)
    known_codes: set[str] = field(init=False)

    def __post_init__(self) -> None:
        self.contacts = Contacts(self.batch, self.problems)
        self.known_codes = set(self.known_orgs.values())

    def origin(self, rec: JsonRecord) -> Origin:
        return Origin(str(self.path), rec.line)

    def problem(self, rec: JsonRecord, reason: str, what: str = "channel") -> None:
        self.problems.append(Problem(self.origin(rec), f"{rec.where}: {reason}", what))


def parse_usdr(path: Path, encoding: str | None = None, on_bytes: Callable[[int], None] | None = None,
               known_orgs: Mapping[str, str] | None = None) -> tuple[Batch, list[Problem], int]:
    """The records of a U.S. Digital Registry export, the records that could not be used (with
    their line and place in the file), and how many records were read."""
    doc = read_json_records(path, SECTIONS, encoding, on_bytes)
    p = _Parse(path, known_orgs or {})
    for key, line in doc.ignored:
        p.problems.append(Problem(Origin(str(path), line), f"unknown section {key!r}: not read "
                                  f"(the sections are {', '.join(SECTIONS)})", "row"))
    good = []
    for rec in doc.records:
        if rec.error:
            p.problem(rec, rec.error, "row")
        elif not isinstance(rec.value, dict):
            p.problem(rec, f"a record is an object, not {type(rec.value).__name__}", "row")
        else:
            good.append(rec)
    for rec in good:  # agencies first: accounts name them by id
        if _section(rec) == "agencies":
            _agency_record(p, rec)
    for rec in good:
        section = _section(rec)
        if section == "social_media":
            _social(p, rec)
        elif section == "mobile_apps":
            _app(p, rec)
        elif section != "agencies":
            p.problem(rec, "neither an agency, a social media account nor a mobile app (no name, service_key "
                           "or versions)", "row")
    p.batch.organizations = list(p.orgs.values())
    return p.batch, p.problems, len(doc.records)


def _section(rec: JsonRecord) -> str:
    """The record's kind: its section's, or told by its fields in a bare list or API page."""
    if rec.section:
        return rec.section
    v = rec.value
    if "versions" in v:
        return "mobile_apps"
    if any(k in v for k in ("service_key", "service_url", "account_platform", "account_url", "account")):
        return "social_media"
    if "name" in v and any(k in v for k in ("acronym", "social_media_count", "mobile_app_count", "info_url")):
        return "agencies"
    return ""


def _text(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def _agency(p: _Parse, rec: JsonRecord, ref: Any) -> _Agency | None:
    """The organization an agency (an object, a name, or an id of the agencies section) is."""
    if isinstance(ref, int | str) and str(ref).strip() in p.by_id:
        return p.by_id[str(ref).strip()]
    if isinstance(ref, dict):
        name, acronym = _text(ref.get("name")), _text(ref.get("acronym"))
        if name is None and _text(ref.get("id")) in p.by_id:
            return p.by_id[str(ref["id"]).strip()]
    else:
        name, acronym = _text(ref), None
    if name is None or name.isdigit():
        p.problem(rec, f"unknown agency {ref!r} (no name, and no such id in the agencies section)", "organization")
        return None
    code = p.known_orgs.get(org_key(name)) or f"us-fed-{slugify(name)}"
    if code not in p.orgs:
        if code in p.known_codes:  # registered already: named, never renamed or moved by this file
            p.orgs[code] = OrgRecord(code, p.origin(rec))
        else:
            tier = "department" if name.startswith("Department of") else "agency"
            p.orgs[code] = OrgRecord(code, p.origin(rec), jurisdiction="us", tier=tier, name_en=name)
    return _Agency(code, name, acronym)


def _agency_record(p: _Parse, rec: JsonRecord) -> None:
    found = _agency(p, rec, rec.value)
    if found is not None and _text(rec.value.get("id")):
        p.by_id[str(rec.value["id"]).strip()] = found


def _owners(p: _Parse, rec: JsonRecord) -> list[_Agency]:
    refs = rec.value.get("agencies")
    if refs is None:
        return []
    if isinstance(refs, str):  # the registry's bulk upload: names separated by commas or semicolons
        refs = [r for r in re.split(r"[;,]", refs) if r.strip()]
    if not isinstance(refs, list):
        p.problem(rec, "agencies is not a list", "organization")
        return []
    return [a for a in (_agency(p, rec, r) for r in refs) if a is not None]


def _date(p: _Parse, rec: JsonRecord, *keys: str) -> dt.date | None:
    for key in keys:
        raw = _text(rec.value.get(key))
        if raw is None:
            continue
        try:
            return dt.datetime.fromisoformat(raw.replace("Z", "+00:00")).date()
        except ValueError:
            try:
                return dt.datetime.strptime(raw, "%m/%d/%Y").date()
            except ValueError:
                p.problem(rec, f"{key} {raw!r} is not a date: no event filed for it", "event")
    return None


def _common(p: _Parse, rec: JsonRecord, kind: str, address: str, name: str | None, url: str | None,
            owners: list[_Agency], extra_tags: tuple[str, ...]) -> None:
    """The channel of one account or app, its contacts and its history."""
    v = rec.value
    attributes: dict[str, Any] = {"usdr_id": _text(v.get("id")), "language": _text(v.get("language"))}
    if url:
        attributes["url"] = url
    if len(owners) > 1:
        attributes["usdr_agencies"] = "; ".join(a.acronym or a.name for a in owners)
    raw_tags = v["tags"] if isinstance(v.get("tags"), list) else []
    tags = tuple(sorted({t for t in map(_tag, raw_tags) if t}))
    status: Any = UNSET
    raw_status = (_text(v.get("status")) or "").lower()
    if raw_status in ARCHIVED:
        status = "closed"
    elif raw_status in PUBLISHED:
        status = "active"
    owner_code = owners[0].code if owners else None
    responsible, roles = p.contacts.of(p.origin(rec), rec.where, v, owner_code)
    p.batch.channels.append(ChannelRecord(
        kind, address, p.origin(rec), name=name or UNSET, owner=owner_code or UNSET, status=status,
        tags_add=("usdr", *extra_tags, *tags), attributes_add={k: x for k, x in attributes.items() if x is not None},
        responsible=responsible, responsible_roles=roles))
    opened = _date(p, rec, "created_at")
    if opened:
        p.batch.events.append(EventRecord(kind, address, "opened", p.origin(rec), date=opened, note=NOTE))
    if status == "closed":
        closed = _date(p, rec, "archived_at", "updated_at", "udpated_at") or opened
        p.batch.events.append(EventRecord(kind, address, "closed", p.origin(rec), date=closed, note=NOTE))


def _tag(value: Any) -> str | None:
    text = _text(value.get("tag_text") or value.get("name") if isinstance(value, dict) else value)
    return " ".join(text.split()) if text else None


def _social(p: _Parse, rec: JsonRecord) -> None:
    v = rec.value
    raw_url = _text(v.get("service_url") or v.get("account_url") or v.get("url"))
    url = None
    if raw_url:
        try:
            url = normalize_url(raw_url)
        except InvalidValue as exc:
            p.problem(rec, f"{exc}: imported without its URL")
    service = _service(_text(v.get("service_key") or v.get("service") or v.get("account_platform")), url)
    if service is None:
        p.problem(rec, "no service_key, and its URL names no platform mgov knows")
        return
    account = _text(v.get("account")) or _account_of(url)
    if account is None:
        p.problem(rec, "no account, and none in its URL")
        return
    try:
        address = normalize_address("other_social", f"{service}:{account.lstrip('@')}")
    except InvalidValue as exc:
        p.problem(rec, str(exc))
        return
    display = _text(v.get("service_display_name")) or service
    name = (_text(v.get("account_name")) or _text(v.get("organization")) or _text(v.get("organizaton"))
            or f"{display} {account}")
    _common(p, rec, "other_social", address, name, url, _owners(p, rec), ("social-media",))


def _service(raw: str | None, url: str | None) -> str | None:
    """The platform: the record's service key (a display name such as "Google+" as a key),
    else told by its URL's host."""
    if raw:
        return re.sub(r"[^a-z0-9]+", "_", raw.lower().replace("+", " plus")).strip("_") or None
    if url:
        host = (urlsplit(url).hostname or "").removeprefix("www.").removeprefix("m.")
        return HOSTS.get(host)
    return None


def _account_of(url: str | None) -> str | None:
    """The account in a profile URL: its last path segment (twitter.com/usgsa, youtube.com/user/usgsa)."""
    if not url:
        return None
    segments = [s for s in urlsplit(url).path.split("/") if s]
    return segments[-1].lstrip("@") or None if segments else None


def _app(p: _Parse, rec: JsonRecord) -> None:
    v = rec.value
    versions = v.get("versions")
    if not isinstance(versions, list) or not versions:
        p.problem(rec, "no versions: an app is registered by its store URLs")
        return
    owners = _owners(p, rec)
    seen: set[tuple[str, str]] = set()
    for n, version in enumerate(versions):
        if not isinstance(version, dict):
            p.problem(rec, f"versions[{n}] is not an object")
            continue
        found = _store_channel(_text(version.get("store_url")), _text(version.get("platform")))
        if isinstance(found, str):
            p.problem(rec, f"versions[{n}]: {found}")
            continue
        if found[:2] in seen:  # the iPhone and iPad versions share one store page
            continue
        seen.add(found[:2])
        _common(p, rec, found[0], found[1], _text(v.get("name")), found[2], owners, ("mobile-app",))


APPLE_ID = re.compile(r"/id(\d{6,12})(?:$|[/?])")


def _store_channel(raw_url: str | None, platform: str | None) -> tuple[str, str, str] | str:
    """(kind, address, URL) of one version's store page, or why it has none."""
    if not raw_url:
        return "no store_url"
    try:
        url = normalize_url(raw_url)
    except InvalidValue as exc:
        return str(exc)
    parts = urlsplit(url)
    host = parts.hostname or ""
    if host in ("apps.apple.com", "itunes.apple.com"):
        found = APPLE_ID.search(parts.path + "/")
        return ("app_ios", f"id{found.group(1)}", url) if found else f"no app id (id123456789) in {raw_url}"
    if host == "play.google.com":
        package = (parse_qs(parts.query).get("id") or [""])[0]
        try:
            return "app_android", normalize_address("app_android", package), url
        except InvalidValue as exc:
            return str(exc)
    if (platform or "").lower() in ("web", "mobile web", "mobile_web", "html5"):
        return "mobile_site", url, url
    kinds = ", ".join(vocab.CHANNEL_KINDS[k].en for k in ("app_ios", "app_android", "mobile_site"))
    return f"platform {platform or '?'} at {raw_url}: no registered channel kind for it (only {kinds})"
