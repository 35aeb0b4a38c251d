"""The extraction sheet: one row per reported outcome, validated on load."""

from __future__ import annotations

from ..errors import InputError, did_you_mean

COLUMNS = [
    "study",
    "nct_id",
    "design",
    "population",
    "subgroup",
    "line",
    "arm",
    "n",
    "endpoint",
    "statistic",
    "value",
    "unit",
    "ci_low",
    "ci_high",
    "ci_level",
    "events",
    "where",
    "source",
]
#: Optional columns for comparative outcomes (a sheet without them stays valid): the comparator arm's
#: label and counts, and arm-level means and SDs.  See :mod:`reviewkit.evidence.comparative`.
OPTIONAL = [
    "outcome",
    "comparator",
    "comparator_n",
    "comparator_events",
    "mean",
    "sd",
    "comparator_mean",
    "comparator_sd",
]
NUMERIC = [
    "n",
    "value",
    "ci_low",
    "ci_high",
    "ci_level",
    "events",
    "comparator_n",
    "comparator_events",
    "mean",
    "sd",
    "comparator_mean",
    "comparator_sd",
]
ENDPOINTS = {
    "ORR": "Objective response rate",
    "DCR": "Disease control rate",
    "CBR": "Clinical benefit rate",
    "SD": "Stable disease",
    "PFS": "Progression-free survival",
    "OS": "Overall survival",
    "PFS rate": "Progression-free survival rate",
    "OS rate": "Overall survival rate",
    "DOR": "Duration of response",
    "TTP": "Time to progression",
    "Other": "Other outcome (named in the 'outcome' column)",
}
#: counts / means: arm-level data of a comparison; HR, OR, RR, RD, MD: a reported comparative estimate with its CI
STATISTICS = ["proportion", "median", "rate", "HR", "range", "counts", "means", "OR", "RR", "RD", "MD"]


def read_sheet(path):
    """The validated extraction sheet (a CSV path) as a DataFrame, one row per reported outcome, numbers as
    numbers; every bad row is reported at once with its line and the closest valid value."""
    from ..csvfile import read

    return validate(read(path, what="extraction sheet"), name=str(path))


def validate(df, *, name: str = "<sheet>"):
    import pandas as pd

    from ..csvfile import Problems
    from .comparative import row_problems

    unknown = [c for c in df.columns if c not in COLUMNS + OPTIONAL]
    missing = [c for c in COLUMNS if c not in df.columns]
    if unknown or missing:
        msgs = [f"unknown column {c!r}{did_you_mean(c, COLUMNS + OPTIONAL)}" for c in unknown]
        msgs += [f"missing column {c!r}" for c in missing]
        raise InputError("; ".join(msgs), source=f"{name}:1")
    df = df.assign(**{c: "" for c in OPTIONAL if c not in df.columns})[COLUMNS + OPTIONAL].copy()
    problems = Problems("extraction sheet", name)
    for col in NUMERIC:
        num = pd.to_numeric(df[col].replace("", None), errors="coerce")
        for i in df.index[(df[col] != "") & num.isna()]:
            problems.row(i, f"{col} {df.at[i, col]!r} is not a number")
        df[col] = num
    for i, r in df.iterrows():
        if r["endpoint"] not in ENDPOINTS:
            problems.row(i, f"unknown endpoint {r['endpoint']!r}{did_you_mean(r['endpoint'], ENDPOINTS)}")
        if r["statistic"] not in STATISTICS:
            problems.row(i, f"unknown statistic {r['statistic']!r} (expected one of {', '.join(STATISTICS)})")
        if not r["where"].strip() or not r["source"].strip():
            problems.row(i, "every outcome needs 'where' (page, table or quoted sentence) and 'source'")
        v, lo, hi = r["value"], r["ci_low"], r["ci_high"]
        if pd.notna(v) and ((pd.notna(lo) and lo > v) or (pd.notna(hi) and hi < v)):
            problems.row(i, f"the interval [{lo}, {hi}] does not contain the value {v}")
        if pd.notna(lo) and pd.notna(hi) and lo > hi:
            problems.row(i, f"ci_low {lo} is above ci_high {hi}")
        if pd.notna(r["events"]) and pd.notna(r["n"]) and r["events"] > r["n"]:
            problems.row(i, f"events ({r['events']:g}) > n ({r['n']:g})")
        if r["statistic"] not in ("range", "counts", "means") and pd.isna(v):
            problems.row(i, "value is empty")
        if r["endpoint"] == "Other" and not r["outcome"].strip():
            problems.row(i, "endpoint 'Other' needs the outcome's name in the 'outcome' column")
        for p in row_problems(r):
            problems.row(i, p)
    problems.raise_all()
    df["n"] = df["n"].astype("Int64")
    for col in ("events", "comparator_n", "comparator_events"):
        df[col] = df[col].astype("Int64")
    return df
