"""Requested permissions with Android's protection level and, when a privacy policy is given,
whether the policy names what each dangerous one reaches.

The level is the newest Android platform's (the AOSP permission definitions androguard ships,
API 36 in androguard 4.1.4): what a device asks the user today, whatever SDK the app targets.
A permission the platform does not define (a vendor's or another app's) is "unknown"; one the
app declares itself has the level it declares.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import cache

from mgov.apps.manifest import RequestedPermission
from mgov.apps.policy import group_named, permission_group
from mgov.evidence.app import Permission

NEWEST_API = 10_000  # androguard falls back to the newest level it ships


@cache
def platform_levels() -> dict[str, str]:
    """permission name -> protection level on the newest platform androguard knows."""
    # Deferred: androguard's permission tables load only when a package is analysed.
    from androguard.core.api_specific_resources import load_permissions

    return {name: str(item.get("protectionLevel") or "unknown") for name, item in
            load_permissions(NEWEST_API).items()}


def permissions(requested: Iterable[RequestedPermission], declared: Mapping[str, str],
                policy: str | None) -> list[Permission]:
    """requested: from the manifest; declared: the app's own permissions and their levels;
    policy: the privacy policy as policy.policy_words gives it, or None."""
    levels = platform_levels()
    out = []
    for item in requested:
        level = levels.get(item.name) or declared.get(item.name) or "unknown"
        group = permission_group(item.name)
        permission = Permission(item.name, level, item.source, item.max_sdk, group)
        if policy is not None and permission.dangerous:
            permission.justified = group_named(group, policy)
        out.append(permission)
    return out
