"""Checks: pure functions of evidence and parameters that yield findings.

Built-in checks register through the `mgov.checks` entry-point group, the same way as
third-party ones. A check never touches the network, the database or files.
"""
