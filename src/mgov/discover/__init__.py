"""mgov discover: accounts that claim a registered unit's name but are not registered (issue 17)."""
