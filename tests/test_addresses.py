import pytest
from hypothesis import given
from hypothesis import strategies as st

from mgov.errors import InvalidValue
from mgov.registry.addresses import normalize_address, normalize_email, normalize_url, platform_of


@pytest.mark.parametrize("raw,expected", [
    ("HTTPS://WWW.Example.GOV/", "https://www.example.gov"),
    ("www.sz.gov.cn", "https://www.sz.gov.cn"),
    ("http://a.gov:80/x/?q=1#frag", "http://a.gov/x/?q=1"),
    ("https://a.gov:8443", "https://a.gov:8443"),
    ("https://深圳.政务.cn/", "https://xn--fes124c.xn--zfr164b.cn"),
    ("https://a.gov./p", "https://a.gov/p"),
])
def test_urls(raw, expected):
    assert normalize_url(raw) == expected


@pytest.mark.parametrize("raw", ["ftp://a.gov", "https://", "https://user:pw@a.gov", "https://a b.gov",
                                 "https://-a.gov", "https://a.gov:99999", "https://" + "a" * 64 + ".gov"])
def test_bad_urls(raw):
    with pytest.raises(InvalidValue, match="malformed URL"):
        normalize_url(raw)


@pytest.mark.parametrize("kind,raw,expected", [
    ("app_android", "cn.gov.sz.app", "cn.gov.sz.app"),
    ("app_ios", "id1234567", "id1234567"),
    ("mini_program", "wx1a2b3c4d5e6f7a8b", "wechat:wx1a2b3c4d5e6f7a8b"),
    ("other_social", "Douyin:luohu", "douyin:luohu"),
    ("sms", "1069 1234-5678", "106912345678"),
    ("wechat_account", " gh_abc ", "gh_abc"),
])
def test_other_kinds(kind, raw, expected):
    assert normalize_address(kind, raw) == expected


@pytest.mark.parametrize("kind,raw", [("app_android", "noperiod"), ("other_social", "nocolon"),
                                      ("sms", "12ab"), ("mini_program", "weird:x"), ("website", ""),
                                      ("fax", "123")])
def test_other_kinds_rejected(kind, raw):
    with pytest.raises(InvalidValue):
        normalize_address(kind, raw)


def test_platforms_and_email():
    assert platform_of("other_social", "douyin:x") == "other_social:douyin"
    assert platform_of("wechat_account", "gh_x") == "wechat_account"
    assert normalize_email(" Ann@GSA.gov ") == "ann@gsa.gov"
    with pytest.raises(InvalidValue):
        normalize_email("ann@")


labels = st.from_regex(r"[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?", fullmatch=True)
hosts = st.tuples(st.lists(labels, min_size=1, max_size=3), st.from_regex(r"[a-z]{2,6}", fullmatch=True)).map(
    lambda t: [*t[0], t[1]])  # top-level domains are alphabetic


@given(hosts, st.sampled_from(["http", "HTTPS", "https"]), st.sampled_from(["", "/", "/a/b", "/x?y=1"]))
def test_normalization_is_idempotent(labels, scheme, path):
    once = normalize_url(f"{scheme}://{'.'.join(labels).upper()}{path}")
    assert normalize_url(once) == once
    assert once == once.strip() and "#" not in once
