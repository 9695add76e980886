"""Runs: channels selected from the registry, collected and judged by a run kind's
collector and checks, committed one channel at a time, resumable, on one or several
processes. Kinds (the scan, the crawl, a plugin's pass) plug in through `runs.kinds`."""
