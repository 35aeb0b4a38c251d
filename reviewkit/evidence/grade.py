"""GRADE certainty of evidence and the summary-of-findings table.

The judgements live in a CSV (e.g. ``references/grade.csv``), one row per outcome::

    outcome,design,risk_of_bias,inconsistency,indirectness,imprecision,publication_bias,upgrade,reasons,source
    Tuberculosis,randomized,serious,very serious,not serious,not serious,undetected,0,"a: …; b: …",…

``design`` sets the starting level (randomized: high; observational: low); each ``serious``
domain lowers it by one level, ``very serious`` by two, ``strongly suspected`` publication bias
by one; ``upgrade`` (0–2, observational evidence only: large effect, dose–response) raises it.
The certainty is shown as ⊕⊕⊕⊕ High, ⊕⊕⊕◯ Moderate, ⊕⊕◯◯ Low, ⊕◯◯◯ Very low.
"""

from __future__ import annotations

from ..errors import InputError, did_you_mean

COLUMNS = [
    "outcome",
    "design",
    "risk_of_bias",
    "inconsistency",
    "indirectness",
    "imprecision",
    "publication_bias",
    "upgrade",
    "reasons",
    "source",
]
DOMAINS = ["risk_of_bias", "inconsistency", "indirectness", "imprecision"]
SERIOUSNESS = {"not serious": 0, "serious": 1, "very serious": 2}
PUBLICATION = {"undetected": 0, "strongly suspected": 1}
DESIGNS = {"randomized": 4, "observational": 2}
LEVELS = {4: "High", 3: "Moderate", 2: "Low", 1: "Very low"}
DOMAIN_NAMES = {
    "risk_of_bias": "risk of bias",
    "inconsistency": "inconsistency",
    "indirectness": "indirectness",
    "imprecision": "imprecision",
    "publication_bias": "publication bias",
}


def read_grade(path):
    """The validated GRADE judgements table (one row per outcome) from a CSV file; every bad row is reported
    with its line."""
    from ..csvfile import read

    return validate(read(path, what="GRADE judgements", columns=[c for c in COLUMNS if c != "upgrade"]), name=str(path))


def validate(df, *, name: str = "<GRADE judgements>"):
    from ..csvfile import Problems, conform

    df = conform(df, COLUMNS, optional=("upgrade",), name=name)
    problems = Problems("GRADE judgements", name)
    seen: dict[str, int] = {}
    for i, r in df.iterrows():
        if r["design"] not in DESIGNS:
            problems.row(
                i, f"design {r['design']!r}{did_you_mean(r['design'], DESIGNS)} (expected {' or '.join(DESIGNS)})"
            )
        for d in DOMAINS:
            if r[d] not in SERIOUSNESS:
                problems.row(
                    i, f"{d} {r[d]!r}{did_you_mean(r[d], SERIOUSNESS)} (expected one of {', '.join(SERIOUSNESS)})"
                )
        if r["publication_bias"] not in PUBLICATION:
            problems.row(
                i,
                f"publication_bias {r['publication_bias']!r}"
                f"{did_you_mean(r['publication_bias'], PUBLICATION)} (expected {' or '.join(PUBLICATION)})",
            )
        if r["upgrade"] not in ("", "0", "1", "2"):
            problems.row(i, f"upgrade {r['upgrade']!r} (expected 0, 1 or 2 levels)")
        elif r["upgrade"] not in ("", "0") and r["design"] == "randomized":
            problems.row(i, "upgrading applies to observational evidence only")
        if not r["outcome"].strip():
            problems.row(i, "outcome is empty")
        elif r["outcome"] in seen:
            problems.row(i, f"outcome {r['outcome']!r} is judged twice (also line {seen[r['outcome']]})")
        seen.setdefault(r["outcome"], i + 2)
        downgraded = [d for d in DOMAINS if SERIOUSNESS.get(r[d], 0)] + (
            ["publication_bias"] if PUBLICATION.get(r["publication_bias"], 0) else []
        )
        if downgraded and not r["reasons"].strip():
            problems.row(
                i, f"downgraded for {', '.join(DOMAIN_NAMES[d] for d in downgraded)} but 'reasons' is empty (say why)"
            )
    problems.raise_all()
    df["upgrade"] = df["upgrade"].replace("", "0").astype(int)
    return df


def certainty(row) -> tuple[int, str]:
    """(level 1–4, "⊕⊕◯◯ Low") for one validated judgements row."""
    level = DESIGNS[row["design"]] - sum(SERIOUSNESS[row[d]] for d in DOMAINS) - PUBLICATION[row["publication_bias"]]
    level = max(1, min(4, level + int(row["upgrade"])))
    return level, "⊕" * level + "◯" * (4 - level) + " " + LEVELS[level]


def downgrades(row) -> str:
    """ "risk of bias (serious), inconsistency (very serious)" or "none"."""
    parts = [f"{DOMAIN_NAMES[d]} ({row[d]})" for d in DOMAINS if SERIOUSNESS[row[d]]]
    if PUBLICATION[row["publication_bias"]]:
        parts.append("publication bias (strongly suspected)")
    return ", ".join(parts) or "none"


def absolute_risk(control_risk: float, effect: float, measure: str) -> float:
    """Risk with the intervention for a comparator risk and a relative effect (GRADE handbook):
    RR: p·RR; OR: OR·p / (1 − p + OR·p); HR: 1 − (1 − p)^HR; RD: p + RD."""
    p = control_risk
    if measure == "RR":
        return min(1.0, p * effect)
    if measure == "OR":
        return effect * p / (1 - p + effect * p)
    if measure == "HR":
        return 1 - (1 - p) ** effect
    if measure == "RD":
        return min(1.0, max(0.0, p + effect))
    raise ValueError(f"no absolute effect for measure {measure!r} (expected RR, OR, HR or RD)")


def _per_1000(x: float) -> str:
    return f"{round(x * 1000):,}"


def summary_of_findings(findings, judgements):
    """The summary-of-findings table as a DataFrame, one row per outcome.

    *findings*: dicts with ``outcome``, ``result`` (a MetaResult on a ratio or RD scale),
    ``participants``, ``control_risk`` (the assumed comparator risk, e.g. the pooled control-arm
    risk) and optionally ``comparator_label``.  *judgements*: the validated GRADE table; every
    outcome must be judged there (an outcome without judgements is an error, not a blank).
    """
    import pandas as pd

    from .meta_prose import interval, value

    rows = []
    for f in findings:
        match = judgements[judgements["outcome"] == f["outcome"]]
        if match.empty:
            raise InputError(
                f"outcome {f['outcome']!r} has no GRADE judgements"
                f"{did_you_mean(f['outcome'], list(judgements['outcome']))}"
            )
        j = match.iloc[0]
        res = f["result"]
        b = res.back
        measure = res.measure
        level = f"{round(res.level * 100):g}% CI"
        p0 = f["control_risk"]
        with_int = absolute_risk(p0, b.estimate, measure)
        lo = absolute_risk(p0, b.ci_low, measure)
        hi = absolute_risk(p0, b.ci_high, measure)
        diff = with_int - p0
        d_lo, d_hi = sorted((lo - p0, hi - p0))
        word = "fewer" if diff < 0 else "more"
        _, cert = certainty(j)
        rows.append(
            {
                "Outcome": f["outcome"],
                "Participants (studies)": f"{f['participants']:,} ({res.k} {'study' if res.k == 1 else 'studies'})",
                "Relative effect": f"{measure} {value(b.estimate)} ({level} {interval(b.ci_low, b.ci_high)})",
                "Risk with comparator": f"{_per_1000(p0)} per 1,000",
                "Risk with intervention": f"{_per_1000(with_int)} per 1,000 ({_per_1000(min(lo, hi))} to {_per_1000(max(lo, hi))})",
                "Difference": f"{_per_1000(abs(diff))} {word} per 1,000 ({_signed(d_lo)} to {_signed(d_hi)})",
                "Certainty": cert,
                "Downgraded for": downgrades(j),
                "Reasons": j["reasons"],
            }
        )
    return pd.DataFrame(rows)


def _signed(x: float) -> str:
    n = round(x * 1000)
    return f"{abs(n):,} fewer" if n < 0 else f"{n:,} more"


def sof_figure(table, *, title: str = "Summary of findings", note: str = ""):
    """The summary-of-findings table drawn as a figure (GRADE layout, wrapped cells)."""
    import textwrap

    import matplotlib.pyplot as plt

    headers = [
        "Outcome",
        "Participants\n(studies)",
        "Relative effect\n(95% CI)",
        "Anticipated absolute effects",
        "",
        "",
        "Certainty of\nthe evidence\n(GRADE)",
    ]
    widths = [0.13, 0.12, 0.15, 0.13, 0.16, 0.17, 0.14]
    wraps = [18, 16, 20, 16, 20, 22, 24]
    lines_per_row = []
    cells = []
    for _, r in table.iterrows():
        rel = r["Relative effect"].split(" (", 1)
        values = [
            r["Outcome"],
            r["Participants (studies)"],
            rel[0] + ("\n(" + rel[1] if len(rel) > 1 else ""),
            r["Risk with comparator"],
            r["Risk with intervention"],
            r["Difference"],
            r["Certainty"] + "\n" + f"downgraded for {r['Downgraded for']}",
        ]
        wrapped = ["\n".join(textwrap.fill(part, w) for part in v.split("\n")) for v, w in zip(values, wraps)]
        cells.append(wrapped)
        lines_per_row.append(max(c.count("\n") + 1 for c in wrapped))
    reasons = [f"{r['Outcome']}: {r['Reasons']}" for _, r in table.iterrows() if r["Reasons"]]
    foot = "\n".join(textwrap.fill(t, 140) for t in reasons + ([note] if note else []))
    head_lines = 3.6
    total_lines = head_lines + sum(0.9 * n + 0.8 for n in lines_per_row) + 1.3 * (foot.count("\n") + 1) + 2.2
    line_h = 0.16
    fig = plt.figure(figsize=(11.0, line_h * total_lines + 0.5))
    ax = fig.add_axes((0, 0, 1, 1))
    ax.axis("off")
    ax.set_xlim(0, 1)
    ax.set_ylim(total_lines, 0)
    ax.text(0.005, 0.6, title, fontsize=10, fontweight="bold", va="center")
    xs = [0.005]
    for w in widths[:-1]:
        xs.append(xs[-1] + w)
    y = 1.5
    ax.fill_between([0, 1], y - 0.3, y + head_lines - 0.3, color="#dde7f0", lw=0)
    for x, h in zip(xs, headers):
        if h:
            ax.text(x + 0.003, y + 0.2, h, fontsize=8, fontweight="bold", va="top")
    ax.text(xs[3] + 0.003, y + 1.3, "Risk with\ncomparator", fontsize=8, va="top", fontweight="bold")
    ax.text(xs[4] + 0.003, y + 1.3, "Risk with\nintervention", fontsize=8, va="top", fontweight="bold")
    ax.text(xs[5] + 0.003, y + 1.3, "Difference", fontsize=8, va="top", fontweight="bold")
    ax.plot([xs[3], xs[6] - 0.005], [y + 1.05, y + 1.05], color="0.5", lw=0.6)
    y += head_lines
    for wrapped, n in zip(cells, lines_per_row):
        ax.plot([0, 1], [y - 0.3, y - 0.3], color="0.4", lw=0.8)
        for x, text in zip(xs, wrapped):
            ax.text(x + 0.003, y, text, fontsize=8, va="top", linespacing=1.25)
        y += 0.9 * n + 0.8
    ax.plot([0, 1], [y - 0.3, y - 0.3], color="0.4", lw=0.8)
    if foot:
        ax.text(0.005, y + 0.2, foot, fontsize=7.5, va="top", color="0.2", linespacing=1.3)
    return fig


# The public names (the notebook API, see reviewkit.evidence); everything else here is internal.
__all__ = ["absolute_risk", "certainty", "read_grade", "sof_figure", "summary_of_findings"]
