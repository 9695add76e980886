"""Cell values of the native format: parsing text cells into typed values and back."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

from mgov.errors import InvalidValue

_TRUE = {"true", "yes", "y", "1", "是", "t"}
_FALSE = {"false", "no", "n", "0", "否", "f"}
_DATE = re.compile(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$")


def text(value: Any) -> str | None:
    if value is None:
        return None
    out = str(value).strip()
    return out or None


def boolean(value: Any, name: str) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    raw = str(value).strip().lower()
    if not raw:
        return None
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise InvalidValue(f"{name}: {value!r} is not true or false")


def date(value: Any, name: str) -> dt.date | None:
    if value is None or isinstance(value, dt.date):
        return value
    raw = str(value).strip()
    if not raw:
        return None
    match = _DATE.match(raw)
    try:
        if not match:
            raise ValueError
        return dt.date(*(int(g) for g in match.groups()))
    except ValueError:
        raise InvalidValue(f"{name}: {value!r} is not a date (YYYY-MM-DD)") from None


def tags(value: Any) -> list[str]:
    if value is None:
        return []
    items = value if isinstance(value, list) else str(value).split(";")
    return sorted({str(t).strip() for t in items if str(t).strip()})


def responsible(value: Any) -> dict[str, list[str]]:
    """`role=person;role=person` in CSV, a mapping of role to person keys in YAML."""
    if value is None:
        return {}
    if isinstance(value, dict):
        return {str(role): sorted(str(p) for p in (people if isinstance(people, list) else [people]))
                for role, people in value.items()}
    out: dict[str, list[str]] = {}
    for part in str(value).split(";"):
        if not part.strip():
            continue
        role, sep, person = part.partition("=")
        if not sep or not role.strip() or not person.strip():
            raise InvalidValue(f"responsible: {part!r} is not role=person")
        out.setdefault(role.strip(), []).append(person.strip())
    return {role: sorted(people) for role, people in out.items()}


def json_object(value: Any, name: str) -> dict[str, Any]:
    if value is None or isinstance(value, dict):
        return value or {}
    raw = str(value).strip()
    if not raw:
        return {}
    try:
        parsed = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise InvalidValue(f"{name}: not JSON ({exc.msg})") from None
    if not isinstance(parsed, dict):
        raise InvalidValue(f"{name}: must be a JSON object")
    return parsed


def cell(value: Any, column: str) -> str:
    """The CSV cell for a stored value; the inverse of the parsers above."""
    if value is None:
        return ""
    if column == "responsible":
        return ";".join(f"{role}={p}" for role, people in value.items() for p in people)
    if column in ("details", "attributes"):
        return json.dumps(value, ensure_ascii=False, sort_keys=True) if value else ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list):
        return ";".join(value)
    return str(value)
