"""Publication figures: each function takes a DataFrame and returns a Figure.

Colours come from seaborn's colour-blind-safe palette; sizes fit one journal
column at print size.  Nothing is shown or saved here (see
:func:`reviewkit.report.figure`).
"""

from __future__ import annotations

import itertools

from ..vocab import PHASE_LABELS, PHASES, STATUS_LABELS, STATUSES

#: The statuses most figures show, in figure order (the API's own order, up to UNKNOWN)
STATUS_ORDER = STATUSES[: STATUSES.index("UNKNOWN") + 1]


#: One colour per status in every figure (Okabe–Ito, colour-blind safe)
STATUS_COLOURS = {
    "RECRUITING": "#0072B2",
    "NOT_YET_RECRUITING": "#56B4E9",
    "ENROLLING_BY_INVITATION": "#882255",
    "ACTIVE_NOT_RECRUITING": "#009E73",
    "COMPLETED": "#E69F00",
    "SUSPENDED": "#F0E442",
    "TERMINATED": "#D55E00",
    "WITHDRAWN": "#CC79A7",
    "UNKNOWN": "#999999",
}


def _status_colour(status: str):
    return STATUS_COLOURS.get(status, "#555555")


def _statuses_present(values) -> list[str]:
    """Every status in *values*, in figure order: the usual ones first, then the rest of the API vocabulary,
    then anything else (an empty status last), so no trial is dropped from a legend or a bar."""
    present = set(values)
    known = list(dict.fromkeys(s for s in STATUS_ORDER + STATUSES if s in present))
    return known + sorted(present - set(known) - {""}) + ([""] if "" in present else [])


def _status_label(status: str) -> str:
    return STATUS_LABELS.get(status) or (status.replace("_", " ").capitalize() if status else "Status not given")


def _style():
    import seaborn as sns

    return sns.axes_style("whitegrid") | {"axes.spines.right": False, "axes.spines.top": False}


def trials_by_phase_status(trials):
    """Horizontal stacked bars: number of trials per phase, coloured by status."""
    import matplotlib.pyplot as plt
    import pandas as pd
    import seaborn as sns

    phases = [p for p in PHASES + [""] if p in set(trials["phase"])]
    statuses = _statuses_present(trials["overall_status"])
    data = trials.assign(
        Phase=pd.Categorical(trials["phase"].map(PHASE_LABELS), [PHASE_LABELS[p] for p in phases]),
        Status=pd.Categorical(trials["overall_status"].map(_status_label), [_status_label(s) for s in statuses]),
    )
    palette = {_status_label(s): _status_colour(s) for s in statuses}
    with sns.axes_style(_style()):
        fig, ax = plt.subplots(figsize=(6.5, 0.45 * len(phases) + 1.6), layout="constrained")
        sns.histplot(
            data=data,
            y="Phase",
            hue="Status",
            multiple="stack",
            discrete=True,
            shrink=0.75,
            palette=palette,
            edgecolor="white",
            linewidth=0.6,
            ax=ax,
            alpha=1,
        )
        ax.set_xlabel("Number of trials")
        ax.set_ylabel("")
        ax.xaxis.get_major_locator().set_params(integer=True)  # type: ignore[call-arg]  # a MaxNLocator at run time
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

    # medians only: a hazard ratio or other comparative estimate for the same endpoint is not a median
    rows = evidence[
        evidence["endpoint"].isin(endpoints) & evidence["value"].notna() & (evidence["statistic"] == "median")
    ].copy()
    if rows.empty:
        raise ValueError(f"no outcomes with a value for endpoints {list(endpoints)}")
    many_studies = rows["study"].nunique() > 1
    rows["label"] = [
        (f"{r.study}: " if many_studies else "")
        + r.subgroup[:1].upper()
        + r.subgroup[1:]
        + (f" (n = {r.n})" if r.n == r.n and r.n is not None else "")
        for r in rows.itertuples()
    ]
    present = [e for e in endpoints if e in set(rows["endpoint"])]
    top = float(np.nanmax(rows[["value", "ci_low", "ci_high"]].to_numpy(dtype=float)))
    xmax = top * 1.15
    colours = dict(zip(present, sns.color_palette("colorblind", len(present))))
    heights = [max(1, (rows["endpoint"] == e).sum()) + 0.6 for e in present]
    with sns.axes_style(_style()):
        fig, axes = plt.subplots(
            len(present),
            1,
            figsize=(6.5, 0.5 * sum(heights) + 0.9),
            sharex=True,
            gridspec_kw={"height_ratios": heights},
            layout="constrained",
            squeeze=False,
        )
        for ax, ep in zip(axes[:, 0], present):
            sub = rows[rows["endpoint"] == ep]
            c = colours[ep]
            for y, r in enumerate(sub.itertuples()):
                lo = r.ci_low if r.ci_low == r.ci_low else None
                hi = r.ci_high if r.ci_high == r.ci_high else None
                if lo is not None and hi is not None:
                    ax.plot([lo, hi], [y, y], color=c, lw=2, solid_capstyle="butt")
                elif lo is not None:
                    ax.annotate(
                        "",
                        xy=(xmax, y),
                        xytext=(lo, y),
                        annotation_clip=False,
                        arrowprops=dict(arrowstyle="-|>", color=c, lw=2, shrinkA=0, shrinkB=0),
                    )
                ax.plot([r.value], [y], marker="s", color=c, ms=8, ls="none", zorder=3)
                hi_text = f"{hi:.1f}" if hi is not None else "NR"
                ci_text = f" [{lo:.1f}–{hi_text}]" if lo is not None else ""
                ax.text(
                    1.02,
                    y,
                    f"{r.value:.1f}{ci_text}",
                    transform=ax.get_yaxis_transform(),
                    va="center",
                    ha="left",
                    fontsize=9,
                )
            ax.set_yticks(range(len(sub)), sub["label"])
            ax.set_ylim(len(sub) - 0.4, -0.6)
            ax.set_title(ENDPOINTS.get(ep, ep), loc="left", fontsize=10, fontweight="bold")
            ax.grid(axis="y", visible=False)
            ax.text(1.02, 1.0, "Median [95% CI]", transform=ax.transAxes, fontsize=8, color="0.35", va="bottom")
        units = rows["unit"].dropna().unique()
        axes[-1, 0].set_xlim(0, xmax)
        axes[-1, 0].set_xlabel(f"Median ({units[0]})" if len(units) == 1 else "Median")
    return fig


def class_phase_heatmap(classified):
    """Trials per intervention class × phase (a trial counts once per class), annotated counts."""
    import matplotlib.pyplot as plt
    import pandas as pd
    import seaborn as sns

    if classified.empty:
        raise ValueError("no classified interventions to draw (see classify(): unmatched names are listed there)")
    data = classified.drop_duplicates(["nct_id", "class"])
    phases = [p for p in PHASES + [""] if p in set(data["phase"])]
    table = pd.crosstab(data["class"], data["phase"]).reindex(columns=phases, fill_value=0)
    table.columns = [PHASE_LABELS[p] for p in phases]
    table = table.loc[table.sum(axis=1).sort_values(ascending=False).index]
    with sns.axes_style("white"):
        fig, ax = plt.subplots(figsize=(6.5, 0.42 * len(table) + 1.4), layout="constrained")
        sns.heatmap(
            table,
            mask=table == 0,
            annot=True,
            fmt="d",
            cmap="crest",
            vmin=0,
            cbar=False,
            linewidths=0.8,
            linecolor="0.9",
            ax=ax,
            annot_kws={"fontsize": 9},
        )
        ax.set_facecolor("white")  # empty cells stay blank rather than showing a colour for zero
        ax.set_xlabel("")
        ax.set_ylabel("")
        ax.tick_params(axis="x", rotation=0)
    return fig


def _parse_date(text: str):
    """(datetime, precise) for 'YYYY-MM-DD' / 'YYYY-MM'; month precision -> the 15th, flagged imprecise."""
    from datetime import datetime

    if not text:
        return None, False
    if len(text) == 7:
        return datetime.strptime(text + "-15", "%Y-%m-%d"), False
    return datetime.strptime(text, "%Y-%m-%d"), True


def trial_timeline(trials):
    """Each trial from start to primary completion (else completion), coloured by status.

    A date known only to the month is drawn at mid-month with an open marker;
    day-precise dates get a filled marker.  Trials without a start date are
    left out (the figure says how many).
    """
    import matplotlib.pyplot as plt
    import seaborn as sns
    from matplotlib.lines import Line2D

    rows = []
    for t in trials.itertuples(index=False):
        start, s_precise = _parse_date(t.start_date)
        end_text = t.primary_completion_date or t.completion_date
        end, e_precise = _parse_date(end_text)
        if start is None:
            continue
        rows.append((t.nct_id, t.overall_status, start, s_precise, end, e_precise))
    if not rows:
        raise ValueError("no trial has a start date to draw")
    rows.sort(key=lambda r: r[2])
    statuses = _statuses_present(r[1] for r in rows)
    palette = {s: _status_colour(s) for s in statuses}
    with sns.axes_style(_style()):
        fig, ax = plt.subplots(figsize=(6.5, 0.32 * len(rows) + 1.5), layout="constrained")
        for y, (_nct, status, start, sp, end, ep) in enumerate(rows):
            c = palette[status]
            if end is not None:
                ax.plot([start, end], [y, y], color=c, lw=4, solid_capstyle="butt")
            for when, precise in ((start, sp), (end, ep)):
                if when is not None:
                    ax.plot([when], [y], marker="o", ms=6, color=c, mfc=c if precise else "white", mew=1.5)
        ax.set_yticks(range(len(rows)), [r[0] for r in rows], fontsize=8)
        ax.set_ylim(len(rows) - 0.5, -0.5)
        ax.grid(axis="y", visible=False)
        import matplotlib.dates as mdates

        locator = mdates.AutoDateLocator(minticks=3, maxticks=7)
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
        handles = [Line2D([], [], color=palette[s], lw=4, label=_status_label(s)) for s in statuses]
        handles += [
            Line2D([], [], color="0.3", marker="o", ls="none", label="date to the day"),
            Line2D([], [], color="0.3", marker="o", mfc="white", ls="none", label="date to the month"),
        ]
        ax.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1), frameon=False, fontsize=8)
        left_out = len(trials) - len(rows)
        if left_out:
            ax.set_title(
                f"{left_out} of {len(trials)} trials have no start date and are not shown",
                loc="left",
                fontsize=8,
                color="0.35",
            )
    return fig


def forest_plot(rows, *, xlabel: str, pooled=None, estimate_label: str = "Estimate [95% CI]", percent: bool = False):
    """A RevMan-style forest plot.

    *rows*: DataFrame with ``label``, ``n``, ``estimate``, ``low``, ``high``
    (``high`` may be missing: an open upper limit, drawn with an arrow and
    printed "NR"), optionally ``events``.  *pooled*: a
    :class:`reviewkit.evidence.stats.Pooled`; when it pooled, a diamond and a
    heterogeneity line are drawn.  Squares are sized by n.
    """
    import matplotlib.pyplot as plt
    import numpy as np
    import seaborn as sns
    from matplotlib.patches import Polygon

    rows = rows.reset_index(drop=True)
    scale = 100.0 if percent else 1.0
    fmt = (lambda v: f"{v * scale:.0f}") if percent else (lambda v: f"{v:.1f}")
    vals = rows[["estimate", "low", "high"]].to_numpy(dtype=float) * scale
    top = float(np.nanmax(vals)) if np.isfinite(vals).any() else 1.0
    xmax = top * 1.12 if top > 0 else 1.0
    nrows = len(rows) + (2 if pooled is not None and pooled.pooled else 0)
    c = sns.color_palette("colorblind")[0]
    with sns.axes_style(_style()):
        fig, ax = plt.subplots(figsize=(7.2, 0.42 * nrows + 1.3), layout="constrained")
        ns = rows["n"].astype(float).fillna(0)
        sizes = 5 + 9 * (ns / ns.max()).fillna(0) if ns.max() > 0 else [7] * len(rows)
        for y, r in rows.iterrows():
            est, lo, hi = (
                r["estimate"] * scale,
                r["low"] * scale if r["low"] == r["low"] else None,
                r["high"] * scale if r["high"] == r["high"] else None,
            )
            if lo is not None and hi is not None:
                ax.plot([lo, hi], [y, y], color="0.2", lw=1.4)
            elif lo is not None:
                ax.annotate(
                    "",
                    xy=(xmax, y),
                    xytext=(lo, y),
                    annotation_clip=False,
                    arrowprops=dict(arrowstyle="-|>", color="0.2", lw=1.4, shrinkA=0, shrinkB=0),
                )
            ax.plot([est], [y], marker="s", ms=float(sizes[y]), color=c, ls="none", zorder=3)
            ci = f" [{fmt(lo / scale)}–{fmt(hi / scale) if hi is not None else 'NR'}]" if lo is not None else ""
            ax.text(1.02, y, f"{fmt(est / scale)}{ci}", transform=ax.get_yaxis_transform(), va="center", fontsize=9)
            n_text = (
                ""
                if r["n"] != r["n"] or r["n"] is None
                else (
                    f"{int(r['events'])}/{int(r['n'])}"
                    if "events" in r and r["events"] == r["events"] and r["events"] is not None
                    else f"{int(r['n'])}"
                )
            )
            ax.text(-0.03, y, n_text, transform=ax.get_yaxis_transform(), va="center", ha="right", fontsize=9)
        labels = list(rows["label"])
        if pooled is not None and pooled.pooled:
            y = len(rows) + 0.6
            e, lo, hi = pooled.estimate * scale, pooled.low * scale, pooled.high * scale
            ax.add_patch(Polygon([(lo, y), (e, y - 0.3), (hi, y), (e, y + 0.3)], closed=True, color="0.15"))
            ax.text(
                1.02,
                y,
                f"{fmt(pooled.estimate)} [{fmt(pooled.low)}–{fmt(pooled.high)}]",
                transform=ax.get_yaxis_transform(),
                va="center",
                fontsize=9,
                fontweight="bold",
            )
            het = f"τ² = {pooled.tau2:.2f}; I² = {pooled.i2 * 100:.0f}%; Q = {pooled.q:.2f} (df = {pooled.k - 1})"
            kind = "random effects" if "random" in pooled.method else "fixed effect"
            labels += ["", f"Pooled, {kind}\nHeterogeneity: {het}"]
        ax.set_yticks(
            range(len(labels))
            if not (pooled is not None and pooled.pooled)
            else [*range(len(rows)), len(rows), len(rows) + 0.6],
            labels,
            fontsize=9,
        )
        ax.set_ylim(nrows - 0.4 if not (pooled is not None and pooled.pooled) else len(rows) + 1.2, -0.8)
        ax.set_xlim(0, xmax)
        ax.set_xlabel(xlabel)
        ax.grid(axis="y", visible=False)
        ax.text(1.02, 1.0, estimate_label, transform=ax.transAxes, fontsize=8, color="0.35", va="bottom")
        ax.text(
            -0.03,
            1.0,
            "events/n" if "events" in rows else "n",
            transform=ax.transAxes,
            fontsize=8,
            color="0.35",
            va="bottom",
            ha="right",
        )
        ax.tick_params(axis="y", pad=52)  # the labels sit left of the n column
    return fig


PRISMA_STAGES = ["identified", "screened", "retrieved", "assessed", "included"]


def prisma_counts(log) -> dict:
    """PRISMA 2020 counts computed from a screening log (never typed)."""
    by_source = log.groupby("source_database").size().to_dict()
    duplicates = int((log["decision"] == "duplicate").sum())
    excl = log[log["decision"] == "excluded"]
    return {
        "identified": len(log),
        "by_source": by_source,
        "duplicates": duplicates,
        "screened": len(log) - duplicates,
        "excluded_screening": int((excl["stage"] == "screening").sum()),
        "not_retrieved": int((excl["stage"] == "retrieval").sum()),
        "assessed": len(log) - duplicates - int(excl["stage"].isin(["screening", "retrieval"]).sum()),
        "excluded_eligibility": excl[excl["stage"] == "eligibility"]["exclusion_reason"].value_counts().to_dict(),
        "included": int((log["decision"] == "included").sum()),
    }


def prisma_flow(log, *, note: str = ""):
    """A PRISMA 2020 flow diagram whose every count is computed from *log*."""
    import matplotlib.pyplot as plt
    from matplotlib.patches import FancyBboxPatch

    k = prisma_counts(log)
    sources = "\n".join(f"{_wrap(s, 46)} (n = {n})" for s, n in sorted(k["by_source"].items()))
    reasons = "; ".join(f"{r} (n = {n})" for r, n in sorted(k["excluded_eligibility"].items())) or "none"
    boxes = [
        (
            "Identification",
            f"Records identified (n = {k['identified']}):\n{sources}",
            f"Duplicate records removed\n(n = {k['duplicates']})",
        ),
        ("Screening", f"Records screened\n(n = {k['screened']})", f"Records excluded\n(n = {k['excluded_screening']})"),
        (
            "",
            f"Reports assessed for eligibility\n(n = {k['assessed']})",
            f"Reports not retrieved (n = {k['not_retrieved']});\nexcluded: {_wrap(reasons, 34)}",
        ),
        ("Included", f"Studies included in the review\n(n = {k['included']})", None),
    ]
    fig, ax = plt.subplots(figsize=(7, 7.0 if not note else 7.4))
    ax.set_xlim(0, 10)
    ax.set_ylim(0, 10)
    ax.axis("off")
    n_lines = boxes[0][1].count("\n") + 1
    ys = [8.3, 5.7, 3.7, 1.7]
    for (stage, main, side), y in zip(boxes, ys):
        h = 0.34 * n_lines + 0.3 if stage == "Identification" else 1.0
        ax.add_patch(FancyBboxPatch((1.0, y - h / 2), 5.0, h, boxstyle="round,pad=0.05", fc="#eef3f8", ec="#1f4e79"))
        ax.text(3.5, y, main, ha="center", va="center", fontsize=8 if stage == "Identification" else 8.5)
        if side:
            ax.add_patch(FancyBboxPatch((6.6, y - 0.5), 3.3, 1.0, boxstyle="round,pad=0.05", fc="white", ec="0.4"))
            ax.text(8.25, y, side, ha="center", va="center", fontsize=8)
            ax.annotate("", xy=(6.6, y), xytext=(6.05, y), arrowprops=dict(arrowstyle="-|>", color="0.3"))
        if stage:
            ax.text(
                0.4, y, stage, rotation=90, ha="center", va="center", fontsize=9, fontweight="bold", color="#1f4e79"
            )
    for a, b in itertools.pairwise(ys):
        top = a - ((0.34 * n_lines + 0.3) / 2 + 0.05 if a == ys[0] else 0.53)
        ax.annotate("", xy=(3.5, b + 0.53), xytext=(3.5, top), arrowprops=dict(arrowstyle="-|>", color="0.3"))
    if note:
        ax.text(0.2, 0.35, _wrap(note, 110), fontsize=7.5, color="0.3", va="top", ha="left")
    return fig


def _wrap(text: str, width: int) -> str:
    import textwrap

    return "\n".join(textwrap.wrap(text, width)) or text


# The public names (the notebook API, see reviewkit.evidence); everything else here is internal.
__all__ = [
    "class_phase_heatmap",
    "forest_plot",
    "outcome_intervals",
    "prisma_counts",
    "prisma_flow",
    "trial_timeline",
    "trials_by_phase_status",
]
