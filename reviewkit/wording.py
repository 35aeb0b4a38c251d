"""Counting words for computed sentences ("one trial", "21 trials"), shared by every layer that writes prose.

:mod:`reviewkit.evidence.prose` re-exports these; :mod:`reviewkit.trials.diff` uses them directly, so the
trials layer does not import the evidence layer.  Standard library only.
"""

from __future__ import annotations

_SMALL = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"]


def number(n: int, *, words: bool = True) -> str:
    """Integers below 11 in words (journal style), larger ones in digits."""
    n = int(n)
    return _SMALL[n] if words and 0 <= n <= 10 else f"{n:,}"


def plural(n: int, singular: str, plural_form: str | None = None) -> str:
    """*singular* when *n* is 1, else *plural_form* (default: *singular* + "s")."""
    return singular if int(n) == 1 else (plural_form or singular + "s")


def count(n: int, singular: str, plural_form: str | None = None, *, words: bool = True) -> str:
    """``count(1, "trial") -> "one trial"``; ``count(21, "trial") -> "21 trials"``."""
    return f"{number(n, words=words)} {plural(n, singular, plural_form)}"
