"""The organizations as a tree within a user's scope: from the top down as far as a page holds,
or the organizations whose name or code matches a search, each under its ancestors."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, func, or_, select

from mgov.accounts import Scope
from mgov.db.tables import CHANNELS, ORGS

NODES = 400  # organizations one page shows; deeper ones are reached from their parent's page
ROOTS = 100  # top organizations per page (the .gov registry has thousands of them)
MATCHES = 200  # search matches one page shows
COLUMNS = (ORGS.c.id, ORGS.c.parent_id, ORGS.c.code, ORGS.c.name_zh, ORGS.c.name_en, ORGS.c.tier,
           ORGS.c.jurisdiction)


def _like(q: str) -> str:
    """A LIKE pattern that matches q literally (its % and _ are not wildcards)."""
    escaped = q.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _rows(conn: Connection, query: Any) -> list[dict[str, Any]]:
    return [dict(r._mapping) for r in conn.execute(query)]


def _top(scope: Scope) -> Any:
    """The condition of the tree's top: the registry's roots, or the root of the user's scope."""
    return ORGS.c.parent_id.is_(None) if scope.everything else ORGS.c.id == scope.root_id


def tree(conn: Connection, scope: Scope, *, q: str | None = None, after: str = "") -> dict[str, Any]:
    """{"roots": nodes, "matches": count or None, "more_matches": bool, "next_after": code or None}.
    A node: the organization's columns, "children" (how many it has), "channels" (how many it
    owns), "kids" (the children shown: all of them or none), "match" (it matched the search)."""
    if q:
        return _search(conn, scope, q)
    roots = _rows(conn, select(*COLUMNS).where(_top(scope), ORGS.c.code > after)
                  .order_by(ORGS.c.code).limit(ROOTS + 1))
    next_after = roots[ROOTS - 1]["code"] if len(roots) > ROOTS else None
    nodes, level = roots[:ROOTS], roots[:ROOTS]
    # Breadth first, a whole level at a time, while the page has room for it.
    while level:
        below = _rows(conn, select(*COLUMNS).where(ORGS.c.parent_id.in_([n["id"] for n in level]))
                      .order_by(ORGS.c.code).limit(NODES + 1))
        if not below or len(nodes) + len(below) > NODES:
            break
        nodes += below
        level = below
    return {"roots": _nest(conn, nodes, set()), "matches": None, "more_matches": False, "next_after": next_after}


def _search(conn: Connection, scope: Scope, q: str) -> dict[str, Any]:
    pattern = _like(q.strip())
    found = _rows(conn, select(*COLUMNS).where(
        scope.orgs(ORGS.c.id), or_(ORGS.c.code.ilike(pattern, escape="\\"), ORGS.c.name_zh.ilike(pattern, escape="\\"),
                                   ORGS.c.name_en.ilike(pattern, escape="\\")))
        .order_by(ORGS.c.code).limit(MATCHES + 1))
    matches = found[:MATCHES]
    nodes = {n["id"]: n for n in matches}
    # Up the tree to the top of the user's scope: the ancestors, a level at a time.
    wanted = {n["parent_id"] for n in matches} - set(nodes) - {None}
    while wanted:
        parents = _rows(conn, select(*COLUMNS).where(ORGS.c.id.in_(wanted), scope.orgs(ORGS.c.id)))
        nodes |= {n["id"]: n for n in parents}
        wanted = {n["parent_id"] for n in parents} - set(nodes) - {None}
    return {"roots": _nest(conn, list(nodes.values()), {n["id"] for n in matches}), "matches": len(matches),
            "more_matches": len(found) > MATCHES, "next_after": None}


def _nest(conn: Connection, nodes: list[dict[str, Any]], matched: set[int]) -> list[dict[str, Any]]:
    """The nodes as a forest, each with its counts; children in code order."""
    ids = [n["id"] for n in nodes]
    children = {r[0]: r[1] for r in conn.execute(select(ORGS.c.parent_id, func.count())
                                                 .where(ORGS.c.parent_id.in_(ids)).group_by(ORGS.c.parent_id))}
    channels = {r[0]: r[1] for r in conn.execute(select(CHANNELS.c.owner_id, func.count())
                                                 .where(CHANNELS.c.owner_id.in_(ids)).group_by(CHANNELS.c.owner_id))}
    by_id = {n["id"]: {**n, "children": children.get(n["id"], 0), "channels": channels.get(n["id"], 0),
                       "kids": [], "match": n["id"] in matched} for n in nodes}
    roots: list[dict[str, Any]] = []
    for node in sorted(by_id.values(), key=lambda n: n["code"]):
        parent = by_id.get(node["parent_id"])
        (parent["kids"] if parent else roots).append(node)
    return roots
