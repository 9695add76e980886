"""What the compiled code (classes*.dex) holds: class names (for trackers), strings (for
endpoints and secrets) and the methods it calls (for WebView's JavaScript bridge).

Read from the DEX's tables (`apps.dex`); the method references are its method-id table (every
method the code calls or defines), so a call to addJavascriptInterface is seen without
decompiling anything.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from mgov.apps.dex import read_tables
from mgov.apps.strings import StringFacts, scan_strings
from mgov.apps.trackers import class_name
from mgov.evidence.app import WebViewUse

JS_INTERFACE = "addJavascriptInterface"
JS_ENABLED = "setJavaScriptEnabled"
BRIDGE = frozenset({JS_INTERFACE, JS_ENABLED})
MAX_WEBVIEW_CLASSES = 10


@dataclass
class CodeFacts:
    classes: list[str] = field(default_factory=list)  # slash-separated class names, every DEX
    webview: WebViewUse = field(default_factory=WebViewUse)


def webview_use(method_refs: Iterable[tuple[str, str]]) -> WebViewUse:
    """From (class descriptor, method name) pairs: the JavaScript bridge calls and their classes."""
    use = WebViewUse()
    classes: list[str] = []
    for owner, name in method_refs:
        if name == JS_INTERFACE:
            use.javascript_interface = True
        elif name == JS_ENABLED:
            use.javascript_enabled = True
        else:
            continue
        if len(classes) < MAX_WEBVIEW_CLASSES:
            classes.append(class_name(owner).replace("/", "."))
    use.classes = list(dict.fromkeys(classes))
    return use


def read_code(dex_files: Iterable[bytes], strings: StringFacts) -> CodeFacts:
    """Class names and the WebView bridge of every DEX; its strings go to `strings`. A
    malformed DEX raises apps.dex.DexError."""
    facts = CodeFacts()
    refs: list[tuple[str, str]] = []
    for raw in dex_files:
        tables = read_tables(raw, BRIDGE)
        facts.classes.extend(class_name(name) for name in tables.classes)
        scan_strings(tables.strings, "dex", strings)
        refs.extend(tables.method_refs)
    facts.webview = webview_use(refs)
    return facts
