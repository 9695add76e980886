"""Finding profile files (shipped and user folders), reading them, and merging `extends` chains.

A merged profile keeps, for every value, the file it came from, so that validation errors name
the file that set the offending value (see merged.py and build.py).
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from mgov.profiles.build import build
from mgov.profiles.merged import Item, Merged
from mgov.profiles.model import Profile, ProfileError

SHIPPED_DIR = Path(__file__).resolve().parent / "data"
TOP_KEYS = ("id", "title_zh", "title_en", "jurisdiction", "kinds", "extends", "spec", "scoring",
            "category", "indicator", "override", "remove", "capture",
            "schedule")  # capture: mgov.archive.policy; schedule: mgov.scheduler.entries
SCALARS = ("title_zh", "title_en", "jurisdiction", "kinds", "spec")


def read(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError([f"{path}: invalid TOML: {exc}"]) from None
    except OSError as exc:
        raise ProfileError([f"{path}: cannot read: {exc.strerror}"]) from None


def discover(dirs: Iterable[Path | str] = (), files: Iterable[Path | str] = ()) -> dict[str, Path]:
    """Profile id -> file: the shipped profiles, then *.toml in each folder, then the given files.

    The id is the file name without .toml; the same id in two places is an error.
    """
    found: dict[str, Path] = {}
    errors: list[str] = []
    paths = sorted(SHIPPED_DIR.glob("*.toml"))
    for d in dirs:
        folder = Path(d)
        if not folder.is_dir():
            errors.append(f"{folder}: not a folder")
            continue
        paths += sorted(folder.glob("*.toml"))
    paths += [Path(f) for f in files]
    for path in paths:
        other = found.get(path.stem)
        if other is not None and other.resolve() != path.resolve():
            errors.append(f"{path}: id: profile '{path.stem}' is also defined in {other}")
        found.setdefault(path.stem, path)
    if errors:
        raise ProfileError(errors)
    return found


def _layer_errors(path: Path, data: dict[str, Any]) -> list[str]:
    errors = [f"{path}: {key}: unknown key (allowed: {', '.join(TOP_KEYS)})" for key in data if key not in TOP_KEYS]
    if data.get("id") != path.stem:
        errors.append(f"{path}: id: must equal the file name without .toml ('{path.stem}'), "
                      f"not {data.get('id')!r}")
    for key in ("category", "indicator", "override"):
        tables = data.get(key, [])
        if not isinstance(tables, list) or not all(isinstance(t, dict) for t in tables):
            errors.append(f"{path}: {key}: must be an array of tables ([[{key}]])")
    if not isinstance(data.get("scoring", {}), dict):
        errors.append(f"{path}: scoring: must be a table ([scoring])")
    if not isinstance(data.get("extends", ""), str):
        errors.append(f"{path}: extends: must be a profile id")
    return errors


def chain(profile_id: str, index: dict[str, Path]) -> list[tuple[Path, dict[str, Any]]]:
    """The files of profile_id and its ancestors, root first; cycles and unknown ids are errors."""
    seen: list[str] = []
    layers: list[tuple[Path, dict[str, Any]]] = []
    current: str | None = profile_id
    while current is not None:
        if current in seen:
            first = index[seen[0]]
            raise ProfileError([f"{first}: extends: cycle {' -> '.join([*seen, current])}"])
        if current not in index:
            where = f"{layers[-1][0]}: extends" if layers else "profile"
            raise ProfileError([f"{where}: unknown profile '{current}' (known: {', '.join(sorted(index))})"])
        seen.append(current)
        path = index[current]
        data = read(path)
        errors = _layer_errors(path, data)
        if errors:
            raise ProfileError(errors)
        layers.append((path, data))
        current = data.get("extends")
    return layers[::-1]


def _merge_tables(target: dict[str, Item], tables: list[dict[str, Any]], key: str, path: Path,
                  errors: list[str]) -> None:
    seen: set[str] = set()
    for n, table in enumerate(tables, 1):
        ident = table.get("id")
        if not isinstance(ident, str) or not ident:
            errors.append(f"{path}: {key}[{n}].id: missing (required)")
            continue
        if ident in seen:
            errors.append(f"{path}: {key}[{ident}]: duplicate {key} id '{ident}'")
            continue
        seen.add(ident)
        item = target.setdefault(ident, {})
        for k, v in table.items():
            if k == "params" and isinstance(v, dict) and isinstance(item.get(k, (None,))[0], dict):
                v = {**item[k][0], **v}  # a child's params add to its parent's
            item[k] = (v, str(path))


def merge(profile_id: str, index: dict[str, Path]) -> Merged:
    layers = chain(profile_id, index)
    path = layers[-1][0]
    ancestors = tuple(p.stem for p, _ in reversed(layers[:-1]))
    out = Merged(profile_id, str(path), ancestors)
    errors: list[str] = []
    for lpath, data in layers:
        src = str(lpath)
        for key in SCALARS:
            if key in data:
                if key == "jurisdiction" and "jurisdiction" in out.top and out.top[key][0] != data[key]:
                    errors.append(f"{src}: jurisdiction: '{data[key]}' differs from '{out.top[key][0]}' "
                                  f"of the extended profile")
                out.top[key] = (data[key], src)
        out.scoring.update({k: (v, src) for k, v in data.get("scoring", {}).items()})
        _merge_tables(out.categories, data.get("category", []), "category", lpath, errors)
        _merge_tables(out.indicators, data.get("indicator", []), "indicator", lpath, errors)
        remove = data.get("remove", [])
        if not isinstance(remove, list):
            errors.append(f"{src}: remove: must be a list of indicator ids")
            remove = []
        for ident in remove:
            if out.indicators.pop(ident, None) is None:
                errors.append(f"{src}: remove: unknown indicator '{ident}'")
        out.overrides += [(n, o, src) for n, o in enumerate(data.get("override", []), 1)]
    if errors:
        raise ProfileError(errors)
    return out


def load(profile_id: str, dirs: Sequence[Path | str] = (), files: Sequence[Path | str] = ()) -> Profile:
    """The profile profile_id, with its extends chain merged, validated."""
    return build(merge(profile_id, discover(dirs, files)))


def load_all(dirs: Sequence[Path | str] = (), files: Sequence[Path | str] = ()) -> dict[str, Profile]:
    """Every profile found, by id; ProfileError lists the errors of all broken ones."""
    index = discover(dirs, files)
    profiles: dict[str, Profile] = {}
    errors: list[str] = []
    for pid in index:
        try:
            profiles[pid] = load(pid, dirs, files)
        except ProfileError as exc:
            errors += [e for e in exc.errors if e not in errors]
    if errors:
        raise ProfileError(errors)
    return profiles
