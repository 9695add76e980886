"""An APK read with androguard: manifest, permissions, components, network security config,
signatures, code (trackers, strings, WebView bridge) and resource strings."""

from __future__ import annotations

import re
import zipfile
from typing import Any

from mgov.apps import manifest, netconfig, permissions, policy, signing, trackers
from mgov.apps.code import read_code
from mgov.apps.errors import PackageError
from mgov.apps.strings import StringFacts, scan_named_strings
from mgov.evidence.app import AppEvidence, Signing

DEX_NAME = re.compile(r"^classes\d*\.dex$")
MAX_DEX_BYTES = 512 << 20  # uncompressed, all DEX files together: a zip bomb stops here
_STRING_RESOURCE = re.compile(rb'<string name="([^"]{1,200})">([^<]{0,4096})</string>')


def quiet_androguard() -> None:
    """androguard logs every step at INFO through loguru: mgov reports for itself."""
    # Deferred: loguru comes with androguard, loaded only when a package is analysed.
    from loguru import logger

    logger.disable("androguard")


def analyze_apk(data: bytes, archive: zipfile.ZipFile, evidence: AppEvidence, policy_text: str | None) -> None:
    """Fill evidence from the APK's bytes (archive: the same bytes, opened by zipfile)."""
    quiet_androguard()
    # Deferred: androguard is heavy (lxml, asn1crypto, its resource tables); loaded only here.
    from androguard.core.apk import APK

    dex_names = [i for i in archive.infolist() if DEX_NAME.match(i.filename)]
    if sum(i.file_size for i in dex_names) > MAX_DEX_BYTES:
        raise PackageError(f"the DEX files unpack to more than {MAX_DEX_BYTES >> 20} MiB: refused")
    try:
        apk = APK(data, raw=True)
        root = apk.get_android_manifest_xml()
    except Exception as exc:  # androguard raises anything on a hostile package
        raise PackageError(f"cannot read the APK: {type(exc).__name__}: {exc}") from exc
    if root is None or not apk.is_valid_APK():
        raise PackageError("cannot read the APK: AndroidManifest.xml is missing or not a binary manifest")
    evidence.platform = "android"
    evidence.package = apk.get_package() or None
    evidence.version_name = _safe(apk.get_androidversion_name)
    evidence.version_code = _safe(apk.get_androidversion_code)
    evidence.app_name = _safe(apk.get_app_name)
    evidence.min_sdk = _int(apk.get_min_sdk_version())
    evidence.target_sdk = apk.get_effective_target_sdk_version()
    facts = manifest.read_manifest(root, evidence.min_sdk, evidence.target_sdk)
    evidence.debuggable, evidence.allow_backup, evidence.backup_rules = (facts.debuggable, facts.allow_backup,
                                                                         facts.backup_rules)
    evidence.components = facts.exported
    words = policy.policy_words(policy_text) if policy_text is not None else None
    declared = {name: str(item.get("protectionLevel") or "unknown")
                for name, item in (apk.get_declared_permissions_details() or {}).items()}
    evidence.permissions = permissions.permissions(facts.permissions, declared, words)
    evidence.cleartext = _cleartext(apk, evidence.target_sdk, facts)
    evidence.signing = _signing(apk)
    strings = StringFacts()
    try:
        code = read_code((archive.read(i) for i in dex_names), strings)
    except Exception as exc:  # a malformed DEX is the package's defect, said as such
        raise PackageError(f"cannot read the APK's code: {type(exc).__name__}: {exc}") from exc
    scan_named_strings(_resource_strings(apk), strings)
    evidence.dex_classes = len(code.classes)
    evidence.trackers = trackers.match_trackers(code.classes)
    if words is not None:
        for hit in evidence.trackers:
            hit.named_in_policy = policy.sdk_named(hit.name, hit.website, words)
    evidence.tracker_list = trackers.list_facts()
    evidence.webview = code.webview
    evidence.http_endpoints, evidence.endpoints_truncated = strings.endpoints, strings.endpoints_truncated
    evidence.secrets = strings.secrets


def _safe(read: Any) -> str | None:
    try:
        value = read()
    except Exception:  # noqa: BLE001 - androguard raises KeyError and others on a manifest without it
        return None
    return str(value) if value not in (None, "") else None


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _cleartext(apk: Any, target_sdk: int, facts: manifest.ManifestFacts) -> Any:
    ref = facts.network_security_config
    config = path = None
    if ref:
        path = _resource_file(apk, ref)
        if path is not None:
            # Deferred: androguard's binary XML reader, loaded with androguard.
            from androguard.core.axml import AXMLPrinter

            try:
                config = AXMLPrinter(apk.get_file(path)).get_xml_obj()
            except Exception:  # noqa: BLE001 - an unreadable config is judged as absent, and said so
                config = None
    result = netconfig.cleartext(target_sdk, facts.uses_cleartext, config, path)
    if ref and config is None:
        result.config_file = f"{ref} (unreadable)"
    return result


def _resource_file(apk: Any, ref: str) -> str | None:
    """The file a resource reference (@7F0F0001) resolves to in the default configuration."""
    try:
        res = apk.get_android_resources()
        configs = res.get_resolved_res_configs(int(ref.lstrip("@"), 16)) if res is not None else []
    except Exception:  # noqa: BLE001 - a broken resource table: no file
        return None
    return next((str(value) for _, value in configs if isinstance(value, str) and value.endswith(".xml")), None)


def _signing(apk: Any) -> Signing:
    out = Signing()
    try:
        out.v1, out.v2, out.v3 = bool(apk.is_signed_v1()), bool(apk.is_signed_v2()), bool(apk.is_signed_v3())
        certs = apk.get_certificates()
    except Exception:  # noqa: BLE001 - a malformed signing block reads as unsigned, not as a crash
        return out
    out.certificates = [signing.certificate(c) for c in certs]
    return out


def _resource_strings(apk: Any) -> list[tuple[str, str]]:
    """The default string resources, (name, value)."""
    try:
        res = apk.get_android_resources()
        if res is None:
            return []
        xml = b"".join(res.get_string_resources(p) for p in res.get_packages_names())
    except Exception:  # noqa: BLE001 - a broken resource table has no strings to scan
        return []
    return [(n.decode("utf-8", "replace"), _unescape(v.decode("utf-8", "replace")))
            for n, v in _STRING_RESOURCE.findall(xml)]


def _unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&apos;", "'").replace(
        "&amp;", "&")
