def test_demo_sample_imports(cli, cn_sample):
    out = cli.json("import", str(cn_sample))
    assert out["bad_rows"] == 0
    assert out["counts"]["channels"]["created"] == 11
