"""One outcome's meta-analysis from the extraction sheet, for the meta-analysis notebook kind.

``analyse(sheet, outcome="Tuberculosis", measure="RR")`` picks the outcome's comparative rows,
computes their effect sizes, the random-effects model (with its method and test), a
common-effect model (Mantel–Haenszel for counts, inverse variance otherwise), subgroups when a
column is named, and the regression test for funnel asymmetry (three studies or more).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..errors import InputError, did_you_mean
from .comparative import ESTIMATES

if TYPE_CHECKING:
    from .meta import EggerResult, MetaResult, Subgroups

COMPARATIVE = ["counts", "means", *ESTIMATES]


@dataclass(frozen=True)
class Analysis:
    """One comparative outcome analysed (:func:`analyse`): its study effects, the model asked for
    (``result``), the common-effect model, subgroups, Egger's test, participants and control risk."""

    outcome: str
    measure: str
    effects: Any  # DataFrame: one row per study, yi/vi and the arm data
    result: MetaResult  # the model asked for
    common: MetaResult  # Mantel–Haenszel or inverse-variance common effect
    subgroups: Subgroups | None
    by: str
    egger: EggerResult | None
    participants: int | None
    control_risk: float | None


def outcomes(sheet) -> list[str]:
    """The comparative outcomes of a sheet: the ``outcome`` column, else the endpoint code."""
    rows = sheet[sheet["statistic"].isin(COMPARATIVE)]
    return list(dict.fromkeys(_names(rows)))


def _names(rows):
    return [o if o.strip() else e for o, e in zip(rows["outcome"], rows["endpoint"])]


def analyse(
    sheet,
    *,
    outcome: str = "",
    measure: str = "RR",
    method: str = "REML",
    test: str = "z",
    by: str = "",
    name: str = "extraction sheet",
) -> Analysis | None:
    """The analysis of *outcome* (the only comparative outcome when empty); None when the sheet holds
    no comparative outcome yet.  An unknown outcome or subgroup column is an error naming the
    closest valid choice."""
    from .comparative import effects as to_effects
    from .meta import egger_test, mantel_haenszel, meta_analysis, subgroups

    available = outcomes(sheet)
    if not available:
        return None
    if not outcome:
        if len(available) > 1:
            raise InputError(
                f"the sheet holds several comparative outcomes ({', '.join(available)}); "
                "set the parameter 'outcome' to one of them",
                source=name,
            )
        outcome = available[0]
    if outcome not in available:
        raise InputError(
            f"no comparative outcome {outcome!r}{did_you_mean(outcome, available)} "
            f"(the sheet has {', '.join(available)})",
            source=name,
        )
    comparative = sheet[sheet["statistic"].isin(COMPARATIVE)]
    rows = comparative[[n == outcome for n in _names(comparative)]]
    es = to_effects(rows, measure, name=name)
    if by and by not in es.columns:
        raise InputError(f"no column {by!r} to form subgroups{did_you_mean(by, list(rows.columns))}", source=name)
    result = meta_analysis(es["yi"], es["vi"], method=method, test=test)
    counts = bool((es["statistic"] == "counts").all())
    if counts and measure in ("OR", "RR", "RD"):
        common = mantel_haenszel(
            ai=es["events"].astype(float),
            n1i=es["n"].astype(float),
            ci=es["comparator_events"].astype(float),
            n2i=es["comparator_n"].astype(float),
            measure=measure,
        )
    else:
        common = meta_analysis(es["yi"], es["vi"], method="FE")
    sub = subgroups(es["yi"], es["vi"], by=es[by].astype(str), method=method, test=test) if by else None
    egger = egger_test(es["yi"], es["vi"]) if len(es) >= 3 else None
    n = es["n"].astype("Float64") + es["comparator_n"].astype("Float64")
    participants = int(n.sum()) if n.notna().all() else None
    control = float(es["comparator_events"].sum() / es["comparator_n"].sum()) if counts else None
    return Analysis(outcome, measure, es, result, common, sub, by, egger, participants, control)


def leave_one_out_table(a: Analysis):
    """A display table of :func:`~reviewkit.evidence.meta.leave_one_out` for an analysis: the pooled
    estimate [CI] (back-transformed for ratios), I² and τ² without each study in turn."""
    import math

    import pandas as pd

    from .meta import leave_one_out
    from .meta_prose import MEASURE_NAMES, value

    table = leave_one_out(
        a.effects["yi"],
        a.effects["vi"],
        method=a.result.method,
        test=a.result.test,
        level=a.result.level,
        study=a.effects["study"],
    )

    f = math.exp if a.result.scale == "log" else (lambda x: x)
    name = MEASURE_NAMES.get(a.measure, "estimate")
    level = f"{round(a.result.level * 100):g}% CI"
    return pd.DataFrame(
        {
            "Study left out": table["left_out"],
            f"Pooled {name} [{level}]": [
                f"{value(f(e))} [{value(f(lo))}, {value(f(hi))}]"
                for e, lo, hi in zip(table["estimate"], table["ci_low"], table["ci_high"])
            ],
            "I²": [f"{i * 100:.0f}%" for i in table["i2"]],
            "τ²": [f"{t:.2f}" for t in table["tau2"]],
        }
    )


# The public names (the notebook API, see reviewkit.evidence); everything else here is internal.
__all__ = ["Analysis", "analyse", "leave_one_out_table", "outcomes"]
