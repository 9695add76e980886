"""`mgov demo` as a library: the whole loop on the embedded default, on this machine alone.

`run_demo(DemoEnv(settings), reporter)` registers the bundled registries, starts the demo
farm, scans and crawls it, verifies the findings against the farm's manifest, audits
accountability, assesses the Chinese sites, opens their tasks and makes two demo logins;
each step is told to the reporter (the command line prints it). Serving the dashboard is
the command's business, not the library's."""

from mgov.demo.run import DemoEnv, DemoReporter, run_demo

__all__ = ["DemoEnv", "DemoReporter", "run_demo"]
