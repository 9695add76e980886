"""Exports of the lists (web.exports): every list the dashboard and the API show, as CSV and
XLSX, holds the list's rows with its filters, in the reader's words, scoped, and no formula."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import select, update

from mgov.act import disputes
from mgov.db.tables import CHANNELS, FINDINGS
from mgov.profiles.names import label
from webworld import World, build_world
from zh_words import Vocabulary


@pytest.fixture
def world(engine, tmp_path) -> World:
    w = build_world(engine, tmp_path)
    with engine.begin() as conn:
        disputes.file(conn, w.ids["assessment"], w.ids["channel_a"], "d_site_code", "标识码已补上", by="a_staff")
        titles = Vocabulary.shipped().ids
        for row in conn.execute(select(FINDINGS.c.id, FINDINGS.c.check_id, FINDINGS.c.status)).all():
            said = f"{titles.get(row.check_id, '检查')}：{label('finding', row.status, 'zh')}"
            conn.execute(update(FINDINGS).where(FINDINGS.c.id == row.id).values(message_zh=said))
        conn.execute(update(CHANNELS).where(CHANNELS.c.id == w.ids["channel_a"]).values(name="=HYPERLINK(\"x\")深圳"))
    return w


def read(answer: Any) -> list[list[Any]]:
    kind = answer.headers["content-type"]
    if kind.startswith("text/csv"):
        assert answer.content.startswith("\ufeff".encode())
        return list(csv.reader(io.StringIO(answer.content.decode("utf-8-sig"))))
    sheet = load_workbook(io.BytesIO(answer.content), read_only=True).worksheets[0]
    return [["" if v is None else v for v in r] for r in sheet.iter_rows(values_only=True)]


def test_smoke(world):
    b = world.client("admin")
    b.http.cookies.set("mgov_lang", "zh")
    for url in ["/channels?format=csv", "/tasks?format=xlsx", "/disputes?status=all&format=csv", "/audit?format=csv",
                "/rankings?format=xlsx", "/api/v1/findings?format=csv", "/api/v1/people?format=xlsx",
                "/api/v1/organizations?format=csv", f"/api/v1/assessments/{world.ids['assessment']}/results?format=csv"]:
        a = b.get(url, headers={"accept-language": "zh"})
        assert a.status_code == 200, (url, a.text)
        print(url, a.headers["content-disposition"])
        for r in read(a):
            print("  ", r)
    print(b.get("/channels").text.split('class="exports"')[1][:400])
