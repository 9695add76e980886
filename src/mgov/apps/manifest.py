"""What an AndroidManifest.xml states: requested permissions, application flags and the
components other apps can start (exported explicitly, or implicitly by an intent-filter).

Reads the decoded manifest as an element tree (androguard's lxml element, or any element with
ElementTree's `get`, `iter` and `findall`), so it is tested on plain XML too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from mgov.evidence.app import Component

NS = "{http://schemas.android.com/apk/res/android}"
COMPONENT_TAGS = ("activity", "activity-alias", "service", "receiver", "provider")
IMPLICIT_EXPORT_BELOW = 31  # Android 12: a component with an intent-filter must say android:exported
PROVIDER_EXPORTED_UP_TO = 16  # providers were exported by default when min or target SDK was 16 or lower
ACTIONS_KEPT = 5


@dataclass
class RequestedPermission:
    name: str
    source: str  # uses-permission or uses-permission-sdk-23
    max_sdk: int | None = None


@dataclass
class ManifestFacts:
    package: str | None = None
    debuggable: bool = False
    allow_backup: bool | None = None
    backup_rules: bool = False
    uses_cleartext: bool | None = None  # android:usesCleartextTraffic, None: not set
    network_security_config: str | None = None  # a resource reference (@7F...), None: none
    permissions: list[RequestedPermission] = field(default_factory=list)
    exported: list[Component] = field(default_factory=list)


def flag(value: str | None) -> bool | None:
    """A boolean attribute as androguard decodes it; None when unset or a resource reference."""
    if value is None:
        return None
    text = value.strip().lower()
    if text in ("true", "1", "0xffffffff", "-1"):
        return True
    if text in ("false", "0", "0x0", "0x00000000"):
        return False
    return None


def _int(value: str | None) -> int | None:
    try:
        return int(value, 0) if value is not None else None
    except ValueError:
        return None


def _attr(element: Any, name: str) -> str | None:
    value = element.get(NS + name)
    return None if value is None else str(value)


def full_name(package: str | None, name: str | None) -> str:
    """A component's class name as the system resolves it (".Foo" and "Foo" are in the package)."""
    if not name:
        return ""
    if name.startswith(".") or ("." not in name and package):
        return f"{package or ''}{name if name.startswith('.') else '.' + name}"
    return name


def read_manifest(root: Any, min_sdk: int | None, target_sdk: int) -> ManifestFacts:
    """The facts of a decoded manifest; target_sdk is the effective one (min SDK when unset)."""
    package = root.get("package")
    facts = ManifestFacts(package=str(package) if package is not None else None)
    seen: set[tuple[str, str]] = set()
    for tag in ("uses-permission", "uses-permission-sdk-23", "uses-permission-sdk-m"):
        for element in root.iter(tag):
            name = _attr(element, "name")
            source = "uses-permission" if tag == "uses-permission" else "uses-permission-sdk-23"
            if name and (name, source) not in seen:
                seen.add((name, source))
                facts.permissions.append(RequestedPermission(name, source, _int(_attr(element, "maxSdkVersion"))))
    application = next(iter(root.iter("application")), None)
    if application is None:
        return facts
    facts.debuggable = bool(flag(_attr(application, "debuggable")))
    facts.allow_backup = flag(_attr(application, "allowBackup"))
    facts.backup_rules = any(_attr(application, a) for a in ("fullBackupContent", "dataExtractionRules"))
    facts.uses_cleartext = flag(_attr(application, "usesCleartextTraffic"))
    facts.network_security_config = _attr(application, "networkSecurityConfig")
    app_permission = _attr(application, "permission")
    for tag in COMPONENT_TAGS:
        for element in application.iter(tag):
            component = _exported(element, tag, facts.package, min_sdk, target_sdk, app_permission)
            if component is not None:
                facts.exported.append(component)
    return facts


def _exported(element: Any, tag: str, package: str | None, min_sdk: int | None, target_sdk: int,
              app_permission: str | None) -> Component | None:
    if flag(_attr(element, "enabled")) is False:
        return None  # disabled in the manifest: nothing can start it
    filters = element.findall("intent-filter")
    actions = [a for f in filters for el in f.findall("action") if (a := _attr(el, "name"))]
    categories = {c for f in filters for el in f.findall("category") if (c := _attr(el, "name"))}
    explicit = flag(_attr(element, "exported"))
    if explicit is False:
        return None
    if explicit:
        how = "explicit"
    elif tag == "provider":
        if not ((min_sdk or 1) <= PROVIDER_EXPORTED_UP_TO or target_sdk <= PROVIDER_EXPORTED_UP_TO):
            return None
        how = "implicit"
    elif filters and target_sdk < IMPLICIT_EXPORT_BELOW:
        how = "implicit"
    else:
        return None
    permission = _attr(element, "permission") or app_permission
    if tag == "provider" and not permission and _attr(element, "readPermission") and _attr(element, "writePermission"):
        permission = _attr(element, "readPermission")
    launcher = tag in ("activity", "activity-alias") and "android.intent.action.MAIN" in actions and bool(
        categories & {"android.intent.category.LAUNCHER", "android.intent.category.LEANBACK_LAUNCHER"})
    return Component(tag, full_name(package, _attr(element, "name")), how, permission, launcher,
                     list(dict.fromkeys(actions))[:ACTIONS_KEPT])
