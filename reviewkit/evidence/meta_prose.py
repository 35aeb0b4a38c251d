"""Sentences about meta-analysis results, every number computed (never typed).

    pooled_sentence(result, k_noun="trial", participants=1234)
    -> "Across seven trials (n = 1,234), the pooled hazard ratio was 0.82 (95% CI 0.71–0.95;
        I² = 31%, τ² = 0.02; 95% prediction interval 0.58–1.16)."

Counts and percentages use :mod:`reviewkit.evidence.prose`'s formatting; text is HTML-escaped.
``MEASURE_NAMES`` and ``METHOD_NAMES`` map the codes (``"RR"``, ``"REML"``) to the words a caption prints.
"""

from __future__ import annotations

import html

from . import prose

MEASURE_NAMES = {
    "OR": "odds ratio",
    "RR": "risk ratio",
    "HR": "hazard ratio",
    "RD": "risk difference",
    "MD": "mean difference",
    "SMD": "standardized mean difference",
    "PLO": "proportion",
    "PR": "proportion",
    "PFT": "proportion (Freeman–Tukey)",
    "GEN": "estimate",
}
METHOD_NAMES = {
    "FE": "common-effect model",
    "DL": "random effects, DerSimonian–Laird",
    "REML": "random effects, REML",
    "PM": "random effects, Paule–Mandel",
    "ML": "random effects, ML",
    "HE": "random effects, Hedges",
    "SJ": "random effects, Sidik–Jonkman",
    "MH": "Mantel–Haenszel",
    "Peto": "Peto's method",
}


def value(x: float, digits: int = 2) -> str:
    """A number with *digits* decimals and a true minus sign: ``-0.5 -> "−0.50"``."""
    text = f"{x:.{digits}f}"
    return text.replace("-", "−") if x < 0 and float(text) != 0 else text.lstrip("-")


def interval(low: float, high: float, digits: int = 2) -> str:
    """ "0.71–0.95"; "−0.50 to 0.20" when a limit is negative (a dash would read as a minus)."""
    sep = " to " if low < 0 or high < 0 else "–"
    return f"{value(low, digits)}{sep}{value(high, digits)}"


def tau2_text(tau2: float) -> str:
    if tau2 == 0:
        return "τ² = 0"
    return "τ² < 0.01" if tau2 < 0.005 else f"τ² = {tau2:.2f}"


def _scaled(result):
    """(estimate, ci_low, ci_high, pi_low, pi_high) on the scale a reader expects."""
    b = result.back
    return b.estimate, b.ci_low, b.ci_high, b.pi_low, b.pi_high


def _digits(measure: str) -> int:
    return {"MD": 1}.get(measure, 2)


def pooled_sentence(
    result,
    *,
    k_noun: str = "trial",
    k_plural: str | None = None,
    participants: int | None = None,
    measure: str | None = None,
    method: bool = True,
) -> str:
    """One sentence for a :class:`~reviewkit.evidence.meta.MetaResult` (see the module docstring).

    Ratios and logit proportions are reported back-transformed.  A single study is reported as
    such ("nothing was pooled"); a common-effect model has no τ² or prediction interval.
    """
    measure = measure or result.measure
    name = MEASURE_NAMES.get(measure, "estimate")
    d = _digits(measure)
    est, lo, hi, plo, phi = _scaled(result)
    level = f"{round(result.level * 100):g}%"
    n_text = f" (n = {prose.number(participants, words=False)})" if participants is not None else ""
    if result.k == 1:
        text = (
            f"One {k_noun}{n_text} reported a {name} of {value(est, d)} ({level} CI {interval(lo, hi, d)}); "
            f"nothing was pooled."
        )
        return html.escape(text, quote=False)
    details = [f"{level} CI {interval(lo, hi, d)}"]
    random = result.method not in ("FE", "MH", "Peto")
    het = f"I² = {prose.percent(result.i2)}"
    if random:
        het += f", {tau2_text(result.tau2)}"
    details.append(het)
    if random:
        details.append(f"{level} prediction interval {interval(plo, phi, d)}")
    if method:
        m = METHOD_NAMES.get(result.method, result.method)
        if result.test == "knha":
            m += ", Hartung–Knapp"
        details.append(m)
    text = (
        f"Across {prose.count(result.k, k_noun, k_plural)}{n_text}, the pooled {name} was {value(est, d)} "
        f"({'; '.join(details)})."
    )
    return html.escape(text, quote=False)


def p_value(p: float) -> str:
    """ "p = 0.03", "p < 0.001" (journal style)."""
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}" if p < 0.01 else f"p = {p:.2f}"


def subgroup_sentence(sub, *, by: str = "subgroup") -> str:
    """ "The test for subgroup differences (by allocation) gave χ² = 1.23, df = 2, p = 0.54."""
    text = (
        f"The test for subgroup differences ({prose.literal(by)}) gave χ² = {sub.q:.2f}, df = {sub.df}, "
        f"{p_value(sub.p)}."
    )
    return text


def egger_sentence(res, *, k: int) -> str:
    """ "Egger's regression test found no clear funnel-plot asymmetry (z = −0.77, p = 0.44; 13 trials)."""
    stat = "t" if res.df is not None else "z"
    verdict = "suggested funnel-plot asymmetry" if res.p < 0.1 else "found no clear funnel-plot asymmetry"
    text = (
        f"The regression test for funnel-plot asymmetry {verdict} ({stat} = {value(res.statistic)}, "
        f"{p_value(res.p)}; {prose.count(k, 'study', 'studies')}); with fewer than ten studies it has little power."
        if k < 10
        else f"The regression test for funnel-plot asymmetry {verdict} ({stat} = {value(res.statistic)}, {p_value(res.p)})."
    )
    return html.escape(text, quote=False)


# The public names (the notebook API, see reviewkit.evidence); everything else here is internal.
__all__ = [
    "MEASURE_NAMES",
    "METHOD_NAMES",
    "egger_sentence",
    "interval",
    "p_value",
    "pooled_sentence",
    "subgroup_sentence",
    "value",
]
