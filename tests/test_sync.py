"""The one writer: upserts, history events, role periods, reference checks."""

import datetime as dt

from sqlalchemy import select

from mgov.db.tables import ChannelEvent, Organization, RoleAssignment
from mgov.registry.records import Batch, ChannelRecord, EventRecord, OrgRecord, Origin, PersonRecord, RoleRecord
from mgov.registry.sync import apply

ORIGIN = Origin("test", 1)
D = dt.date(2026, 11, 26)


def org(code, parent=None, **kw):
    return OrgRecord(code, ORIGIN, jurisdiction="cn", tier="county", name_zh=code, parent=parent, **kw)


def run(engine, **parts):
    with engine.begin() as conn:
        return apply(conn, Batch(**parts), D)


def events(engine):
    with engine.connect() as conn:
        return [(r.event, r.date, r.note, r.details) for r in
                conn.execute(select(ChannelEvent.__table__).order_by(ChannelEvent.id))]


def test_parents_in_any_order_cycles_and_unknowns(engine):
    r = run(engine, organizations=[org("c", "b"), org("b", "a"), org("a"), org("x", "nope")])
    assert vars(r.counts["organizations"]) == {"created": 3, "updated": 0, "unchanged": 0}
    assert [p.reason for p in r.problems] == ["organization 'x': unknown parent 'nope'"]
    r = run(engine, organizations=[OrgRecord("a", ORIGIN, parent="c")])
    assert "cycle" in r.problems[0].reason and r.counts["organizations"].updated == 0
    # A record that drops takes down only the new children that needed it.
    bogus = OrgRecord("n0", ORIGIN, jurisdiction="cn", tier="bogus", name_zh="n0")
    r = run(engine, organizations=[org("n1", "n0"), bogus])
    assert len(r.problems) == 2 and r.counts["organizations"].created == 0
    with engine.connect() as conn:
        parents = dict(conn.execute(select(Organization.code, Organization.parent_id)).all())
    assert parents["a"] is None and parents["b"] is not None


def test_partial_records_update_only_given_fields(engine):
    run(engine, organizations=[org("a", region_code="440000")])
    r = run(engine, organizations=[OrgRecord("a", ORIGIN, name_en="A")])
    assert r.counts["organizations"].updated == 1
    with engine.connect() as conn:
        row = conn.execute(select(Organization.__table__)).one()
    assert (row.name_zh, row.name_en, row.region_code, row.tier) == ("a", "A", "440000", "county")
    assert run(engine, organizations=[OrgRecord("a", ORIGIN, name_en="A")]).changes == 0
    r = run(engine, organizations=[OrgRecord("new", ORIGIN, name_zh="无层级")])
    assert "jurisdiction and tier are required" in r.problems[0].reason


def test_channel_history_events(engine):
    run(engine, organizations=[org("a"), org("b")], people=[PersonRecord("p", ORIGIN), PersonRecord("q", ORIGIN)])
    ch = {"kind": "website", "address": "https://a.gov.cn", "origin": ORIGIN}
    run(engine, channels=[ChannelRecord(**ch, owner="a", event_on=dt.date(2020, 1, 1), event_note="开设备案")])
    assert events(engine) == [("opened", dt.date(2020, 1, 1), "开设备案", {})]
    run(engine, channels=[ChannelRecord(**ch, owner="b", name="A", responsible={"content_manager": ["p"]})])
    assert events(engine)[-1] == ("changed", D, None, {"fields": {
        "owner": ["a", "b"], "name": [None, "A"], "responsible": [{}, {"content_manager": ["p"]}]}})
    run(engine, channels=[ChannelRecord(**ch, status="suspended", event_note="整改")])
    assert events(engine)[-1] == ("suspended", D, "整改", {"from": "active", "to": "suspended"})
    run(engine, channels=[ChannelRecord(**ch, status="active")])
    assert events(engine)[-1][0] == "resumed"
    n = len(events(engine))
    assert run(engine, channels=[ChannelRecord(**ch, status="active", owner="b")]).changes == 0
    assert len(events(engine)) == n
    # Responsible people for some roles only: the others stay.
    run(engine, channels=[ChannelRecord(**ch, responsible={"security_officer": ["q"]},
                                        responsible_roles=frozenset({"security_officer"}))])
    assert events(engine)[-1][3]["fields"]["responsible"][1] == {"content_manager": ["p"], "security_officer": ["q"]}
    # A file that carries history gets no automatic 'opened' event, and events dedupe.
    ch2 = {"kind": "website", "address": "https://b.gov.cn", "origin": ORIGIN}
    ev = EventRecord("website", "https://b.gov.cn", "opened", ORIGIN, date=dt.date(2019, 5, 1), note="n")
    r = run(engine, channels=[ChannelRecord(**ch2)], events=[ev])
    assert events(engine)[-1] == ("opened", dt.date(2019, 5, 1), "n", {})
    assert r.counts["events"].created == 1
    assert run(engine, channels=[ChannelRecord(**ch2)], events=[ev]).counts["events"].unchanged == 1
    r = run(engine, events=[EventRecord("website", "https://nope.gov.cn", "opened", ORIGIN)])
    assert "unknown channel" in r.problems[0].reason


def test_role_periods(engine):
    run(engine, organizations=[org("a")], people=[PersonRecord("p", ORIGIN)])
    assert run(engine, roles=[RoleRecord("p", "a", "cio", ORIGIN)]).counts["roles"].created == 1
    assert run(engine, roles=[RoleRecord("p", "a", "cio", ORIGIN)]).counts["roles"].unchanged == 1
    r = run(engine, roles=[RoleRecord("p", "a", "cio", ORIGIN, until=dt.date(2026, 1, 31))])
    assert r.counts["roles"].updated == 1
    # After it ended, a new assignment with a start date is a second period.
    r = run(engine, roles=[RoleRecord("p", "a", "cio", ORIGIN, since=dt.date(2026, 6, 1))])
    assert r.counts["roles"].created == 1
    with engine.connect() as conn:
        periods = sorted(((r.since, r.until) for r in conn.execute(select(RoleAssignment.__table__))),
                         key=str)
    assert periods == [(None, dt.date(2026, 1, 31)), (dt.date(2026, 6, 1), None)]
    r = run(engine, roles=[RoleRecord("p", "a", "cio", ORIGIN, since=D, until=dt.date(2026, 1, 1))])
    assert "ends" in r.problems[0].reason
