"""The clients' trust store (collect.client.make_ssl_context): shared by the clients that
trust the same CA bundle, made anew when the bundle changes on disk."""

from __future__ import annotations

import ssl
from pathlib import Path

import pytest
import trustme

from mgov.collect.client import make_ssl_context
from mgov.collect.routing import Routing


def _subjects(ctx: ssl.SSLContext) -> set[str]:
    return {str(c.get("subject")) for c in ctx.get_ca_certs()}


def test_one_context_per_bundle_and_a_new_one_when_it_changes(tmp_path: Path) -> None:
    bundle = tmp_path / "ca.pem"
    first, second = trustme.CA(organization_name="First CA"), trustme.CA(organization_name="Second CA")
    first.cert_pem.write_to_path(str(bundle))
    ctx = make_ssl_context(Routing(ca_bundle=bundle))
    assert make_ssl_context(Routing(ca_bundle=bundle, allow_private=True)) is ctx  # the same trust: shared
    assert any("First CA" in s for s in _subjects(ctx))
    assert make_ssl_context(Routing()) is make_ssl_context(Routing()) is not ctx

    second.cert_pem.write_to_path(str(bundle))  # the operator replaced the bundle
    renewed = make_ssl_context(Routing(ca_bundle=bundle))
    assert renewed is not ctx
    assert any("Second CA" in s for s in _subjects(renewed)) and not any("First CA" in s for s in _subjects(renewed))
    assert ctx.verify_mode == renewed.verify_mode == ssl.CERT_REQUIRED and renewed.check_hostname


def test_a_missing_bundle_still_fails_when_the_client_is_made(tmp_path: Path) -> None:
    with pytest.raises(OSError):
        make_ssl_context(Routing(ca_bundle=tmp_path / "absent.pem"))
