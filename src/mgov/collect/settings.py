"""The knobs of the collect layer: limits, timeouts, caps and the User-Agent.

One frozen value shared by every collector of a scan, so that a scan's behaviour is stated
in one place and can be recorded beside its results.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from mgov import __version__

MIB = 1 << 20

DEFAULT_USER_AGENT = (f"mgov/{__version__} (+https://github.com/mgov/mgov; "
                      "government website monitoring)")


class Family(StrEnum):
    """Which addresses a fetch may connect to (the ipv6 check needs IPv6 alone)."""

    ANY = "any"
    IPV4 = "ipv4"
    IPV6 = "ipv6"


@dataclass(frozen=True)
class CollectSettings:
    user_agent: str = DEFAULT_USER_AGENT
    accept_language: str | None = None  # sent as Accept-Language when set
    # Exchanges in flight across all hosts. At 64, a scan of sites 100 ms away waited on this
    # limit (at most ~250 exchanges/s); 256 leaves the event loop as the limit
    # (bench/scan_farm.py). Bodies in memory are bounded by it times body_cap.
    global_limit: int = 256
    per_host_limit: int = 4  # exchanges in flight to one host name: politeness to small sites
    connect_timeout: float = 10.0
    read_timeout: float = 20.0  # longest silence while reading a response
    total_timeout: float = 60.0  # one exchange, from connect to the last body byte
    # DNS (collect.dns): a query's lifetime, every try included; one UDP try's timeout (a
    # lost packet costs this, not the lifetime); UDP losses in a row before TCP; queries a
    # second to one DNS server (a national scan must not flood its resolver).
    dns_timeout: float = 8.0
    dns_try_timeout: float = 1.0
    dns_tcp_after: int = 2
    dns_qps: float = 200.0
    tls_timeout: float = 10.0  # one handshake of the TLS probe
    body_cap: int = 5 * MIB  # bytes kept of a body, on the wire and once decoded
    max_ratio: float = 100.0  # decoded/encoded beyond which a body counts as a bomb ...
    ratio_floor: int = 1 * MIB  # ... once it has decoded to at least this many bytes
    redirect_cap: int = 10
    max_header_line: int = 65536  # longest response header line accepted (aiohttp: 8190)
    max_resources: int = 30
    max_addresses: int = 2  # addresses of one name tried when connecting fails
    # How long an idle connection is kept for reuse. A site's fetches come in two quick
    # rounds; beyond that an idle TLS connection only costs memory (asyncio gives each one a
    # 256 KiB read buffer: at aiohttp's default of 15 s a scan of many sites holds thousands).
    keepalive_timeout: float = 2.0
    # False: a certificate that does not verify fails the exchange (tls_invalid).
    # True: the exchange is made again without verification and keeps the response, with
    # the verification error in Exchange.tls_error; TlsFacts judge the certificate.
    tls_fallback: bool = False
    # New-media platforms (collect.platforms): requests a second to one platform host (a
    # national registry's 20,000 accounts share m.weibo.cn), and the ActivityPub servers whose
    # account search `mgov discover` asks (host names; none: no ActivityPub search).
    platform_rate: float = 2.0
    activitypub_search: tuple[str, ...] = ()
    # A cluster's Redis URL: the per-host, per-DNS-server and per-platform limits above hold
    # across every worker (collect.pace); None: in this process only.
    shared_limits: str | None = None
