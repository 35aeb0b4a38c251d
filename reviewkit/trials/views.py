"""What a trials section shows of the trial table: the date it describes, the dated trials, the tables.

Each function takes the table :func:`reviewkit.trials.read_table` returns (or
the result of :func:`reviewkit.trials.diff`) and returns a value; nothing is
shown or saved here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

__all__ = ["as_of_date", "changes_table", "dated", "trial_table"]

#: trial-table column -> heading of the report's trial table
TRIAL_COLUMNS = {"nct_id": "NCT ID", "brief_title": "Title", "overall_status": "Status", "phase": "Phase"}
#: :func:`reviewkit.trials.diff` column -> heading of the report's table of changes
CHANGE_COLUMNS = {
    "nct_id": "NCT ID",
    "change": "Change",
    "field": "Field",
    "old": "Before",
    "new": "Now",
    "brief_title": "Title",
}
#: what the trial table prints for a trial whose source gives no title
NO_TITLE = "(title not given in the source)"


def as_of_date(trials: pd.DataFrame, given: str = "") -> str:
    """The date the trial list describes: *given* when set, else the latest ``last_update_posted`` in *trials*.

    Returns an ISO date text as the table holds it (``"2024-05-01"`` or ``"2024-05"``), or ``""`` when
    *given* is empty and no trial has an update date.
    """
    if given:
        return given
    posted = [d for d in trials["last_update_posted"] if d]
    return max(posted) if posted else ""


def dated(trials: pd.DataFrame) -> pd.DataFrame:
    """The trials with a start date: those :func:`reviewkit.evidence.figures.trial_timeline` draws."""
    return trials[trials["start_date"] != ""]


def trial_table(trials: pd.DataFrame) -> pd.DataFrame:
    """The report's trial table: NCT ID, Title, Status and Phase in words (``"Recruiting"``, ``"Phase 2"``).

    A missing title reads :data:`NO_TITLE`; link the NCT IDs with
    ``report.table(..., links={"NCT ID": "https://clinicaltrials.gov/study/{}"})``.
    """
    from ..vocab import PHASE_LABELS, STATUS_LABELS

    view = trials.assign(
        brief_title=trials["brief_title"].where(trials["brief_title"] != "", NO_TITLE),
        overall_status=trials["overall_status"].map(STATUS_LABELS),
        phase=trials["phase"].map(PHASE_LABELS),
    )
    return view[list(TRIAL_COLUMNS)].rename(columns=TRIAL_COLUMNS)


def changes_table(changes: pd.DataFrame) -> pd.DataFrame:
    """The report's table of what changed, from :func:`reviewkit.trials.diff`: its columns with readable headings."""
    return changes.rename(columns=CHANGE_COLUMNS)
