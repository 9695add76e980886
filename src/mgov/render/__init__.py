"""The render pass: each web channel's start page in a real browser, per viewport (issue 16).

A render is a run of kind "render" (`kind.RENDER`, registered in the `mgov.run_kinds` entry
points): the same runner, resumability and findings as a scan, with `collector.RenderCollector`
producing the `rendered` evidence (collect.browser) the rendered checks judge. `inspect`
renders pages that are not registered (`mgov inspect`)."""
