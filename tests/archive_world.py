"""A small archive for the retention, disposition and transfer tests: a registry of US and
Chinese organizations and channels, and WARC files written by mgov's real writer with
captures dated in the past (the writer records the capture time it is given), indexed as
`mgov archive` indexes them."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select

from mgov.accounts.users import create_user
from mgov.archive import service
from mgov.collect.warc import HttpCapture, WarcWriter
from mgov.db.tables import CHANNELS
from mgov.evidence.exchange import WarcRef
from mgov.formats.load import import_file

REGISTRY = """\
format: mgov-registry/1
organizations:
  - {code: us-agency, name_en: Example Agency, jurisdiction: us, tier: agency}
  - {code: us-bureau, name_en: Example Bureau, jurisdiction: us, tier: bureau, parent: us-agency}
  - {code: cn-440300, name_zh: 深圳市人民政府, name_en: Shenzhen Municipal Government, jurisdiction: cn,
     tier: prefecture}
channels:
  - {kind: website, address: https://www.agency.gov, owner: us-agency}
  - {kind: website, address: https://www.bureau.gov, owner: us-bureau}
  - {kind: other_social, address: https://social.example.gov/@agency, owner: us-agency}
  - {kind: website, address: https://www.sz.gov.cn, owner: cn-440300, tags: [portal]}
  - {kind: website, address: https://fgw.sz.gov.cn, owner: cn-440300}
"""
PASSWORD = "correct horse battery staple 2026"
NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)


def page(text: str) -> bytes:
    return f"<!doctype html><html><head><title>{text}</title></head><body>".encode() + b"x" * 3000 + b"</body></html>"


def capture(url: str, body: bytes, days_ago: float) -> HttpCapture:
    host = url.split("/")[2]
    head = (f"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: {len(body)}\r\n\r\n"
            .encode())
    return HttpCapture(url, f"GET / HTTP/1.1\r\nHost: {host}\r\n\r\n".encode(), head, body,
                       date=NOW - dt.timedelta(days=days_ago))


class World:
    def __init__(self, engine: Engine, home: Path) -> None:
        self.engine, self.home = engine, home
        self.archive = home / "archive"
        path = home / "registry.yaml"
        path.write_text(REGISTRY, "utf-8")
        assert import_file(engine, path).problems == []
        with engine.connect() as conn:
            self.ids = dict(conn.execute(select(CHANNELS.c.address, CHANNELS.c.id)).all())
        with engine.begin() as conn:
            create_user(conn, "records.officer", PASSWORD, "supervisor")
            create_user(conn, "agency.staff", PASSWORD, "agency_staff", organization="us-agency")
            create_user(conn, "bureau.admin", PASSWORD, "agency_admin", organization="us-bureau")

    def write(self, captures: list[tuple[str, str, bytes, float]], **options: Any) -> tuple[WarcWriter, list[WarcRef]]:
        """One writer's file of captures (channel address, URL, body, days ago), indexed:
        the response refs, in order."""
        writer = WarcWriter(self.archive, **options)
        refs = []
        for channel, url, body, days_ago in captures:
            refs.append(writer.write_sync(capture(url, body, days_ago), tag=(None, self.ids[channel]))[1])
        writer.close()
        service.fold(self.engine, self.archive)
        return writer, refs
