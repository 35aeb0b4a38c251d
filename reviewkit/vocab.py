"""The trial vocabularies, in one place: statuses, phases, study types, their labels and older spellings.

Statuses and phases use the ClinicalTrials.gov API v2 vocabulary whatever the
input spelled ("Active, not recruiting" -> ``ACTIVE_NOT_RECRUITING``,
"Phase 1/Phase 2" -> ``PHASE1/PHASE2``, "N/A" -> ``NA``).

Both :mod:`reviewkit.trials` (reading and diffing registry records) and
:mod:`reviewkit.evidence` (figures and prose about them) import from here, so
neither layer imports the other.  Standard library only; nothing happens at import.
"""

from __future__ import annotations

import functools
import re

STATUSES = [
    "RECRUITING",
    "NOT_YET_RECRUITING",
    "ENROLLING_BY_INVITATION",
    "ACTIVE_NOT_RECRUITING",
    "COMPLETED",
    "SUSPENDED",
    "TERMINATED",
    "WITHDRAWN",
    "UNKNOWN",
    "AVAILABLE",
    "NO_LONGER_AVAILABLE",
    "TEMPORARILY_NOT_AVAILABLE",
    "APPROVED_FOR_MARKETING",
    "WITHHELD",
]
PHASES = ["EARLY_PHASE1", "PHASE1", "PHASE1/PHASE2", "PHASE2", "PHASE2/PHASE3", "PHASE3", "PHASE4", "NA"]
STUDY_TYPES = ["INTERVENTIONAL", "OBSERVATIONAL", "EXPANDED_ACCESS"]

#: Human labels for figures and tables
STATUS_LABELS = {s: s.replace("_", " ").capitalize() for s in STATUSES} | {
    "ACTIVE_NOT_RECRUITING": "Active, not recruiting",
}
PHASE_LABELS = {
    "EARLY_PHASE1": "Early phase 1",
    "PHASE1": "Phase 1",
    "PHASE1/PHASE2": "Phase 1/2",
    "PHASE2": "Phase 2",
    "PHASE2/PHASE3": "Phase 2/3",
    "PHASE3": "Phase 3",
    "PHASE4": "Phase 4",
    "NA": "Not applicable",
    "": "Not given",
}

#: Spellings of the older ClinicalTrials.gov site and API (classic CSV, API v1) -> API v2 vocabulary.
#: Each is read with a warning; none is a guess ("Phase 0" is what the registry renamed "Early Phase 1").
OLD_STATUSES = {"UNKNOWN_STATUS": "UNKNOWN", "AVAILABLE_FOR_EXPANDED_ACCESS": "AVAILABLE"}
OLD_PHASES = {"PHASE 0": "EARLY_PHASE1", "PHASE0": "EARLY_PHASE1"}
OLD_STUDY_TYPES = {"OBSERVATIONAL_PATIENT_REGISTRY": "OBSERVATIONAL", "EXPANDED_ACCESS_INDIVIDUAL": "EXPANDED_ACCESS"}


def token(text: str) -> str:
    """*text* as a vocabulary token: upper case, runs of anything else than letters and digits as ``_``."""
    return re.sub(r"[^A-Z0-9]+", "_", text.strip().upper()).strip("_")


def _in_vocabulary(text, vocabulary: list[str], old: dict[str, str]) -> str | None:
    """The token of *text* in *vocabulary* (an *old* spelling read as its new one), ``""`` if empty, else ``None``."""
    if text is None or str(text).strip() == "":
        return ""
    tok = token(str(text))
    tok = old.get(tok, tok)
    return tok if tok in vocabulary else None


@functools.lru_cache(maxsize=1024)
def normalize_status(text) -> str | None:
    """API v2 status for any spelling, ``""`` if empty, ``None`` if unknown."""
    return _in_vocabulary(text, STATUSES, OLD_STATUSES)


@functools.lru_cache(maxsize=1024)
def normalize_phase(text) -> str | None:
    """``PHASE1/PHASE2`` etc. for "Phase 1/Phase 2", "PHASE1, PHASE2", "Phase 1|Phase 2", "N/A"…"""
    if text is None or str(text).strip() == "":
        return ""
    s = str(text).strip().upper()
    if s in {"N/A", "NA", "NOT APPLICABLE"}:
        return "NA"
    s = s.replace("EARLY PHASE 1", "EARLY_PHASE1").replace("EARLY_PHASE_1", "EARLY_PHASE1")
    s = re.sub(r"\bPHASE ?0\b", "EARLY_PHASE1", s)
    parts = [re.sub(r"PHASE\s*_?\s*(\d)", r"PHASE\1", p.strip()) for p in re.split(r"[/|,]", s) if p.strip()]
    value = "/".join(parts)
    return value if value in PHASES else None


def normalize_study_type(text) -> str | None:
    """API v2 study type for any spelling, ``""`` if empty, ``None`` if unknown."""
    return _in_vocabulary(text, STUDY_TYPES, OLD_STUDY_TYPES)


def old_spelling(column: str, text) -> bool:
    """Whether *text* is an older registry spelling of a value in *column* (read, with a warning)."""
    s = str(text or "").strip().upper()
    if column == "overall_status":
        return token(s) in OLD_STATUSES
    if column == "phase":
        return bool(re.search(r"\bPHASE ?0\b", s))
    if column == "study_type":
        return token(s) in OLD_STUDY_TYPES
    return False
