"""Reading retention schedule files (TOML) and validating them: the shipped ones, then an
office's (`<home>/schedules/*.toml`). Every problem is reported with its file and key, and
none of the files is used while any is wrong."""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from mgov.archive.retention import (
    CUTOFFS,
    DISPOSITIONS,
    Assignment,
    Period,
    RetentionError,
    Schedule,
    ScheduleItem,
    Schedules,
)
from mgov.registry.vocab import CHANNEL_KINDS, JURISDICTIONS

SHIPPED_DIR = Path(__file__).resolve().parent / "retention_data"
TOP_KEYS = ("id", "title_en", "title_zh", "authority", "jurisdiction", "source", "item", "assign")
ITEM_KEYS = ("id", "title_en", "title_zh", "disposition", "retain", "cutoff", "authority", "note", "uncertain")
ASSIGN_KEYS = ("item", "kinds", "organizations", "tags", "channels", "jurisdiction")


def files(dirs: Iterable[Path] = ()) -> list[tuple[Path, bool]]:
    """The schedule files: shipped first, then each folder's (office files: True)."""
    found = [(p, False) for p in sorted(SHIPPED_DIR.glob("*.toml"))]
    for folder in dirs:
        found += [(p, True) for p in sorted(Path(folder).glob("*.toml"))]
    return found


def load(dirs: Iterable[Path] = (), extra: Iterable[Path] = ()) -> Schedules:
    """Every schedule of the shipped folder, the given folders and files; RetentionError
    listing every problem when any file is wrong."""
    out = Schedules()
    errors: list[str] = []
    paths = files(dirs) + [(Path(p), True) for p in extra]
    raw_assignments: list[tuple[Path, int, dict[str, Any], str, bool]] = []
    for path, office in paths:
        try:
            with path.open("rb") as fh:
                data = tomllib.load(fh)
        except tomllib.TOMLDecodeError as exc:
            errors.append(f"{path}: invalid TOML: {exc}")
            continue
        except OSError as exc:
            errors.append(f"{path}: cannot read: {exc.strerror}")
            continue
        schedule = _schedule(path, data, errors)
        if schedule is None:
            continue
        if schedule.id in out.schedules:
            other = out.schedules[schedule.id].origin
            errors.append(f"{path}: id: schedule {schedule.id!r} is also defined in {other}")
            continue
        out.schedules[schedule.id] = schedule
        out.items.update({i.key: i for i in schedule.items})
        assigns = data.get("assign", [])
        if not isinstance(assigns, list) or not all(isinstance(a, dict) for a in assigns):
            errors.append(f"{path}: assign: must be an array of tables (double-bracketed assign)")
            continue
        raw_assignments += [(path, n, a, schedule.id, office) for n, a in enumerate(assigns, 1)]
    for path, n, raw, schedule_id, office in raw_assignments:
        assignment = _assignment(path, n, raw, schedule_id, office, out, errors)
        if assignment is not None:
            out.assignments.append(assignment)
    if errors:
        raise RetentionError(errors)
    return out


def _text(path: Path, where: str, data: dict[str, Any], key: str, errors: list[str], *, required: bool = True) -> str:
    value = data.get(key)
    if value is None:
        if required:
            errors.append(f"{path}: {where}{key}: missing (required)")
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        errors.append(f"{path}: {where}{key}: must be a non-empty text")
        return ""
    return value.strip()


def _schedule(path: Path, data: dict[str, Any], errors: list[str]) -> Schedule | None:
    before = len(errors)
    errors += [f"{path}: {k}: unknown key (allowed: {', '.join(TOP_KEYS)})" for k in data if k not in TOP_KEYS]
    if data.get("id") != path.stem:
        errors.append(f"{path}: id: must equal the file name without .toml ({path.stem!r}), not {data.get('id')!r}")
    jurisdiction = data.get("jurisdiction")
    if jurisdiction is not None and jurisdiction not in JURISDICTIONS:
        errors.append(f"{path}: jurisdiction: {jurisdiction!r} is not one of {', '.join(JURISDICTIONS)}")
    titles = [_text(path, "", data, k, errors) for k in ("title_en", "title_zh", "authority")]
    tables = data.get("item", [])
    if not isinstance(tables, list) or not tables or not all(isinstance(t, dict) for t in tables):
        errors.append(f"{path}: item: give at least one item as an array of tables (double-bracketed item)")
        tables = []
    items: list[ScheduleItem] = []
    for n, table in enumerate(tables, 1):
        item = _item(path, n, str(data.get("id")), table, errors)
        if item is not None:
            if any(i.id == item.id for i in items):
                errors.append(f"{path}: item '{item.id}': duplicate item id {item.id!r}")
            items.append(item)
    if len(errors) > before:
        return None
    return Schedule(path.stem, titles[0], titles[1], titles[2], jurisdiction, str(data.get("source", "")), str(path),
                    tuple(items))


def _item(path: Path, n: int, schedule: str, table: dict[str, Any], errors: list[str]) -> ScheduleItem | None:
    before = len(errors)
    ident = table.get("id")
    where = f"item '{ident if isinstance(ident, str) and ident else n}'."  # no brackets: terminals read them as markup
    if not isinstance(ident, str) or not ident.strip() or "/" in ident:
        errors.append(f"{path}: {where}id: missing or invalid (a text without '/')")
    errors += [f"{path}: {where}{k}: unknown key (allowed: {', '.join(ITEM_KEYS)})"
               for k in table if k not in ITEM_KEYS]
    texts = [_text(path, where, table, k, errors) for k in ("title_en", "title_zh", "authority")]
    disposition = table.get("disposition")
    if disposition not in DISPOSITIONS:
        errors.append(f"{path}: {where}disposition: {disposition!r} is not one of {', '.join(DISPOSITIONS)}")
    cutoff = table.get("cutoff", "none")
    if cutoff not in CUTOFFS:
        errors.append(f"{path}: {where}cutoff: {cutoff!r} is not one of {', '.join(CUTOFFS)}")
    retain: Period | None = None
    if disposition == "permanent":
        if "retain" in table:
            errors.append(f"{path}: {where}retain: a permanent item is never destroyed: give no period")
    elif disposition == "temporary":
        try:
            retain = Period.parse(table.get("retain", ""))
        except ValueError as exc:
            why = "missing (required for a temporary item)" if "retain" not in table else str(exc)
            errors.append(f"{path}: {where}retain: {why}")
    if len(errors) > before:
        return None
    return ScheduleItem(schedule, str(ident).strip(), texts[0], texts[1], str(disposition), retain, str(cutoff),
                        texts[2], str(table.get("note", "")), str(table.get("uncertain", "")))


def _assignment(path: Path, n: int, raw: dict[str, Any], schedule_id: str, office: bool, out: Schedules,
                errors: list[str]) -> Assignment | None:
    before = len(errors)
    where = f"assign {n}."
    errors += [f"{path}: {where}{k}: unknown key (allowed: {', '.join(ASSIGN_KEYS)})"
               for k in raw if k not in ASSIGN_KEYS]
    item = raw.get("item")
    key = (item if "/" in item else f"{schedule_id}/{item}") if isinstance(item, str) else ""
    if key not in out.items:
        errors.append(f"{path}: {where}item: unknown schedule item {item!r} (known: {', '.join(sorted(out.items))})")
    lists: dict[str, tuple[str, ...]] = {}
    for name in ("kinds", "organizations", "tags", "channels"):
        value = raw.get(name, [])
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            errors.append(f"{path}: {where}{name}: must be a list of texts")
            value = []
        lists[name] = tuple(value)
    errors += [f"{path}: {where}kinds: unknown channel kind {k!r} (choose from: {', '.join(CHANNEL_KINDS)})"
               for k in lists["kinds"] if k not in CHANNEL_KINDS]
    if not any(lists.values()):
        errors.append(f"{path}: {where}: name the kinds, organizations, tags or channels it applies to")
    jurisdiction = raw.get("jurisdiction")
    if jurisdiction is not None and jurisdiction not in JURISDICTIONS:
        errors.append(f"{path}: {where}jurisdiction: {jurisdiction!r} is not one of {', '.join(JURISDICTIONS)}")
    if len(errors) > before:
        return None
    return Assignment(key, lists["kinds"], lists["organizations"], lists["tags"], lists["channels"], jurisdiction,
                      f"{path}:{where.rstrip('.')}", office)
