"""The scan pass (each channel's HTTP, TLS, DNS and files, judged by the checks) and
availability probes. The runner it plugs into is `mgov.runs`."""
