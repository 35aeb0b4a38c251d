"""What the efficacy and trials notebooks show, computed in the package (reviewkit.evidence.outcomes,
reviewkit.trials views): tested on the example's real files and on small synthetic frames (labelled so)."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from reviewkit.evidence import (
    figures,
    outcomes,
    pool_proportions,
    proportion_ci,
    read_sheet,
)
from reviewkit.trials import (
    as_of_date,
    changes_table,
    dated,
    diff,
    read_table,
    trial_table,
)

from conftest import ROOT

SHEET = ROOT / "references" / "evidence.csv"
TRIALS = ROOT / "references" / "trials" / "seed-nct05204524-related.csv"


@pytest.fixture(scope="module")
def sheet():
    return read_sheet(SHEET)


def test_interval_text_carries_limits_as_reported():
    assert outcomes.interval_text(1.9, 21.9) == "1.9–21.9"
    assert outcomes.interval_text(2.0, float("nan")) == "2–not reported"
    assert outcomes.interval_text(None, 5.25) == "not reported–5.25"
    assert outcomes.interval_text(float("nan"), None) == ""


def test_responses_and_medians_select_the_rows_a_section_shows(sheet):
    resp = outcomes.responses(sheet, "ORR")
    assert len(resp) and (resp["endpoint"] == "ORR").all() and resp["events"].notna().all()
    assert len(resp) < (sheet["endpoint"] == "ORR").sum()  # a response rate without stated events is not a row here
    med = outcomes.medians(sheet, ["PFS", "OS"])
    assert set(med["endpoint"]) == {"PFS", "OS"} and med["value"].notna().all()
    assert outcomes.medians(sheet, ["DOR"]).empty


def test_forest_rows_hold_exact_intervals_and_draw(sheet):
    resp = outcomes.responses(sheet, "ORR")
    rows = outcomes.forest_rows(resp, ci_method="exact")
    assert list(rows.columns) == ["label", "n", "events", "estimate", "low", "high"]
    first = resp.iloc[0]
    ci = proportion_ci(int(first["events"]), int(first["n"]))
    assert rows.iloc[0]["label"] == f"{first['study']} — {first['subgroup']}"
    assert (rows.iloc[0]["estimate"], rows.iloc[0]["low"], rows.iloc[0]["high"]) == (ci.estimate, ci.low, ci.high)
    wilson = outcomes.forest_rows(resp, ci_method="wilson")
    assert wilson.iloc[0]["low"] != rows.iloc[0]["low"]
    pooled = outcomes.pool_responses(resp)
    assert pooled == pool_proportions(resp["events"].astype(int), resp["n"].astype(int))
    fig = figures.forest_plot(rows, xlabel="Objective response rate (%)", pooled=pooled, percent=True)
    assert len(fig.axes) == 1


def test_sentences_say_what_the_sheet_states(sheet):
    resp = outcomes.responses(sheet, "ORR")
    sentences = outcomes.response_sentences(resp)
    assert len(sentences) == len(resp)
    r = resp.iloc[0]
    assert sentences[0].startswith("In the ") and f"{int(r['events'])} of {int(r['n'])}" in sentences[0]
    assert sentences[0].endswith(", exact).")
    med = outcomes.medians(sheet, ["PFS"])
    text = outcomes.median_sentences(med)
    assert len(text) == len(med) and all("the median progression-free survival was" in s for s in text)
    assert all(f"n = {n}" in s for s, n in zip(text, med["n"]))


def test_outcomes_table_lists_every_outcome(sheet):
    table = outcomes.outcomes_table(sheet)
    assert list(table.columns) == ["Study", "Subgroup", "n", "Endpoint", "Statistic", "Value", "Unit", "Interval"]
    assert len(table) == len(sheet)
    medians = sheet["statistic"] == "median"
    assert all(v == f"{x:.1f}" for v, x in zip(table.loc[medians, "Value"], sheet.loc[medians, "value"]))
    assert sheet["n"].isna().any() == (table["n"] == "").any()


def test_outcomes_of_a_synthetic_sheet_with_open_limits():
    """Synthetic rows (not evidence): an open upper limit, no interval, no n."""
    frame = pd.DataFrame(
        {
            "study": ["Synthetic A", "Synthetic B"],
            "subgroup": ["all", "all"],
            "n": pd.array([30, None], dtype="Int64"),
            "endpoint": ["OS", "ORR"],
            "statistic": ["median", "proportion"],
            "value": [12.0, 25.0],
            "unit": ["months", "%"],
            "ci_low": [8.25, math.nan],
            "ci_high": [math.nan, math.nan],
            "events": [math.nan, math.nan],
        }
    )
    table = outcomes.outcomes_table(frame)
    assert list(table["Value"]) == ["12.0", "25"]
    assert list(table["Interval"]) == ["8.25–not reported", ""]
    assert list(table["n"]) == ["30", ""]
    assert outcomes.responses(frame, "ORR").empty  # no events stated: no computed interval
    assert outcomes.outcomes_table(frame.iloc[:0]).empty


@pytest.fixture(scope="module")
def trials():
    return read_table(TRIALS)


def test_as_of_date_is_given_or_the_latest_update(trials):
    assert as_of_date(trials, "2024-01-31") == "2024-01-31"
    posted = [d for d in trials["last_update_posted"] if d]
    assert as_of_date(trials) == (max(posted) if posted else "")
    synthetic = trials.iloc[:3].assign(last_update_posted=["2023-05", "", "2023-11-02"])  # synthetic dates
    assert as_of_date(synthetic) == "2023-11-02"
    assert as_of_date(synthetic.assign(last_update_posted="")) == ""


def test_trial_table_prints_labels_and_marks_missing_titles(trials):
    table = trial_table(trials)
    assert list(table.columns) == ["NCT ID", "Title", "Status", "Phase"] and len(table) == len(trials)
    assert "ACTIVE_NOT_RECRUITING" not in set(table["Status"]) and table["Status"].notna().all()
    untitled = trials.assign(brief_title=[""] + list(trials["brief_title"][1:]))
    assert trial_table(untitled).iloc[0]["Title"] == "(title not given in the source)"
    assert len(dated(trials)) == (trials["start_date"] != "").sum()


def test_changes_table_names_its_columns(trials):
    """Synthetic change: one trial's status edited in a copy of the example's table."""
    edited = trials.copy()
    edited.loc[0, "overall_status"] = "COMPLETED" if edited.loc[0, "overall_status"] != "COMPLETED" else "RECRUITING"
    table = changes_table(diff(trials, edited))
    assert list(table.columns) == ["NCT ID", "Change", "Field", "Before", "Now", "Title"]
    assert list(table["NCT ID"]) == [trials.loc[0, "nct_id"]]
