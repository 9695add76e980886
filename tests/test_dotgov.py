"""The US .gov registry import: real data, idempotent, every bad row named."""

import csv

from sqlalchemy import func, select

from mgov.db.tables import Channel, ChannelResponsibility, Organization, Person
from mgov.formats.load import import_file

HEADER = "Domain name,Domain type,Organization name,Suborganization name,City,State,Security contact email\n"


def test_small_file_maps_rows_and_reports_bad_ones(tmp_path, cli):
    p = tmp_path / "dotgov.csv"
    p.write_text(HEADER + "\n".join([
        "gsa.gov,Federal - Executive,General Services Administration,,Washington,DC,security@gsa.gov",
        "18f.gov,Federal - Executive,General Services Administration,Technology Transformation Services,"
        "Washington,DC,(blank)",
        "Springfield-IL.GOV,City,City of Springfield,,Springfield,IL,it@springfield.il.us",
        "springfieldmo.gov,City - Election,City of Springfield,,Springfield,MO,(blank)",
        "bad domain.gov,City,Nowhere,,X,TX,(blank)",
        "weird.gov,Galactic,Empire,,X,TX,(blank)",
        "noorg.gov,City,,,X,TX,(blank)",
        "mailbad.gov,County,Mail County,,X,TX,not-an-email",
        "short.gov,City",
    ]) + "\n")
    out = cli.json("import", "dotgov", str(p))
    reasons = {pr["line"]: pr["reason"] for pr in out["problems"]}
    assert set(reasons) == {6, 7, 8, 9, 10}
    assert "malformed URL" in reasons[6]
    assert "unknown Domain type 'Galactic'" in reasons[7]
    assert "missing Organization name" in reasons[8]
    assert "imported without a security contact" in reasons[9]
    assert "expected 7 fields" in reasons[10]
    assert out["counts"]["channels"]["created"] == 5  # the mail row is still imported

    gsa = cli.json("org", "show", "us-fed-general-services-administration")
    assert gsa["parent"] == "us-executive" and gsa["tier"] == "agency"
    assert gsa["children"] == ["us-fed-general-services-administration.technology-transformation-services"]
    assert [r["role"] for r in gsa["roles"]] == ["security_officer"]
    # The same name in two states is two organizations.
    assert {o["code"] for o in cli.json("org", "list", "--search", "Springfield")} == {
        "us-il-il-city-of-springfield", "us-mo-mo-city-of-springfield"}
    ch = cli.json("channel", "show", "https://springfield-il.gov")
    assert ch["responsible"] == {"security_officer": ["it@springfield.il.us"]}
    assert cli.json("channel", "show", "springfieldmo.gov")["tags"] == ["city", "dotgov", "election"]


def test_reimport_keeps_user_data(tmp_path, cli):
    p = tmp_path / "dotgov.csv"
    p.write_text(HEADER + "gsa.gov,Federal - Executive,General Services Administration,,Washington,DC,"
                 "security@gsa.gov\n")
    cli("import", "dotgov", str(p))
    cli("person", "add", "--name", "Ann Lee", "--email", "ann@gsa.gov")
    cli("channel", "edit", "https://gsa.gov", "--responsible", "content_manager=ann@gsa.gov", "--add-tag", "flagship")
    cli("person", "edit", "security@gsa.gov", "--name", "GSA SOC")
    out = cli.json("import", "dotgov", str(p))
    assert out["changes"] == 0
    ch = cli.json("channel", "show", "https://gsa.gov")
    assert ch["responsible"] == {"content_manager": ["ann@gsa.gov"], "security_officer": ["security@gsa.gov"]}
    assert "flagship" in ch["tags"]
    assert cli.json("person", "show", "security@gsa.gov", "--unmask")["name"] == "GSA SOC"


def test_full_registry_imports_every_row_and_reimports_as_no_change(engine, dotgov_full, cli):
    first = import_file(engine, dotgov_full, "dotgov")
    rows = list(csv.DictReader(dotgov_full.open(encoding="utf-8")))
    assert first.rows_read == len(rows) == 16539
    assert first.problems == []
    assert first.report.counts["channels"].created == 16539
    with engine.connect() as conn:
        assert conn.execute(select(func.count()).select_from(Channel)).scalar() == 16539
        emails = {r["Security contact email"].lower() for r in rows if r["Security contact email"] != "(blank)"}
        assert conn.execute(select(func.count()).select_from(Person)).scalar() == len(emails)
        orgs = conn.execute(select(func.count()).select_from(Organization)).scalar()
        assert conn.execute(select(func.count()).select_from(ChannelResponsibility)).scalar() == sum(
            1 for r in rows if r["Security contact email"] != "(blank)")
    second = import_file(engine, dotgov_full, "dotgov")
    assert second.report.changes == 0
    assert second.report.counts["organizations"].unchanged == orgs

    # The audit names every federal domain without a security contact, and no other.
    audit = cli.json("registry", "audit", "--rule", "channel.missing_role", "--role", "security_officer")
    flagged = {f["subject"].removeprefix("website https://") for f in audit["findings"]}
    federal_blank = {r["Domain name"].lower() for r in rows
                     if r["Domain type"].startswith("Federal") and r["Security contact email"] == "(blank)"}
    all_blank = {r["Domain name"].lower() for r in rows if r["Security contact email"] == "(blank)"}
    assert len(federal_blank) == 134
    assert federal_blank <= flagged and flagged == all_blank
    fed = cli.json("registry", "audit", "--rule", "channel.missing_role", "--role", "security_officer",
                   "--org", "us-executive")
    assert {f["subject"].removeprefix("website https://") for f in fed["findings"]} <= federal_blank
