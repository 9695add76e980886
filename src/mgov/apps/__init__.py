"""App analysis: what an app package (an Android APK or an iOS IPA) declares and contains,
read from its bytes alone (no network, no database).

`package.analyze_file` gives an `evidence.app.AppEvidence`: the manifest's permissions (with
Android's protection levels and, given a privacy policy, whether it names what they reach),
exported components, cleartext traffic and the network security config, debuggable and
allowBackup, SDK levels, signing schemes and certificates, trackers by code signature (the
bundled Exodus Privacy list, `data/TRACKERS.md`), hard-coded http:// endpoints and likely
secrets (masked), WebView's JavaScript bridge; for an IPA the Info.plist's usage strings and
App Transport Security. androguard reads the APK's container, manifest, resources and
signatures (imported only when one is analysed); `dex` reads the DEX tables itself.
The `app.*` checks judge the evidence; the app pass (`mgov.scan.app_kind`) archives the package
and runs them on registered app channels (docs/apps.md).
"""
