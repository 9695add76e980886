"""`mgov import usdr`: the U.S. Digital Registry export (tests/data/usdr-sample.json, written by
hand from the registry API's documented shape) becomes organizations, channels, people and
roles; a re-import changes nothing; what was added by hand stays; every bad record is named by
its line and place in the file, and nothing else is lost."""

from __future__ import annotations

import json
from pathlib import Path

SAMPLE = Path(__file__).parent / "data" / "usdr-sample.json"
GSA = "us-fed-general-services-administration"


def _write(tmp_path: Path, doc: object, name: str = "usdr.json", encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(json.dumps(doc, ensure_ascii=False, indent=1).encode(encoding))
    return path


def _account(**fields: object) -> dict[str, object]:
    return {"account": "usgsa", "service_key": "twitter", "service_url": "https://twitter.com/usgsa",
            "language": "English", "agencies": [{"id": 49, "name": "General Services Administration"}], **fields}


def test_the_sample_export_maps_every_record_kind(cli):
    out = cli.json("import", "usdr", str(SAMPLE))
    created = {kind: c["created"] for kind, c in out["counts"].items()}
    assert created == {"organizations": 4, "people": 4, "roles": 4, "channels": 11, "events": 12}
    # The one version no registered kind fits (a BlackBerry store page) is named, with its line.
    assert [p["line"] for p in out["problems"]] == [49]
    assert out["problems"][0]["reason"].startswith("mobile_apps[0]: versions[3]: platform BlackBerry")

    gsa = cli.json("org", "show", GSA)
    assert (gsa["name_en"], gsa["jurisdiction"], gsa["tier"]) == ("General Services Administration", "us", "agency")
    assert cli.json("org", "show", "us-fed-department-of-state")["tier"] == "department"
    twitter = cli.json("channel", "show", "twitter:usgsa", "--kind", "other_social")
    assert twitter["owner"] == GSA and twitter["name"] == "U.S. General Services Administration"
    assert twitter["attributes"] == {"language": "English", "url": "https://twitter.com/usgsa", "usdr_id": "3145"}
    assert twitter["tags"] == ["Acquisition", "Technology", "social-media", "usdr"]
    assert twitter["responsible"] == {"content_manager": ["social.media@gsa.gov"]}
    assert [(e["event"], e["date"]) for e in twitter["history"]] == [("opened", "2015-06-03")]
    # Contacts as a text of addresses; a contact's own role; the API's misspelt "organizaton".
    assert cli.json("channel", "show", "facebook:GSA")["responsible"] == {
        "content_manager": ["jane.doe@gsa.gov", "social.media@gsa.gov"]}
    spanish = cli.json("channel", "show", "twitter:GobiernoUSA")
    assert spanish["name"] == "USAGov en Español" and spanish["responsible"] == {
        "new_media_operator": ["espanol@usa.gov"]}
    # Two agencies: the first owns it, both are named.
    assert cli.json("channel", "show", "youtube:fema")["attributes"]["usdr_agencies"] == "FEMA; GSA"
    # Weibo in the US registry is an other_social account (weibo_account is the Chinese registry's kind).
    assert cli.json("channel", "show", "weibo:usembassy")["owner"] == "us-fed-department-of-state"
    archived = cli.json("channel", "show", "twitter:GSA_OSBU")
    assert archived["status"] == "closed"
    assert [(e["event"], e["date"]) for e in archived["history"]] == [("opened", "2014-11-18"),
                                                                       ("closed", "2019-08-30")]
    # An app is a channel per store: the iPhone and iPad versions share one; the web version is a mobile site.
    apps = {(c["kind"], c["address"]) for c in cli.json("channel", "list", "--owner",
                                                         "us-fed-national-aeronautics-and-space-administration")}
    assert apps == {("app_ios", "id334325516"), ("app_android", "gov.nasa"), ("mobile_site", "https://m.nasa.gov")}
    fema_ios = cli.json("channel", "show", "id474807486")
    assert fema_ios["attributes"]["url"] == "https://apps.apple.com/us/app/fema/id474807486"
    assert fema_ios["responsible"] == {"content_manager": ["fema-mobile@fema.dhs.gov"]}
    person = cli.json("person", "show", "fema-mobile@fema.dhs.gov", "--unmask")
    assert (person["name"], person["phone"]) == ("FEMA Mobile", "202-646-2500")
    assert [r["role"] for r in person["roles"]] == ["content_manager"]


def test_a_reimport_changes_nothing_and_keeps_what_was_added_by_hand(cli):
    cli("import", "usdr", str(SAMPLE))
    cli("person", "add", "--name", "Ann Lee", "--email", "ann@gsa.gov")
    cli("channel", "edit", "twitter:usgsa", "--attr", "feed_url=https://example.gov/feed.rss", "--add-tag", "flagship",
        "--responsible", "security_officer=ann@gsa.gov")
    again = cli.json("import", "usdr", str(SAMPLE))
    assert again["changes"] == 0
    assert {kind: c["created"] + c["updated"] for kind, c in again["counts"].items()} == {
        "organizations": 0, "people": 0, "roles": 0, "channels": 0, "events": 0}
    twitter = cli.json("channel", "show", "twitter:usgsa")
    assert twitter["attributes"]["feed_url"] == "https://example.gov/feed.rss"
    assert "flagship" in twitter["tags"]
    assert twitter["responsible"] == {"content_manager": ["social.media@gsa.gov"], "security_officer": ["ann@gsa.gov"]}
    imports = cli.json("audit", "list", "--action", "registry.imported")["items"]
    assert len(imports) == 2


def test_agencies_are_the_organizations_already_registered(cli, tmp_path):
    """GSA registered by the .gov import keeps its code, name and parent: the export names it."""
    dotgov = tmp_path / "dotgov.csv"
    dotgov.write_text("Domain name,Domain type,Organization name,Suborganization name,City,State,"
                      "Security contact email\ngsa.gov,Federal - Executive,General Services Administration,,"
                      "Washington,DC,security@gsa.gov\n")
    cli("import", "dotgov", str(dotgov))
    before = cli.json("org", "show", GSA)
    out = cli.json("import", "usdr", str(_write(tmp_path, {"social_media": [_account(
        agencies=[{"id": 9, "name": "general services  administration"}])]})))
    assert out["counts"]["organizations"] == {"created": 0, "updated": 0, "unchanged": 1}
    after = cli.json("org", "show", GSA)
    assert (after["name_en"], after["parent"]) == (before["name_en"], "us-executive")
    assert cli.json("channel", "show", "twitter:usgsa")["owner"] == GSA


def test_bad_records_are_named_by_line_and_place_and_the_rest_is_imported(cli, tmp_path):
    doc = {"agencies": [{"id": 49, "name": "General Services Administration", "acronym": "GSA"}],
           "social_media": [
               _account(),
               {"service_key": "twitter", "language": "English", "agencies": [49]},  # no account, no URL
               _account(account=None, service_key=None, service_url="https://social.example/someone"),
               _account(account="fine", agencies=[999]),  # an id the agencies section lacks
               _account(account="mailbad", contacts=["not-an-e-mail", {"email": "ok@gsa.gov", "role": "emperor"}]),
               "twitter.com/usgsa",
               _account(account="baddate", created_at="yesterday"),
               _account(account="has space"),
           ],
           "galleries": [{"id": 1}],
           "mobile_apps": [{"id": 5, "name": "No store", "agencies": [49], "versions": []}]}
    path = _write(tmp_path, doc)
    lines = path.read_text().splitlines()

    def line_of(text: str, after: int = 0) -> int:
        return next(n for n, line in enumerate(lines, 1) if n > after and text in line)

    out = cli.json("import", "usdr", str(path))
    got = sorted((p["line"], p["reason"]) for p in out["problems"])
    reasons = "\n".join(r for _, r in got)
    assert "social_media[1]: no account, and none in its URL" in reasons
    assert "social_media[2]: no service_key, and its URL names no platform mgov knows" in reasons
    assert "social_media[3]: unknown agency 999" in reasons
    assert "social_media[4].contacts[0]: malformed e-mail address 'not-an-e-mail': contact not imported" in reasons
    assert "social_media[4].contacts[1]: unknown role 'emperor'" in reasons
    assert "social_media[5]: a record is an object, not str" in reasons
    assert "social_media[6]: created_at 'yesterday' is not a date" in reasons
    assert "social_media[7]: malformed social account 'twitter:has space'" in reasons
    assert "unknown section 'galleries'" in reasons
    assert "mobile_apps[0]: no versions" in reasons
    assert (line_of('"galleries"'), next(r for r in reasons.splitlines() if "galleries" in r)) in got
    assert any(line == line_of('"twitter.com/usgsa"') and "social_media[5]" in r for line, r in got)
    # Stored: the good account, the one without its agency (no owner), the one whose contacts
    # were bad (its channel is still registered), the one with a bad date (no event for it).
    stored = {c["address"] for c in cli.json("channel", "list")}
    assert stored == {"twitter:usgsa", "twitter:fine", "twitter:mailbad", "twitter:baddate"}
    assert cli.json("channel", "show", "twitter:fine")["owner"] is None
    assert cli.json("channel", "show", "twitter:mailbad")["responsible"] == {}


def test_gbk_files_and_undecodable_bytes(cli, tmp_path):
    """A GBK export reads as GB18030; a record holding bytes neither encoding reads is named by
    its line, and the others are imported."""
    doc = {"agencies": [{"id": 1, "name": "Department of State"}],
           "social_media": [_account(account="usembassy", service_key="weibo", service_url="https://weibo.com/usembassy",
                                     organization="美国驻华大使馆", language="中文", agencies=[1])]}
    out = cli.json("import", "usdr", str(_write(tmp_path, doc, "gbk.json", "gbk")))
    assert out["problems"] == []
    assert cli.json("channel", "show", "weibo:usembassy")["name"] == "美国驻华大使馆"

    good = json.dumps(_account(account="one", organization="GSA ☆"), ensure_ascii=False)
    bad = json.dumps(_account(account="two", organization="GSA BAD"), ensure_ascii=False)
    body = ('{"social_media": [\n' + good + ",\n" + bad + ",\n" + good.replace('"one"', '"three"') + "\n]}\n")
    raw = body.encode("utf-8").replace(b"GSA BAD", b"GSA \xff\xfe")
    path = tmp_path / "broken.json"
    path.write_bytes(raw)
    out = cli.json("import", "usdr", str(path))
    assert [p["line"] for p in out["problems"]] == [3]
    assert out["problems"][0]["reason"].startswith("social_media[1]: undecodable bytes at line 3")
    assert {c["address"] for c in cli.json("channel", "list")} == {"weibo:usembassy", "twitter:one", "twitter:three"}
    assert cli.json("channel", "show", "twitter:one")["name"] == "GSA ☆"  # still read as UTF-8


def test_other_shapes_and_unreadable_files(cli, tmp_path):
    """An API page, a bare list (each record's kind told by its fields); broken JSON and files
    that are no export are refused with a clear message and exit 1, storing nothing."""
    page = {"metadata": {"count": 1, "page": 1}, "results": [_account(account="paged")]}
    assert cli.json("import", "usdr", str(_write(tmp_path, page, "page.json")))["counts"]["channels"]["created"] == 1
    bare = [{"id": 3, "name": "NASA", "versions": [{"store_url": "https://apps.apple.com/us/app/nasa/id334325516",
                                                     "platform": "iOS"}], "agencies": ["NASA"]},
            {"id": 49, "name": "General Services Administration", "acronym": "GSA"}]
    out = cli.json("import", "usdr", str(_write(tmp_path, bare, "bare.json")))
    assert (out["counts"]["channels"]["created"], out["counts"]["organizations"]) == (
        1, {"created": 1, "updated": 0, "unchanged": 1})  # NASA is new; GSA came with the page

    broken = tmp_path / "broken.json"
    broken.write_text('{"social_media": [\n  {"account": "x",\n   "service_key": }\n]}')
    result = cli("import", "usdr", str(broken), code=1)
    assert "broken.json:3:" in result.output and "not valid JSON" in result.output
    other = _write(tmp_path, {"domains": ["gsa.gov"]}, "other.json")
    assert "not an export of agencies, social_media, mobile_apps" in cli("import", "usdr", str(other), code=1).output
    (tmp_path / "empty.json").write_text("  \n")
    assert "the file is empty" in cli("import", "usdr", str(tmp_path / "empty.json"), code=1).output
    assert len(cli.json("channel", "list")) == 2
