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


def outcome_intervals(evidence, endpoints=("PFS", "OS"), *, label_col="subgroup"):
    """Point estimates with their reported intervals, one row per study/subgroup.

    Medians are drawn with their CIs as reported; an interval whose upper limit
    is not reported or not reached is drawn open-ended with an arrow.
    """
    import matplotlib.pyplot as plt
    import numpy as np
    import seaborn as sns

    rows = evidence[evidence["endpoint"].isin(endpoints) & evidence["value"].notna()].copy()
    if rows.empty:
        raise ValueError(f"no outcomes with a value for endpoints {list(endpoints)}")
    rows["label"] = rows["study"] + " — " + rows[label_col] + rows["n"].map(lambda n: f" (n = {n})" if n == n and n is not None else "")
    units = rows["unit"].dropna().unique()
    colours = dict(zip(endpoints, sns.color_palette("colorblind", len(endpoints))))
    with sns.axes_style(_style()):
        fig, ax = plt.subplots(figsize=(6.5, 0.42 * len(rows) + 1.3), layout="constrained")
        labels = []
        y = 0
        top = np.nanmax(rows[["value", "ci_low", "ci_high"]].to_numpy(dtype=float))
        for ep in endpoints:
            sub = rows[rows["endpoint"] == ep]
            for r in sub.itertuples():
                c = colours[ep]
                lo = r.ci_low if r.ci_low == r.ci_low else None
                hi = r.ci_high if r.ci_high == r.ci_high else None
                if lo is not None and hi is not None:
                    ax.plot([lo, hi], [y, y], color=c, lw=2, solid_capstyle="butt")
                elif lo is not None:  # open upper limit
                    ax.annotate("", xy=(top * 1.08, y), xytext=(lo, y),
                                arrowprops=dict(arrowstyle="->", color=c, lw=2))
                ax.plot([r.value], [y], marker="s", color=c, ms=7, ls="none",
                        label=ep if ep not in [t.get_label() for t in ax.lines[:-1]] else "_")
                labels.append(f"{ep}: {r.label}")
                y += 1
        ax.set_yticks(range(len(labels)), labels)
        ax.invert_yaxis()
        ax.set_xlim(0, top * 1.12)
        ax.set_xlabel(f"Median ({', '.join(units)}) with 95% CI" if len(units) == 1 else "Value with 95% CI")
        ax.grid(axis="y", visible=False)
    return fig
