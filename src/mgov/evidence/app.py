"""What the analysis of an app package (an Android APK or an iOS IPA) found: the contract
between `mgov.apps` (which reads the package's bytes), the app pass that archives the package
and the `app.*` checks.

Facts only, as the package states them: the manifest's permissions, components and flags,
the signing block's certificates, the code's class names matched against the bundled tracker
list (presence, not proof of use), strings in the code (http:// endpoints, likely secrets,
masked), and for an IPA the Info.plist's usage strings and App Transport Security settings.
The package is known by its SHA-256 digest; `warc` points at the archived package and the
analysis. Nothing here does I/O.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from mgov.evidence.exchange import WarcRef

APP_KEY = "app"  # the evidence key the app pass produces (a run kind's own)
APP_KINDS = frozenset({"app_android", "app_ios"})


class AppStatus(StrEnum):
    OK = "ok"  # the package was read and analysed
    NO_PACKAGE = "no_package"  # the registry gives no package file for the channel: nothing to judge
    UNREADABLE = "unreadable"  # a package file was given but is missing, malformed or truncated: see `error`


@dataclass
class Permission:
    """A permission the app requests (`<uses-permission>` or `<uses-permission-sdk-23>`)."""

    name: str
    level: str  # Android's protection level on the newest platform: dangerous, normal, signature..., unknown
    source: str = "uses-permission"  # or uses-permission-sdk-23 (requested on Android 6+ only)
    max_sdk: int | None = None  # android:maxSdkVersion: not requested on newer platforms
    group: str | None = None  # what it reaches, in mgov's words: location, contacts, phone, sms, storage...
    justified: bool | None = None  # the privacy policy names what it reaches; None: no policy given

    @property
    def dangerous(self) -> bool:
        return "dangerous" in self.level.split("|")


@dataclass
class Component:
    """An activity, activity-alias, service, receiver or provider the manifest declares as exported."""

    kind: str
    name: str
    exported: str  # explicit (android:exported="true") or implicit (an intent-filter below API 31, a provider below 17)
    permission: str | None = None  # the permission a caller needs (the component's, else the application's)
    launcher: bool = False  # the MAIN/LAUNCHER activity: exported by necessity
    actions: list[str] = field(default_factory=list)  # the intent-filter actions, at most a few


@dataclass
class TrackerHit:
    """A tracker of the bundled list whose code signature matches class names of the app."""

    id: int
    name: str
    categories: list[str] = field(default_factory=list)
    website: str | None = None
    signatures: list[str] = field(default_factory=list)  # the signatures that matched
    classes: list[str] = field(default_factory=list)  # a few matching class names, as proof
    named_in_policy: bool | None = None  # the privacy policy names the SDK; None: no policy given


@dataclass
class Cleartext:
    """Whether the app may send unencrypted HTTP, and who says so."""

    permitted: bool  # for every domain not configured otherwise
    source: str  # default (targetSdk < 28 allows it), manifest (usesCleartextTraffic), network_security_config
    domains: list[str] = field(default_factory=list)  # domains the network security config lets use cleartext
    config_file: str | None = None  # the network security config's file in the package
    user_certificates: bool = False  # the config trusts user-installed CAs (outside debug-overrides)
    overrides_pins: bool = False  # a trust anchor overrides certificate pinning


@dataclass
class Certificate:
    """A signing certificate."""

    subject: str
    issuer: str
    serial: str
    not_before: dt.datetime | None
    not_after: dt.datetime | None
    signature_algorithm: str  # e.g. sha1WithRSA, sha256WithRSA, md5WithRSA
    hash_algorithm: str  # md5, sha1, sha256...
    key_algorithm: str  # rsa, ec, dsa
    key_bits: int | None
    sha256: str  # fingerprint, hex, upper case without separators
    organization: str | None = None  # the subject's O (else its CN): the developer as signed

    @property
    def debug(self) -> bool:
        return "CN=Android Debug" in self.subject


@dataclass
class Signing:
    v1: bool = False  # JAR signing
    v2: bool = False  # APK Signature Scheme v2
    v3: bool = False  # APK Signature Scheme v3
    certificates: list[Certificate] = field(default_factory=list)

    @property
    def signed(self) -> bool:
        return self.v1 or self.v2 or self.v3


@dataclass
class Secret:
    """A string that looks like a credential; the value itself is never kept, only a masked form."""

    kind: str  # aws_access_key, google_api_key, private_key, resource_name, url_credentials, ...
    where: str  # dex or resources
    masked: str  # the first characters, then its length: "AKIA…(20)"
    name: str | None = None  # the resource's name, for a resource string


@dataclass
class WebViewUse:
    """What the code references of WebView's JavaScript bridge."""

    javascript_interface: bool = False  # addJavascriptInterface is called (referenced)
    javascript_enabled: bool = False  # setJavaScriptEnabled is called (referenced)
    classes: list[str] = field(default_factory=list)  # the classes the references are made on


@dataclass
class AtsException:
    domain: str
    insecure_http: bool = False  # NSExceptionAllowsInsecureHTTPLoads (or the third-party form)
    min_tls: str | None = None  # NSExceptionMinimumTLSVersion
    includes_subdomains: bool = False


@dataclass
class Ats:
    """App Transport Security (Info.plist NSAppTransportSecurity)."""

    arbitrary_loads: bool = False
    arbitrary_loads_in_web_content: bool = False
    arbitrary_loads_for_media: bool = False
    local_networking: bool = False
    exceptions: list[AtsException] = field(default_factory=list)


@dataclass
class IosFacts:
    usage: dict[str, str] = field(default_factory=dict)  # NS*UsageDescription key -> the purpose shown
    usage_justified: dict[str, bool] = field(default_factory=dict)  # key -> the policy names it (policy given)
    ats: Ats = field(default_factory=Ats)
    executable: str | None = None
    device_family: list[int] = field(default_factory=list)


@dataclass
class AppEvidence:
    """One package analysed (key "app")."""

    status: AppStatus
    analysed_at: dt.datetime  # UTC
    platform: str | None = None  # android or ios
    file_name: str | None = None
    sha256: str | None = None  # the package's digest, hex: what every finding points at
    size: int | None = None
    package: str | None = None  # Android package name, iOS bundle identifier
    app_name: str | None = None
    version_name: str | None = None
    version_code: str | None = None
    min_sdk: int | None = None  # Android API level
    target_sdk: int | None = None
    min_os: str | None = None  # iOS MinimumOSVersion
    debuggable: bool = False
    allow_backup: bool | None = None  # None: not set (Android's default is to allow backup)
    backup_rules: bool = False  # fullBackupContent or dataExtractionRules restricts what is backed up
    permissions: list[Permission] = field(default_factory=list)
    components: list[Component] = field(default_factory=list)  # the exported ones
    trackers: list[TrackerHit] = field(default_factory=list)
    tracker_list: dict[str, Any] = field(default_factory=dict)  # source, date, count, licence of the list used
    cleartext: Cleartext | None = None
    signing: Signing | None = None
    http_endpoints: list[str] = field(default_factory=list)  # hard-coded http:// URLs, de-duplicated, bounded
    endpoints_truncated: bool = False
    secrets: list[Secret] = field(default_factory=list)
    webview: WebViewUse = field(default_factory=WebViewUse)
    ios: IosFacts | None = None
    policy_given: bool = False  # a privacy policy text was given to judge permissions against
    dex_classes: int = 0  # how many classes were read (trackers are matched on them)
    error: str | None = None  # UNREADABLE: why; analysed: why the given privacy policy could not be read
    warc: list[WarcRef] = field(default_factory=list)  # the archived package and the analysis

    @property
    def developer(self) -> str | None:
        """Who signed the package (the first certificate's organization), for matching the owner."""
        certs = self.signing.certificates if self.signing else []
        return certs[0].organization if certs else None

    def as_dict(self) -> dict[str, Any]:
        """JSON-able: datetimes as ISO 8601, references as dicts."""
        out: dict[str, Any] = _jsonable(dataclasses.asdict(self))
        out["developer"] = self.developer
        return out


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, StrEnum):
        return value.value
    return value
