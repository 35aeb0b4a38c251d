"""The screening log behind the PRISMA 2020 flow diagram (``references/screening.csv``)."""

from __future__ import annotations

from pathlib import Path

from ..errors import did_you_mean

COLUMNS = ["record_id", "source_database", "stage", "decision", "exclusion_reason"]
STAGES = ["identification", "screening", "retrieval", "eligibility", "included"]
DECISIONS = ["duplicate", "excluded", "included"]


def read_log(path):
    """The validated screening log (a CSV path) as a DataFrame, one row per record; every bad row is reported
    with its line."""
    from ..csvfile import Problems, read

    path = Path(path)
    df = read(path, what="screening log", columns=COLUMNS)
    problems = Problems("screening log", path)
    for i, r in enumerate(df.to_dict("records")):
        if not r["record_id"].strip():
            problems.row(i, "record_id is empty")
        if r["stage"] not in STAGES:
            problems.row(i, f"unknown stage {r['stage']!r}{did_you_mean(r['stage'], STAGES)}")
        if r["decision"] not in DECISIONS:
            problems.row(i, f"unknown decision {r['decision']!r}{did_you_mean(r['decision'], DECISIONS)}")
        if r["decision"] == "excluded" and not r["exclusion_reason"].strip():
            problems.row(i, "an excluded record needs an exclusion_reason")
        if r["decision"] == "included" and r["stage"] != "included":
            problems.row(i, "an included record has stage 'included'")
    first: dict[str, int] = {}
    for i, d in enumerate(df["record_id"]):
        if d in first:
            problems.row(i, f"record_id {d!r} appears more than once (also line {first[d] + 2})")
        first.setdefault(d, i)
    problems.raise_all()
    return df
