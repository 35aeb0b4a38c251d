"""Figures: each takes a DataFrame and returns a Figure whose content matches the data."""

import matplotlib

matplotlib.use("Agg")

import pandas as pd
import pytest

from reviewkit.errors import InputError
from reviewkit.evidence import figures
from reviewkit.evidence.screening import read_log
from reviewkit.evidence.stats import pool_proportions, proportion_ci
from reviewkit.report import render_figure
from reviewkit.trials import read_table, read_trials
from reviewkit.trials.classify import classify, read_classes

from conftest import DATA, ROOT

TRIALS = read_table(ROOT / "references" / "trials" / "seed-nct05204524-related.csv")
CLASSES = read_classes(ROOT / "references" / "intervention-classes.csv")


def texts(fig):
    return [t.get_text() for ax in fig.axes for t in [*ax.texts, *ax.get_yticklabels(), *ax.get_xticklabels()]]


def test_phase_status_bars_count_every_trial():
    fig = figures.trials_by_phase_status(TRIALS)
    heights = sum(p.get_width() for p in fig.axes[0].patches)
    assert heights == 21


def test_class_phase_heatmap_counts_from_titles():
    hits, unmatched = classify(TRIALS, CLASSES, from_titles=True)
    assert unmatched == [] and set(hits["from"]) == {"title"}
    fig = figures.class_phase_heatmap(hits)
    cells = list(fig.axes[0].texts)
    assert sum(int(t.get_text()) for t in cells) == len(hits.drop_duplicates(["nct_id", "class"]))
    assert "PARP inhibitor" in texts(fig)


def test_timeline_marks_month_precision_and_counts_left_out():
    df = read_trials(sorted((DATA / "ctgov").glob("api-v2-*.json")))
    fig = figures.trial_timeline(df)
    ax = fig.axes[0]
    assert "2 of 12 trials have no start date" in ax.get_title(loc="left")
    open_markers = [l for l in ax.lines if l.get_marker() == "o" and l.get_markerfacecolor() == "white"]
    month_dates = sum(1 for t in df.itertuples() if t.start_date and len(t.start_date) == 7) + sum(
        1 for t in df.itertuples() if t.start_date and len(t.primary_completion_date or t.completion_date) == 7
    )
    assert len(open_markers) == month_dates


def test_forest_plot_pooled_diamond_and_heterogeneity():
    ev, n = [1, 9, 20, 3], [20, 20, 25, 30]
    cis = [proportion_ci(e, m) for e, m in zip(ev, n)]
    rows = pd.DataFrame(
        {
            "label": [f"s{i}" for i in range(4)],
            "n": n,
            "events": ev,
            "estimate": [c.estimate for c in cis],
            "low": [c.low for c in cis],
            "high": [c.high for c in cis],
        }
    )
    pooled = pool_proportions(ev, n)
    fig = figures.forest_plot(rows, xlabel="ORR (%)", pooled=pooled, percent=True)
    t = texts(fig)
    assert "9/20" in t and "45 [23–68]" in t
    assert any(s.startswith("Pooled, random effects\nHeterogeneity: τ² = 2.84; I² = 89%") for s in t)
    assert f"{pooled.estimate * 100:.0f} [{pooled.low * 100:.0f}–{pooled.high * 100:.0f}]" in t
    assert any(type(p).__name__ == "Polygon" for p in fig.axes[0].patches)


def test_medians_open_upper_limit_drawn_as_such():
    from reviewkit.evidence.sheet import read_sheet

    fig = figures.outcome_intervals(read_sheet(ROOT / "references" / "evidence.csv"))
    t = texts(fig)
    assert "30.8 [7.8–NR]" in t and "2.0 [1.7–2.3]" in t
    assert any(a.arrow_patch is not None for ax in fig.axes for a in ax.texts if hasattr(a, "arrow_patch"))


def test_prisma_counts_are_computed_from_the_log():
    log = read_log(ROOT / "references" / "screening.csv")
    k = figures.prisma_counts(log)
    assert (k["identified"], k["duplicates"], k["screened"], k["included"]) == (20, 3, 17, 17)
    fig = figures.prisma_flow(log)
    joined = "\n".join(texts(fig))
    assert "Records identified (n = 20)" in joined and "Duplicate records removed\n(n = 3)" in joined
    assert "Studies included in the review\n(n = 17)" in joined


def test_screening_log_errors(tmp_path):
    bad = tmp_path / "screening.csv"
    bad.write_text(
        "record_id,source_database,stage,decision,exclusion_reason\nr1,db,screenin,excluded,\n", encoding="utf-8"
    )
    with pytest.raises(InputError) as info:
        read_log(bad)
    assert "unknown stage 'screenin' (did you mean 'screening'" in str(info.value)
    assert f"{bad}:2: an excluded record needs an exclusion_reason" in str(info.value)


def test_figures_are_deterministic_and_carry_no_date():
    a = render_figure(figures.trials_by_phase_status(TRIALS))
    b = render_figure(figures.trials_by_phase_status(TRIALS))
    assert a == b
    assert b"<dc:date>" not in a["svg"] and b"Software" not in a["png"][:200]


def test_matrix_expands_sections(tmp_path):
    from reviewkit.evidence.sheet import read_sheet
    from reviewkit.pipeline.config import load

    from conftest import copy_project

    cfg = load(ROOT)
    names = [s.name for s in cfg.sections]
    assert {"efficacy-overall", "efficacy-leiomyosarcoma-subset", "efficacy-leiomyosarcoma"} <= set(names)
    subgroups = set(read_sheet(ROOT / "references" / "evidence.csv")["subgroup"])
    assert {s.parameters["subgroup"] for s in cfg.sections if s.name.startswith("efficacy-")} == subgroups
    project = copy_project(tmp_path / "p")
    toml = project / "review.toml"
    toml.write_text(
        toml.read_text(encoding="utf-8").replace("matrix = { subgroup = [", 'matrix = { subgroup = "x", y = ['),
        encoding="utf-8",
    )
    with pytest.raises(InputError, match=r"matrix\.subgroup must be a non-empty list"):
        load(project)
