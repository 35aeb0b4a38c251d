"""What an efficacy section shows of the extraction sheet: its rows, sentences, forest-plot frame and table.

Each function takes the sheet (or the rows of it that a section shows, as
:func:`reviewkit.evidence.read_sheet` returns them) and returns a value: rows,
Markdown sentences or a table ready for :func:`reviewkit.report.table`.
Nothing is shown or saved here.  Values are carried as reported: a median and
its interval are never recomputed; a response rate gets a computed interval
only where its events and n are both stated.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from .stats import Pooled

__all__ = [
    "forest_rows",
    "interval_text",
    "median_sentences",
    "medians",
    "outcomes_table",
    "pool_responses",
    "response_sentences",
    "responses",
]

#: the outcomes table's columns, in order (sheet column -> heading)
TABLE_COLUMNS = {
    "study": "Study",
    "subgroup": "Subgroup",
    "n": "n",
    "endpoint": "Endpoint",
    "statistic": "Statistic",
    "value": "Value",
    "unit": "Unit",
    "interval": "Interval",
}


def responses(evidence: pd.DataFrame, endpoint: str = "ORR") -> pd.DataFrame:
    """The rows of *evidence* for the response *endpoint* (e.g. ``"ORR"``) whose events are stated.

    Takes the extraction sheet (or part of it); returns those rows, in sheet
    order: the ones whose interval can be computed exactly from events and n.
    """
    return evidence[(evidence["endpoint"] == endpoint) & evidence["events"].notna()]


def medians(evidence: pd.DataFrame, endpoints: list[str] | tuple[str, ...] = ("PFS", "OS")) -> pd.DataFrame:
    """The rows of *evidence* for one of *endpoints* (e.g. ``["PFS", "OS"]``) that carry a reported value."""
    return evidence[evidence["endpoint"].isin(list(endpoints)) & evidence["value"].notna()]


def _where(row: Any) -> str:
    from . import prose

    return f"{prose.literal(row['study'])} ({prose.literal(row['subgroup'])}"


def response_sentences(rows: pd.DataFrame, *, ci_method: str = "exact") -> list[str]:
    """One Markdown sentence per row of :func:`responses`, with the interval computed by *ci_method*.

    ``"In the Phase II study (overall), the objective response rate was 18% (2 of 11; 95% CI 2%–52%, exact)."``
    *ci_method*: ``"exact"`` (Clopper–Pearson) or ``"wilson"``.
    """
    from . import prose
    from .stats import proportion_ci

    out = []
    for _, row in rows.iterrows():
        ci = proportion_ci(int(row["events"]), int(row["n"]), method=ci_method)
        out.append(prose.sentence_case(f"in the {_where(row)}), {prose.proportion_sentence(row, ci)}."))
    return out


def median_sentences(rows: pd.DataFrame) -> list[str]:
    """One Markdown sentence per row of :func:`medians`: the median as reported, with its interval.

    ``"In the Phase II study (overall, n = 40), the median progression-free survival was 3.9 months (95% CI 1.9–21.9)."``
    """
    from . import prose
    from .sheet import ENDPOINTS

    return [
        prose.sentence_case(
            f"in the {_where(row)}, n = {row['n']}), the median "
            f"{ENDPOINTS[row['endpoint']].lower()} was {prose.median_phrase(row)}."
        )
        for _, row in rows.iterrows()
    ]


def forest_rows(rows: pd.DataFrame, *, ci_method: str = "exact") -> pd.DataFrame:
    """The frame :func:`reviewkit.evidence.figures.forest_plot` draws for the rows of :func:`responses`.

    Returns one row per study/subgroup with ``label`` ("study — subgroup"), ``n``, ``events`` and the
    proportion's ``estimate``, ``low`` and ``high`` (0–1) from :func:`reviewkit.evidence.proportion_ci`.
    """
    import pandas as pd

    from .stats import proportion_ci

    cis = [proportion_ci(int(r.events), int(r.n), method=ci_method) for r in rows.itertuples()]
    return pd.DataFrame(
        {
            "label": [f"{r.study} — {r.subgroup}" for r in rows.itertuples()],
            "n": rows["n"].astype(float).values,
            "events": rows["events"].astype(float).values,
            "estimate": [c.estimate for c in cis],
            "low": [c.low for c in cis],
            "high": [c.high for c in cis],
        }
    )


def pool_responses(rows: pd.DataFrame) -> Pooled:
    """The rows of :func:`responses` pooled (random effects, logit scale) -> :class:`~reviewkit.evidence.stats.Pooled`.

    With one row nothing is pooled: ``pooled`` is False and ``note`` says so.
    """
    from .stats import pool_proportions

    return pool_proportions(rows["events"].astype(int), rows["n"].astype(int))


def _missing(value: Any) -> bool:
    """None, NaN or pd.NA (``pd.NA != pd.NA`` is not a bool)."""
    import pandas as pd

    return value is None or bool(pd.isna(value))


def interval_text(low: Any, high: Any) -> str:
    """A reported interval as table text: ``"1.9–21.9"``, ``"1.9–not reported"``; ``""`` when neither limit is given.

    Takes the two limits (numbers, None or NaN for a limit not reported); returns them as reported (``:g``).
    """
    if _missing(low) and _missing(high):
        return ""
    lo = "not reported" if _missing(low) else f"{low:g}"
    hi = "not reported" if _missing(high) else f"{high:g}"
    return f"{lo}–{hi}"


def outcomes_table(evidence: pd.DataFrame) -> pd.DataFrame:
    """Every extracted outcome of *evidence* as the report's outcomes table (columns :data:`TABLE_COLUMNS`).

    Values as reported (a median with one decimal), the interval by :func:`interval_text`, n as text
    (empty when not stated).
    """
    table = evidence.assign(
        value=[
            "" if _missing(v) else f"{v:.1f}" if stat == "median" else f"{v:g}"
            for v, stat in zip(evidence["value"], evidence["statistic"])
        ],
        interval=[interval_text(lo, hi) for lo, hi in zip(evidence["ci_low"], evidence["ci_high"])],
        n=evidence["n"].astype("string").fillna(""),
    )
    return table[list(TABLE_COLUMNS)].rename(columns=TABLE_COLUMNS)
