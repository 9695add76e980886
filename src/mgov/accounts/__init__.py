"""Accounts: users with argon2 password hashes, their roles scoped to an organization's
subtree, browser sessions, personal API tokens and sign-in rate limiting.

The web layer (mgov.web) and the command line (`mgov user`) both go through here.
"""

from mgov.accounts.roles import PERMISSIONS, ROLES, can_grant, permits
from mgov.accounts.scope import Scope

__all__ = ["PERMISSIONS", "ROLES", "Scope", "can_grant", "permits"]
