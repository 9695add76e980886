"""Notifications: e-mail and signed webhooks to an organization's targets about new veto
failures, overdue and escalated rectification tasks and a weekly digest of its subtree
(docs/notifications.md).

    add_target(conn, org_code="cn-440303", kind="email", address="ops@example.gov")
    run_notifications(engine, settings, digest=True)

A run reads the events once (notify_events), leaves out what each target was already sent
(NOTIFICATIONS_SENT rows with status 'sent', by key), sends one message per target and event,
and records every item of it as sent or failed. Failed items are tried again on the next run.
Messages go out with no transaction open: a slow server holds no database lock.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import Connection, Engine, insert, select, update

from mgov import clock
from mgov.act.notify_events import Event, Snapshot, iso_week
from mgov.act.notify_send import (
    DeliveryError,
    email_message,
    post_webhook,
    refused_destination,
    send_email,
    verify_signature,
)
from mgov.act.notify_text import body, org_label, subject
from mgov.config import Settings
from mgov.db import audit
from mgov.db.tables import NOTIFICATION_TARGETS, NOTIFICATIONS_SENT, ORGS
from mgov.errors import AlreadyExists, InvalidValue, NotFound
from mgov.registry.addresses import normalize_email
from mgov.registry.service import org_row

__all__ = ["EVENTS", "add_target", "get_target", "list_targets", "remove_target", "run_notifications", "sent_log",
           "verify_signature"]

NT = NOTIFICATION_TARGETS
NS = NOTIFICATIONS_SENT
EVENTS = ("veto", "overdue", "escalated", "digest")
KINDS = ("email", "webhook")
LANGS = ("zh", "en")
MIN_SECRET = 16  # characters: a shorter shared secret is guessable


def _email(raw: str) -> str:
    text = normalize_email(raw)
    # One plain ASCII address: no display names, lists or header tricks.
    if not text.isascii() or any(c in text for c in ',;<>()"\\'):
        raise InvalidValue(f"malformed e-mail address {raw!r}: give one plain ASCII address")
    return text


def _webhook(raw: str, allow_private: bool) -> str:
    url = raw.strip()
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError as exc:
        raise InvalidValue(f"webhook URL {raw!r}: {exc}") from None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise InvalidValue(f"webhook URL {raw!r}: give an http:// or https:// URL with a host")
    if parts.username or parts.password or any(c.isspace() for c in url):
        raise InvalidValue(f"webhook URL {raw!r}: no credentials or spaces (the secret signs the requests)")
    why = refused_destination(url, allow_private)
    if why:
        raise InvalidValue(f"webhook URL {raw!r}: {why}; private and loopback addresses need allow_private")
    return url


def _events(events: Sequence[str] | str | None) -> list[str]:
    if isinstance(events, str):
        events = events.split(",")
    wanted = {e.strip() for e in (EVENTS if events is None else events) if e.strip()}
    unknown = sorted(wanted - set(EVENTS))
    if unknown or not wanted:
        raise InvalidValue(f"events {', '.join(unknown) or '(none)'}: choose from {', '.join(EVENTS)}")
    return [e for e in EVENTS if e in wanted]


def _public(row: Any) -> dict[str, Any]:
    """A target as shown: never its secret."""
    data = dict(row._mapping)
    secret = data.pop("secret", None)
    return {**data, "secret_set": bool(secret)}


def _query() -> Any:
    return select(NT, ORGS.c.code.label("organization")).outerjoin(ORGS, ORGS.c.id == NT.c.organization_id)


def get_target(conn: Connection, target_id: int) -> dict[str, Any]:
    row = conn.execute(_query().where(NT.c.id == target_id)).first()
    if row is None:
        raise NotFound(f"no notification target {target_id}")
    return _public(row)


def list_targets(conn: Connection, *, include_inactive: bool = False,
                 organization_ids: Collection[int] | None = None) -> list[dict[str, Any]]:
    """Targets in order of id (of these organizations when given), without their secrets."""
    query = _query().order_by(NT.c.id)
    if not include_inactive:
        query = query.where(NT.c.active.is_(True))
    if organization_ids is not None:
        query = query.where(NT.c.organization_id.in_(list(organization_ids)))
    return [_public(r) for r in conn.execute(query)]


def add_target(conn: Connection, *, org_code: str | None, kind: str, address: str,
               events: Sequence[str] | str | None = None, secret: str | None = None, lang: str | None = None,
               allow_private: bool = False) -> dict[str, Any]:
    """A new active target of org_code (None: the whole registry). A webhook's secret is generated
    when not given; the result carries it under 'secret', the only time it is shown."""
    if kind not in KINDS:
        raise InvalidValue(f"target kind {kind!r}: choose from {', '.join(KINDS)}")
    if lang is not None and lang not in LANGS:
        raise InvalidValue(f"language {lang!r}: choose from {', '.join(LANGS)}")
    if kind == "email":
        if secret is not None:
            raise InvalidValue("a secret signs webhooks; an e-mail target takes none")
        address = _email(address)
    else:
        address = _webhook(address, allow_private)
        secret = secrets.token_urlsafe(32) if secret is None else secret
        if len(secret) < MIN_SECRET:
            raise InvalidValue(f"a webhook secret needs at least {MIN_SECRET} characters")
    org_id = None
    if org_code is not None:
        org_id = org_row(conn, org_code)["id"]
    same = conn.execute(select(NT.c.id).where(NT.c.active.is_(True), NT.c.kind == kind, NT.c.address == address,
                                              NT.c.organization_id.is_(None) if org_id is None
                                              else NT.c.organization_id == org_id)).scalar()
    if same is not None:
        raise AlreadyExists(f"notification target {same} already sends to {address}")
    target_id = int(conn.execute(insert(NT).values(
        organization_id=org_id, kind=kind, address=address, secret=secret, events=_events(events), lang=lang,
        active=True, created_at=clock.now()).returning(NT.c.id)).scalar_one())
    audit.record(conn, "notification_target.added", f"notification_target:{target_id}",
                 {"changes": audit.diff(None, {"kind": kind, "address": address, "events": _events(events),
                                               "lang": lang})}, organization_id=org_id)
    return {**get_target(conn, target_id), "secret": secret}


def remove_target(conn: Connection, target_id: int) -> dict[str, Any]:
    """Deactivate a target: nothing more is sent to it; what it was sent stays on record."""
    before = get_target(conn, target_id)
    conn.execute(update(NT).where(NT.c.id == target_id).values(active=False))
    audit.record(conn, "notification_target.removed", f"notification_target:{target_id}",
                 {"changes": audit.diff(before, {"active": False}, ["active"])},
                 organization_id=before.get("organization_id"))
    return get_target(conn, target_id)


def sent_log(conn: Connection, *, target_id: int | None = None, limit: int = 100) -> list[dict[str, Any]]:
    """The newest delivery records first (of one target when given)."""
    query = select(NS).order_by(NS.c.id.desc()).limit(limit)
    if target_id is not None:
        query = query.where(NS.c.target_id == target_id)
    return [dict(r._mapping) for r in conn.execute(query)]


@dataclass
class _Batch:
    """The new events of one kind for one target: one message."""

    target: Any
    org: Any | None
    event: str
    events: list[Event]


def _already_sent(conn: Connection, target_id: int, keys: list[str]) -> set[str]:
    done: set[str] = set()
    for i in range(0, len(keys), 500):  # bounded IN lists
        done |= set(conn.execute(select(NS.c.key).where(NS.c.target_id == target_id, NS.c.status == "sent",
                                                        NS.c.key.in_(keys[i:i + 500]))).scalars())
    return done


def _batches(conn: Connection, snap: Snapshot, target: Any, digest: bool) -> list[_Batch]:
    scope = snap.scope(target.organization_id)
    org = snap.orgs.get(target.organization_id) if target.organization_id is not None else None
    out = []
    for event in EVENTS:
        if event not in (target.events or []) or (event == "digest" and not digest):
            continue
        if event == "digest":
            found = [snap.digest(target.organization_id)]
        else:
            found = [e for e in snap.events(event) if scope is None or e.owner_id in scope]
        done = _already_sent(conn, target.id, [e.key for e in found])
        new = [e for e in found if e.key not in done]
        if new:
            out.append(_Batch(target, org, event, new))
    return out


def _deliver(settings: Settings, batch: _Batch, today: dt.date) -> str:
    target, items = batch.target, [e.item for e in batch.events]
    if target.kind == "email":
        lang = target.lang or settings.language
        label = org_label(batch.org, lang)
        msg = email_message(settings.smtp, target.address, subject(batch.event, lang, label, items),
                            body(batch.event, lang, label, items, today))
        return send_email(settings.smtp, msg)
    if not target.secret:
        raise DeliveryError("the webhook target has no secret to sign with")
    payload = {"event": batch.event, "organization": batch.org.code if batch.org is not None else None,
               "items": items, "sent_at": clock.now().isoformat(timespec="seconds")}
    return post_webhook(target.address, target.secret, batch.event, payload, allow_private=settings.allow_private)


def run_notifications(engine: Engine, settings: Settings, *, today: dt.date | None = None, digest: bool = False,
                      dry_run: bool = False) -> dict[str, Any]:
    """Send every active target what is new for it; with digest, the week's digest too (once per
    ISO week). dry_run sends and records nothing. A failed delivery never stops the run."""
    today = today or clock.today()
    with engine.connect() as conn:
        snap = Snapshot(conn, today)
        targets = list(conn.execute(select(NT).where(NT.c.active.is_(True)).order_by(NT.c.id)))
        plans = [(t, _batches(conn, snap, t, digest)) for t in targets]
        codes = {t.id: snap.code(t.organization_id) for t in targets}
    out: dict[str, Any] = {"date": today.isoformat(), "week": iso_week(today), "digest": digest,
                           "dry_run": dry_run, "sent": 0, "failed": 0, "targets": []}
    for target, batches in plans:
        sends = []
        for batch in batches:
            entry = {"event": batch.event, "items": len(batch.events), "keys": [e.key for e in batch.events]}
            if dry_run:
                sends.append({**entry, "status": "dry_run"})
                continue
            try:
                status, detail = "sent", {"result": _deliver(settings, batch, today)}
            except DeliveryError as exc:
                status, detail = "failed", {"error": str(exc)}
            except Exception as exc:  # noqa: BLE001 - a fault in one message must not stop the others
                status, detail = "failed", {"error": f"{type(exc).__name__}: {exc}"}
            with engine.begin() as conn:
                at = clock.now()
                conn.execute(insert(NS), [{"target_id": target.id, "event": batch.event, "key": e.key, "at": at,
                                           "status": status, "detail": {**detail, "items": len(batch.events)}}
                                          for e in batch.events])
            out[status] += 1
            sends.append({**entry, "status": status, **detail})
        out["targets"].append({"target": target.id, "kind": target.kind, "address": target.address,
                               "organization": codes[target.id], "sends": sends})
    return out
