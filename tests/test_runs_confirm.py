"""Confirm before failing (runs.confirm): a verdict that may rest on a passing fault counts
only when a second attempt agrees; the record keeps both attempts' evidence."""

from __future__ import annotations

from mgov.checks.base import Finding, Status
from mgov.evidence.exchange import WarcRef
from mgov.runs.confirm import needs_recheck, settle

A1, A2, B1 = WarcRef("a.warc.gz", 0, 10), WarcRef("a.warc.gz", 10, 10), WarcRef("b.warc.gz", 0, 10)


def f(check: str, status: Status, *, recheck: bool = False, evidence: list[WarcRef] | None = None,
      message: str = "", value: object = None) -> Finding:
    return Finding(check, status, value, message, message, list(evidence or []), recheck=recheck)


def test_a_failure_that_recovers_passes_with_a_note_and_both_records() -> None:
    first = [f("availability", Status.FAIL, recheck=True, evidence=[A1], message="the homepage did not answer",
               value={"status": None}),
             f("hsts", Status.PASS, evidence=[A1])]
    assert needs_recheck(first) == ["availability"]
    again = [f("availability", Status.PASS, evidence=[A2], value={"status": 200})]
    settled = settle(first, again)
    assert [s.status for s in settled] == [Status.PASS, Status.PASS]
    recovered = settled[0]
    assert "recovered on re-check" in recovered.message and "did not answer" in recovered.message
    assert "复查恢复正常" in recovered.message_zh
    assert recovered.evidence == [A2, A1] and recovered.value == {"status": 200, "attempts": ["fail", "pass"]}
    assert settled[1] is first[1]  # not re-checked: as it was


def test_a_failure_seen_twice_stands_with_both_records() -> None:
    first = [f("availability", Status.FAIL, recheck=True, evidence=[A1], message="HTTP 503")]
    settled = settle(first, [f("availability", Status.FAIL, evidence=[B1], message="HTTP 503")])[0]
    assert settled.status is Status.FAIL and "confirmed on re-check" in settled.message
    assert settled.evidence == [B1, A1] and not settled.recheck


def test_a_shaky_verdict_never_gets_worse_on_re_check() -> None:
    """A slow homepage that answers 503 the second time stays a warning: a failure must be seen twice."""
    first = [f("availability", Status.WARN, recheck=True, evidence=[A1], message="the homepage took 2500 ms")]
    settled = settle(first, [f("availability", Status.FAIL, recheck=True, evidence=[B1])])[0]
    assert settled.status is Status.WARN and "not confirmed on re-check" in settled.message
    unverified = [f("ipv6", Status.FAIL, recheck=True)]
    assert settle(unverified, [f("ipv6", Status.ERROR, recheck=True)])[0].status is Status.ERROR  # unconfirmed


def test_what_the_first_attempt_could_not_see_the_second_may() -> None:
    """The homepage was down (503) the first time, so no page check could judge it; the second
    time the page is there and lacks a required link: that failure rests on the page itself."""
    first = [f("links.required", Status.ERROR, recheck=True, evidence=[A1], message="the homepage: HTTP 503")]
    settled = settle(first, [f("links.required", Status.FAIL, evidence=[B1], message="missing links: foia")])[0]
    assert settled.status is Status.FAIL and "observed on re-check" in settled.message
    assert settled.evidence == [B1, A1]


def test_variants_are_settled_each_against_their_own() -> None:
    first = [Finding("links.required", Status.FAIL, recheck=True, variant="aaa"),
             Finding("links.required", Status.FAIL, recheck=True, variant="bbb")]
    again = [Finding("links.required", Status.PASS, variant="aaa"),
             Finding("links.required", Status.FAIL, variant="bbb")]
    assert [s.status for s in settle(first, again)] == [Status.PASS, Status.FAIL]


def test_a_pass_timed_during_a_stall_is_settled_by_its_re_check() -> None:
    """A homepage timed at 3.1 s while mgov's loop stalled 1.4 s passes at 1.7 s, but asks to be
    timed again: slow again, apart, it is slow; a re-check that passes confirms the pass."""
    first = [f("availability", Status.PASS, recheck=True, evidence=[A1], value={"elapsed_ms": 1700, "lag_ms": 1400})]
    slow = settle(first, [f("availability", Status.WARN, recheck=True, evidence=[B1], message="took 3050 ms")])[0]
    assert slow.status is Status.WARN and "observed on re-check" in slow.message
    passed = settle(first, [f("availability", Status.PASS, evidence=[B1])])[0]
    assert passed.status is Status.PASS and "confirmed on re-check" in passed.message


def test_a_failure_whose_re_check_answers_slowly_once_is_up_not_slow() -> None:
    """A homepage down a moment (503), answering on the re-check but slowly: the site is up, and
    a slowness seen once (on a busy machine, say) is not published as a slow site."""
    first = [f("availability", Status.FAIL, recheck=True, evidence=[A1], message="the homepage answers HTTP 503")]
    slow_once = f("availability", Status.WARN, recheck=True, evidence=[B1], message="the homepage took 2362 ms",
                  value={"elapsed_ms": 2362})
    slow_once.unconfirmed = Status.PASS
    settled = settle(first, [slow_once])[0]
    assert settled.status is Status.PASS and "whose own reading was not confirmed" in settled.message
    assert settled.value == {"elapsed_ms": 2362, "attempts": ["fail", "warn"]} and settled.evidence == [B1, A1]
    # Slow on both attempts: slow, confirmed.
    twice = settle([f("availability", Status.WARN, recheck=True, evidence=[A1], message="took 2500 ms")], [slow_once])
    assert twice[0].status is Status.WARN and "confirmed on re-check" in twice[0].message
