"""Content analysis of crawled pages: pure functions of page text, no I/O.

`dates` reads dates, `rules` holds what to look for, `page.analyze_page` gives one page's
facts, `site.SiteContent` folds them into a site summary (see docs/crawl-design.md)."""
