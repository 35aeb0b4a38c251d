"""The ClinicalTrials.gov website's "Download CSV" (30 columns) -> normalized rows.

Multi-valued cells are ``|``-joined; interventions read ``TYPE: name``;
dates are ``YYYY-MM``, ``YYYY-MM-DD`` or blank; quoted cells may hold line
breaks (pandas' C parser handles them).
"""

from __future__ import annotations

from pathlib import Path

from ..errors import InputError, did_you_mean

COLUMNS = [
    "NCT Number",
    "Study Title",
    "Study URL",
    "Acronym",
    "Study Status",
    "Brief Summary",
    "Study Results",
    "Conditions",
    "Interventions",
    "Primary Outcome Measures",
    "Secondary Outcome Measures",
    "Other Outcome Measures",
    "Sponsor",
    "Collaborators",
    "Sex",
    "Age",
    "Phases",
    "Enrollment",
    "Funder Type",
    "Study Type",
    "Study Design",
    "Other IDs",
    "Start Date",
    "Primary Completion Date",
    "Completion Date",
    "First Posted",
    "Results First Posted",
    "Last Update Posted",
    "Locations",
    "Study Documents",
]
REQUIRED = ["NCT Number", "Study Title", "Study Status", "Phases", "Study Type", "Start Date"]


def is_site_export(header: list[str]) -> bool:
    return "NCT Number" in header  # the export's distinctive first column


def _split(cell: str) -> list[str]:
    return [v.strip() for v in cell.split("|") if v.strip()] if cell else []


def read_csv(path) -> tuple[list[dict], list[str]]:
    from .table import read_csv_file

    return read_frame(read_csv_file(path), Path(path))


def read_frame(df, path) -> tuple[list[dict], list[str]]:
    """Rows of the website export already read as a DataFrame of strings."""
    path = Path(path)
    missing = [c for c in REQUIRED if c not in df.columns]
    if missing:
        unknown = [c for c in df.columns if c not in COLUMNS]
        hints = "; ".join(f"{m!r}{did_you_mean(m, unknown)}" for m in missing)
        raise InputError(f"missing column(s) of the ClinicalTrials.gov CSV export: {hints}", source=f"{path}:1")
    rows, where = [], []
    for i, r in enumerate(df.to_dict("records"), start=2):
        interventions = _split(r.get("Interventions", ""))
        names, types = [], []
        for item in interventions:
            kind, sep, name = item.partition(": ")
            names.append(name if sep else item)
            types.append(kind if sep else "")
        locations = _split(r.get("Locations", ""))
        rows.append(
            {
                "nct_id": r["NCT Number"].strip(),
                "brief_title": r["Study Title"],
                "official_title": "",
                "acronym": r.get("Acronym", ""),
                "overall_status": r["Study Status"],
                "phase": "/".join(_split(r["Phases"])),
                "study_type": r["Study Type"],
                "start_date": r["Start Date"],
                "primary_completion_date": r.get("Primary Completion Date", ""),
                "completion_date": r.get("Completion Date", ""),
                "enrollment": r.get("Enrollment", ""),
                "enrollment_type": "",
                "conditions": _split(r.get("Conditions", "")),
                "interventions": names,
                "intervention_types": types,
                "sponsor": r.get("Sponsor", ""),
                "collaborators": _split(r.get("Collaborators", "")),
                "countries": sorted({loc.rsplit(",", 1)[-1].strip() for loc in locations if "," in loc}),
                "has_results": str(r.get("Study Results", "").upper() == "YES" or bool(r.get("Results First Posted"))),
                "first_posted": r.get("First Posted", ""),
                "last_update_posted": r.get("Last Update Posted", ""),
                "url": r.get("Study URL", ""),
                "source": f"{path.name}:{i}",
            }
        )
        where.append(f"{path}:{i}")
    return rows, where
