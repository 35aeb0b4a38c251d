"""The screening log behind the PRISMA 2020 flow diagram (``references/screening.csv``)."""

from __future__ import annotations

from pathlib import Path

from ..errors import InputError, did_you_mean

COLUMNS = ["record_id", "source_database", "stage", "decision", "exclusion_reason"]
STAGES = ["identification", "screening", "retrieval", "eligibility", "included"]
DECISIONS = ["duplicate", "excluded", "included"]


def read_log(path):
    """The validated screening log (a CSV path) as a DataFrame, one row per record; every bad row is reported
    with its line."""
    from ..csvfile import read

    path = Path(path)
    df = read(path, what="screening log", columns=COLUMNS)
    problems = []
    for i, r in enumerate(df.to_dict("records"), start=2):
        here = f"{path}:{i}"
        if not r["record_id"].strip():
            problems.append(f"{here}: record_id is empty")
        if r["stage"] not in STAGES:
            problems.append(f"{here}: unknown stage {r['stage']!r}{did_you_mean(r['stage'], STAGES)}")
        if r["decision"] not in DECISIONS:
            problems.append(f"{here}: unknown decision {r['decision']!r}{did_you_mean(r['decision'], DECISIONS)}")
        if r["decision"] == "excluded" and not r["exclusion_reason"].strip():
            problems.append(f"{here}: an excluded record needs an exclusion_reason")
        if r["decision"] == "included" and r["stage"] != "included":
            problems.append(f"{here}: an included record has stage 'included'")
    dups = df["record_id"][df["record_id"].duplicated()]
    problems += [f"{path}: record_id {d!r} appears more than once" for d in dups]
    if problems:
        raise InputError("invalid screening log:\n  " + "\n  ".join(problems), source=str(path))
    return df
