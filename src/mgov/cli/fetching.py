"""Options shared by every command that fetches: which channels, routing, and the SSRF guard's allowance."""

from __future__ import annotations

import typer

KINDS = typer.Option(None, "--kind", "-k", help="website or mobile_site; repeatable.")
CHANNELS = typer.Option(None, "--channel", help="Only this address; repeatable.")
CONNECT_TO = typer.Option(None, "--connect-to", metavar="HOST1:PORT1:HOST2:PORT2",
                          help="Connect to HOST2:PORT2 instead of HOST1:PORT1 (curl's semantics; an empty "
                               "HOST1 matches any host, an empty HOST2 keeps the address DNS gave). Repeatable.")
DNS = typer.Option(None, "--dns", metavar="ADDR:PORT", help="The DNS server for every lookup.")
CA_BUNDLE = typer.Option(None, "--ca-bundle", metavar="PEM",
                         help="Certificates trusted in addition to the system store.")
ALLOW_PRIVATE = typer.Option(False, "--allow-private",
                             help="Let the SSRF guard pass private, loopback and link-local targets.")
CLUSTER = typer.Option(False, "--cluster", help="Send the run's channels to the cluster's workers (`mgov worker`); "
                                                "the default when \\[cluster] of mgov.toml names a broker.")
DETACH = typer.Option(False, "--detach", help="With a cluster: send the run and return at once (follow it with "
                                              "`mgov runs`).")
