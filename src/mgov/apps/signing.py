"""Signing certificates as the evidence keeps them (from asn1crypto's x509 certificates, which
androguard gives for the v1, v2 and v3 signatures)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from mgov.evidence.app import Certificate

# asn1crypto's attribute names -> the short names of RFC 4514.
_SHORT = {"common_name": "CN", "organizational_unit_name": "OU", "organization_name": "O", "locality_name": "L",
          "state_or_province_name": "ST", "country_name": "C", "email_address": "E"}
_ORDER = ("common_name", "organizational_unit_name", "organization_name", "locality_name", "state_or_province_name",
          "country_name", "email_address")
_SIGNATURE = {"rsassa_pkcs1v15": "RSA", "rsassa_pss": "RSAPSS", "dsa": "DSA", "ecdsa": "ECDSA", "ed25519": "Ed25519"}


def name_text(native: dict[str, Any]) -> str:
    """A distinguished name as `CN=…, OU=…, O=…`, known attributes in that order."""
    keys = [k for k in _ORDER if k in native] + sorted(k for k in native if k not in _ORDER)
    parts = []
    for key in keys:
        value = native[key]
        for item in value if isinstance(value, list) else [value]:
            parts.append(f"{_SHORT.get(key, key)}={item}")
    return ", ".join(parts)


def _aware(value: Any) -> dt.datetime | None:
    if not isinstance(value, dt.datetime):
        return None
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def certificate(cert: Any) -> Certificate:
    """One asn1crypto x509.Certificate as evidence."""
    subject = dict(cert.subject.native)
    validity = cert["tbs_certificate"]["validity"]
    hash_algo = str(cert.hash_algo or "")
    signature = _SIGNATURE.get(str(cert.signature_algo), str(cert.signature_algo))
    try:
        key_algo, key_bits = str(cert.public_key.algorithm), int(cert.public_key.bit_size)
    except (ValueError, KeyError, TypeError):  # an unknown key type: name what can be named
        key_algo, key_bits = "unknown", None
    organization = subject.get("organization_name") or subject.get("common_name")
    if isinstance(organization, list):
        organization = organization[0] if organization else None
    return Certificate(
        subject=name_text(subject), issuer=name_text(dict(cert.issuer.native)), serial=format(cert.serial_number, "X"),
        not_before=_aware(validity["not_before"].native), not_after=_aware(validity["not_after"].native),
        signature_algorithm=f"{hash_algo}With{signature}" if hash_algo else signature, hash_algorithm=hash_algo,
        key_algorithm=key_algo, key_bits=key_bits, sha256=bytes(cert.sha256).hex().upper(),
        organization=str(organization) if organization else None)
