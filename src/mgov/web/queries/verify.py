"""The public verification (核验): is this account, app or site a registered official channel,
of which organization, since when, and if closed, when. Anyone may ask; the answer holds
exactly the public facts (`PUBLIC_KEYS`): no people, no contacts, no ids of mgov's, no
findings or scores.

Read without a scope on purpose: what it tells is what the registry is for the public to
know (the U.S. Digital Registry published the same), and nothing else of the row is read out.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Connection, func, select, tuple_

from mgov.db.tables import CHANNELS, EVENTS, ORGS
from mgov.registry import vocab
from mgov.registry.addresses import normalize_address
from mgov.registry.channel_urls import lookup_of

PUBLIC_KEYS = ("registered", "official", "kind", "address", "name", "organization", "status", "since", "closed_on")
# A suspended (关停) channel is still its organization's; a closed (注销) or merged (整合) one is not.
OFFICIAL_STATUSES = frozenset({"active", "suspended"})
WEB = ("website", "mobile_site")
_COLUMNS = (CHANNELS.c.id, CHANNELS.c.kind, CHANNELS.c.address, CHANNELS.c.name, CHANNELS.c.status,
            CHANNELS.c.owner_id, CHANNELS.c.created_at)


def by_url(conn: Connection, url: str, lang: str | None = None) -> dict[str, Any]:
    """The answer for a URL (InvalidValue when it is not an http(s) URL)."""
    found = lookup_of(url)
    row = _by_keys(conn, found.keys)
    if row is None and found.wechat_biz:
        row = conn.execute(select(*_COLUMNS).where(
            CHANNELS.c.kind == "wechat_account",
            CHANNELS.c.attributes["biz"].as_string() == found.wechat_biz).order_by(CHANNELS.c.id)).first()
    if row is None:
        same = _page(found.url)
        same |= {u + "/" for u in same} | {found.url}
        row = conn.execute(select(*_COLUMNS).where(CHANNELS.c.attributes["url"].as_string().in_(sorted(same)))
                           .order_by(CHANNELS.c.id)).first()
    if row is None:
        rows = conn.execute(select(*_COLUMNS).where(CHANNELS.c.kind.in_(WEB),
                                                    CHANNELS.c.address.in_(found.site_addresses))).all()
        row = max(rows, key=lambda r: (len(r.address), r.kind == "website"), default=None)
    return answer(conn, row, lang)


def _page(url: str) -> set[str]:
    """The URL without its query and trailing slash, on both schemes and with its www twin."""
    base = url.split("?")[0].rstrip("/")
    rest = base.partition("://")[2]
    host, slash, path = rest.partition("/")
    twin = host[4:] if host.startswith("www.") else f"www.{host}"
    return {f"{s}://{h}{slash}{path}" for s in ("http", "https") for h in (host, twin)}


def by_key(conn: Connection, kind: str, address: str, lang: str | None = None) -> dict[str, Any]:
    """The answer for a channel kind and address (InvalidValue for an unknown kind or a
    malformed address)."""
    vocab.check_term(vocab.CHANNEL_KINDS, kind, "channel kind")
    return answer(conn, _by_keys(conn, [(kind, normalize_address(kind, address))]), lang)


def _by_keys(conn: Connection, keys: list[tuple[str, str]]) -> Any:
    """The registered channel of the first key that has one: as written, else (an account on a
    platform whose names ignore case) in any case."""
    if not keys:
        return None
    rows = {(r.kind, r.address): r for r in conn.execute(
        select(*_COLUMNS).where(tuple_(CHANNELS.c.kind, CHANNELS.c.address).in_(keys)))}
    for key in keys:
        if key in rows:
            return rows[key]
    loose = [(k, a.lower()) for k, a in keys if k in ("other_social", "weibo_account")]
    if not loose:
        return None
    found = {(r.kind, r.address.lower()): r for r in conn.execute(
        select(*_COLUMNS).where(tuple_(CHANNELS.c.kind, func.lower(CHANNELS.c.address)).in_(loose))
        .order_by(CHANNELS.c.id.desc()))}
    return next((found[k] for k in loose if k in found), None)


def answer(conn: Connection, row: Any, lang: str | None) -> dict[str, Any]:
    """The public facts of a channel row (None: not registered)."""
    if row is None:
        return dict.fromkeys(PUBLIC_KEYS) | {"registered": False, "official": False}
    organization = None
    if row.owner_id is not None:
        org = conn.execute(select(ORGS.c.name_zh, ORGS.c.name_en, ORGS.c.jurisdiction)
                           .where(ORGS.c.id == row.owner_id)).first()
        if org is not None:
            zh = (lang or ("zh" if org.jurisdiction == "cn" else "en")) == "zh"
            organization = (org.name_zh or org.name_en) if zh else (org.name_en or org.name_zh)
    events = conn.execute(select(EVENTS.c.event, EVENTS.c.date).where(
        EVENTS.c.channel_id == row.id, EVENTS.c.date.is_not(None),
        EVENTS.c.event.in_(("opened", "closed", "merged")))).all()
    opened = [e.date for e in events if e.event == "opened"]
    ended = [e.date for e in events if e.event in ("closed", "merged")]
    created = row.created_at.date() if isinstance(row.created_at, dt.datetime) else None
    return {"registered": True, "official": row.status in OFFICIAL_STATUSES, "kind": row.kind,
            "address": row.address, "name": row.name, "organization": organization, "status": row.status,
            "since": (min(opened) if opened else created),
            "closed_on": max(ended) if ended and row.status not in OFFICIAL_STATUSES else None}
