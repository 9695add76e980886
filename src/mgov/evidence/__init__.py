"""The ground floor: the evidence collectors produce and checks read.

Plain data with no I/O and no network or database library: `site` (a channel's HTTP, DNS
and TLS evidence), `crawl` (what the crawl pass saw), `content` (a site's content summary
and history) and `urls` (URL canonicalization shared by collectors and content analysis).
Everything above imports from here; nothing here imports anything of mgov's above it."""
