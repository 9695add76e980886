"""Time zones: mgov stores every time in UTC and shows it in the reader's zone. A user may set
one, else their organization's applies, else the default of its jurisdiction (a Chinese office
works in UTC+8); without an organization, the installation's (`time_zone` in mgov.toml), else UTC."""

from __future__ import annotations

import datetime as dt
from functools import cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from mgov.errors import InvalidValue

DEFAULTS = {"cn": "Asia/Shanghai", "us": "America/New_York"}
UTC = "UTC"


def default_for(jurisdiction: str | None) -> str:
    """The zone of a jurisdiction's offices: Asia/Shanghai for cn, America/New_York for us, else UTC."""
    return DEFAULTS.get(jurisdiction or "", UTC)


@cache
def get(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def check(name: str | None) -> str | None:
    """name if it is an IANA zone (Asia/Shanghai), None for empty; InvalidValue otherwise."""
    if name is None or not name.strip():
        return None
    name = name.strip()
    try:
        get(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise InvalidValue(f"unknown time zone {name!r}: an IANA name such as Asia/Shanghai, "
                           "America/New_York or UTC") from exc
    return name


def choose(*candidates: str | None, jurisdiction: str | None = None, fallback: str | None = None) -> str:
    """The first zone set among candidates (the user's, the organization's...), else the
    jurisdiction's default when there is a jurisdiction, else fallback, else UTC."""
    for zone in candidates:
        if zone:
            return zone
    if jurisdiction:
        return default_for(jurisdiction)
    return fallback or UTC


def local(value: dt.datetime, zone: str) -> dt.datetime:
    """value (naive: UTC) in zone."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(get(zone))


def offset_label(value: dt.datetime) -> str:
    """UTC+8, UTC-5, UTC+5:30, UTC: how far a local time is from UTC, the same in every language."""
    offset = value.utcoffset() or dt.timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    if minutes == 0:
        return "UTC"
    sign, minutes = ("+" if minutes > 0 else "-"), abs(minutes)
    return f"UTC{sign}{minutes // 60}" + (f":{minutes % 60:02d}" if minutes % 60 else "")


def names() -> list[str]:
    """Every zone name the machine knows, sorted (a form's choices)."""
    return sorted(available_timezones())
