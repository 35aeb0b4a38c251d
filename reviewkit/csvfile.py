"""Reading the review's CSV files: all text, blanks kept, missing columns named with the file."""

from __future__ import annotations

from pathlib import Path

from .errors import InputError, did_you_mean


def read(path, *, what: str, columns: list[str] | None = None):
    """A DataFrame of strings from *path*; *what* names the file in errors ("screening log")."""
    import pandas as pd

    path = Path(path)
    if not path.is_file():
        raise InputError(f"{what} not found", source=str(path))
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except Exception as exc:  # pandas ParserError, UnicodeDecodeError, EmptyDataError
        raise InputError(f"{what} is not a readable CSV file: {exc}", source=str(path)) from None
    missing = [c for c in columns or [] if c not in df.columns]
    if missing:
        raise InputError(
            f"missing column(s) {', '.join(missing)} (expected {', '.join(columns or [])})", source=f"{path}:1"
        )
    return df


def conform(df, columns: list[str], *, optional=(), name: str):
    """*df* with exactly *columns*, in that order: *optional* ones added empty when absent, any other is an error
    at line 1 of *name* naming the closest known column."""
    for c in optional:
        if c not in df.columns:
            df = df.assign(**{c: ""})
    unknown = [c for c in df.columns if c not in columns]
    if unknown:
        raise InputError(
            "; ".join(f"unknown column {c!r}{did_you_mean(c, columns)}" for c in unknown), source=f"{name}:1"
        )
    return df[columns].copy()


class Problems:
    """What is wrong with a table's rows, collected row by row, then reported all at once.

    ``problems.row(i, "what was wrong (what was expected)")`` files a problem
    under row *i* (0-based, after the header): it prints as ``file:line:`` —
    line ``i + 2`` of *source*, or ``where[i]`` when the rows came from
    elsewhere (``file:record N``).  :meth:`raise_all` raises one
    :class:`~reviewkit.errors.InputError` listing every problem under
    "invalid *what*:"; :attr:`bad_rows` says which rows to drop when invalid
    rows are skipped instead.
    """

    def __init__(self, what: str, source: str, *, where: list[str] | None = None):
        self.what = what
        self.source = str(source)
        self.where = where
        self.lines: list[str] = []
        self.bad_rows: set[int] = set()

    def here(self, i: int) -> str:
        """Where row *i* is, as errors print it."""
        return self.where[i] if self.where is not None else f"{self.source}:{i + 2}"

    def row(self, i: int, message: str) -> None:
        """A problem with row *i*."""
        self.lines.append(f"{self.here(i)}: {message}")
        self.bad_rows.add(i)

    def __len__(self) -> int:
        return len(self.lines)

    def raise_all(self) -> None:
        """Raise every problem collected so far, if there is one."""
        if self.lines:
            raise InputError(f"invalid {self.what}:\n  " + "\n  ".join(self.lines), source=self.source)
