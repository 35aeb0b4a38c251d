"""Publication figures: each function takes a DataFrame and returns a Figure.

Colours come from seaborn's colour-blind-safe palette; sizes fit one journal
column at print size.  Nothing is shown or saved here (see
:func:`reviewkit.report.figure`).
"""

from __future__ import annotations

from ..trials.schema import PHASE_LABELS, PHASES, STATUS_LABELS, STATUSES

STATUS_ORDER = [
    "RECRUITING", "NOT_YET_RECRUITING", "ENROLLING_BY_INVITATION", "ACTIVE_NOT_RECRUITING",
    "COMPLETED", "SUSPENDED", "TERMINATED", "WITHDRAWN", "UNKNOWN",
]


def _style():
    import seaborn as sns

    return sns.axes_style("whitegrid") | {"axes.spines.right": False, "axes.spines.top": False}


def trials_by_phase_status(trials):
    """Horizontal stacked bars: number of trials per phase, coloured by status."""
    import matplotlib.pyplot as plt
    import pandas as pd
    import seaborn as sns

    phases = [p for p in PHASES + [""] if p in set(trials["phase"])]
    statuses = [s for s in STATUS_ORDER + STATUSES if s in set(trials["overall_status"])]
    statuses = list(dict.fromkeys(statuses))
    data = trials.assign(
        Phase=pd.Categorical(trials["phase"].map(PHASE_LABELS), [PHASE_LABELS[p] for p in phases]),
        Status=pd.Categorical(trials["overall_status"].map(STATUS_LABELS), [STATUS_LABELS[s] for s in statuses]),
    )
    palette = dict(zip([STATUS_LABELS[s] for s in statuses], sns.color_palette("colorblind", len(statuses))))
    with sns.axes_style(_style()):
        fig, ax = plt.subplots(figsize=(6.5, 0.45 * len(phases) + 1.6), layout="constrained")
        sns.histplot(
            data=data, y="Phase", hue="Status", multiple="stack", discrete=True, shrink=0.75,
            palette=palette, edgecolor="white", linewidth=0.6, ax=ax, alpha=1,
        )
        ax.set_xlabel("Number of trials")
        ax.set_ylabel("")
        ax.xaxis.get_major_locator().set_params(integer=True)
        ax.grid(axis="y", visible=False)
        leg = ax.get_legend()
        if leg is not None:
            leg.set_title("Status")
            leg.set_frame_on(False)
            sns.move_legend(ax, "upper left", bbox_to_anchor=(1.01, 1), frameon=False)
    return fig


def outcome_intervals(evidence, endpoints=("PFS", "OS")):
    """Reported medians with their intervals: one panel per endpoint, one row per study/subgroup.

    Values and intervals are drawn as reported; an interval whose upper limit
    is not reported is drawn open-ended with an arrow.  The right-hand column
    prints "estimate [low–high]" as in a RevMan forest plot.
    """
    import matplotlib.pyplot as plt
    import numpy as np
    import seaborn as sns

    from .sheet import ENDPOINTS

    rows = evidence[evidence["endpoint"].isin(endpoints) & evidence["value"].notna()].copy()
    if rows.empty:
        raise ValueError(f"no outcomes with a value for endpoints {list(endpoints)}")
    many_studies = rows["study"].nunique() > 1
    rows["label"] = [
        (f"{r.study}: " if many_studies else "") + r.subgroup[:1].upper() + r.subgroup[1:]
        + (f" (n = {r.n})" if r.n == r.n and r.n is not None else "")
        for r in rows.itertuples()
    ]
    present = [e for e in endpoints if e in set(rows["endpoint"])]
    top = float(np.nanmax(rows[["value", "ci_low", "ci_high"]].to_numpy(dtype=float)))
    xmax = top * 1.15
    colours = dict(zip(present, sns.color_palette("colorblind", len(present))))
    heights = [max(1, (rows["endpoint"] == e).sum()) + 0.6 for e in present]
    with sns.axes_style(_style()):
        fig, axes = plt.subplots(len(present), 1, figsize=(6.5, 0.5 * sum(heights) + 0.9), sharex=True,
                                 gridspec_kw={"height_ratios": heights}, layout="constrained", squeeze=False)
        for ax, ep in zip(axes[:, 0], present):
            sub = rows[rows["endpoint"] == ep]
            c = colours[ep]
            for y, r in enumerate(sub.itertuples()):
                lo = r.ci_low if r.ci_low == r.ci_low else None
                hi = r.ci_high if r.ci_high == r.ci_high else None
                if lo is not None and hi is not None:
                    ax.plot([lo, hi], [y, y], color=c, lw=2, solid_capstyle="butt")
                elif lo is not None:
                    ax.annotate("", xy=(xmax, y), xytext=(lo, y), annotation_clip=False,
                                arrowprops=dict(arrowstyle="-|>", color=c, lw=2, shrinkA=0, shrinkB=0))
                ax.plot([r.value], [y], marker="s", color=c, ms=8, ls="none", zorder=3)
                hi_text = f"{hi:.1f}" if hi is not None else "NR"
                ci_text = f" [{lo:.1f}–{hi_text}]" if lo is not None else ""
                ax.text(1.02, y, f"{r.value:.1f}{ci_text}", transform=ax.get_yaxis_transform(),
                        va="center", ha="left", fontsize=9)
            ax.set_yticks(range(len(sub)), sub["label"])
            ax.set_ylim(len(sub) - 0.4, -0.6)
            ax.set_title(ENDPOINTS.get(ep, ep), loc="left", fontsize=10, fontweight="bold")
            ax.grid(axis="y", visible=False)
            ax.text(1.02, 1.0, "Median [95% CI]", transform=ax.transAxes, fontsize=8, color="0.35", va="bottom")
        units = rows["unit"].dropna().unique()
        axes[-1, 0].set_xlim(0, xmax)
        axes[-1, 0].set_xlabel(f"Median ({units[0]})" if len(units) == 1 else "Median")
    return fig
