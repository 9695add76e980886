"""Strings of an app's code and resources: hard-coded http:// endpoints and likely secrets.

Bounded: each string is looked at only up to MAX_STRING characters, at most MAX_ENDPOINTS
endpoints and MAX_SECRETS secrets are kept (de-duplicated), and a secret is never kept in
clear: only its kind, where it was, and a masked form ("AKIA…(20)").
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from mgov.evidence.app import Secret

MAX_STRING = 4096
MAX_ENDPOINTS = 100
MAX_SECRETS = 50
SHOWN = 4  # characters of a secret shown before the ellipsis

_HTTP = re.compile(r"http://([A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?)(?::\d{1,5})?(?:[/?#][^\s\"'<>\\]*)?")
# Hosts of XML namespaces and DTDs: identifiers written as http URLs, never fetched.
NAMESPACE_HOSTS = frozenset({"schemas.android.com", "www.w3.org", "w3.org", "ns.adobe.com", "xmlpull.org",
                             "www.xmlpull.org", "xml.org", "www.xml.org", "xml.apache.org", "apache.org",
                             "www.apache.org", "purl.org", "schemas.xmlsoap.org", "schemas.microsoft.com",
                             "java.sun.com", "www.apple.com", "schemas.openxmlformats.org", "xmlns.jcp.org",
                             "json-schema.org", "www.slf4j.org", "ns.android.com"})

# Credential formats with a recognisable shape (kind, pattern).
SECRET_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("aws_access_key", re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b")),
    ("google_api_key", re.compile(r"\bAIza[0-9A-Za-z_\-]{35}\b")),
    ("private_key", re.compile(r"-----BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED )?PRIVATE KEY-----")),
    ("aliyun_access_key", re.compile(r"\bLTAI[0-9A-Za-z]{12,20}\b")),
    ("tencent_secret_id", re.compile(r"\bAKID[0-9A-Za-z]{32}\b")),
    ("github_token", re.compile(r"\bgh[pousr]_[A-Za-z0-9]{36}\b")),
    ("slack_token", re.compile(r"\bxox[abposr]-[0-9A-Za-z-]{10,}\b")),
    ("stripe_secret_key", re.compile(r"\bsk_live_[0-9A-Za-z]{24,}\b")),
    ("url_credentials", re.compile(r"\b[a-z][a-z0-9+.-]*://[^/\s:@\"']{1,64}:[^/\s:@\"']{1,64}@[A-Za-z0-9.-]+")),
)
# Resource string names that say they hold a credential (google_api_key, app_secret, ...).
SECRET_NAME = re.compile(r"(?:^|_)(?:api_?key|secret|secret_?key|client_?secret|access_?key|private_?key|"
                         r"app_?key|app_?secret|auth_?token|access_?token|password|passwd)(?:$|_)", re.I)
MIN_SECRET = 8


def mask(value: str) -> str:
    return f"{value[:SHOWN]}…({len(value)})"


@dataclass
class StringFacts:
    endpoints: list[str] = field(default_factory=list)
    endpoints_truncated: bool = False
    secrets: list[Secret] = field(default_factory=list)
    _seen_secrets: set[tuple[str, str]] = field(default_factory=set)

    def add_endpoint(self, url: str) -> None:
        if url in self.endpoints:
            return
        if len(self.endpoints) >= MAX_ENDPOINTS:
            self.endpoints_truncated = True
            return
        self.endpoints.append(url)

    def add_secret(self, kind: str, where: str, value: str, name: str | None = None) -> None:
        key = (kind, value)
        if key in self._seen_secrets or len(self.secrets) >= MAX_SECRETS:
            return
        self._seen_secrets.add(key)
        self.secrets.append(Secret(kind, where, mask(value), name))


def scan_strings(strings: Iterable[str], where: str, facts: StringFacts) -> None:
    """Endpoints and shaped secrets in strings of the code (where "dex") or resources."""
    for raw in strings:
        text = raw[:MAX_STRING]
        if "http://" in text:
            for found in _HTTP.finditer(text):
                host = found.group(1).lower()
                if "." in host and host not in NAMESPACE_HOSTS:
                    facts.add_endpoint(found.group(0))
        if len(text) < MIN_SECRET:
            continue
        for kind, pattern in SECRET_PATTERNS:
            if (found_secret := pattern.search(text)) is not None:
                facts.add_secret(kind, where, found_secret.group(0))


def scan_named_strings(named: Iterable[tuple[str, str]], facts: StringFacts) -> None:
    """Resource strings (name, value): endpoints and shaped secrets in the values, and values of
    credential-like names that look like a token (no spaces, at least 8 characters)."""
    pairs = list(named)
    scan_strings((value for _, value in pairs), "resources", facts)
    for name, value in pairs:
        token = value.strip()
        if SECRET_NAME.search(name) and len(token) >= MIN_SECRET and not re.search(r"\s", token):
            facts.add_secret("resource_name", "resources", token, name)
