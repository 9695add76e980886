"""Native format: round trips, bad rows, encodings, strict and dry runs."""

import pytest

from mgov.formats.load import import_file


def test_export_import_round_trips_unchanged(tmp_path, cli, cn_sample, db_url):
    cli("import", str(cn_sample))
    cli("channel", "close", "https://lh.sz.gov.cn", "--status", "merged", "--on", "2026-10-01",
        "--note", "并入 https://www.szlh.gov.cn")
    cli("channel", "edit", "gh_sz_gov", "--name", "深圳发布（新）")
    for name in ("a.yaml", "a.csv", "a-dir"):
        cli("export", str(tmp_path / name))
    # Into an empty database: every format gives back the same registry, byte for byte.
    for i, name in enumerate(("a.yaml", "a.csv", "a-dir")):
        url = f"sqlite:///{tmp_path}/fresh{i}.db"
        cli("db", "upgrade", MGOV_DATABASE_URL=url)
        out = cli("import", str(tmp_path / name), "--json", MGOV_DATABASE_URL=url)
        assert '"bad_rows": 0' in out.stdout
        cli("export", str(tmp_path / f"b{i}.yaml"), MGOV_DATABASE_URL=url)
        assert (tmp_path / f"b{i}.yaml").read_bytes() == (tmp_path / "a.yaml").read_bytes(), name
    # Into the same database: nothing changes.
    for name in ("a.yaml", "a.csv", "a-dir"):
        assert cli.json("import", str(tmp_path / name))["changes"] == 0


def test_gbk_csv_with_a_malformed_row(tmp_path, cli):
    """The issue's acceptance test: good rows of a GBK file are imported, the bad one is named."""
    text = ("code,name_zh,jurisdiction,tier,parent,region_code\n"
            "cn-440000,广东省人民政府,cn,provincial,,440000\n"
            "cn-440300,深圳市人民政府,cn,prefecture,cn-440000,440300\n"
            "cn-440303,罗湖区人民政府,cn,县级,cn-440300,440303\n"
            "cn-440304,福田区人民政府,cn,county,cn-440300,440304\n")
    p = tmp_path / "orgs-gbk.csv"
    p.write_bytes(text.encode("gbk"))
    out = cli.json("import", str(p))
    assert out["counts"]["organizations"]["created"] == 3
    assert [(pr["source"], pr["line"]) for pr in out["problems"]] == [(str(p), 4)]
    assert "unknown tier for jurisdiction cn '县级'" in out["problems"][0]["reason"]
    assert cli.json("org", "show", "cn-440304")["name_zh"] == "福田区人民政府"
    table = cli("import", str(p)).stdout
    assert "4" in table and "县级" in table
    cli("import", str(p), "--strict", code=1)


def test_bad_rows_of_every_kind_are_named_and_good_rows_kept(tmp_path, cli):
    p = tmp_path / "mixed.csv"
    p.write_text(
        "record,code,key,name,name_zh,jurisdiction,tier,parent,person,organization,role,kind,address,owner,status,email,since\n"
        "organization,cn-1,,,某市,cn,prefecture,,,,,,,,,,\n"
        "organization,,,,无代码,cn,county,,,,,,,,,,\n"
        "organization,cn-2,,,某县,cn,county,cn-missing,,,,,,,,,\n"
        "organization,cn-1,,,重复,cn,prefecture,,,,,,,,,,\n"
        "person,,p1,甲,,,,,,,,,,,,p1@x.example,\n"
        "person,,,乙,,,,,,,,,,,,not-mail,\n"
        "role,,,,,,,,p1,cn-1,cio,,,,,,2026-01-01\n"
        "role,,,,,,,,p1,cn-1,boss,,,,,,\n"
        "role,,,,,,,,nobody,cn-1,cio,,,,,,\n"
        "channel,,,站,,,,,,,,website,https://www.x.gov.cn,cn-1,,,\n"
        "channel,,,站,,,,,,,,blog,https://b.x.gov.cn,cn-1,,,\n"
        "channel,,,站,,,,,,,,website,http://,cn-1,,,\n"
        "channel,,,站,,,,,,,,website,https://c.x.gov.cn,cn-1,frozen,,\n"
        "channel,,,站,,,,,,,,website,https://d.x.gov.cn,cn-nope,,,\n"
        "role,,,,,,,,p1,cn-1,cio,,,,,,2026-13-01\n"
        "widget,,,,,,,,,,,,,,,,\n")
    out = cli.json("import", str(p))
    got = {pr["line"]: pr["reason"] for pr in out["problems"]}
    expected = {3: "missing code", 4: "unknown parent", 5: "duplicate organization", 7: "malformed e-mail",
                9: "unknown role 'boss'", 10: "unknown person 'nobody'", 12: "unknown channel kind 'blog'",
                13: "malformed URL", 14: "unknown status 'frozen'", 15: "unknown owner organization",
                16: "not a date", 17: "unknown record type 'widget'"}
    assert set(got) == set(expected)
    for line, words in expected.items():
        assert words in got[line], (line, got[line])
    c = out["counts"]
    assert (c["organizations"]["created"], c["people"]["created"], c["roles"]["created"],
            c["channels"]["created"]) == (1, 1, 1, 1)


def test_nothing_stored_is_lost_and_exit_codes(tmp_path, cli, cn_sample):
    cli("import", str(cn_sample))
    before = (tmp_path / "before.yaml")
    cli("export", str(before))
    bad = tmp_path / "bad.csv"
    bad.write_text("kind,address,owner,name\nwebsite,https://www.sz.gov.cn,cn-unknown,\nblog,x,,\n")
    out = cli("import", str(bad), "--json", code=1)  # nothing could be imported
    assert "Nothing could be imported" in out.stderr
    after = tmp_path / "after.yaml"
    cli("export", str(after))
    assert after.read_bytes() == before.read_bytes()

    mixed = tmp_path / "mixed.csv"
    mixed.write_text("kind,address,name\nwebsite,https://www.sz.gov.cn,深圳政府在线（改）\nblog,x,\n")
    cli("import", str(mixed), "--strict", code=1)
    cli("import", str(mixed), "--dry-run")
    assert cli.json("channel", "show", "https://www.sz.gov.cn")["name"] == "深圳政府在线"
    cli("import", str(mixed))  # good row stored, bad row reported, exit 0
    assert cli.json("channel", "show", "https://www.sz.gov.cn")["name"] == "深圳政府在线（改）"
    # A column the file does not have is left alone; an empty cell clears.
    assert cli.json("channel", "show", "https://www.sz.gov.cn")["owner"] == "cn-440300"
    cli("import", str(tmp_path / "missing.csv"), code=1)


def test_empty_and_unknown_files(tmp_path, engine):
    from mgov.errors import ImportFailed

    (tmp_path / "e.csv").write_text("")
    (tmp_path / "x.json").write_text("{}")
    (tmp_path / "h.csv").write_text("foo,bar\n1,2\n")
    (tmp_path / "y.yaml").write_text("organizations: [unclosed\n")
    (tmp_path / "s.yaml").write_text("planets: []\n")
    for name, words in (("e.csv", "empty"), ("x.json", "unknown format"), ("h.csv", "record type"),
                        ("y.yaml", "not valid YAML"), ("s.yaml", "unknown sections")):
        with pytest.raises(ImportFailed, match=words):
            import_file(engine, tmp_path / name)


def test_yaml_errors_carry_line_numbers(tmp_path, cli):
    p = tmp_path / "r.yaml"
    p.write_text("organizations:\n"
                 "  - {code: cn-1, name_zh: 甲, jurisdiction: cn, tier: county}\n"
                 "  - code: cn-2\n"
                 "    name_zh: 乙\n"
                 "    jurisdiction: cn\n"
                 "    tier: galaxy\n"
                 "channels:\n"
                 "  - {kind: website, address: 'https://a.gov.cn', owner: cn-1, colour: red}\n")
    out = cli.json("import", str(p))
    assert [(pr["line"], pr["record_type"]) for pr in out["problems"]] == [(3, "organization"), (8, "channel")]
    assert "unknown fields colour" in out["problems"][1]["reason"]


def test_yaml_entry_with_bad_history_is_not_stored(tmp_path, cli):
    p = tmp_path / "h.yaml"
    p.write_text("channels:\n"
                 "  - kind: website\n"
                 "    address: https://a.gov.cn\n"
                 "    history:\n"
                 "      - {event: opened, date: 2020-01-01}\n"
                 "      - {event: opened, dat: 2021-01-01}\n"
                 "      - {event: exploded}\n")
    out = cli.json("import", str(p), code=1)
    assert len(out["problems"]) == 1 and "unknown fields dat" in out["problems"][0]["reason"]
    cli("channel", "show", "https://a.gov.cn", code=1)


def test_status_change_with_its_history_files_one_event(tmp_path, cli, cn_sample):
    cli("import", str(cn_sample))
    p = tmp_path / "close.yaml"
    p.write_text("channels:\n"
                 "  - kind: website\n"
                 "    address: https://lh.sz.gov.cn\n"
                 "    status: closed\n"
                 "    history:\n"
                 "      - {event: closed, date: 2026-10-31, note: 注销备案}\n")
    cli("import", str(p))
    history = cli.json("channel", "show", "https://lh.sz.gov.cn")["history"]
    assert [(e["event"], e["date"]) for e in history] == [("opened", None), ("closed", "2026-10-31")]


def test_unknown_encoding_and_role_end_before_start(tmp_path, cli, cn_sample):
    cli("import", str(cn_sample))
    p = tmp_path / "roles.csv"
    p.write_text("person,organization,role,until\nzhang.wei,cn-440300,content_manager,2020-01-01\n")
    out = cli.json("import", str(p), code=1)
    assert "before it starts (2023-01-01)" in out["problems"][0]["reason"]
    r = cli("import", str(p), "--encoding", "klingon", code=1)
    assert "unknown encoding 'klingon'" in r.stderr and "Traceback" not in r.output
