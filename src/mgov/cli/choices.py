"""What the CLI refuses instead of answering "(none)": filter values outside their vocabulary,
channels and organizations that do not exist, output formats a file's name contradicts.
A refused value exits 2 (a usage error) with the valid choices, in the user's language."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import NoReturn

import typer
from rich.markup import escape
from sqlalchemy import Connection

from mgov.cli.common import err_console
from mgov.errors import NotFound, RegistryError
from mgov.i18n import t
from mgov.registry import service, vocab
from mgov.registry.addresses import normalize_url


def refuse(lang: str, message: str, exit_code: int = 2, **values: object) -> NoReturn:
    err_console.print(f"[bold red]{t(lang, 'error')}:[/] {escape(t(lang, message, **values))}", soft_wrap=True)
    raise typer.Exit(exit_code)


def choose(lang: str, option: str, value: str | None, choices: Iterable[str]) -> str | None:
    """value when it is one of choices (or None); else exit 2 listing them."""
    allowed = list(choices)
    if value is not None and value not in allowed:
        refuse(lang, "bad_choice", option=option, value=value, choices=", ".join(allowed))
    return value


def all_tiers() -> list[str]:
    return list(dict.fromkeys(tier for tiers in vocab.TIERS.values() for tier in tiers))


def channel_address(conn: Connection, lang: str, address: str | None) -> str | None:
    """The channel's stored address (normalized), or exit 1 when no channel has it."""
    if address is None:
        return None
    try:
        return str(service.channel_row(conn, address)["address"])
    except NotFound:
        pass
    except RegistryError:  # one address, channels of several kinds: it exists
        return normalize_url(address)
    refuse(lang, "no_such_channel", exit_code=1, address=address)


def org_code(conn: Connection, lang: str, code: str | None) -> str | None:
    """code when an organization has it, else exit 1."""
    if code is not None:
        try:
            service.org_row(conn, code)
        except NotFound:
            refuse(lang, "no_such_org", exit_code=1, code=code)
    return code


def person_key(conn: Connection, lang: str, key: str | None) -> str | None:
    if key is not None:
        try:
            service.person_row(conn, key)
        except NotFound:
            refuse(lang, "no_such_person", exit_code=1, key=key)
    return key


def out_format(lang: str, out: Path, fmt: str | None, formats: Iterable[str],
               aliases: dict[str, str] | None = None) -> str:
    """The format a file is written in: its extension's (.xlsx -> xlsx); an unknown extension,
    or a --format the extension contradicts, is refused with the supported ones."""
    supported = list(formats)
    aliases = aliases or {}
    ext = out.suffix.lower().lstrip(".")
    by_ext = aliases.get(ext, ext)
    if by_ext not in supported:
        names = sorted({"." + e for e in supported} | {"." + a for a in aliases})
        refuse(lang, "bad_extension", file=str(out), ext=out.suffix or "", choices=", ".join(names))
    if fmt is not None and fmt.lower() != by_ext:
        choose(lang, "--format", fmt.lower(), supported)
        refuse(lang, "format_conflict", fmt=fmt.lower(), file=str(out))
    return by_ext


def stdout_format(lang: str, fmt: str, as_json: bool, formats: Iterable[str]) -> str:
    """--format, with --json as its alias for json (both given and different: refused)."""
    choose(lang, "--format", fmt, formats)
    if as_json and fmt not in ("table", "json"):
        refuse(lang, "json_conflict", fmt=fmt)
    return "json" if as_json else fmt
