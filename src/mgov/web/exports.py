"""Lists as files: `?format=csv` or `?format=xlsx` on a list's own URL (a dashboard page or an
API list route) answers with the whole list, its filters applied, as a file in the reader's
words (web.export_columns), streamed a page of rows at a time (formats.table).

The rows come from the same query function the list is shown with, page after page from the
first, so an export holds exactly the rows the list shows the user (their scope, the filters)
in the list's order; `after` and `limit` (the page shown) do not apply to it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import Query, Request
from fastapi.responses import StreamingResponse
from sqlalchemy import Connection

from mgov import clock, zones
from mgov.formats import table
from mgov.web import display, i18n
from mgov.web.deps import Principal
from mgov.web.export_columns import COLUMNS, TITLES, Words

ExportFormat = Annotated[Literal["csv", "xlsx"] | None, Query(
    description="Export the whole list (these filters, every page) as a CSV (UTF-8) or XLSX file.")]
# A list route that may answer with a file (typed `dict[str, Any] | Response`): its JSON model
# stays the documented answer.
EXPORTABLE: dict[str, Any] = {"response_model": dict[str, Any], "responses": {
    200: {"content": {"application/json": {}, **{table.MEDIA_TYPES[f].split(";")[0]: {} for f in table.FORMATS}}}}}
# A page of rows per read: one short read (and connection) at a time, whatever the list's size.
READ_ROWS = 500
# Reads one page: (connection, the previous page's `after`, limit) -> (rows, the next `after` or None).
Fetch = Callable[[Connection, Any, int], tuple[list[dict[str, Any]], Any]]
Shape = Callable[[list[dict[str, Any]]], list[dict[str, Any]]]


def words_for(request: Request, principal: Principal, lang: str) -> Words:
    settings = request.app.state.settings
    return Words(lang, display.zone_of(settings, principal), display.names_of(settings),
                 i18n.translations(lang).gettext)


def rows(request: Request, fetch: Fetch, start: Any = None, shape: Shape | None = None) -> Iterator[dict[str, Any]]:
    """Every row of the list, a page at a time, each page read in a short transaction of its own
    (a slow download holds no connection). The first page is read now, before the answer starts:
    a refused filter is an error answer, not a file cut short."""
    engine = request.app.state.engine

    def read(after: Any) -> tuple[list[dict[str, Any]], Any]:
        with engine.connect() as conn:
            page, after = fetch(conn, after, READ_ROWS)
        return (shape(page) if shape else page), after

    def rest(page: list[dict[str, Any]], after: Any) -> Iterator[dict[str, Any]]:
        yield from page
        while after is not None:
            page, after = read(after)
            yield from page

    return rest(*read(start))


def respond(request: Request, principal: Principal, name: str, fmt: str, lang: str, fetch: Fetch, *,
            start: Any = None, shape: Shape | None = None) -> StreamingResponse:
    """The list `name` (a key of export_columns.COLUMNS) as a file."""
    words = words_for(request, principal, lang)
    columns = COLUMNS[name](words)
    head = [c.header for c in columns]
    title = TITLES[name](words)
    body = table.chunks(fmt, head, table.cells(columns, rows(request, fetch, start, shape)), title)
    stamp = zones.local(clock.now(), words.zone).strftime("%Y%m%d-%H%M")  # the reader's time
    # The file's name in the reader's words (RFC 6266), and an ASCII one for older clients.
    local = quote(f"{title}-{stamp}.{fmt}", safe="")
    return StreamingResponse(body, media_type=table.MEDIA_TYPES[fmt], headers={
        "Content-Disposition": f"attachment; filename=\"mgov-{name}-{stamp}.{fmt}\"; filename*=UTF-8''{local}",
        "Content-Language": "zh-CN" if lang == "zh" else "en"})
