"""RevMan-style forest and funnel plots for comparative meta-analyses.

``forest(effects, result)`` draws, per study, the arm data (events/total, or mean (SD) and total),
the weight, the estimate with its CI as a square and a line, and prints "estimate [low, high]";
then the pooled random-effects diamond (and a common-effect diamond when given), the prediction
interval, the heterogeneity and overall-effect lines, optional subgroup blocks each with its own
diamond and heterogeneity line, the test for subgroup differences, and "Favours …" labels under
the axis.  ``funnel(effects, result)`` draws the studies against their standard error with
pseudo-confidence contours around the pooled estimate.  Both return a matplotlib Figure; nothing
is saved or shown here (see :func:`reviewkit.report.figure`).
"""

from __future__ import annotations

import math
from typing import Any

from .meta_prose import value

NULL = {"log": 1.0, "logit": 0.5, "identity": 0.0}
AXIS_NAMES = {
    "OR": "Odds ratio",
    "RR": "Risk ratio",
    "HR": "Hazard ratio",
    "RD": "Risk difference",
    "MD": "Mean difference",
    "SMD": "Std. mean difference",
}
_BLUE, _DIAMOND, _PI = "#0072B2", "#1a1a1a", "#D55E00"


def revman_p(p: float) -> str:
    """P values as RevMan prints them: "P < 0.00001", "P = 0.004"."""
    if p < 0.00001:
        return "P < 0.00001"
    if p < 0.0001:
        return "P < 0.0001"
    if p < 0.001:
        return f"P = {p:.4f}"
    return f"P = {p:.3f}" if p < 0.01 else f"P = {p:.2f}"


def heterogeneity_text(result) -> str:
    """ "Heterogeneity: Tau² = 0.31; Chi² = 152.23, df = 12 (P < 0.00001); I² = 92%"."""
    df = max(result.k - 1, 0)
    tau = f"Tau² = {result.tau2:.2f}; " if result.method not in ("FE", "MH", "Peto") else ""
    return f"Heterogeneity: {tau}Chi² = {result.q:.2f}, df = {df} ({revman_p(result.q_p)}); I² = {result.i2 * 100:.0f}%"


def overall_text(result) -> str:
    stat = "t" if result.df is not None else "Z"
    return f"Test for overall effect: {stat} = {abs(result.statistic):.2f} ({revman_p(result.p)})"


def _study_ci(effects, level):
    from scipy.stats import norm

    z = float(norm.ppf(1 - (1 - level) / 2))
    y = effects["yi"].to_numpy(float)
    se = effects["vi"].to_numpy(float) ** 0.5
    return y, y - z * se, y + z * se


def _to_scale(x, scale):
    if scale == "log":
        return math.exp(x)
    if scale == "logit":
        return 1 / (1 + math.exp(-x))
    return x


def _limits(values, scale):
    vals = [v for v in values if v == v and math.isfinite(v)]
    if scale == "log":
        m = max(abs(math.log10(v)) for v in vals if v > 0)
        m = min(max(m, math.log10(2)), 3)
        top = next(t for t in (2, 5, 10, 20, 50, 100, 1000) if math.log10(t) >= m - 1e-9)
        return 1 / top, top
    m = max(abs(v) for v in vals) or 1.0
    step = 10 ** math.floor(math.log10(m))
    top = math.ceil(m / step) * step
    return -top, top


def _arm_columns(row, kind):
    import pandas as pd

    def whole(x):
        return "" if x is None or pd.isna(x) else f"{int(x):,}"

    if kind == "counts":
        return [whole(row["events"]), whole(row["n"]), whole(row["comparator_events"]), whole(row["comparator_n"])]
    if kind == "means":

        def msd(m, s):
            return "" if pd.isna(m) else f"{m:g} ({s:g})"

        return [
            msd(row["mean"], row["sd"]),
            whole(row["n"]),
            msd(row["comparator_mean"], row["comparator_sd"]),
            whole(row["comparator_n"]),
        ]
    return ["", whole(row.get("n")), "", whole(row.get("comparator_n"))]


def _reported(row, level):
    """A reported estimate and CI exactly as printed in the source (sheet rows with statistic HR, OR, …),
    when reported at the plot's level; else None and the CI is computed from yi and vi."""
    import pandas as pd

    from .comparative import ESTIMATES

    if row.get("statistic") not in ESTIMATES or any(pd.isna(row.get(c)) for c in ("value", "ci_low", "ci_high")):
        return None
    reported_level = row.get("ci_level")
    if not abs((95.0 if pd.isna(reported_level) else float(reported_level)) - level * 100) < 1e-9:
        return None
    return float(row["value"]), float(row["ci_low"]), float(row["ci_high"])


def forest(
    effects,
    result,
    *,
    subgroups=None,
    by: str | None = None,
    common=None,
    favours=("experimental", "control"),
    arms=("Experimental", "Control"),
    measure: str | None = None,
    label: str = "study",
):
    """A RevMan-style forest plot.

    *effects*: a frame with ``yi``, ``vi`` and a *label* column (from
    :func:`reviewkit.evidence.comparative.effects` or :func:`reviewkit.evidence.effect_sizes`), with
    arm columns (``events``, ``n``, ``comparator_events``, ``comparator_n``, or means and SDs) when
    known.  *result*: the model of all studies (:func:`meta_analysis`); *common*: an optional
    common-effect model (FE, MH or Peto) drawn as a second diamond; *subgroups*: a
    :class:`~reviewkit.evidence.meta.Subgroups` computed on the same rows with ``by=effects[by]``.
    *favours*: the labels under the axis, left then right of the line of no effect.  A study's
    reported estimate (a sheet row with statistic HR, OR, …) is printed and drawn exactly as reported
    when its CI level is the plot's; other CIs are computed from yi and vi.
    """
    import matplotlib.pyplot as plt
    from matplotlib.patches import Polygon
    from matplotlib.transforms import blended_transform_factory

    measure = measure or result.measure or effects.attrs.get("measure", "")
    scale = result.scale
    level = result.level
    effects = effects.reset_index(drop=True)
    y, lo, hi = _study_ci(effects, level)
    kind = (
        "counts"
        if effects.get("comparator_events") is not None and effects["comparator_events"].notna().all()
        else "means"
        if effects.get("comparator_mean") is not None and effects["comparator_mean"].notna().all()
        else "reported"
    )
    weights = list(result.weights) if result.weights else [float("nan")] * len(effects)

    # rows: (kind, payload)
    rows = []
    if subgroups is not None:
        if by is None:
            raise ValueError("subgroups need by=<the column they were computed from>")
        labels = effects[by].astype(str)
        for name, fit in subgroups.groups:
            rows.append(("group", name))
            rows += [("study", i) for i in effects.index[labels == name]]
            rows.append(("subtotal", fit))
            rows.append(("het", fit))
            rows.append(("blank", None))
    else:
        rows += [("study", i) for i in effects.index]
        rows.append(("blank", None))
    if common is not None:
        rows.append(("total-common", common))
    rows.append(("total", result))
    if result.k > 1 and result.method not in ("FE", "MH", "Peto"):
        rows.append(("pi", result))
    if kind == "counts":
        rows.append(("events", None))
    rows.append(("het", result))
    rows.append(("overall", result))
    if subgroups is not None:
        rows.append(("subgroup-test", subgroups))

    nrows = len(rows) + 2
    height = 0.24 * nrows + 1.0
    fig = plt.figure(figsize=(9.0, height))
    plot_left, plot_width = 0.60, 0.24
    bottom = 0.75 / height
    ax = fig.add_axes((plot_left, bottom, plot_width, 1 - bottom - 0.1 / height))
    ax.set_ylim(len(rows) - 0.5, -2.0)
    trans = blended_transform_factory(fig.transFigure, ax.transData)
    cols = {"study": 0.01, "e1": 0.30, "n1": 0.37, "e2": 0.445, "n2": 0.515, "w": 0.585, "est": 0.855}
    if kind == "means":  # "Mean (SD)" is wider than "Events"
        cols.update(e1=0.275, n1=0.33, e2=0.435, n2=0.49, w=0.575)
    arm_data = kind != "reported" or any(c in effects and effects[c].notna().any() for c in ("n", "comparator_n"))
    head_y = -1.2
    font: dict[str, Any] = dict(fontsize=8, transform=trans, va="center")
    arm1, arm2 = arms
    ax.text(cols["study"], head_y, "Study or subgroup", fontweight="bold", ha="left", **font)
    sub1, sub2 = (
        ("Events", "Total") if kind == "counts" else ("Mean (SD)", "Total") if kind == "means" else ("", "Total")
    )
    for (c_a, c_b), arm in (((cols["e1"], cols["n1"]), arm1), ((cols["e2"], cols["n2"]), arm2)):
        if not arm_data:
            break
        ax.text((c_a + c_b) / 2, head_y - 0.55, arm, fontweight="bold", ha="center", **font)
        ax.text(c_a, head_y + 0.15, sub1, ha="right", fontweight="bold", **font)
        ax.text(c_b, head_y + 0.15, sub2, ha="right", fontweight="bold", **font)
    ax.text(cols["w"], head_y + 0.15, "Weight", ha="right", fontweight="bold", **font)
    method = {"FE": "IV, Fixed", "MH": "M-H, Fixed", "Peto": "Peto, Fixed"}.get(
        result.method, f"IV, Random ({result.method}{', HKSJ' if result.test == 'knha' else ''})"
    )
    pct = f"{round(level * 100):g}% CI"
    name = AXIS_NAMES.get(measure, "Estimate")
    ax.text(cols["est"], head_y - 0.55, name, fontweight="bold", ha="left", **font)
    ax.text(cols["est"], head_y + 0.15, f"{method}, {pct}", fontweight="bold", ha="left", **font)
    ax.text(plot_left + plot_width / 2, head_y - 0.55, name, fontweight="bold", ha="center", **font)
    ax.text(plot_left + plot_width / 2, head_y + 0.15, f"{method}, {pct}", fontweight="bold", ha="center", **font)

    shown = [_to_scale(v, scale) for v in list(lo) + list(hi)]
    xmin, xmax = _limits(shown + [_to_scale(result.ci_low, scale), _to_scale(result.ci_high, scale)], scale)
    if scale == "log":
        ax.set_xscale("log")
    ax.set_xlim(xmin, xmax)
    wmax = max((w for w in weights if w == w), default=1.0)

    def ci_text(e, a, b):
        return f"{value(e)} [{value(a)}, {value(b)}]"

    def diamond(yrow, res, colour):
        e, a, b = (_to_scale(v, scale) for v in (res.estimate, res.ci_low, res.ci_high))
        ax.add_patch(
            Polygon([(a, yrow), (e, yrow - 0.32), (b, yrow), (e, yrow + 0.32)], closed=True, color=colour, zorder=3)
        )
        ax.text(cols["est"], yrow, ci_text(e, a, b), fontweight="bold", ha="left", **font)

    total_events = [0, 0, 0, 0]
    for r, (what, payload) in enumerate(rows):
        if what == "study":
            i = payload
            row = effects.loc[i]
            e, a, b = _reported(row, level) or tuple(_to_scale(v, scale) for v in (y[i], lo[i], hi[i]))
            ax.text(cols["study"], r, str(row[label]), ha="left", **font)
            for col, text in zip(("e1", "n1", "e2", "n2"), _arm_columns(row, kind)):
                ax.text(cols[col], r, text, ha="right", **font)
            if kind == "counts":
                for j, c in enumerate(("events", "n", "comparator_events", "comparator_n")):
                    total_events[j] += int(row[c])
            w = weights[i]
            ax.text(cols["w"], r, "" if w != w else f"{w:.1f}%", ha="right", **font)
            ax.text(cols["est"], r, ci_text(e, a, b), ha="left", **font)
            a_c, b_c = max(a, xmin), min(b, xmax)
            ax.plot([a_c, b_c], [r, r], color="0.15", lw=1.0, zorder=2)
            for edge, clipped, direction in ((a, a_c, -1), (b, b_c, 1)):
                if edge != clipped:
                    ax.annotate(
                        "",
                        xy=(clipped, r),
                        xytext=(
                            (clipped * 0.8 if scale == "log" else clipped - direction * (xmax - xmin) * 0.05)
                            if direction > 0
                            else (clipped * 1.25 if scale == "log" else clipped + (xmax - xmin) * 0.05),
                            r,
                        ),
                        arrowprops=dict(arrowstyle="-|>", color="0.15", lw=1.0, shrinkA=0, shrinkB=0),
                    )
            if xmin <= e <= xmax:
                size = 3 + 8 * math.sqrt(w / wmax) if w == w else 5
                ax.plot([e], [r], marker="s", ms=size, color=_BLUE, ls="none", zorder=3)
        elif what == "group":
            ax.text(cols["study"], r, str(payload), ha="left", fontweight="bold", **font)
        elif what == "subtotal":
            ax.text(cols["study"], r, f"Subtotal ({pct})", ha="left", fontweight="bold", **font)
            diamond(r, payload, _DIAMOND)
        elif what in ("total", "total-common"):
            kind_name = (
                "common effect"
                if what == "total-common" or payload.method in ("FE", "MH", "Peto")
                else "random effects"
            )
            ax.text(cols["study"], r, f"Total ({kind_name}, {pct})", ha="left", fontweight="bold", **font)
            n1 = total_n(effects, "n")
            n2 = total_n(effects, "comparator_n")
            if n1:
                ax.text(cols["n1"], r, f"{n1:,}", ha="right", fontweight="bold", **font)
            if n2:
                ax.text(cols["n2"], r, f"{n2:,}", ha="right", fontweight="bold", **font)
            ax.text(cols["w"], r, "100.0%", ha="right", fontweight="bold", **font)
            diamond(r, payload, _DIAMOND if what == "total" else "0.55")
        elif what == "pi":
            a, b = _to_scale(payload.pi_low, scale), _to_scale(payload.pi_high, scale)
            ax.text(cols["study"], r, f"{round(level * 100):g}% prediction interval", ha="left", **font)
            ax.plot([max(a, xmin), min(b, xmax)], [r, r], color=_PI, lw=2.2, solid_capstyle="butt", zorder=3)
            ax.text(cols["est"], r, f"[{value(a)}, {value(b)}]", ha="left", color=_PI, **font)
        elif what == "events":
            ax.text(cols["study"], r, "Total events", ha="left", **font)
            ax.text(cols["e1"], r, f"{total_events[0]:,}", ha="right", **font)
            ax.text(cols["e2"], r, f"{total_events[2]:,}", ha="right", **font)
        elif what == "het":
            ax.text(
                cols["study"], r, heterogeneity_text(payload), ha="left", fontsize=7.5, transform=trans, va="center"
            )
        elif what == "overall":
            ax.text(cols["study"], r, overall_text(payload), ha="left", fontsize=7.5, transform=trans, va="center")
        elif what == "subgroup-test":
            i2 = max(0.0, (payload.q - payload.df) / payload.q) if payload.q > 0 else 0.0
            ax.text(
                cols["study"],
                r,
                f"Test for subgroup differences: Chi² = {payload.q:.2f}, df = {payload.df} "
                f"({revman_p(payload.p)}), I² = {i2 * 100:.0f}%",
                ha="left",
                fontsize=7.5,
                transform=trans,
                va="center",
            )
    null = NULL[scale]
    ax.plot([null, null], [len(rows) - 0.5, -0.5], color="0.3", lw=0.8, zorder=1)
    total_row = next(r for r, (w, _) in enumerate(rows) if w == "total")
    ax.plot([_to_scale(result.estimate, scale)] * 2, [total_row, -0.5], color="0.5", lw=0.6, ls=(0, (3, 3)), zorder=1)
    for side in ("left", "right", "top"):
        ax.spines[side].set_visible(False)
    ax.set_yticks([])
    ax.tick_params(axis="x", labelsize=7.5)
    if scale == "log":
        from matplotlib.ticker import FixedLocator, NullLocator

        ticks = [
            t for t in (0.001, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100, 1000) if xmin <= t <= xmax
        ]
        if len(ticks) > 7:
            ticks = [t for t in ticks if math.log10(t) == int(math.log10(t))]
        ax.xaxis.set_major_locator(FixedLocator(ticks))
        ax.xaxis.set_minor_locator(NullLocator())
        ax.set_xticklabels([f"{t:g}" for t in ticks])
    ax.annotate(
        f"Favours {favours[0]}",
        xy=(0.47, 0),
        xycoords="axes fraction",
        xytext=(0, -22),
        textcoords="offset points",
        ha="right",
        va="top",
        fontsize=7.5,
    )
    ax.annotate(
        f"Favours {favours[1]}",
        xy=(0.53, 0),
        xycoords="axes fraction",
        xytext=(0, -22),
        textcoords="offset points",
        ha="left",
        va="top",
        fontsize=7.5,
    )
    return fig


def total_n(effects, col):
    if col not in effects or effects[col].isna().any():
        return 0
    return int(effects[col].sum())


def funnel(effects, result, *, measure: str | None = None, levels=(0.90, 0.95, 0.99), egger=None):
    """Funnel plot: each study's estimate against its standard error (0 at the top), the pooled
    estimate as a vertical line and pseudo-confidence regions (90/95/99% by default) around it.
    Ratio measures use a log axis labelled in ratios.  *egger*: an :class:`EggerResult` to print."""
    import matplotlib.pyplot as plt
    import numpy as np
    from scipy.stats import norm

    measure = measure or result.measure or effects.attrs.get("measure", "")
    scale = result.scale
    y = effects["yi"].to_numpy(float)
    se = np.sqrt(effects["vi"].to_numpy(float))
    top = float(se.max()) * 1.08
    est = result.estimate
    fig, ax = plt.subplots(figsize=(6.5, 4.4), layout="constrained")
    shades = ["0.93", "0.85", "0.76"]
    for level, shade in sorted(zip(levels, shades[: len(levels)]), key=lambda t: -t[0]):
        z = float(norm.ppf(1 - (1 - level) / 2))
        ax.fill_betweenx(
            [0, top],
            [est, est - z * top],
            [est, est + z * top],
            color=shade,
            lw=0,
            zorder=0,
            label=f"{round(level * 100):g}% pseudo-CI",
        )
    z95 = float(norm.ppf(0.975))
    ax.plot([est, est - z95 * top], [0, top], color="0.35", lw=0.8, ls="--", zorder=1)
    ax.plot([est, est + z95 * top], [0, top], color="0.35", lw=0.8, ls="--", zorder=1)
    ax.axvline(est, color="0.15", lw=1.0, zorder=1, label="pooled estimate")
    ax.plot(y, se, "o", color=_BLUE, mec="white", mew=0.6, ms=7, zorder=3, label="study")
    ax.set_ylim(top, 0)
    span = max(abs(y - est).max(), z95 * top) * 1.1
    ax.set_xlim(est - span, est + span)
    ax.set_ylabel("Standard error")
    name = AXIS_NAMES.get(measure, "Estimate")
    if scale == "log":
        from matplotlib.ticker import FixedLocator, FuncFormatter

        lo_x, hi_x = ax.get_xlim()
        nice = [t for t in (0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, 100) if lo_x <= math.log(t) <= hi_x]
        ax.xaxis.set_major_locator(FixedLocator([math.log(t) for t in nice]))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{math.exp(v):.3g}"))
        ax.set_xlabel(f"{name} (log scale)")
    else:
        ax.set_xlabel(name)
    for side in ("right", "top"):
        ax.spines[side].set_visible(False)
    handles, labels = ax.get_legend_handles_labels()
    ax.legend(handles, labels, loc="upper left", bbox_to_anchor=(1.01, 1), fontsize=7.5, frameon=False)
    if egger is not None:
        stat = "t" if egger.df is not None else "z"
        ax.set_title(
            f"Regression test for asymmetry: {stat} = {egger.statistic:.2f}, {revman_p(egger.p)}",
            loc="left",
            fontsize=8.5,
            color="0.3",
        )
    return fig


# The public names (the notebook API, see reviewkit.evidence); everything else here is internal.
__all__ = ["forest", "funnel"]
