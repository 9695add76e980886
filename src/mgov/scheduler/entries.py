"""The schedule entries an installation runs: the [[schedule]] of mgov.toml, then the default
[[schedule]] entries of the guideline profiles named in `schedule_profiles` (an assess entry of
a profile assesses against that profile unless it names another). The same entry twice (the
same key) runs once."""

from __future__ import annotations

from pydantic import ValidationError

from mgov.act.schedule import key
from mgov.config import ScheduleEntry, Settings
from mgov.errors import ConfigError
from mgov.profiles.loader import discover, read


def profile_entries(profile_id: str, settings: Settings) -> list[ScheduleEntry]:
    """The default entries a profile's file carries (its own [[schedule]] tables, not its ancestors')."""
    path = discover(settings.profile_dirs).get(profile_id)
    if path is None:
        raise ConfigError(f"schedule_profiles: no profile {profile_id!r} (see `mgov profiles list`)")
    out = []
    for n, raw in enumerate(read(path).get("schedule", []), 1):
        try:
            out.append(ScheduleEntry.model_validate(
                {"profile": profile_id, **raw} if raw.get("kind") == "assess" else raw))
        except ValidationError as exc:
            raise ConfigError(f"{path}: schedule[{n}]: {exc}") from exc
    return out


def all_entries(settings: Settings) -> list[ScheduleEntry]:
    """What the scheduler runs, mgov.toml's first."""
    entries = list(settings.schedule)
    for profile_id in settings.schedule_profiles:
        entries += profile_entries(profile_id, settings)
    seen: set[str] = set()
    unique = []
    for entry in entries:
        if key(entry) not in seen:
            seen.add(key(entry))
            unique.append(entry)
    return unique
