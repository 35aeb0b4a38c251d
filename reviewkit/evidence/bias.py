"""Risk of bias: ``references/risk-of-bias.csv``, traffic-light and (weighted) summary plots.

One row per study and tool, the domain judgements and the overall one::

    study,tool,D1,D2,D3,D4,D5,D6,D7,overall,support
    Trial A 2019,RoB 2,Low,Some concerns,Low,Low,High,,,High,"D5: outcome switched (protocol vs paper)"

``RoB 2`` (randomized trials) has domains D1–D5 judged Low / Some concerns / High; ``ROBINS-I``
(non-randomized studies) D1–D7 judged Low / Moderate / Serious / Critical / No information.
``support`` says on what each judgement rests.  Figures follow robvis (McGuinness & Higgins 2021):
colours plus a symbol in each cell, so they read in grey scale too.
"""

from __future__ import annotations

from typing import Any

from ..errors import did_you_mean

COLUMNS = ["study", "tool", "D1", "D2", "D3", "D4", "D5", "D6", "D7", "overall", "support"]
TOOLS: dict[str, dict[str, Any]] = {
    "RoB 2": {
        "domains": {
            "D1": "Bias arising from the randomization process",
            "D2": "Bias due to deviations from intended interventions",
            "D3": "Bias due to missing outcome data",
            "D4": "Bias in measurement of the outcome",
            "D5": "Bias in selection of the reported result",
        },
        "judgements": ["Low", "Some concerns", "High", "No information"],
    },
    "ROBINS-I": {
        "domains": {
            "D1": "Bias due to confounding",
            "D2": "Bias in selection of participants into the study",
            "D3": "Bias in classification of interventions",
            "D4": "Bias due to deviations from intended interventions",
            "D5": "Bias due to missing data",
            "D6": "Bias in measurement of outcomes",
            "D7": "Bias in selection of the reported result",
        },
        "judgements": ["Low", "Moderate", "Serious", "Critical", "No information"],
    },
}
COLOURS = {
    "Low": "#02C100",
    "Some concerns": "#E2DF07",
    "Moderate": "#E2DF07",
    "High": "#BF0000",
    "Serious": "#BF0000",
    "Critical": "#820000",
    "No information": "#4EA1F7",
}
SYMBOLS = {
    "Low": "+",
    "Some concerns": "−",
    "Moderate": "−",
    "High": "×",
    "Serious": "×",
    "Critical": "!",
    "No information": "?",
}


def read_risk_of_bias(path):
    """The validated risk-of-bias table; every bad row is reported with its line."""
    from ..csvfile import read

    return validate(
        read(path, what="risk-of-bias table", columns=[c for c in COLUMNS if c not in ("D6", "D7")]), name=str(path)
    )


def validate(df, *, name: str = "<risk of bias>"):
    from ..csvfile import Problems, conform

    df = conform(df, COLUMNS, optional=("D6", "D7", "support"), name=name)
    problems = Problems("risk-of-bias table", name)
    seen: dict[tuple[str, str], int] = {}
    for i, r in df.iterrows():
        tool = r["tool"].strip()
        if tool not in TOOLS:
            problems.row(i, f"unknown tool {tool!r}{did_you_mean(tool, TOOLS)} (expected RoB 2 or ROBINS-I)")
            continue
        spec = TOOLS[tool]
        for d in [*(f"D{j}" for j in range(1, 8)), "overall"]:
            value = r[d].strip()
            if d != "overall" and d not in spec["domains"]:
                if value:
                    problems.row(i, f"{tool} has no domain {d} (it has D1–D{len(spec['domains'])}); leave it empty")
                continue
            if not value:
                problems.row(i, f"{d} is empty (expected one of {', '.join(spec['judgements'])})")
            elif value not in spec["judgements"]:
                problems.row(
                    i,
                    f"{d} {value!r} is not a {tool} judgement{did_you_mean(value, spec['judgements'])}"
                    f" (expected one of {', '.join(spec['judgements'])})",
                )
        key = (r["study"].strip(), tool)
        if not key[0]:
            problems.row(i, "study is empty")
        elif key in seen:
            problems.row(i, f"{key[0]!r} is assessed with {tool} twice (also line {seen[key]})")
        seen.setdefault(key, i + 2)
    problems.raise_all()
    return df


def _tools(rob):
    return [t for t in TOOLS if (rob["tool"] == t).any()]


def traffic_light(rob):
    """One circle per study and domain (plus overall), coloured and marked by the judgement; one
    panel per tool, with the domain names and the judgement key underneath."""
    import matplotlib.pyplot as plt
    from matplotlib.lines import Line2D

    tools = _tools(rob)
    if not tools:
        raise ValueError("no risk-of-bias judgements to draw")
    heights = [(rob["tool"] == t).sum() + 0.5 * len(TOOLS[t]["domains"]) + 2.5 for t in tools]
    fig, axes = plt.subplots(
        len(tools),
        1,
        figsize=(7.0, 0.3 * sum(heights) + 0.4),
        squeeze=False,
        gridspec_kw={"height_ratios": heights},
        layout="constrained",
    )
    for ax, tool in zip(axes[:, 0], tools):
        rows = rob[rob["tool"] == tool].reset_index(drop=True)
        domains = list(TOOLS[tool]["domains"])
        cols = domains + ["overall"]
        for y, r in rows.iterrows():
            for x, d in enumerate(cols):
                j = r[d]
                ax.plot([x], [y], "o", ms=15, color=COLOURS[j], mec="0.25", mew=0.5)
                ax.text(x, y, SYMBOLS[j], ha="center", va="center", fontsize=10, fontweight="bold", color="black")
        ax.set_xticks(range(len(cols)), domains + ["Overall"], fontsize=8.5)
        ax.xaxis.tick_top()
        ax.set_yticks(range(len(rows)), rows["study"], fontsize=8.5)
        ax.set_xlim(-0.6, len(cols) - 0.4)
        ax.set_ylim(len(rows) - 0.5, -0.6)
        ax.axvline(len(domains) - 0.5, color="0.6", lw=0.8)
        for side in ax.spines.values():
            side.set_visible(False)
        ax.tick_params(length=0)
        ax.set_title(f"{tool}", loc="left", fontsize=10, fontweight="bold", pad=22)
        key = "\n".join(f"{d}: {name}" for d, name in TOOLS[tool]["domains"].items())
        ax.text(0.0, -0.04, key, transform=ax.transAxes, va="top", ha="left", fontsize=7.5, color="0.2")
        handles = [
            Line2D([], [], marker="o", ls="none", ms=9, color=COLOURS[j], mec="0.25", label=f"{SYMBOLS[j]} {j}")
            for j in TOOLS[tool]["judgements"]
        ]
        ax.legend(
            handles=handles,
            loc="upper left",
            bbox_to_anchor=(0.62, -0.02),
            fontsize=7.5,
            frameon=False,
            title="Judgement",
            title_fontsize=7.5,
        )
    return fig


def summary(rob, weights=None):
    """Per domain, the share of studies (or of meta-analysis weight, when *weights* maps study ->
    weight) judged at each level: stacked horizontal bars, one panel per tool."""
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch

    tools = _tools(rob)
    if not tools:
        raise ValueError("no risk-of-bias judgements to draw")
    heights = [len(TOOLS[t]["domains"]) + 2.2 for t in tools]
    fig, axes = plt.subplots(
        len(tools),
        1,
        figsize=(7.0, 0.34 * sum(heights) + 0.8),
        squeeze=False,
        gridspec_kw={"height_ratios": heights},
        layout="constrained",
    )
    for ax, tool in zip(axes[:, 0], tools):
        rows = rob[rob["tool"] == tool]
        if weights is not None:
            missing = [s for s in rows["study"] if s not in weights]
            if missing:
                raise ValueError(f"no weight for {', '.join(missing)} (weights are by study name)")
            w = rows["study"].map(weights).astype(float)
        else:
            w = rows["study"].map(lambda s: 1.0)
        cols = list(TOOLS[tool]["domains"]) + ["overall"]
        labels = list(TOOLS[tool]["domains"].values()) + ["Overall risk of bias"]
        for y, d in enumerate(cols):
            left = 0.0
            for j in TOOLS[tool]["judgements"]:
                share = float(w[rows[d] == j].sum() / w.sum())
                if share > 0:
                    ax.barh(y, share, left=left, color=COLOURS[j], edgecolor="white", height=0.7)
                    if share >= 0.08:
                        ax.text(left + share / 2, y, f"{share * 100:.0f}%", ha="center", va="center", fontsize=7.5)
                left += share
        ax.set_yticks(range(len(cols)), labels, fontsize=8)
        ax.set_ylim(len(cols) - 0.4, -0.6)
        ax.set_xlim(0, 1)
        ax.xaxis.set_major_formatter(lambda v, _: f"{v * 100:.0f}%")
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        basis = "meta-analysis weight" if weights is not None else "studies"
        ax.set_title(
            f"{tool} ({len(rows)} {'study' if len(rows) == 1 else 'studies'}; share of {basis})",
            loc="left",
            fontsize=9.5,
            fontweight="bold",
        )
        handles = [Patch(color=COLOURS[j], label=j) for j in TOOLS[tool]["judgements"]]
        ax.legend(handles=handles, loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=5, fontsize=7.5, frameon=False)
    return fig


# The public names (the notebook API, see reviewkit.evidence); everything else here is internal.
__all__ = ["read_risk_of_bias", "summary", "traffic_light"]
