"""Platform adapters: how mgov reads new-media accounts (feeds, ActivityPub, Weibo, WeChat,
the generic import). Each adapter is a `PlatformAdapter` registered in the `mgov.platforms`
entry-point group, built-ins included, so a third party adds a platform as it adds a check.
Importing this package imports no adapter."""
