"""Registered trials as a normalized, validated table (see :mod:`.schema`)."""

from .table import read_table, read_trials, select, to_csv  # noqa: F401  (pandas is imported lazily inside)
