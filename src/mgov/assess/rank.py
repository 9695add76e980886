"""Ranks within (tier, kind) and changes from the previous period."""

from __future__ import annotations

from collections.abc import Iterable

from mgov.assess.results import Change, ChannelResult, Rank, Trend

_ORDER = {"pass": 0, "fail": 1, "not_assessed": 2}


def _key(r: ChannelResult) -> tuple[int, float, str, str]:
    # Scored channels by score, highest first; then those without a score (vetoed before the
    # ones that could not be assessed); ties by address, then channel id.
    unscored = 0 if r.score is not None else 1 + _ORDER[r.verdict]
    return (unscored, -(r.score or 0.0), r.address, r.channel_id)


def _standing(r: ChannelResult) -> tuple[int, float]:
    """What a rank compares: the score, and a vetoed channel (no score) below every score."""
    return (0, -r.score) if r.score is not None else (1, 0.0)


def rank(results: Iterable[ChannelResult]) -> list[Rank]:
    """Each channel's rank within its (tier, kind), among the complete results only: by score
    descending; vetoed channels (no score) last. Ties share a rank, standard competition
    ranking (100, 100, 90 rank 1, 1, 3; the vetoed channels share the rank after the scored
    ones); positions list ties by address. Incomplete results (ChannelResult.ranked false)
    take no rank: they are listed after the ranked ones (positions), vetoed before unassessed,
    by address. Sorted by (tier, kind, position)."""
    groups: dict[tuple[str, str], list[ChannelResult]] = {}
    for r in results:
        groups.setdefault((r.tier, r.kind), []).append(r)
    out: list[Rank] = []
    for (tier, kind), members in sorted(groups.items()):
        ranked = sorted((r for r in members if r.ranked), key=_key)
        unranked = sorted((r for r in members if not r.ranked), key=_key)
        place = 0
        for n, r in enumerate(ranked, 1):
            if n == 1 or _standing(r) != _standing(ranked[n - 2]):
                place = n  # a tie keeps the rank of the first of its equals
            out.append(Rank(r.channel_id, r.address, tier, kind, place, len(ranked), r.score, r.verdict, n))
        out += [Rank(r.channel_id, r.address, tier, kind, None, len(ranked), r.score, r.verdict, n)
                for n, r in enumerate(unranked, len(ranked) + 1)]
    return out


def _trend(cur: ChannelResult, prev: ChannelResult) -> Trend:
    if cur.verdict != prev.verdict and "pass" in (cur.verdict, prev.verdict):
        return "improved" if cur.verdict == "pass" else "worse"
    if cur.score is not None and prev.score is not None and cur.score != prev.score:
        return "improved" if cur.score > prev.score else "worse"
    if (cur.score is None) != (prev.score is None) and cur.verdict == prev.verdict == "fail":
        return "improved" if cur.score is not None else "worse"  # out of (or into) a veto
    return "same"


def compare(current: Iterable[ChannelResult], previous: Iterable[ChannelResult]) -> list[Change]:
    """The change of every channel in either period, sorted by channel id."""
    cur = {r.channel_id: r for r in current}
    prev = {r.channel_id: r for r in previous}
    out: list[Change] = []
    for cid in sorted(cur.keys() | prev.keys()):
        c, p = cur.get(cid), prev.get(cid)
        if c is None:
            gone = prev[cid]  # in one of the two: not in cur, so in prev
            out.append(Change(cid, "removed", None, gone.verdict, None, gone.score, None))
            continue
        if p is None:
            out.append(Change(cid, "new", c.verdict, None, c.score, None, None, tuple(c.failed)))
            continue
        delta = round(c.score - p.score, 4) if c.score is not None and p.score is not None else None
        newly = tuple(i for i in c.failed if i not in p.failed)
        resolved = tuple(i for i in p.failed if i not in c.failed)
        out.append(Change(cid, _trend(c, p), c.verdict, p.verdict, c.score, p.score, delta, newly, resolved))
    return out
