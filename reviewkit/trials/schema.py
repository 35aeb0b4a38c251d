"""The normalized trial table: columns and date rules.

The vocabularies (statuses, phases, study types, their labels and older
spellings) live in :mod:`reviewkit.vocab`, shared with :mod:`reviewkit.evidence`;
the two labels are re-exported here because notebooks import them from here.
"""

from __future__ import annotations

import functools
import re
from datetime import datetime

from ..vocab import PHASE_LABELS as PHASE_LABELS  # re-exported: `from reviewkit.trials.schema import …` (a notebook)
from ..vocab import STATUS_LABELS as STATUS_LABELS

COLUMNS = [
    "nct_id",
    "brief_title",
    "official_title",
    "acronym",
    "overall_status",
    "phase",
    "study_type",
    "start_date",
    "primary_completion_date",
    "completion_date",
    "enrollment",
    "enrollment_type",
    "conditions",
    "interventions",
    "intervention_types",
    "sponsor",
    "collaborators",
    "countries",
    "has_results",
    "first_posted",
    "last_update_posted",
    "url",
    "source",
]
LIST_COLUMNS = ["conditions", "interventions", "intervention_types", "collaborators", "countries"]
DATE_COLUMNS = ["start_date", "primary_completion_date", "completion_date", "first_posted", "last_update_posted"]
REQUIRED = ["nct_id", "source"]

_MONTH_FORMATS = ["%B %Y", "%b %Y", "%Y-%m"]
_DAY_FORMATS = ["%B %d, %Y", "%b %d, %Y", "%Y-%m-%d", "%d %B %Y"]
_ISO = re.compile(r"^(\d{4})-(\d{2})(?:-(\d{2}))?$")


@functools.lru_cache(maxsize=65536)
def normalize_date(text) -> str | None:
    """ISO date; month precision (``YYYY-MM``) is kept, never given an invented day."""
    if text is None or str(text).strip() == "":
        return ""
    s = str(text).strip()
    m = _ISO.match(s)
    if m:  # the registry's own form: check it is a real date without strptime's cost
        y, mo, d = int(m.group(1)), int(m.group(2)), m.group(3)
        if not 1 <= mo <= 12:
            return None
        if d is None:
            return s
        try:
            datetime(y, mo, int(d))
        except ValueError:
            return None
        return s
    for fmt in _DAY_FORMATS:
        try:
            return datetime.strptime(s, fmt).strftime("%Y-%m-%d")
        except ValueError:
            pass
    for fmt in _MONTH_FORMATS:
        try:
            return datetime.strptime(s, fmt).strftime("%Y-%m")
        except ValueError:
            pass
    return None
