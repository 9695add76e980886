"""An IPA (a ZIP with Payload/NAME.app/Info.plist) read with plistlib: identity, minimum iOS
version, the permission usage strings (NS*UsageDescription) and App Transport Security."""

from __future__ import annotations

import plistlib
import re
import zipfile
from typing import Any

from mgov.apps import policy
from mgov.apps.errors import PackageError
from mgov.evidence.app import AppEvidence, Ats, AtsException, IosFacts

INFO_PLIST = re.compile(r"^Payload/[^/]+\.app/Info\.plist$")
MAX_PLIST_BYTES = 8 << 20
USAGE_KEY = re.compile(r"^NS[A-Za-z]+UsageDescription(Dictionary)?$")


def info_plist_name(archive: zipfile.ZipFile) -> str | None:
    return next((n for n in archive.namelist() if INFO_PLIST.match(n)), None)


def analyze_ipa(archive: zipfile.ZipFile, name: str, evidence: AppEvidence, policy_text: str | None) -> None:
    info = archive.getinfo(name)
    if info.file_size > MAX_PLIST_BYTES:
        raise PackageError(f"{name} unpacks to {info.file_size} bytes: refused")
    try:
        plist = plistlib.loads(archive.read(name))
    except Exception as exc:  # plistlib raises expat's, ValueError, OverflowError... on a hostile file
        raise PackageError(f"cannot read {name}: {type(exc).__name__}: {exc}") from exc
    if not isinstance(plist, dict):
        raise PackageError(f"{name} is not a dictionary")
    evidence.platform = "ios"
    evidence.package = _text(plist.get("CFBundleIdentifier"))
    evidence.app_name = _text(plist.get("CFBundleDisplayName")) or _text(plist.get("CFBundleName"))
    evidence.version_name = _text(plist.get("CFBundleShortVersionString"))
    evidence.version_code = _text(plist.get("CFBundleVersion"))
    evidence.min_os = _text(plist.get("MinimumOSVersion")) or _text(plist.get("LSMinimumSystemVersion"))
    facts = IosFacts(executable=_text(plist.get("CFBundleExecutable")),
                     device_family=[int(x) for x in plist.get("UIDeviceFamily") or [] if isinstance(x, int)])
    for key, value in sorted(plist.items()):
        if USAGE_KEY.match(key):
            facts.usage[key] = value if isinstance(value, str) else "; ".join(
                str(v) for v in value.values()) if isinstance(value, dict) else str(value)
    if policy_text is not None:
        words = policy.policy_words(policy_text)
        for key in facts.usage:
            named = policy.group_named(policy.USAGE_GROUPS.get(key), words)
            if named is not None:
                facts.usage_justified[key] = named
        evidence.policy_given = True
    facts.ats = ats(plist.get("NSAppTransportSecurity"))
    evidence.ios = facts


def _text(value: Any) -> str | None:
    return str(value).strip() or None if value is not None else None


def _flag(table: dict[str, Any], *keys: str) -> bool:
    return any(table.get(k) is True for k in keys)


def ats(raw: Any) -> Ats:
    """NSAppTransportSecurity as evidence (absent: the platform's secure defaults)."""
    if not isinstance(raw, dict):
        return Ats()
    out = Ats(arbitrary_loads=_flag(raw, "NSAllowsArbitraryLoads"),
              arbitrary_loads_in_web_content=_flag(raw, "NSAllowsArbitraryLoadsInWebContent"),
              arbitrary_loads_for_media=_flag(raw, "NSAllowsArbitraryLoadsForMedia"),
              local_networking=_flag(raw, "NSAllowsLocalNetworking"))
    domains = raw.get("NSExceptionDomains")
    for domain, table in sorted((domains or {}).items()) if isinstance(domains, dict) else []:
        if not isinstance(table, dict):
            continue
        out.exceptions.append(AtsException(
            str(domain), insecure_http=_flag(table, "NSExceptionAllowsInsecureHTTPLoads",
                                             "NSTemporaryExceptionAllowsInsecureHTTPLoads",
                                             "NSThirdPartyExceptionAllowsInsecureHTTPLoads"),
            min_tls=_text(table.get("NSExceptionMinimumTLSVersion")
                          or table.get("NSTemporaryExceptionMinimumTLSVersion")
                          or table.get("NSThirdPartyExceptionMinimumTLSVersion")),
            includes_subdomains=_flag(table, "NSIncludesSubdomains")))
    return out
