"""Read a trial table (CSV) into the normalized, validated DataFrame.

The file may hold any subset of :data:`schema.COLUMNS` (``nct_id`` and
``source`` are required); missing columns are added empty.  Statuses, phases
and dates are normalized; every invalid row is reported at once as
``file:row: what is wrong``.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import InputError, did_you_mean
from . import schema


def read_table(path):
    import pandas as pd

    path = Path(path)
    if not path.is_file():
        raise InputError("trial table not found", source=str(path))
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False)
    except Exception as exc:  # pandas ParserError, UnicodeDecodeError
        raise InputError(f"not a readable CSV file: {exc}", source=str(path)) from None
    return normalize(df, name=str(path))


def normalize(df, *, name: str = "<table>"):
    import pandas as pd

    unknown = [c for c in df.columns if c not in schema.COLUMNS]
    if unknown:
        raise InputError(
            "; ".join(f"unknown column {c!r}{did_you_mean(c, schema.COLUMNS)}" for c in unknown),
            source=f"{name}:1",
        )
    missing = [c for c in schema.REQUIRED if c not in df.columns]
    if missing:
        raise InputError(f"missing required column(s) {', '.join(missing)}", source=f"{name}:1")
    df = df.reindex(columns=schema.COLUMNS, fill_value="").fillna("")
    problems = []
    for i, row in enumerate(df.itertuples(index=False), start=2):  # row 1 is the header
        r = row._asdict()
        where = f"{name}:{i}"
        if not schema.NCT_RE.match(r["nct_id"]):
            problems.append(f"{where}: nct_id {r['nct_id']!r} is not an NCT id (expected NCT followed by 8 digits)")
        st = schema.normalize_status(r["overall_status"])
        if st is None:
            problems.append(
                f"{where}: unknown status {r['overall_status']!r}{did_you_mean(schema._token(r['overall_status']), schema.STATUSES)}"
            )
        else:
            df.at[i - 2, "overall_status"] = st
        ph = schema.normalize_phase(r["phase"])
        if ph is None:
            problems.append(f"{where}: unknown phase {r['phase']!r} (expected one of {', '.join(schema.PHASES)})")
        else:
            df.at[i - 2, "phase"] = ph
        if r["study_type"]:
            stype = schema._token(r["study_type"])
            if stype not in schema.STUDY_TYPES:
                problems.append(f"{where}: unknown study_type {r['study_type']!r}")
            else:
                df.at[i - 2, "study_type"] = stype
        for col in schema.DATE_COLUMNS:
            d = schema.normalize_date(r[col])
            if d is None:
                problems.append(f"{where}: {col} {r[col]!r} is not a date (expected YYYY-MM-DD, YYYY-MM or 'Month D, YYYY')")
            else:
                df.at[i - 2, col] = d
        if not r["source"].strip():
            problems.append(f"{where}: source is empty (say which file or document the row came from)")
    dups = df["nct_id"][df["nct_id"].duplicated()].tolist()
    for d in dups:
        problems.append(f"{name}: {d} appears more than once")
    if problems:
        raise InputError("invalid trial table:\n  " + "\n  ".join(problems), source=name)
    for col in schema.LIST_COLUMNS:
        df[col] = [[v for v in s.split("|") if v] if s else [] for s in df[col]]
    df["enrollment"] = pd.to_numeric(df["enrollment"].replace("", None), errors="coerce").astype("Int64")
    df["has_results"] = df["has_results"].map({"True": True, "False": False, "true": True, "false": False, "": pd.NA}).astype("boolean")
    df["url"] = [u or f"https://clinicaltrials.gov/study/{n}" for u, n in zip(df["url"], df["nct_id"])]
    return df


def select(trials, *, condition: str = "", statuses=()):
    """Trials for *condition* with one of *statuses* (empty: every status).

    A trial whose record lists conditions is kept when one of them contains
    *condition* (case-insensitive); a trial whose record lists none (the
    example's seed page gives no conditions) is kept, since its source lists it
    as related.  Unknown status names are an error, with the closest valid one.
    """
    from ..errors import InputError

    wanted = []
    for s in statuses or ():
        st = schema.normalize_status(s)
        if not st:
            raise InputError(f"unknown status {s!r}{did_you_mean(schema._token(str(s)), schema.STATUSES)}", source="statuses")
        wanted.append(st)
    out = trials
    if wanted:
        out = out[out["overall_status"].isin(wanted)]
    if condition:
        c = condition.lower()
        keep = [not conds or any(c in x.lower() for x in conds) for conds in out["conditions"]]
        out = out[keep]
    return out.reset_index(drop=True)
