"""The crawl pass: a bounded crawl of each web channel, its link graph and link outcomes,
and the content facts the content checks judge (see docs/crawl-design.md).

A crawl is a run of kind "crawl" (`kind.CRAWL`, registered in the `mgov.run_kinds` entry
points): the same runner, resumability and findings as a scan, with
`collector.CrawlCollector` producing the evidence and `store.CrawlSaver` storing the link
graph, pages and content history in the transaction of each channel's findings."""
