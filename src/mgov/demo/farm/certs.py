"""The farm's TLS: a throwaway CA, certificates by defect class, and SNI to pick one.

Issuing one certificate per host would make a 10,000-site farm start in tens of seconds,
so hosts that share a certificate profile (valid, expired, ...) share certificates of up to
CHUNK sites each (host and twin as SANs), the way consolidated government platforms do.

All listeners start with one permissive context (TLS 1.0 and up, @SECLEVEL=0) and the SNI
callback swaps in the host's context. The version is chosen before the callback runs, but
the swap brings the context's security level along, and at level 2 OpenSSL 3 cannot sign a
TLS 1.0/1.1 handshake: modern hosts end such a handshake with a handshake_failure alert,
while hosts with tls.old_protocol (level 0) complete it.
"""

from __future__ import annotations

import datetime as dt
import ssl
import warnings
from pathlib import Path

import trustme
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from mgov.demo.farm.manifest import Site

CHUNK = 64  # sites per shared certificate (128 names, about 4 KB)
WRONG_HOST_NAME = "www.hosting-platform.example"
DEFAULT_NAME = "farm.invalid"  # the certificate for clients that send no or an unknown SNI
CERT_KINDS = ("tls.expired", "tls.self_signed", "tls.wrong_host", "tls.expiring_soon")

VALID_DAYS = 400  # healthy certificates: more than a year left
EXPIRING_DAYS = 12  # tls.expiring_soon: under 30 days left
EXPIRED_DAYS_AGO = 10


def profile(site: Site) -> tuple[str, bool] | None:
    """(certificate kind, accepts old protocols) for a site; None when it has no HTTPS."""
    if site.has("https.none"):
        return None
    kind = next((k for k in CERT_KINDS if site.has(k)), "valid")
    return kind, site.has("tls.old_protocol")


class Certificates:
    """The CA, a context per certificate, and the SNI callback that picks one."""

    def __init__(self, now: dt.datetime | None = None) -> None:
        self.now = now or dt.datetime.now(dt.UTC)
        self.ca = trustme.CA(organization_name="mgov demo farm CA")
        self.by_name: dict[str, ssl.SSLContext] = {}
        self.refused: set[str] = set()  # https.none hosts: the handshake is aborted
        self.contexts = 0  # how many were made (startup cost)
        self.default = self._context(self._issue("valid", [DEFAULT_NAME]), old=False)
        self.listener = self._context(self._issue("valid", [DEFAULT_NAME]), old=True)
        self.listener.sni_callback = self._on_sni

    def write_ca(self, path: Path) -> Path:
        self.ca.cert_pem.write_to_path(str(path))
        return path

    def add_sites(self, sites: list[Site]) -> None:
        groups: dict[tuple[str, bool], list[Site]] = {}
        for s in sites:
            p = profile(s)
            if p is None:
                self.refused.update((s.host, s.twin))
            else:
                groups.setdefault(p, []).append(s)
        for (kind, old), members in groups.items():
            wrong = None
            for i in range(0, len(members), CHUNK):
                chunk = members[i:i + CHUNK]
                names = [n for s in chunk for n in (s.host, s.twin)]
                if kind == "tls.wrong_host":
                    # One certificate for a name none of these hosts has.
                    wrong = wrong or self._context(self._issue("valid", [WRONG_HOST_NAME]), old)
                    ctx = wrong
                else:
                    ctx = self._context(self._issue(kind, names), old)
                for n in names:
                    self.by_name[n] = ctx

    def add_names(self, names: list[str]) -> None:
        """Healthy certificates for extra hosts (the third-party services)."""
        for i in range(0, len(names), CHUNK * 2):
            chunk = names[i:i + CHUNK * 2]
            ctx = self._context(self._issue("valid", chunk), old=False)
            self.by_name.update(dict.fromkeys(chunk, ctx))

    def _on_sni(self, ssl_obj: ssl.SSLObject, name: str | None,
                _ctx: ssl.SSLContext) -> int | None:
        key = name.lower() if name else ""
        ctx = self.by_name.get(key)
        if ctx is None:
            if key in self.refused:
                return ssl.ALERT_DESCRIPTION_HANDSHAKE_FAILURE
            ctx = self.default
        ssl_obj.context = ctx
        return None

    def _issue(self, kind: str, names: list[str]) -> trustme.LeafCert:
        day = dt.timedelta(days=1)
        if kind == "tls.self_signed":
            return _self_signed(names, self.now - day, self.now + VALID_DAYS * day)
        if kind == "tls.expired":
            start, end = self.now - (VALID_DAYS + EXPIRED_DAYS_AGO) * day, self.now - EXPIRED_DAYS_AGO * day
        elif kind == "tls.expiring_soon":
            start, end = self.now - 300 * day, self.now + EXPIRING_DAYS * day
        else:
            start, end = self.now - day, self.now + VALID_DAYS * day
        # trustme wants naive UTC datetimes.
        return self.ca.issue_cert(*names, common_name=names[0], organization_name="mgov demo farm",
                                  not_before=start.replace(tzinfo=None),
                                  not_after=end.replace(tzinfo=None))

    def _context(self, cert: trustme.LeafCert, old: bool) -> ssl.SSLContext:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        if old:
            with warnings.catch_warnings():  # deprecated, and the defect is exactly that
                warnings.simplefilter("ignore", DeprecationWarning)
                ctx.minimum_version = ssl.TLSVersion.TLSv1
            ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
        else:
            ctx.minimum_version = ssl.TLSVersion.TLSv1_2
            ctx.set_ciphers("DEFAULT:@SECLEVEL=2")
        cert.configure_cert(ctx)
        self.contexts += 1
        return ctx


def _self_signed(names: list[str], start: dt.datetime, end: dt.datetime) -> trustme.LeafCert:
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, names[0])])
    cert = (x509.CertificateBuilder()
            .subject_name(subject).issuer_name(subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(start).not_valid_after(end)
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(n) for n in names]),
                           critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    return trustme.LeafCert(key_pem, cert.public_bytes(serialization.Encoding.PEM), [])
