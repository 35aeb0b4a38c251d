"""Registered trials as a normalized, validated table (see :mod:`.schema`)."""

from .table import read_table, select  # noqa: F401  (pandas is imported lazily inside)
