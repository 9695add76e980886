"""Scan runs: which channels, which checks, results committed per channel, resumable."""
