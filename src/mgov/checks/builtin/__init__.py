"""mgov's own checks, registered through the mgov.checks entry points like any plugin."""
