"""The password policy (NIST SP 800-63B, 5.1.1.2): long enough, not a common or leaked password,
not built from the user's own name, and not trivially guessable.

"Common" is the bundled list (common_passwords.txt: Chinese sets and system defaults) plus
the password and word lists zxcvbn bundles; "trivially guessable" is zxcvbn's estimate below
3 (under 10^8 guesses: repeats, sequences, keyboard walks, dates, dictionary words with
l33t substitutions). No composition rules (a digit, a capital...): they make passwords harder
to remember, not to guess.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from importlib.resources import files

from mgov.errors import InvalidValue

MIN_LENGTH = 10
MAX_LENGTH = 1000  # argon2 hashes any length; this bounds the work one request can ask for
MIN_SCORE = 3  # zxcvbn: 3 "safely unguessable: moderate protection from offline slow-hash attacks"


@cache
def common_passwords() -> frozenset[str]:
    text = (files("mgov.accounts") / "common_passwords.txt").read_text(encoding="utf-8")
    return frozenset(line.strip().lower() for line in text.splitlines() if line.strip() and not line.startswith("#"))


def _context(user_inputs: Iterable[str | None]) -> list[str]:
    words: list[str] = ["mgov"]
    for value in user_inputs:
        if value:
            words.append(value)
            words.extend(part for part in value.replace("@", ".").replace("-", ".").split(".") if len(part) >= 3)
    return words


def check_password(password: str, *, username: str, user_inputs: Iterable[str | None] = ()) -> None:
    """Refuse a password the policy does not allow, saying why (InvalidValue)."""
    if len(password) < MIN_LENGTH:
        raise InvalidValue(f"a password needs at least {MIN_LENGTH} characters")
    if len(password) > MAX_LENGTH:
        raise InvalidValue(f"a password has at most {MAX_LENGTH} characters")
    lowered = password.lower()
    if lowered.strip() in common_passwords():
        raise InvalidValue("this password is among the most common ones: choose another")
    if len(username) >= 3 and username.lower() in lowered:
        raise InvalidValue("a password must not contain the user name")
    # Deferred: zxcvbn loads its word lists (several MB) only when a password is set.
    from zxcvbn import zxcvbn

    # zxcvbn's estimate looks at the first 100 characters; a longer password is long enough.
    result = zxcvbn(password[:100], user_inputs=_context([username, *user_inputs]))
    if int(result["score"]) < MIN_SCORE:
        warning = str(result.get("feedback", {}).get("warning") or "").rstrip(".")
        why = f" ({warning.lower()})" if warning else ""
        raise InvalidValue(f"this password is too easy to guess{why}: use a longer passphrase of several words")
