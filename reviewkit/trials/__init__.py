"""Registered trials as a normalized, validated table: read, select, classify, compare, show.

The public names — what a notebook imports — are those in ``__all__``:

- :func:`read_table`, :func:`read_trials`: a trial table (normalized CSV, the registry's CSV export, API v2
  JSON or a snapshot folder) as a validated DataFrame; :func:`to_csv` writes it back.
- :func:`select`: the trials of a condition and statuses.
- :func:`read_classes`, :func:`classify`: intervention classes from the curated table.
- :func:`diff`, :func:`diff_summary`: what changed between two editions, as a table and as a sentence.
- :func:`as_of_date`, :func:`dated`, :func:`trial_table`, :func:`changes_table`: what a trials section shows.
- ``STATUS_LABELS``, ``PHASE_LABELS``: dicts from the registry's codes (``ACTIVE_NOT_RECRUITING``,
  ``PHASE1/PHASE2``) to the words a report prints (``Active, not recruiting``, ``Phase 1/2``).

Every submodule (``reviewkit.trials.table``, ``.schema``, ``.ctgov``, …) is internal: it may change
without notice.  Importing this package is cheap: pandas is imported on first use.
"""

from .classify import classify, read_classes
from .diff import diff
from .diff import summary as diff_summary
from .schema import PHASE_LABELS, STATUS_LABELS
from .table import read_table, read_trials, select, to_csv
from .views import as_of_date, changes_table, dated, trial_table

__all__ = [
    "PHASE_LABELS",
    "STATUS_LABELS",
    "as_of_date",
    "changes_table",
    "classify",
    "dated",
    "diff",
    "diff_summary",
    "read_classes",
    "read_table",
    "read_trials",
    "select",
    "to_csv",
    "trial_table",
]
