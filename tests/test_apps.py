"""App analysis on real packages: the four APKs of ../shared/data/apk (androguard's test data)
with their facts written out (checked first against androguard's own output, which the
cross-check test repeats), an APK with a DEX made here (trackers, secrets, endpoints, the
WebView bridge), IPAs made here, and the errors of bad files."""

from __future__ import annotations

import datetime as dt
import zipfile
from pathlib import Path
from typing import Any

import pytest

from apkfactory import apk_with, make_dex, make_ipa
from mgov.apps.dex import read_tables
from mgov.apps.errors import PackageError
from mgov.apps.package import analyze_file
from mgov.checks.plugins import all_checks
from mgov.evidence.app import APP_KEY, AppEvidence
from mgov.evidence.site import ChannelFacts, SiteEvidence

APKS = Path(__file__).resolve().parents[2] / "shared" / "data" / "apk"
JAMENDO = APKS / "com.teleca.jamendo_35.apk"
A2DP = APKS / "a2dp.Vol_137.apk"
DUPLICATE = APKS / "duplicate.permisssions_9999999.apk"
INTENT = APKS / "com.test.intent_filter.apk"
P = "android.permission."
UTC = dt.UTC

pytestmark = pytest.mark.skipif(not APKS.is_dir(), reason="../shared/data/apk is not beside the checkout")

# Each APK's facts, as androguard 4.1.4 reads them and the bundled tracker list matches them.
EXPECTED: dict[str, dict[str, Any]] = {
    "com.teleca.jamendo_35.apk": {
        "sha256": "44e880a1e6c64a5a273fcdb568054bc298669377e60302f0b97ccd13ffb33b6d",
        "package": "com.teleca.jamendo", "app_name": "Jamendo", "version_name": "1.0.4 [BETA]", "version_code": "35",
        "min_sdk": 4, "target_sdk": 8, "debuggable": False, "allow_backup": None,
        "permissions": [(P + "INTERNET", "normal|instant", "uses-permission", None),
                        (P + "ACCESS_WIFI_STATE", "normal", "uses-permission", None),
                        (P + "READ_PHONE_STATE", "dangerous", "uses-permission", None),
                        (P + "WRITE_EXTERNAL_STORAGE", "dangerous", "uses-permission", None),
                        (P + "WAKE_LOCK", "normal|instant", "uses-permission", None)],
        "dangerous": ["READ_PHONE_STATE", "WRITE_EXTERNAL_STORAGE"],
        "exported": [("activity", "com.teleca.jamendo.activity." + name, "implicit", None,
                      name == "SplashscreenActivity")
                     for name in ("HomeActivity", "AlbumActivity", "PlayerActivity", "SearchActivity",
                                  "SettingsActivity", "ArtistActivity", "PlaylistActivity", "BrowsePlaylistActivity",
                                  "RadioActivity", "DownloadActivity", "StarredAlbumsActivity",
                                  "IntentDistributorActivity", "SplashscreenActivity")],
        "cleartext": (True, "default"),
        "signing": (True, False, False),
        "certificate": ("CN=FDroid, OU=FDroid, O=fdroid.org, L=ORG, ST=ORG, C=UK", "sha1WithRSA", "rsa", 2048,
                        "EBD3CC3F8C36A4503838B0610103C8B919245C3EE2C4600F6646502E3875A4AC",
                        dt.datetime(2011, 4, 28, 13, 14, 57, tzinfo=UTC),
                        dt.datetime(2038, 9, 13, 13, 14, 57, tzinfo=UTC)),
        "trackers": [], "classes": 224,
        "http_endpoints": ["http://api.jamendo.com/get2/", "http://www.jamendo.com/en/cgu_user",
                           "http://www.jamendo.com/en/rss/top-track-week", "http://www.jamendo.com/track/",
                           "http://www.jamendo.com/track/%d"],
    },
    "a2dp.Vol_137.apk": {
        "sha256": "fb913cccb0957c5b52caea48c3ef7a3ce1d616219b47eed65482097920fe8cc5",
        "package": "a2dp.Vol", "app_name": "A2DP Volume", "version_name": "2.12.9.2", "version_code": "137",
        "min_sdk": 15, "target_sdk": 25, "debuggable": False, "allow_backup": True,
        "permissions": [(P + "RECEIVE_BOOT_COMPLETED", "normal", "uses-permission", None),
                        (P + "CHANGE_WIFI_STATE", "normal", "uses-permission", None),
                        (P + "ACCESS_WIFI_STATE", "normal", "uses-permission", None),
                        (P + "KILL_BACKGROUND_PROCESSES", "normal", "uses-permission", None),
                        (P + "BLUETOOTH", "normal", "uses-permission", None),
                        (P + "BLUETOOTH_ADMIN", "normal", "uses-permission", None),
                        ("com.android.launcher.permission.READ_SETTINGS", "unknown", "uses-permission", None),
                        (P + "RECEIVE_SMS", "dangerous", "uses-permission", None),
                        (P + "MODIFY_AUDIO_SETTINGS", "normal", "uses-permission", None),
                        (P + "READ_CONTACTS", "dangerous", "uses-permission", None),
                        (P + "ACCESS_COARSE_LOCATION", "dangerous|instant", "uses-permission", None),
                        (P + "ACCESS_FINE_LOCATION", "dangerous|instant", "uses-permission", None),
                        (P + "ACCESS_LOCATION_EXTRA_COMMANDS", "normal", "uses-permission", None),
                        (P + "WRITE_EXTERNAL_STORAGE", "dangerous", "uses-permission", None),
                        (P + "READ_PHONE_STATE", "dangerous", "uses-permission", None),
                        (P + "BROADCAST_STICKY", "normal", "uses-permission", None),
                        (P + "GET_ACCOUNTS", "dangerous", "uses-permission", None)],
        "dangerous": ["RECEIVE_SMS", "READ_CONTACTS", "ACCESS_COARSE_LOCATION", "ACCESS_FINE_LOCATION",
                      "WRITE_EXTERNAL_STORAGE", "READ_PHONE_STATE", "GET_ACCOUNTS"],
        "exported": [("activity", "a2dp.Vol.main", "implicit", None, True),
                     ("service", "a2dp.Vol.NotificationCatcher", "implicit",
                      P + "BIND_NOTIFICATION_LISTENER_SERVICE", False),
                     ("receiver", "a2dp.Vol.Starter", "implicit", None, False),
                     ("receiver", "a2dp.Vol.Widget", "implicit", None, False)],
        "cleartext": (True, "default"),
        "signing": (True, False, False),
        "certificate": ("CN=FDroid, OU=FDroid, O=fdroid.org, L=ORG, ST=ORG, C=UK", "sha1WithRSA", "rsa", 2048,
                        "1E3BF46F964D494C9094CBF1A7EBEC99B63D4ACF6AE7519287D94FAF5EA6871B",
                        dt.datetime(2012, 8, 23, 11, 31, 5, tzinfo=UTC),
                        dt.datetime(2040, 1, 9, 11, 31, 5, tzinfo=UTC)),
        "trackers": [], "classes": 1353,
        "http_endpoints": ["http://maps.google.com/maps?q=", "http://listen.googlelabs.com/listen?id=@@"],
    },
    "duplicate.permisssions_9999999.apk": {
        "sha256": "9ffc7e9b2740ce664059194805b2fbfc08b7970c8448a22b8bd828dfd6ad161c",
        "package": "duplicate.permisssions", "app_name": "urzip", "version_name": "0.3-7-gb817ac8",
        "version_code": "9999999", "min_sdk": 18, "target_sdk": 27, "debuggable": True, "allow_backup": True,
        # INTERNET is declared twice (kept once); the two uses-permission-sdk-23 (which androguard's
        # get_permissions leaves out) are kept, marked.
        "permissions": [(P + "INTERNET", "normal|instant", "uses-permission", None),
                        (P + "ACCESS_NETWORK_STATE", "normal|instant", "uses-permission", None),
                        (P + "ACCESS_WIFI_STATE", "normal", "uses-permission", None),
                        (P + "CHANGE_WIFI_MULTICAST_STATE", "normal", "uses-permission", None),
                        (P + "WRITE_EXTERNAL_STORAGE", "dangerous", "uses-permission", 18),
                        (P + "REQUEST_IGNORE_BATTERY_OPTIMIZATIONS", "normal", "uses-permission-sdk-23", 27),
                        (P + "REQUEST_INSTALL_PACKAGES", "signature|appop", "uses-permission-sdk-23", None)],
        "dangerous": ["WRITE_EXTERNAL_STORAGE"],
        "exported": [("activity", "info.guardianproject.urzip.MainActivity", "implicit", None, True)],
        "cleartext": (True, "default"),
        "signing": (True, False, False),
        "certificate": ("CN=sova, OU=F-Droid", "sha256WithRSA", "rsa", 4096,
                        "F49AF3F11EFDDF20DFFD70F5E3117B9976674167ADCA280E6B1932A0601B26F6",
                        dt.datetime(2016, 9, 13, 20, 19, 9, tzinfo=UTC),
                        dt.datetime(2044, 1, 30, 20, 19, 9, tzinfo=UTC)),
        "trackers": [], "classes": 10, "http_endpoints": [],
    },
    "com.test.intent_filter.apk": {
        "sha256": "25b6c02aa3f12268094164aa2588fafe7853c03fe1e6ac70215d8bf75d54539e",
        "package": "com.test.intent_filter", "app_name": "intent-filter", "version_name": "1.0", "version_code": "1",
        "min_sdk": 19, "target_sdk": 28, "debuggable": False, "allow_backup": True,
        "permissions": [], "dangerous": [],
        # TestReceiver has an intent-filter but android:exported="false": not exported.
        "exported": [("activity", "com.test.intent_filter.TestActivity", "implicit", None, False),
                     ("activity", "com.test.intent_filter.MainActivity", "implicit", None, True),
                     ("service", "com.test.intent_filter.TestService", "implicit", None, False)],
        "cleartext": (False, "default"),
        "signing": (False, True, False),
        "certificate": ("CN=kr, OU=kr, O=kr, L=kr, ST=kr, C=kr", "sha256WithRSA", "rsa", 2048,
                        "B4DDF2749D84539C017E320140CA8B09C931BE7C9EBC8C51FFCDD83C8AAFAFF1",
                        dt.datetime(2019, 5, 27, 5, 1, 52, tzinfo=UTC), dt.datetime(2044, 5, 20, 5, 1, 52, tzinfo=UTC)),
        "trackers": [], "classes": 2051, "http_endpoints": [],
    },
}

# The verdict of each app check on each APK (no privacy policy given).
VERDICTS: dict[str, dict[str, str]] = {
    "com.teleca.jamendo_35.apk": {"app.permissions": "warn", "app.trackers": "pass", "app.cleartext": "fail",
                                  "app.debuggable": "pass", "app.backup": "warn", "app.exported": "warn",
                                  "app.sdk": "fail", "app.signing": "fail", "app.secrets": "pass",
                                  "app.webview": "pass"},
    "a2dp.Vol_137.apk": {"app.permissions": "warn", "app.trackers": "pass", "app.cleartext": "fail",
                         "app.debuggable": "pass", "app.backup": "warn", "app.exported": "warn", "app.sdk": "fail",
                         "app.signing": "fail", "app.secrets": "pass", "app.webview": "pass"},
    "duplicate.permisssions_9999999.apk": {"app.permissions": "warn", "app.trackers": "pass", "app.cleartext": "fail",
                                           "app.debuggable": "fail", "app.backup": "warn", "app.exported": "pass",
                                           "app.sdk": "fail", "app.signing": "fail", "app.secrets": "pass",
                                           "app.webview": "pass"},
    "com.test.intent_filter.apk": {"app.permissions": "pass", "app.trackers": "pass", "app.cleartext": "pass",
                                   "app.debuggable": "pass", "app.backup": "warn", "app.exported": "warn",
                                   "app.sdk": "fail", "app.signing": "pass", "app.secrets": "pass",
                                   "app.webview": "pass"},
}


def judge(app: AppEvidence, kind: str = "app_android") -> dict[str, Any]:
    site = SiteEvidence(ChannelFacts(kind, app.package or "x.y", ""), app.analysed_at, app=app)
    return {c.id: c.run(site) for c in all_checks().values() if APP_KEY in c.needs and kind in c.kinds}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_apk_gives_its_facts(name: str) -> None:
    want = EXPECTED[name]
    app = analyze_file(APKS / name)
    assert (app.status.value, app.platform, app.sha256, app.size) == ("ok", "android", want["sha256"],
                                                                      (APKS / name).stat().st_size)
    for key in ("package", "app_name", "version_name", "version_code", "min_sdk", "target_sdk", "debuggable",
                "allow_backup", "http_endpoints"):
        assert getattr(app, key) == want[key], key
    assert [(p.name, p.level, p.source, p.max_sdk) for p in app.permissions] == want["permissions"]
    assert [p.name.removeprefix(P) for p in app.permissions if p.dangerous] == want["dangerous"]
    assert all(p.justified is None for p in app.permissions)  # no policy given: nothing judged
    assert [(c.kind, c.name, c.exported, c.permission, c.launcher) for c in app.components] == want["exported"]
    assert app.cleartext is not None and (app.cleartext.permitted, app.cleartext.source) == want["cleartext"]
    assert app.signing is not None and (app.signing.v1, app.signing.v2, app.signing.v3) == want["signing"]
    [cert] = app.signing.certificates
    assert (cert.subject, cert.signature_algorithm, cert.key_algorithm, cert.key_bits, cert.sha256, cert.not_before,
            cert.not_after) == want["certificate"]
    assert [t.name for t in app.trackers] == want["trackers"] and app.dex_classes == want["classes"]
    assert app.tracker_list["count"] == 428 and app.tracker_list["date"] == "2023-12-05"
    assert app.secrets == [] and not app.webview.javascript_interface and not app.webview.javascript_enabled
    assert {check: f.status.value for check, f in judge(app).items()} == VERDICTS[name]


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_facts_agree_with_androguard(name: str) -> None:
    """The same file through androguard's own API: the requested permissions, SDK levels,
    signature schemes, certificate fingerprints and class count."""
    from androguard.core.apk import APK
    from androguard.core.dex import DEX

    ours = analyze_file(APKS / name)
    theirs = APK(str(APKS / name))
    assert {p.name for p in ours.permissions if p.source == "uses-permission"} == set(theirs.get_permissions())
    assert (ours.min_sdk, ours.target_sdk) == (int(theirs.get_min_sdk_version()), int(theirs.get_target_sdk_version()))
    assert ours.signing is not None
    assert (ours.signing.v1, ours.signing.v2, ours.signing.v3) == (theirs.is_signed_v1(), theirs.is_signed_v2(),
                                                                   theirs.is_signed_v3())
    assert [c.sha256 for c in ours.signing.certificates] == [c.sha256.hex().upper() for c in theirs.get_certificates()]
    assert ours.dex_classes == sum(len(DEX(raw).get_classes_names()) for raw in theirs.get_all_dex())
    assert ours.debuggable == (theirs.get_attribute_value("application", "debuggable") == "true")


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_dex_tables_agree_with_androguards_parser(name: str) -> None:
    """mgov reads the DEX's tables itself; androguard's full parse gives the same strings,
    classes and method references."""
    from androguard.core.apk import APK
    from androguard.core.dex import DEX

    for raw in APK(str(APKS / name)).get_all_dex():
        theirs = DEX(raw)
        wanted = frozenset({"onCreate", "toString", "addJavascriptInterface", "loadUrl"})
        ours = read_tables(raw, wanted)
        assert ours.strings == [str(s) for s in theirs.get_strings()]
        assert ours.classes == [str(c) for c in theirs.get_classes_names()]
        assert ours.method_refs == [(m.get_class_name(), m.get_name()) for m in theirs.get_methods_id_item().gets()
                                    if m.get_name() in wanted]
        assert ours.method_refs  # every fixture defines or calls onCreate or toString


def test_findings_say_what_they_judged() -> None:
    findings = judge(analyze_file(A2DP))
    assert all(f.value["sha256"] == EXPECTED["a2dp.Vol_137.apk"]["sha256"] for f in findings.values())
    assert findings["app.exported"].value["unprotected"] == 2  # Starter and Widget; the listener needs a permission
    assert "receiver a2dp.Vol.Starter (implicit)" in findings["app.exported"].message
    assert findings["app.cleartext"].value["http_endpoint_count"] == 2
    assert "the default for target SDK 25, below 28" in findings["app.cleartext"].message
    assert findings["app.signing"].message.startswith("certificate signed with sha1WithRSA; v1 (JAR) signature only")
    assert findings["app.sdk"].value["developer"] == "fdroid.org"
    assert findings["app.permissions"].value["dangerous"] == EXPECTED["a2dp.Vol_137.apk"]["dangerous"]
    assert "7 dangerous permissions" in findings["app.permissions"].message
    assert "危险权限" in findings["app.permissions"].message_zh


def test_the_privacy_policy_justifies_permissions() -> None:
    policy = "我们在您使用导航功能时收集您的位置信息；在您选择联系人时读取通讯录。"
    app = analyze_file(A2DP, policy_text=policy)
    judged = {p.name.removeprefix(P): p.justified for p in app.permissions if p.dangerous}
    assert judged == {"RECEIVE_SMS": False, "READ_CONTACTS": True, "ACCESS_COARSE_LOCATION": True,
                      "ACCESS_FINE_LOCATION": True, "WRITE_EXTERNAL_STORAGE": False, "READ_PHONE_STATE": False,
                      "GET_ACCOUNTS": False}
    finding = judge(app)["app.permissions"]
    assert finding.status.value == "fail"
    assert finding.value["unjustified"] == ["RECEIVE_SMS", "WRITE_EXTERNAL_STORAGE", "READ_PHONE_STATE", "GET_ACCOUNTS"]
    full = policy + "我们会申请短信、存储、设备信息（电话状态）和账户权限。"
    assert judge(analyze_file(A2DP, policy_text=full))["app.permissions"].status.value == "pass"


def test_a_dex_made_here_shows_trackers_secrets_endpoints_and_the_webview_bridge(tmp_path: Path) -> None:
    """A real APK with a second DEX made here: three tracker SDKs' classes, a key, a private
    key header, an http endpoint, and calls to WebView's JavaScript bridge."""
    dex = make_dex(["Lcom/appsflyer/AppsFlyerLib;", "Lcom/umeng/analytics/MobclickAgent;",
                    "Lcom/tencent/bugly/crashreport/CrashReport;", "Lcn/gov/app/Main;"],
                   ["http://collect.example.cn/log?id=", "AKIAABCDEFGHIJKLMNOP", "-----BEGIN RSA PRIVATE KEY-----",
                    "http://schemas.android.com/apk/res/android"],
                   [("Landroid/webkit/WebView;", "addJavascriptInterface"),
                    ("Landroid/webkit/WebSettings;", "setJavaScriptEnabled")])
    apk = apk_with(DUPLICATE, tmp_path / "tracked.apk", {"classes2.dex": dex})
    app = analyze_file(apk, policy_text="本应用集成友盟统计与 Bugly 崩溃上报。")
    assert [(t.id, t.name, t.signatures, t.classes, t.named_in_policy) for t in app.trackers] == [
        (12, "AppsFlyer", ["com.appsflyer."], ["com/appsflyer/AppsFlyerLib"], False),
        (119, "Umeng Analytics", ["com.umeng.analytics"], ["com/umeng/analytics/MobclickAgent"], True),
        (190, "Bugly", ["com.tencent.bugly."], ["com/tencent/bugly/crashreport/CrashReport"], True)]
    assert app.dex_classes == 14  # the original 10 and the 4 made here
    assert app.http_endpoints == ["http://collect.example.cn/log?id="]
    assert [(s.kind, s.where, s.masked) for s in app.secrets] == [("private_key", "dex", "----…(31)"),
                                                                  ("aws_access_key", "dex", "AKIA…(20)")]
    assert (app.webview.javascript_interface, app.webview.javascript_enabled, app.webview.classes) == (
        True, True, ["android.webkit.WebSettings", "android.webkit.WebView"])
    findings = judge(app)
    assert findings["app.trackers"].status.value == "fail"
    assert findings["app.trackers"].message == "tracker SDKs the privacy policy does not name: AppsFlyer"
    assert findings["app.secrets"].status.value == "fail"
    assert "AKIAABCDEFGHIJKLMNOP" not in str(findings["app.secrets"].value)  # masked
    assert findings["app.webview"].status.value == "warn"  # min SDK 18: the bridge is not open to every method
    no_policy = judge(analyze_file(apk))["app.trackers"]
    assert no_policy.status.value == "warn" and "3 tracker SDKs present" in no_policy.message


def test_a_malformed_dex_is_a_clear_error(tmp_path: Path) -> None:
    apk = apk_with(DUPLICATE, tmp_path / "bad-dex.apk", {"classes.dex": b"dex\n035\x00" + bytes(40)})
    with pytest.raises(PackageError, match=r"^cannot read the APK's code: DexError: not a DEX file$"):
        analyze_file(apk)


@pytest.mark.parametrize(("make", "message"), [
    (lambda p: p.write_bytes(b"\x00\x01" * 500), r"^bad\.apk is not an APK or IPA: not a ZIP archive$"),
    (lambda p: p.write_bytes(A2DP.read_bytes()[:400_000]), r"^bad\.apk is a truncated or corrupt ZIP archive"),
    (lambda p: p.write_bytes(b""), r"^bad\.apk is not an APK or IPA: not a ZIP archive$"),
    (lambda p: _zip(p, {"hello.txt": b"hi"}), r"^bad\.apk is a ZIP archive but neither an APK \(no "
                                              r"AndroidManifest\.xml\) nor an IPA"),
    (lambda p: _zip(p, {"AndroidManifest.xml": b"\x03\x00\x08\x00 not a manifest"}),
     r"^cannot read the APK: AndroidManifest\.xml is missing or not a binary manifest$"),
    (lambda p: _zip(p, {"Payload/Gov.app/Info.plist": b"<plist><dict><key>x</key>"}),
     r"^cannot read Payload/Gov\.app/Info\.plist: "),
    (lambda p: p.mkdir(), r"bad\.apk is not a file$"),
    (lambda p: _zip(p, {"AndroidManifest.xml": bytes(33 << 20)}),
     r"^bad\.apk: AndroidManifest\.xml unpacks to 34603008 bytes, more than 32 MiB: refused$"),
])
def test_bad_files_are_clear_errors(tmp_path: Path, make: Any, message: str) -> None:
    path = tmp_path / "bad.apk"
    make(path)
    with pytest.raises(PackageError, match=message):
        analyze_file(path)


def test_a_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(PackageError, match=r"^cannot read .*/none\.apk: No such file or directory$"):
        analyze_file(tmp_path / "none.apk")


def _zip(path: Path, entries: dict[str, bytes]) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in entries.items():
            z.writestr(name, data)


INSECURE_IPA = {
    "CFBundleIdentifier": "cn.gov.example.service", "CFBundleDisplayName": "政务服务",
    "CFBundleShortVersionString": "3.2.0",
    "CFBundleVersion": "320", "MinimumOSVersion": "11.0", "CFBundleExecutable": "Gov", "UIDeviceFamily": [1, 2],
    "NSCameraUsageDescription": "用于扫码登录", "NSLocationWhenInUseUsageDescription": "  ",
    "NSContactsUsageDescription": "用于选择联系人",
    "NSAppTransportSecurity": {"NSAllowsArbitraryLoads": True, "NSExceptionDomains": {
        "old.example.cn": {"NSExceptionAllowsInsecureHTTPLoads": True, "NSIncludesSubdomains": True,
                           "NSExceptionMinimumTLSVersion": "TLSv1.0"}}},
}


def test_an_ipa_gives_its_usage_strings_and_transport_security(tmp_path: Path) -> None:
    app = analyze_file(make_ipa(tmp_path / "gov.ipa", INSECURE_IPA), policy_text="我们会使用您的相机扫码。")
    assert (app.platform, app.package, app.app_name, app.version_name, app.version_code, app.min_os) == (
        "ios", "cn.gov.example.service", "政务服务", "3.2.0", "320", "11.0")
    assert app.ios is not None
    assert app.ios.usage == {"NSCameraUsageDescription": "用于扫码登录", "NSContactsUsageDescription": "用于选择联系人",
                             "NSLocationWhenInUseUsageDescription": "  "}
    assert app.ios.usage_justified == {"NSCameraUsageDescription": True, "NSContactsUsageDescription": False,
                                       "NSLocationWhenInUseUsageDescription": False}
    ats = app.ios.ats
    assert ats.arbitrary_loads and [(e.domain, e.insecure_http, e.min_tls, e.includes_subdomains)
                                    for e in ats.exceptions] == [("old.example.cn", True, "TLSv1.0", True)]
    findings = judge(app, "app_ios")
    assert sorted(findings) == ["app.ats", "app.ios_usage", "app.sdk"]
    assert findings["app.ios_usage"].status.value == "fail"
    assert findings["app.ios_usage"].message == ("permission requests without a purpose: "
                                                 "NSLocationWhenInUseUsageDescription")
    assert findings["app.ats"].status.value == "fail" and "NSAllowsArbitraryLoads" in findings["app.ats"].message
    assert findings["app.sdk"].status.value == "warn"  # iOS 11 is older than 13


def test_an_ipa_with_narrow_exceptions_warns(tmp_path: Path) -> None:
    info = {**INSECURE_IPA, "MinimumOSVersion": "15.0", "NSLocationWhenInUseUsageDescription": "用于查询附近的办事大厅",
            "NSAppTransportSecurity": {"NSExceptionDomains": {"old.example.cn": {
                "NSExceptionAllowsInsecureHTTPLoads": True}}}}
    app = analyze_file(make_ipa(tmp_path / "gov.ipa", info))
    findings = judge(app, "app_ios")
    assert {k: f.status.value for k, f in findings.items()} == {"app.ats": "warn", "app.ios_usage": "pass",
                                                                "app.sdk": "pass"}
    assert findings["app.ats"].message == "insecure HTTP allowed for old.example.cn"


def test_a_package_of_the_other_platform_is_an_error_not_a_verdict(tmp_path: Path) -> None:
    app = analyze_file(make_ipa(tmp_path / "gov.ipa", INSECURE_IPA))
    finding = judge(app, "app_android")["app.debuggable"]
    assert finding.status.value == "error" and finding.message == "the package is for ios, the channel is app_android"
