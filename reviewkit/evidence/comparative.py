"""Comparative outcomes in the extraction sheet, and their effect sizes.

A comparative row holds exactly one kind of data:

- ``counts``: arm-level events — ``events`` of ``n`` in the arm, ``comparator_events`` of ``comparator_n``;
- ``means``: arm-level ``mean``, ``sd``, ``n`` and ``comparator_mean``, ``comparator_sd``, ``comparator_n``;
- a reported estimate (``HR``, ``OR``, ``RR``, ``RD``, ``MD``): ``value`` with ``ci_low`` and ``ci_high``
  (at ``ci_level``, 95% when empty); arm sizes ``n``/``comparator_n`` may be given.

:func:`effects` turns such rows into metafor-style ``yi``/``vi`` for one measure, and refuses rows
it cannot use rather than dropping them.
"""

from __future__ import annotations

COUNTS = ["events", "n", "comparator_events", "comparator_n"]
MEANS = ["mean", "sd", "n", "comparator_mean", "comparator_sd", "comparator_n"]
REPORTED = ["value", "ci_low", "ci_high"]
ESTIMATES = {"HR": "log", "OR": "log", "RR": "log", "RD": "identity", "MD": "identity"}
KINDS = (
    "counts: events, n, comparator_events, comparator_n; means: mean, sd, n, comparator_mean, comparator_sd, "
    "comparator_n; or a reported estimate: value, ci_low, ci_high"
)


def _has(r, col):
    v = r.get(col)
    return v is not None and v == v


def row_problems(r) -> list[str]:
    """What is wrong with one validated sheet row as comparative data (empty when nothing)."""
    stat = r["statistic"]
    problems = []
    means_given = [c for c in ("mean", "sd", "comparator_mean", "comparator_sd") if _has(r, c)]
    comparator_given = [c for c in ("comparator_events", "comparator_mean", "comparator_sd") if _has(r, c)]
    if stat == "counts":
        missing = [c for c in COUNTS if not _has(r, c)]
        if means_given:
            problems.append(
                f"the row mixes arm-level counts with means/SDs ({', '.join(means_given)}); give one kind per row ({KINDS})"
            )
        if _has(r, "value") or _has(r, "ci_low") or _has(r, "ci_high"):
            problems.append(
                f"the row mixes arm-level counts with a reported estimate (value/ci_low/ci_high); give one kind per row ({KINDS})"
            )
        if missing:
            problems.append(f"statistic 'counts' needs {', '.join(COUNTS)}; missing {', '.join(missing)}")
    elif stat == "means":
        missing = [c for c in MEANS if not _has(r, c)]
        if _has(r, "events") or _has(r, "comparator_events"):
            problems.append(f"the row mixes means/SDs with event counts; give one kind per row ({KINDS})")
        if _has(r, "value") or _has(r, "ci_low") or _has(r, "ci_high"):
            problems.append(
                f"the row mixes means/SDs with a reported estimate (value/ci_low/ci_high); give one kind per row ({KINDS})"
            )
        if missing:
            problems.append(f"statistic 'means' needs {', '.join(MEANS)}; missing {', '.join(missing)}")
        for c in ("sd", "comparator_sd"):
            if _has(r, c) and r[c] < 0:
                problems.append(f"{c} {r[c]:g} is negative")
    elif stat in ESTIMATES:
        if _has(r, "events") or _has(r, "comparator_events") or means_given:
            problems.append(f"the row mixes a reported {stat} with arm-level data; give one kind per row ({KINDS})")
        missing = [c for c in ("ci_low", "ci_high") if not _has(r, c)]
        if missing and _has(r, "value"):
            problems.append(f"a reported {stat} needs its confidence interval; missing {', '.join(missing)}")
        if ESTIMATES[stat] == "log" and any(_has(r, c) and r[c] <= 0 for c in REPORTED):
            problems.append(f"a {stat} and its interval must be positive")
    elif comparator_given or means_given:
        problems.append(
            f"comparator/mean columns ({', '.join(comparator_given or means_given)}) belong to comparative rows "
            f"(statistic counts, means, {', '.join(ESTIMATES)}), not to statistic {stat!r}"
        )
    for c in ("n", "events", "comparator_n", "comparator_events"):
        if _has(r, c) and (r[c] < 0 or r[c] != int(r[c])):
            problems.append(f"{c} {r[c]:g} is not a whole number ≥ 0")
    if _has(r, "comparator_events") and _has(r, "comparator_n") and r["comparator_events"] > r["comparator_n"]:
        problems.append(f"comparator_events ({r['comparator_events']:g}) > comparator_n ({r['comparator_n']:g})")
    return problems


#: measure -> sheet statistics it can pool
USABLE = {
    "OR": ("counts", "OR"),
    "RR": ("counts", "RR"),
    "RD": ("counts", "RD"),
    "HR": ("HR",),
    "MD": ("means", "MD"),
    "SMD": ("means",),
}


def effects(rows, measure: str, *, name: str = "extraction sheet"):
    """``yi``/``vi`` for *measure* from validated sheet rows (one outcome), in sheet order.

    ``OR``/``RR``/``RD`` from ``counts`` rows (escalc, 1/2 added to a study's zero cells) or from a
    reported estimate of the same measure (its log and the SE from its CI); ``HR`` from reported
    hazard ratios; ``MD``/``SMD`` from ``means`` rows (and ``MD`` from a reported MD).  A row that
    cannot give *measure* is an error naming its line — nothing is dropped silently.
    The result keeps the arm data for the forest plot and ``line`` (the sheet line) for tracing.
    """
    import numpy as np
    import pandas as pd

    from ..errors import InputError, did_you_mean
    from .meta import effect_sizes

    if measure not in USABLE:
        raise InputError(
            f"cannot pool measure {measure!r} from the sheet{did_you_mean(measure, USABLE)} "
            f"(expected one of {', '.join(USABLE)})",
            source=name,
        )
    rows = rows.copy()
    lines = [int(i) + 2 for i in rows.index]
    rows = rows.reset_index(drop=True)
    bad = [
        f"{name}:{line}: statistic {s!r} cannot be pooled as {measure} (usable: {', '.join(USABLE[measure])})"
        for line, s in zip(lines, rows["statistic"])
        if s not in USABLE[measure]
    ]
    if bad:
        raise InputError("\n  ".join(["rows that cannot be pooled:"] + bad), source=name)
    if rows.empty:
        raise InputError(f"no rows to pool as {measure}", source=name)
    yi = np.full(len(rows), np.nan)
    vi = np.full(len(rows), np.nan)
    counts = (rows["statistic"] == "counts").to_numpy()
    means = (rows["statistic"] == "means").to_numpy()
    reported = ~(counts | means)
    if counts.any():
        c = rows[counts]
        es = effect_sizes(
            measure,
            ai=c["events"].astype(float),
            n1i=c["n"].astype(float),
            ci=c["comparator_events"].astype(float),
            n2i=c["comparator_n"].astype(float),
        )
        yi[counts], vi[counts] = es["yi"], es["vi"]
    if means.any():
        m = rows[means]
        es = effect_sizes(
            measure,
            m1i=m["mean"],
            sd1i=m["sd"],
            n1i=m["n"].astype(float),
            m2i=m["comparator_mean"],
            sd2i=m["comparator_sd"],
            n2i=m["comparator_n"].astype(float),
        )
        yi[means], vi[means] = es["yi"], es["vi"]
    if reported.any():
        r = rows[reported]
        for level in sorted(set(r["ci_level"].fillna(95))):
            sel = reported & (rows["ci_level"].fillna(95) == level).to_numpy()
            s = rows[sel]
            es = effect_sizes(
                "GEN",
                estimate=s["value"],
                ci_low=s["ci_low"],
                ci_high=s["ci_high"],
                scale=ESTIMATES.get(measure, "identity"),
                level=level / 100,
            )
            yi[sel], vi[sel] = es["yi"], es["vi"]
    out = pd.DataFrame(
        {
            "line": lines,
            "study": rows["study"],
            "arm": rows["arm"],
            "comparator": rows["comparator"],
            "events": rows["events"],
            "n": rows["n"],
            "comparator_events": rows["comparator_events"],
            "comparator_n": rows["comparator_n"],
            "mean": rows["mean"],
            "sd": rows["sd"],
            "comparator_mean": rows["comparator_mean"],
            "comparator_sd": rows["comparator_sd"],
            "statistic": rows["statistic"],
            "yi": yi,
            "vi": vi,
        }
    )
    for col in rows.columns:
        if col not in out.columns:
            out[col] = rows[col]
    out.attrs["measure"] = measure
    out.attrs["scale"] = "log" if measure in ("OR", "RR", "HR") else "identity"
    return out
