"""Reading the review's CSV files: all text, blanks kept, missing columns named with the file."""

from __future__ import annotations

from pathlib import Path

from .errors import InputError


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
        raise InputError(f"missing column(s) {', '.join(missing)} (expected {', '.join(columns)})", source=f"{path}:1")
    return df
