"""The parts of app analysis the four APKs do not exercise, on inputs written here: manifests
and network security configs as plain XML, strings, method references, and the app checks
on evidence built by hand (a check reads nothing else)."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import struct
from typing import Any
from xml.etree import ElementTree

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from apkfactory import make_dex
from mgov.apps.code import webview_use
from mgov.apps.dex import DexError, read_tables
from mgov.apps.dex import _decode as decode_mutf8
from mgov.apps.manifest import read_manifest
from mgov.apps.netconfig import cleartext
from mgov.apps.policy import sdk_named
from mgov.apps.strings import StringFacts, scan_named_strings, scan_strings
from mgov.apps.trackers import Tracker, load_trackers, match_trackers
from mgov.checks.plugins import all_checks
from mgov.evidence.app import AppEvidence, AppStatus, Certificate, Cleartext, Secret, Signing, WebViewUse
from mgov.evidence.exchange import WarcRef
from mgov.evidence.site import ChannelFacts, SiteEvidence

NS = 'xmlns:android="http://schemas.android.com/apk/res/android"'
NOW = dt.datetime(2026, 12, 1, tzinfo=dt.UTC)


def xml(text: str) -> ElementTree.Element:
    return ElementTree.fromstring(text)  # noqa: S314 - the tests' own XML, not untrusted data


def manifest(body: str, package: str = "cn.gov.app") -> ElementTree.Element:
    return xml(f'<manifest {NS} package="{package}">{body}</manifest>')


def test_exported_components_explicit_implicit_and_protected() -> None:
    root = manifest("""<application android:permission="cn.gov.app.APP_ONLY">
      <activity android:name=".Open" android:exported="true"/>
      <activity android:name="Deep"><intent-filter><action android:name="android.intent.action.VIEW"/></intent-filter>
      </activity>
      <activity android:name=".Closed" android:exported="false"><intent-filter/></activity>
      <activity android:name=".Off" android:enabled="false" android:exported="true"/>
      <service android:name="cn.gov.app.Sync" android:permission="cn.gov.app.SYNC"><intent-filter/></service>
      <receiver android:name=".Plain"/>
      <provider android:name=".Files" android:authorities="cn.gov.app.files"/>
    </application>""")
    facts = read_manifest(root, min_sdk=16, target_sdk=30)
    assert [(c.kind, c.name, c.exported, c.permission, c.actions) for c in facts.exported] == [
        ("activity", "cn.gov.app.Open", "explicit", "cn.gov.app.APP_ONLY", []),
        ("activity", "cn.gov.app.Deep", "implicit", "cn.gov.app.APP_ONLY", ["android.intent.action.VIEW"]),
        ("service", "cn.gov.app.Sync", "implicit", "cn.gov.app.SYNC", []),
        ("provider", "cn.gov.app.Files", "implicit", "cn.gov.app.APP_ONLY", [])]
    # From API 31 an intent-filter no longer exports; a provider is not exported from min and target 17.
    later = read_manifest(root, min_sdk=21, target_sdk=31)
    assert [c.name for c in later.exported] == ["cn.gov.app.Open"]


def test_manifest_flags_and_permissions() -> None:
    root = manifest("""<uses-permission android:name="android.permission.CAMERA"/>
      <uses-permission android:name="android.permission.CAMERA"/>
      <uses-permission-sdk-23 android:name="android.permission.READ_CONTACTS" android:maxSdkVersion="28"/>
      <application android:debuggable="true" android:allowBackup="false" android:dataExtractionRules="@7F0F0002"
        android:usesCleartextTraffic="false" android:networkSecurityConfig="@7F0F0001"/>""")
    facts = read_manifest(root, min_sdk=24, target_sdk=33)
    assert [(p.name, p.source, p.max_sdk) for p in facts.permissions] == [
        ("android.permission.CAMERA", "uses-permission", None),
        ("android.permission.READ_CONTACTS", "uses-permission-sdk-23", 28)]
    assert (facts.debuggable, facts.allow_backup, facts.backup_rules, facts.uses_cleartext,
            facts.network_security_config) == (True, False, True, False, "@7F0F0001")


NSC = """<network-security-config>
  <base-config cleartextTrafficPermitted="false">
    <trust-anchors><certificates src="system"/></trust-anchors>
  </base-config>
  <domain-config cleartextTrafficPermitted="true">
    <domain includeSubdomains="true">legacy.example.gov.cn</domain><domain>10.0.0.2</domain>
    <trust-anchors><certificates src="user" overridePins="true"/></trust-anchors>
  </domain-config>
  <debug-overrides><trust-anchors><certificates src="user"/></trust-anchors></debug-overrides>
</network-security-config>"""


def test_network_security_config_decides_over_the_manifest() -> None:
    ct = cleartext(30, True, xml(NSC), "res/xml/network_security_config.xml")
    assert (ct.permitted, ct.source, ct.domains, ct.user_certificates, ct.overrides_pins, ct.config_file) == (
        False, "network_security_config", ["*.legacy.example.gov.cn", "10.0.0.2"], True, True,
        "res/xml/network_security_config.xml")
    # A config without a base-config keeps the target SDK's default.
    bare = xml("<network-security-config/>")
    assert (cleartext(27, None, bare).permitted, cleartext(28, None, bare).permitted) == (True, False)
    assert (cleartext(30, True).permitted, cleartext(30, True).source) == (True, "manifest")
    assert (cleartext(27, None).permitted, cleartext(28, None).source) == (True, "default")


def test_only_debug_overrides_trusting_user_certificates_is_fine() -> None:
    root = xml("<network-security-config><debug-overrides><trust-anchors>"
               '<certificates src="user"/></trust-anchors></debug-overrides></network-security-config>')
    assert cleartext(30, None, root).user_certificates is False


def test_tracker_signatures_match_like_exodus() -> None:
    hits = match_trackers(["com/google/firebase/analytics/FirebaseAnalytics", "cn/gov/app/Main",
                           "com/facebook/ads/AdView", "org/fdroid/ci/Thing"])
    assert [(h.id, h.name, h.signatures) for h in hits] == [
        (49, "Google Firebase Analytics", ["com.google.firebase.analytics.FirebaseAnalytics"]),
        (65, "Facebook Ads", ["com.facebook.ads"])]
    # A signature's dot matches any character but a line break; a short signature is skipped.
    fake = Tracker(9999, "Dots", (), None, (("ab.cd", __import__("re").compile("ab.cd"), "ab"),))
    assert [h.name for h in match_trackers(["x/ab/cd", "ab\ncd"], [fake])] == ["Dots"]
    assert all(len(s) >= 4 for t in load_trackers() for s, _, _ in t.signatures)
    assert len(load_trackers()) == 428  # 432 trackers, 4 without a code signature


def test_sdk_named_by_name_domain_or_alias() -> None:
    policy = "第三方 sdk 清单：友盟+（统计）；appsflyer；firebase。"
    assert sdk_named("Umeng Analytics", "https://www.umeng.com/analytics", policy)
    assert sdk_named("AppsFlyer", "http://AppsFlyer.com", policy)
    assert sdk_named("Google Firebase Analytics", None, policy)
    assert not sdk_named("Facebook Ads", "https://developers.facebook.com", policy)
    assert not sdk_named("Google Analytics", "https://analytics.google.com", "google play")


def test_strings_endpoints_and_secrets_bounded_and_masked() -> None:
    facts = StringFacts()
    scan_strings(["http://schemas.android.com/apk/res/android", "http://", "see http://www.w3.org/1999/xhtml",
                  "GET http://api.example.gov.cn:8080/v1/items?page=1 now", "http://localhost/x",
                  "AIza" + "B" * 35, "ftp://admin:hunter22@files.example.cn/in", "ok"], "dex", facts)
    assert facts.endpoints == ["http://api.example.gov.cn:8080/v1/items?page=1"]
    assert [(s.kind, s.masked) for s in facts.secrets] == [("google_api_key", "AIza…(39)"),
                                                          ("url_credentials", "ftp:…(37)")]
    scan_named_strings([("app_secret", "3f9a8b7c6d5e4f30"), ("password_hint", "Enter your password"),
                        ("baidu_map_api_key", "short"), ("api_key", "k" * 12)], facts)
    assert [(s.kind, s.name, s.masked) for s in facts.secrets[2:]] == [("resource_name", "app_secret", "3f9a…(16)"),
                                                                       ("resource_name", "api_key", "kkkk…(12)")]
    many = StringFacts()
    scan_strings([f"http://h{i}.example.cn/" for i in range(150)], "dex", many)
    assert len(many.endpoints) == 100 and many.endpoints_truncated


@pytest.mark.parametrize(("patch", "message"), [
    ((0x38, 0xFFFFFF00), "a table at header offset 0x38 lies outside the file"),  # string_ids_size
    ((0x3C, 0x7FFFFFF0), "a table at header offset 0x38 lies outside the file"),  # string_ids_off
    ((0x70, 0x7FFFFFF0), "a string lies outside the file"),  # the first string's data offset
    ((0x64, 0x10), "a table at header offset 0x60 lies outside the file"),  # class_defs_off inside the header
])
def test_hostile_dex_tables_are_refused(patch: tuple[int, int], message: str) -> None:
    dex = bytearray(make_dex(["Lcn/gov/app/Main;"], ["hello"]))
    at, value = patch
    dex[at:at + 4] = struct.pack("<I", value)
    with pytest.raises(DexError, match=f"^{message}$"):
        read_tables(bytes(dex))
    assert read_tables(make_dex(["Lcn/gov/app/Main;"], ["hello"])).classes == ["Lcn/gov/app/Main;"]


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 400), st.integers(0, 0xFFFFFFFF)), min_size=1, max_size=6))
def test_a_corrupted_dex_is_read_or_refused_never_a_crash(changes: list[tuple[int, int]]) -> None:
    dex = bytearray(make_dex(["Lcn/gov/app/Main;", "Lcom/appsflyer/A;"], ["héllo", "http://a.example.cn/"],
                             [("Landroid/webkit/WebView;", "addJavascriptInterface")]))
    for at, value in changes:
        at = min(at, len(dex) - 4)
        dex[at:at + 4] = struct.pack("<I", value)
    with contextlib.suppress(DexError):  # refused, and said so; any other exception fails the test
        read_tables(bytes(dex), frozenset({"addJavascriptInterface"}))


def test_string_ids_pointing_at_one_long_string_are_refused() -> None:
    """Ids that all point at one long string would decode it again and again (a memory bomb)."""
    dex = bytearray(make_dex([], ["x" * 500, *(f"s{i}" for i in range(2000))]))
    count, at = struct.unpack_from("<II", dex, 0x38)
    offsets = struct.unpack_from(f"<{count}I", dex, at)
    long_one = next(off for off in offsets if dex[off + 2:off + 7] == b"xxxxx")
    dex[at:at + 4 * count] = struct.pack("<I", long_one) * count
    with pytest.raises(DexError, match=r"^the strings overlap$"):
        read_tables(bytes(dex))


def test_modified_utf8_strings() -> None:
    assert decode_mutf8(b"a\xc0\x80b") == "a\x00b"  # NUL as C0 80
    assert decode_mutf8(b"\xed\xa0\xbd\xed\xb8\x80") == "\U0001f600"  # beyond the BMP: a surrogate pair
    assert decode_mutf8(b"\xff\xfe") == "\ufffd\ufffd"  # neither: what can be read


def test_webview_use_from_method_references() -> None:
    use = webview_use([("Landroid/webkit/WebView;", "loadUrl"), ("Lcn/gov/app/MyWebView;", "addJavascriptInterface")])
    assert (use.javascript_interface, use.javascript_enabled, use.classes) == (True, False, ["cn.gov.app.MyWebView"])


# --- the checks on evidence built by hand -------------------------------------------------

def cert(**changes: Any) -> Certificate:
    base = Certificate("CN=Gov, O=Example Bureau", "CN=Gov, O=Example Bureau", "1A",
                       dt.datetime(2020, 1, 1, tzinfo=dt.UTC),
                       dt.datetime(2050, 1, 1, tzinfo=dt.UTC), "sha256WithRSA", "sha256", "rsa", 2048, "AB" * 32,
                       "Example Bureau")
    return dataclasses.replace(base, **changes)


def app(**changes: Any) -> AppEvidence:
    base = AppEvidence(status=AppStatus.OK, analysed_at=NOW, platform="android", sha256="ab" * 32, package="cn.gov.app",
                       min_sdk=24, target_sdk=34, allow_backup=False,
                       cleartext=Cleartext(False, "network_security_config"),
                       signing=Signing(v1=True, v2=True, certificates=[cert()]),
                       warc=[WarcRef("apps/" + "ab" * 32 + ".warc.gz", 0, 100)])
    return dataclasses.replace(base, **changes)


def run(check: str, evidence: AppEvidence | None, kind: str = "app_android", **params: Any) -> Any:
    site = SiteEvidence(ChannelFacts(kind, "cn.gov.app", ""), NOW, app=evidence)
    return all_checks()[check].run(site, params)


def test_a_clean_app_passes_every_android_check() -> None:
    ids = [c for c, k in all_checks().items() if c.startswith("app.") and "app_android" in k.kinds]
    found = {c: run(c, app()) for c in ids}
    assert {c: f.status.value for c, f in found.items()} == dict.fromkeys(ids, "pass")
    assert all(f.evidence == [WarcRef("apps/" + "ab" * 32 + ".warc.gz", 0, 100)] for f in found.values())
    assert all(f.value["sha256"] == "ab" * 32 for f in found.values())


@pytest.mark.parametrize(("check", "changes", "status", "message"), [
    ("app.cleartext", {"cleartext": Cleartext(False, "network_security_config", domains=["legacy.example.cn"])},
     "warn", "cleartext allowed for legacy.example.cn"),
    ("app.cleartext", {"cleartext": Cleartext(True, "manifest"), "http_endpoints": ["http://a.example.cn/"]}, "fail",
     'cleartext HTTP allowed to every host (android:usesCleartextTraffic="true"); 1 http:// endpoints in the code'),
    ("app.signing", {"signing": Signing()}, "fail", "the package is not signed"),
    ("app.signing", {"signing": Signing(v2=True, certificates=[cert(subject="CN=Android Debug, O=Android")])},
     "fail", "a debug certificate (CN=Android Debug, O=Android)"),
    ("app.signing", {"signing": Signing(v2=True, certificates=[cert(signature_algorithm="md5WithRSA",
                                                                     hash_algorithm="md5", key_bits=1024)])},
     "fail", "certificate signed with md5WithRSA; a 1024-bit RSA key"),
    ("app.signing", {"signing": Signing(v3=True, certificates=[cert(not_after=dt.datetime(2025, 1, 1,
                                                                                          tzinfo=dt.UTC))])},
     "warn", "certificate expired 2025-01-01"),
    ("app.signing", {"min_sdk": 21}, "warn",
     "installs on Android below 7.0 (min SDK 21), where only the v1 signature is checked"),
    ("app.secrets", {"secrets": [Secret("resource_name", "resources", "3f9a…(16)", "app_secret")]}, "warn",
     "resource strings named like credentials: app_secret 3f9a…(16)"),
    ("app.webview", {"min_sdk": 16, "webview": WebViewUse(True, True, ["cn.gov.app.Web"])}, "fail",
     "addJavascriptInterface with min SDK 16: on Android below 4.2 any page in the WebView can run code in the app "
     "(CVE-2012-6636)"),
    ("app.backup", {"allow_backup": None, "backup_rules": True}, "pass",
     "backup allowed with rules restricting what is saved"),
    ("app.sdk", {"min_sdk": 21}, "warn", "min SDK 21: installs on Android versions without security updates "
                                         "(below API 24)"),
    ("app.debuggable", {"debuggable": True}, "fail",
     'android:debuggable="true": any debugger can attach and read the app\'s data'),
])
def test_check_verdicts(check: str, changes: dict[str, Any], status: str, message: str) -> None:
    finding = run(check, app(**changes))
    assert (finding.status.value, finding.message) == (status, message)
    assert finding.message_zh and finding.message_zh != finding.message


def test_parameters_of_a_profile_change_verdicts() -> None:
    old = app(target_sdk=29)
    assert run("app.sdk", old).status.value == "fail"
    assert run("app.sdk", old, min_target_sdk=28).status.value == "pass"
    assert run("app.backup", app(allow_backup=True), allowed="fail").status.value == "fail"


@pytest.mark.parametrize(("evidence", "message"), [
    (None, "the app package was not analysed"),
    (AppEvidence(status=AppStatus.NO_PACKAGE, analysed_at=NOW),
     "no package file is registered for this app channel (channel attribute package_file)"),
    (AppEvidence(status=AppStatus.UNREADABLE, analysed_at=NOW, error="x.apk is not an APK or IPA: not a ZIP archive"),
     "the package: x.apk is not an APK or IPA: not a ZIP archive"),
])
def test_no_package_is_an_error_never_a_verdict(evidence: AppEvidence | None, message: str) -> None:
    finding = run("app.trackers", evidence)
    assert (finding.status.value, finding.message) == ("error", message)
    assert finding.recheck is (evidence is None)  # only a collection that did not happen is tried again


def test_app_checks_do_not_apply_to_websites() -> None:
    assert run("app.trackers", app(), kind="website").status.value == "not_applicable"
