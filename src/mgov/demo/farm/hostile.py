"""The hostile network: transient faults the farm can add on top of its sites' defects.

A real scan meets a resolver that drops queries in a burst or answers SERVFAIL, servers that
answer late, firewalls that reset a client's first connection, and sites down for a moment. None of that is a defect
of the site: a retry gets through. The farm makes these faults deterministic (a keyed hash
of the seed and what is asked, never a clock or a shared random stream), so a test sees the
same faults every run, and it never repeats a fault on the next attempt, so a client that
retries always gets the true answer. The manifest records the options (runtime.options);
they add no defect.
"""

from __future__ import annotations

import hashlib
import random
import time
from dataclasses import asdict, dataclass
from typing import Any

DROP, SERVFAIL = "drop", "servfail"

# `--hostile-network`: a third of the UDP queries lost, one in twenty SERVFAIL, 0-150 ms per
# response (far below the 2 s "slow"), a fifth of the sites resetting a client's first
# connection, one in twenty down (503) for a moment when first asked.
DEFAULTS: dict[str, float] = {"dns_drop": 0.3, "dns_servfail": 0.05, "jitter_ms": 150.0,
                              "reset_share": 0.2, "outage_share": 0.05}


def fraction(*parts: object) -> float:
    """A number in [0, 1) determined by parts alone (BLAKE2b: uniform, not Python's salted hash)."""
    digest = hashlib.blake2b("\x1f".join(map(str, parts)).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2.0 ** 64


@dataclass(frozen=True)
class Hostility:
    """How hostile the farm's network is; the zero value is the farm's usual behaviour.

    dns_drop, dns_servfail: shares of UDP queries dropped and answered SERVFAIL (first
    attempts; the attempt after a fault is always answered; TCP is always answered).
    jitter_ms: each site response waits a further uniform 0..jitter_ms.
    reset_share: share of sites whose first connection from a client is reset without a
    byte; the site then admits connections until it has been idle reset_memory seconds.
    outage_share: share of sites that answer 503 to everything for outage_seconds from the
    first request they get (a passing outage: over by the time a re-check comes).
    seed: of the faults (None: the manifest's seed).
    """

    dns_drop: float = 0.0
    dns_servfail: float = 0.0
    jitter_ms: float = 0.0
    reset_share: float = 0.0
    reset_memory: float = 60.0
    outage_share: float = 0.0
    outage_seconds: float = 1.0
    seed: int | None = None

    def __post_init__(self) -> None:
        for name in ("dns_drop", "dns_servfail", "reset_share", "outage_share"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"{name} must be within [0, 1]")
        if self.dns_drop + self.dns_servfail > 1.0:
            raise ValueError("dns_drop + dns_servfail must not exceed 1")
        if self.jitter_ms < 0 or self.reset_memory <= 0 or self.outage_seconds <= 0:
            raise ValueError("jitter_ms must be >= 0, reset_memory and outage_seconds > 0")

    @classmethod
    def default(cls, seed: int | None = None, **overrides: float) -> Hostility:
        """`--hostile-network`: DEFAULTS, with any of them overridden."""
        return cls(**{**DEFAULTS, **overrides}, seed=seed)

    @property
    def active(self) -> bool:
        return bool(self.dns_drop or self.dns_servfail or self.jitter_ms or self.reset_share or self.outage_share)

    def options(self, seed: int) -> dict[str, Any]:
        """What the manifest records (runtime.options), with the seed the faults use."""
        return {"hostile_network": self.active, **asdict(self), "seed": self.seed_or(seed)}

    def seed_or(self, seed: int) -> int:
        return seed if self.seed is None else self.seed


class DnsFaults:
    """Which UDP queries to drop or answer SERVFAIL: attempt n of a question (name, type) is
    faulted when fraction(seed, name, type, n) falls in the drop or SERVFAIL share, unless
    attempt n-1 was faulted. Two clients asking the same question at once share its count."""

    LIMIT = 1 << 20  # questions remembered; past it the counts start again

    def __init__(self, seed: int, drop: float, servfail: float) -> None:
        self.seed, self.drop, self.servfail = seed, drop, drop + servfail
        self.asked: dict[tuple[str, int], int] = {}  # question -> attempts; negative: last one faulted

    def __bool__(self) -> bool:
        return self.servfail > 0

    def decide(self, name: str, rdtype: int) -> str | None:
        """DROP, SERVFAIL or None (answer) for the next UDP attempt of this question."""
        key = (name, int(rdtype))
        seen = self.asked.get(key, 0)
        if seen < 0:  # the last attempt was faulted: this one gets through
            self.asked[key] = -seen + 1
            return None
        if len(self.asked) >= self.LIMIT:
            self.asked.clear()
        u = fraction(self.seed, "dns", name, key[1], seen)
        verdict = DROP if u < self.drop else SERVFAIL if u < self.servfail else None
        self.asked[key] = -(seen + 1) if verdict else seen + 1
        return verdict


class FirstContact:
    """A firewall in front of a share of the sites: it resets the first connection of a
    client it has not seen for `memory` seconds, and admits every connection after it (each
    one keeps the client remembered). Every client is on loopback: one memory per site."""

    def __init__(self, seed: int, share: float, memory: float) -> None:
        self.seed, self.share, self.memory = seed, share, memory
        self.until: dict[str, float] = {}  # site -> admitted until (monotonic)
        self.resets = 0

    def __bool__(self) -> bool:
        return self.share > 0

    def guards(self, host: str) -> bool:
        """Whether the site (by its canonical host) sits behind the firewall."""
        return self.share > 0 and fraction(self.seed, "reset", host) < self.share

    def touch(self, host: str) -> None:
        """A connection the firewall let through talks on: the client stays known."""
        self.until[host] = time.monotonic() + self.memory

    def refuse(self, host: str) -> bool:
        """Whether this connection to a guarded site is reset (and the client now known)."""
        now = time.monotonic()
        known = self.until.get(host, 0.0) > now
        self.until[host] = now + self.memory
        if not known:
            self.resets += 1
        return not known


class Outage:
    """A share of the sites down for a moment: every request answers 503 for `seconds` from
    the first request the site gets, then the site is up for good."""

    def __init__(self, seed: int, share: float, seconds: float) -> None:
        self.seed, self.share, self.seconds = seed, share, seconds
        self.began: dict[str, float] = {}  # site -> when its outage began (monotonic)
        self.refused = 0

    def __bool__(self) -> bool:
        return self.share > 0

    def hits(self, host: str) -> bool:
        """Whether the site (by its canonical host) has such an outage."""
        return self.share > 0 and fraction(self.seed, "outage", host) < self.share

    def down(self, host: str) -> bool:
        now = time.monotonic()
        if now - self.began.setdefault(host, now) < self.seconds:
            self.refused += 1
            return True
        return False


class Jitter:
    """A delay of uniform 0..jitter_ms per response, from a seeded stream."""

    def __init__(self, seed: int, jitter_ms: float) -> None:
        self.spread = jitter_ms / 1000.0
        self.rng = random.Random(f"{seed}/jitter")

    def __bool__(self) -> bool:
        return self.spread > 0

    def __call__(self) -> float:
        return self.rng.random() * self.spread
