"""Where a review's things are and what they are called: the project folder (the one holding ``review.toml``),
slugs for names made from values, and the line of a key in ``review.toml`` for errors.

A neutral module (standard library only): :mod:`reviewkit.project` and the notebooks use it as well as
:mod:`reviewkit.pipeline.config` and :mod:`reviewkit.report.settings`, so none of them imports a layer above it.
"""

from __future__ import annotations

import re
from pathlib import Path

from .errors import ConfigError

CONFIG_NAME = "review.toml"
LOCK_NAME = "references/citation-lock.json"  # the identifiers cited, resolved (reviewkit.citations.resolve)


def find_root(start=None) -> Path:
    """The folder holding ``review.toml``: *start* (default: the working directory) or its nearest parent."""
    here = Path(start or Path.cwd()).resolve()
    if here.is_file():
        here = here.parent
    for d in (here, *here.parents):
        if (d / CONFIG_NAME).is_file():
            return d
    raise ConfigError(f"no {CONFIG_NAME} here or in any parent folder", source=str(here))


def slug(value) -> str:
    """*value* as a name part: lower case, runs of anything but letters and digits as ``-`` (``"x"`` if empty)."""
    return re.sub(r"[^a-z0-9]+", "-", str(value).lower()).strip("-") or "x"


def line_of(text: str, key: str, span: tuple[int, int] | None = None) -> int:
    """Line of ``key =`` in *text* (within *span*, the character range of one table), else of the table."""
    start, end = span or (0, len(text))
    m = re.compile(rf"^[ \t]*{re.escape(key)}[ \t]*=", re.MULTILINE).search(text, start, end)
    return text[: m.start() if m else start].count("\n") + 1
