"""The accountability audit over the sample Chinese registry."""

import datetime as dt

from mgov.config import AuditPolicy
from mgov.formats.load import import_file
from mgov.registry.accountability import load_inputs, run_audit

TODAY = dt.date(2026, 11, 26)


def audit(engine, policy=None, today=TODAY):
    with engine.connect() as conn:
        return [(f.rule, f.subject, f.details.get("role")) for f in
                run_audit(load_inputs(conn), policy or AuditPolicy(), today)]


def test_every_rule_fires_where_it_should(engine, cn_sample):
    assert import_file(engine, cn_sample).problems == []
    found = audit(engine)
    rules = {r for r, _, _ in found}
    assert rules == {"channel.no_owner", "channel.missing_role", "channel.inactive_owner",
                     "channel.role_holder_ended", "org.multiple_websites", "org.multiple_accounts"}
    assert ("channel.no_owner", "other_social douyin:luohu_fabu", None) in found
    assert ("channel.inactive_owner", "mini_program wechat:wx1a2b3c4d5e6f7a8b", None) in found
    assert ("channel.role_holder_ended", "website https://www.sz.gov.cn", "records_officer") in found
    assert ("org.multiple_websites", "cn-440303", None) in found
    assert ("org.multiple_accounts", "cn-440303", None) in found
    # The provincial portal has all its people; the closed site is not audited.
    assert not [f for f in found if "gd.gov.cn" in f[1] or "old.szlh" in f[1]]
    assert ("channel.missing_role", "website https://www.szlh.gov.cn", "security_officer") in found
    assert ("channel.missing_role", "website https://www.szlh.gov.cn", "content_manager") not in found


def test_policy_is_configurable(engine, cn_sample):
    import_file(engine, cn_sample)
    # Roles held at the owner organization can count for its channels.
    inherit = AuditPolicy(inherit_org_roles=["new_media_operator", "content_manager"])
    assert ("channel.missing_role", "wechat_account gh_luohu_zw", "new_media_operator") not in audit(engine, inherit)
    # The one-site rule does not apply where no tier is listed.
    none = AuditPolicy(single_website_tiers={}, single_account_tiers={})
    assert not [f for f in audit(engine, none) if f[0].startswith("org.")]
    only_cms = AuditPolicy(required_roles={"website": ["content_manager"]})
    assert {f[2] for f in audit(engine, only_cms) if f[0] == "channel.missing_role"} == {"content_manager"}


def test_role_end_date_counts_from_the_audit_date(engine, cn_sample):
    import_file(engine, cn_sample)
    before = audit(engine, today=dt.date(2026, 6, 30))
    assert not [f for f in before if f[0] == "channel.role_holder_ended"]
    assert [f for f in audit(engine, today=dt.date(2026, 7, 1)) if f[0] == "channel.role_holder_ended"]
