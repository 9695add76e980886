"""Collect: the only layer that talks to channels. Async; every HTTP exchange is archived."""
