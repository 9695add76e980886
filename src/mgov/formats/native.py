"""The native registry format, read side: YAML, one combined CSV, or one CSV per record type.

See docs/registry-format.md. Absent columns leave stored values alone; empty cells clear
optional values. Every bad row becomes a Problem with file and line; good rows go on.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import yaml

from mgov import zones
from mgov.errors import ImportFailed, InvalidValue
from mgov.formats import fields as f
from mgov.formats.textfile import DecodedLines, check_encoding, detect_encoding, encoding_label, read_csv
from mgov.registry import vocab
from mgov.registry.addresses import normalize_address, normalize_email
from mgov.registry.records import (
    UNSET,
    Batch,
    ChannelRecord,
    EventRecord,
    OrgRecord,
    Origin,
    PersonRecord,
    Problem,
    RoleRecord,
)

COLUMNS: dict[str, tuple[str, ...]] = {
    "organization": ("code", "name_zh", "name_en", "jurisdiction", "tier", "parent", "region_code",
                     "no_external_service", "active", "time_zone"),
    "person": ("key", "name", "email", "phone"),
    "role": ("person", "organization", "role", "since", "until"),
    "channel": ("kind", "address", "name", "owner", "status", "tags", "responsible", "attributes"),
    "event": ("kind", "address", "event", "date", "note", "details"),
}
# One CSV per type, in the order a directory is read (references point backwards).
FILES = {"organization": "organizations.csv", "person": "people.csv", "role": "roles.csv",
         "channel": "channels.csv", "event": "events.csv"}
YAML_SECTIONS = {"organizations": "organization", "people": "person", "roles": "role",
                 "channels": "channel"}
FORMAT_TAG = "mgov-registry/1"


def parse_native(path: Path, encoding: str | None = None,
                 on_bytes: Callable[[int], None] | None = None) -> tuple[Batch, list[Problem], int]:
    """Records, bad rows and the number of rows read, from a file or a directory."""
    if path.is_dir():
        batch, problems, read = Batch(), [], 0
        for name in FILES.values():
            if (path / name).exists():
                b, p, n = _parse_csv(path / name, encoding, on_bytes)
                batch.extend(b)
                problems += p
                read += n
        if not any((path / name).exists() for name in FILES.values()):
            raise ImportFailed(f"{path}: no registry files ({', '.join(FILES.values())}) found")
        return batch, problems, read
    if path.suffix.lower() in (".yaml", ".yml"):
        return _parse_yaml(path, encoding)
    if path.suffix.lower() == ".csv":
        return _parse_csv(path, encoding, on_bytes)
    raise ImportFailed(f"{path}: unknown format (use .yaml, .yml, .csv or a directory)")


def csv_record_type(header: list[str]) -> str | None:
    """The record type of a single-type CSV, told by its columns; 'record' when combined."""
    cols = set(header)
    if "record" in cols:
        return "record"
    for kind, must in (("event", {"event", "kind", "address"}), ("channel", {"kind", "address"}),
                       ("role", {"person", "organization", "role"}), ("organization", {"code"}),
                       ("person", {"key"})):
        if must <= cols:
            return kind
    return None


def _parse_csv(path: Path, encoding: str | None,
               on_bytes: Callable[[int], None] | None = None) -> tuple[Batch, list[Problem], int]:
    header, rows = read_csv(path, encoding, on_bytes, unquote_cells=True)
    fixed = csv_record_type(header)
    if fixed is None:
        raise ImportFailed(f"{path}: cannot tell the record type from the header {header}; "
                           "see docs/registry-format.md")
    batch, problems, read = Batch(), [], 0
    for row in rows:
        read += 1
        origin = Origin(str(path), row.line)
        record_type = row.cells.get("record", "") if fixed == "record" else fixed
        try:
            if row.error:
                raise InvalidValue(row.error)
            cells = {k: v for k, v in row.cells.items() if k in COLUMNS.get(record_type, ())}
            add_record(batch, record_type, cells, origin)
        except InvalidValue as exc:
            problems.append(Problem(origin, str(exc), record_type or "row"))
    return batch, problems, read


class _LineLoader(yaml.SafeLoader):
    """Remembers the line where each mapping starts, for error messages."""

    def construct_mapping(self, node: Any, deep: bool = False) -> dict[Any, Any]:
        mapping = super().construct_mapping(node, deep=True)
        mapping["__line__"] = node.start_mark.line + 1
        return mapping


def _parse_yaml(path: Path, encoding: str | None) -> tuple[Batch, list[Problem], int]:
    lines = DecodedLines(path, check_encoding(encoding) if encoding else detect_encoding(path))
    content = "".join(lines)
    if lines.undecodable:
        raise ImportFailed(f"{path}:{min(lines.undecodable)}: bytes that are not {encoding_label(lines.encoding)}")
    try:
        doc = yaml.load(content, Loader=_LineLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        raise ImportFailed(f"{path}: not valid YAML: {exc}") from None
    if not isinstance(doc, dict):
        raise ImportFailed(f"{path}: expected a mapping with sections {', '.join(YAML_SECTIONS)}")
    unknown = set(doc) - set(YAML_SECTIONS) - {"format", "__line__"}
    if unknown:
        raise ImportFailed(f"{path}: unknown sections {', '.join(sorted(map(str, unknown)))}")
    batch, problems, read = Batch(), [], 0
    for section, record_type in YAML_SECTIONS.items():
        items = doc.get(section) or []
        if not isinstance(items, list):
            raise ImportFailed(f"{path}: section {section} must be a list")
        for item in items:
            read += 1
            line = item.pop("__line__", None) if isinstance(item, dict) else None
            origin = Origin(str(path), line)
            try:
                if not isinstance(item, dict):
                    raise InvalidValue(f"{section}: each entry must be a mapping")
                history = item.pop("history", None) if record_type == "channel" else None
                item = _strip_lines(item)
                extra = set(item) - set(COLUMNS[record_type])
                if extra:
                    raise InvalidValue(f"unknown fields {', '.join(sorted(map(str, extra)))}")
                record = _BUILDERS[record_type](item, origin)
                events = list(_events(history, record, path))  # all or nothing for the entry
                getattr(batch, _TARGET[record_type]).append(record)
                batch.events += events
            except InvalidValue as exc:
                problems.append(Problem(origin, str(exc), record_type))
    return batch, problems, read


def _strip_lines(value: Any) -> Any:
    """Drop the line markers of nested mappings (only entries report lines)."""
    if isinstance(value, dict):
        return {k: _strip_lines(v) for k, v in value.items() if k != "__line__"}
    if isinstance(value, list):
        return [_strip_lines(v) for v in value]
    return value


def _events(history: Any, channel: Any, path: Path) -> Iterable[EventRecord]:
    if history is None:
        return []
    if not isinstance(history, list):
        raise InvalidValue("history must be a list of events")
    out = []
    for item in history:
        if not isinstance(item, dict):
            raise InvalidValue("history: each event must be a mapping")
        line = item.pop("__line__", None)
        extra = set(item) - set(COLUMNS["event"]) | ({"kind", "address"} & set(item))
        if extra:
            raise InvalidValue(f"history, line {line}: unknown fields {', '.join(sorted(map(str, extra)))}")
        out.append(_event({**_strip_lines(item), "kind": channel.kind, "address": channel.address},
                          Origin(str(path), line)))
    return out


def _required(cells: Mapping[str, Any], name: str) -> str:
    value = f.text(cells.get(name))
    if value is None:
        raise InvalidValue(f"missing {name}")
    return value


def _opt(cells: Mapping[str, Any], name: str, parse: Callable[[Any], Any] = f.text) -> Any:
    return parse(cells[name]) if name in cells else UNSET


def _org(cells: Mapping[str, Any], origin: Origin) -> OrgRecord:
    jurisdiction = _opt(cells, "jurisdiction", lambda v: (f.text(v) or "").lower() or None)
    tier = _opt(cells, "tier", lambda v: (f.text(v) or "").lower() or None)
    if jurisdiction not in (UNSET, None):
        vocab.check_term(vocab.JURISDICTIONS, jurisdiction, "jurisdiction")
        if tier not in (UNSET, None):
            vocab.check_tier(jurisdiction, tier)
    return OrgRecord(
        _required(cells, "code"), origin, name_zh=_opt(cells, "name_zh"), name_en=_opt(cells, "name_en"),
        jurisdiction=jurisdiction, tier=tier, parent=_opt(cells, "parent"),
        region_code=_opt(cells, "region_code"),
        no_external_service=_opt(cells, "no_external_service",
                                 lambda v: bool(f.boolean(v, "no_external_service"))),
        active=_opt(cells, "active", lambda v: f.boolean(v, "active") is not False),
        time_zone=_opt(cells, "time_zone", lambda v: zones.check(f.text(v))),
    )


def _person(cells: Mapping[str, Any], origin: Origin) -> PersonRecord:
    email = _opt(cells, "email", lambda v: normalize_email(v) if f.text(v) else None)
    key = f.text(cells.get("key")) or (email.lower() if email else None)
    if key is None:
        raise InvalidValue("missing key (or email)")
    return PersonRecord(key, origin, name=_opt(cells, "name"), email=email, phone=_opt(cells, "phone"))


def _role(cells: Mapping[str, Any], origin: Origin) -> RoleRecord:
    role = _required(cells, "role")
    vocab.check_term(vocab.ROLES, role, "role")
    return RoleRecord(_required(cells, "person"), _required(cells, "organization"), role, origin,
                      since=f.date(cells.get("since"), "since"),
                      until=_opt(cells, "until", lambda v: f.date(v, "until")))


def _kind_address(cells: Mapping[str, Any]) -> tuple[str, str]:
    kind = vocab.check_term(vocab.CHANNEL_KINDS, _required(cells, "kind"), "channel kind")
    return kind, normalize_address(kind, _required(cells, "address"))


def _channel(cells: Mapping[str, Any], origin: Origin) -> ChannelRecord:
    kind, address = _kind_address(cells)
    status = _opt(cells, "status", lambda v: f.text(v) or "active")
    if status is not UNSET:
        vocab.check_term(vocab.CHANNEL_STATUSES, status, "status")
    responsible = _opt(cells, "responsible", f.responsible)
    for role in responsible or {}:
        vocab.check_term(vocab.ROLES, role, "role")
    return ChannelRecord(kind, address, origin, name=_opt(cells, "name"), owner=_opt(cells, "owner"),
                         status=status, tags=_opt(cells, "tags", f.tags), responsible=responsible,
                         attributes=_opt(cells, "attributes", lambda v: f.json_object(v, "attributes")))


def _event(cells: Mapping[str, Any], origin: Origin) -> EventRecord:
    kind, address = _kind_address(cells)
    event = vocab.check_term(vocab.CHANNEL_EVENTS, _required(cells, "event"), "event")
    return EventRecord(kind, address, event, origin, date=f.date(cells.get("date"), "date"),
                       note=f.text(cells.get("note")), details=f.json_object(cells.get("details"), "details"))


_BUILDERS: dict[str, Callable[[Mapping[str, Any], Origin], Any]] = {
    "organization": _org, "person": _person, "role": _role, "channel": _channel, "event": _event}
_TARGET = {"organization": "organizations", "person": "people", "role": "roles",
           "channel": "channels", "event": "events"}


def add_record(batch: Batch, record_type: str, cells: Mapping[str, Any], origin: Origin) -> Any:
    """Parse one row of record_type and append it to batch; raise InvalidValue if it is bad."""
    if record_type not in _BUILDERS:
        raise InvalidValue(f"unknown record type {record_type!r} (choose from: {', '.join(_BUILDERS)})")
    record = _BUILDERS[record_type](cells, origin)
    getattr(batch, _TARGET[record_type]).append(record)
    return record
