"""The one error of package analysis."""

from __future__ import annotations

from mgov.errors import MgovError


class PackageError(MgovError):
    """The file is not a package mgov can read (not a ZIP, truncated, no manifest, a bomb)."""
