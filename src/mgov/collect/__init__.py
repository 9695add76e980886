"""Collect: the only layer that talks to channels. Async; every HTTP exchange is archived.

Modules (importing this package imports none of them):

- ``evidence``  the contract with the checks (SiteEvidence, Fetch, Exchange, ...)
- ``site``      ``collect_site(facts, needs, ctx)`` and ``CollectContext``
- ``client``    ``HttpClient``: the one HTTP client (aiohttp), limits, caps, redirects
- ``routing``   ``Routing``: connect-to rules, resolver, CA bundle, SSRF guard
- ``resolver``  DNS through dnspython, and the guarded addresses connections go to
- ``tls``       ``probe_tls``: certificate and protocol facts through the ssl module
- ``warc``      ``WarcWriter`` and ``read_record``: the archive
- ``body``, ``resources``, ``failure``, ``settings``: decoding, subresources, statuses, knobs
"""
