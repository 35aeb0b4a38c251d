"""Errors that reviewkit reports to users.

Every error carries a *source* (``file``, ``file:line`` or ``file:record``) and a
message saying what was wrong and what was expected.  The CLI prints
``source: message`` on standard error and exits with :attr:`exit_code`.
"""

from __future__ import annotations


class ReviewkitError(Exception):
    """Base class: a problem the user can fix."""

    exit_code = 2

    def __init__(self, message: str, source: str | None = None):
        super().__init__(message)
        self.message = message
        self.source = source

    def __str__(self) -> str:
        return f"{self.source}: {self.message}" if self.source else self.message


class InputError(ReviewkitError):
    """Bad input data or configuration (exit status 2)."""


class ConfigError(InputError):
    """``review.toml`` is missing, malformed or inconsistent."""


class CitationError(InputError):
    """A citation key or identifier cannot be resolved."""


class NotebookError(ReviewkitError):
    """A notebook failed while executing (exit status 1)."""

    exit_code = 1


class ExportError(ReviewkitError):
    """The report could not be exported (exit status 1)."""

    exit_code = 1


def closest(word: str, choices, n: int = 3) -> list[str]:
    """The closest valid choices to *word*, best first (for 'did you mean')."""
    import difflib

    choices = list(choices)
    found = difflib.get_close_matches(word, choices, n=n, cutoff=0.5)
    if not found:
        low = word.lower()
        found = [c for c in choices if low and (low in c.lower() or c.lower() in low)][:n]
    return found


def did_you_mean(word: str, choices) -> str:
    found = closest(word, choices)
    return f" (did you mean {', '.join(repr(f) for f in found)}?)" if found else ""
