"""Cleartext traffic: the network security config, the manifest's usesCleartextTraffic, or
the platform's default for the app's target SDK.

Android's rules: a network security config (API 24+) decides alone when present (the manifest
flag is then ignored); its base-config's cleartextTrafficPermitted defaults to the target SDK's
default; domain-configs may permit cleartext for some domains. Without a config the manifest
flag decides, and without it cleartext is allowed below target SDK 28 (Android 9) and refused
from 28 on. Trust anchors that include user-installed certificates (outside debug-overrides)
and overridePins are noted too.
"""

from __future__ import annotations

from typing import Any

from mgov.apps.manifest import flag
from mgov.evidence.app import Cleartext

CLEARTEXT_OFF_FROM = 28  # Android 9 refuses cleartext by default for apps targeting it


def default_permitted(target_sdk: int) -> bool:
    return target_sdk < CLEARTEXT_OFF_FROM


def cleartext(target_sdk: int, uses_cleartext: bool | None, config: Any | None = None,
              config_file: str | None = None) -> Cleartext:
    """What the app may do; config is the decoded network security config's root element."""
    if config is not None:
        return from_config(config, target_sdk, config_file)
    if uses_cleartext is not None:
        return Cleartext(permitted=uses_cleartext, source="manifest")
    return Cleartext(permitted=default_permitted(target_sdk), source="default")


def from_config(root: Any, target_sdk: int, config_file: str | None = None) -> Cleartext:
    base = next(iter(root.iter("base-config")), None)
    permitted = default_permitted(target_sdk)
    if base is not None and (value := flag(base.get("cleartextTrafficPermitted"))) is not None:
        permitted = value
    domains: list[str] = []
    for domain_config in root.iter("domain-config"):
        if flag(domain_config.get("cleartextTrafficPermitted")) is True:
            for domain in domain_config.iter("domain"):
                name = (domain.text or "").strip()
                if name:
                    sub = flag(domain.get("includeSubdomains")) is True
                    domains.append(f"*.{name}" if sub else name)
    user = overrides = False
    for section in (*root.iter("base-config"), *root.iter("domain-config")):
        for cert in section.iter("certificates"):
            user = user or str(cert.get("src") or "").strip() == "user"
            overrides = overrides or flag(cert.get("overridePins")) is True
    return Cleartext(permitted=permitted, source="network_security_config", domains=list(dict.fromkeys(domains)),
                     config_file=config_file, user_certificates=user, overrides_pins=overrides)
