"""The crawl pass: a bounded crawl of each web channel, its link graph and link outcomes,
and the content facts the content checks judge (see docs/crawl-design.md).

A crawl is a scan run of kind "crawl": the same runner, resumability and findings, with
`collector.crawl_collector` producing the evidence and `store.CrawlSaver` storing the link
graph, pages and content history in the transaction of each channel's findings."""
