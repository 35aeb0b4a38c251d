"""The trial table (seed NCT05204524 page) and the extraction sheet, with statistics."""

import re

import pytest
from scipy import stats as sps

from reviewkit.errors import InputError
from reviewkit.evidence import prose
from reviewkit.evidence.sheet import read_sheet
from reviewkit.evidence.stats import proportion_ci
from reviewkit.trials import read_table, select
from reviewkit.trials.schema import normalize_date
from reviewkit.vocab import normalize_phase, normalize_status

from conftest import ROOT, SEEDS

TRIALS = ROOT / "references" / "trials" / "seed-nct05204524-related.csv"
SHEET = ROOT / "references" / "evidence.csv"


def test_trial_table_matches_the_seed_page():
    df = read_table(TRIALS)
    assert len(df) == 21 and df["nct_id"].is_unique
    seed = next(SEEDS.glob("003_*")).read_text(encoding="utf-8")
    for row in df.itertuples():
        assert row.nct_id in seed
        if row.brief_title:
            assert f"{row.nct_id} - {row.brief_title}" in seed  # title exactly as printed
        assert row.source.startswith("references/sources/003_aed3cc4ffcd6480c.txt")  # inside the repository
    assert df.set_index("nct_id").loc["NCT04624178", "overall_status"] == "ACTIVE_NOT_RECRUITING"
    assert df.set_index("nct_id").loc["NCT06088290", "phase"] == "PHASE2/PHASE3"
    assert df.set_index("nct_id").loc["NCT05204524", "start_date"] == "2021-08-27"
    assert df["conditions"].map(list).tolist()[0] == []


@pytest.mark.parametrize(
    "text,expected",
    [
        ("Active, not recruiting", "ACTIVE_NOT_RECRUITING"),
        ("Not yet recruiting", "NOT_YET_RECRUITING"),
        ("COMPLETED", "COMPLETED"),
        ("Recruiting", "RECRUITING"),
        ("Finished", None),
        ("", ""),
    ],
)
def test_status_spellings(text, expected):
    assert normalize_status(text) == expected


@pytest.mark.parametrize(
    "text,expected",
    [
        ("Phase 1/Phase 2", "PHASE1/PHASE2"),
        ("PHASE2|PHASE3", "PHASE2/PHASE3"),
        ("N/A", "NA"),
        ("Early Phase 1", "EARLY_PHASE1"),
        ("Phase 2", "PHASE2"),
        ("Phase 5", None),
    ],
)
def test_phase_spellings(text, expected):
    assert normalize_phase(text) == expected


def test_month_precision_is_kept():
    assert normalize_date("2021-08") == "2021-08"
    assert normalize_date("August 2021") == "2021-08"
    assert normalize_date("August 27, 2021") == "2021-08-27"
    assert normalize_date("27/08/2021") is None


def test_every_invalid_row_is_reported_at_once(tmp_path):
    lines = TRIALS.read_text(encoding="utf-8").splitlines()
    lines[2] = lines[2].replace("NCT05094804", "NCT0509480")
    lines[6] = lines[6].replace("Terminated", "Finished")
    bad = tmp_path / "trials.csv"
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_table(bad)
    msg = str(info.value)
    assert f"{bad}:3: nct_id 'NCT0509480' is not an NCT id" in msg
    assert f"{bad}:7: unknown status 'Finished'" in msg


def test_renamed_column_suggests_the_right_one(tmp_path):
    bad = tmp_path / "trials.csv"
    bad.write_text(TRIALS.read_text(encoding="utf-8").replace("overall_status", "overal_status", 1), encoding="utf-8")
    with pytest.raises(InputError, match=r"unknown column 'overal_status' \(did you mean 'overall_status'"):
        read_table(bad)


def test_select_by_status():
    df = read_table(TRIALS)
    rec = select(df, statuses=["Recruiting"])
    assert len(rec) == 8 and set(rec["overall_status"]) == {"RECRUITING"}
    with pytest.raises(InputError, match="did you mean 'RECRUITING'"):
        select(df, statuses=["RECRUITNG"])


def test_extraction_sheet_holds_the_seed_statements():
    df = read_sheet(SHEET)
    seed = next(SEEDS.glob("003_*")).read_text(encoding="utf-8")
    assert len(df) == 9
    for row in df.itertuples():
        quoted = re.findall(r'"([^"]+)"', row.where)
        assert quoted and all(q in seed for q in quoted)
        if row.value == row.value:
            assert f"{row.value:g}" in " ".join(quoted)
    lms = df[(df.subgroup == "leiomyosarcoma subset") & (df.endpoint == "ORR")].iloc[0]
    assert (lms.events, lms.n, lms.value) == (2, 11, 18)


def test_sheet_errors_list_every_bad_row(tmp_path):
    lines = SHEET.read_text(encoding="utf-8").splitlines()
    lines[2] = lines[2].replace(",PFS,median,2.0,months,1.7,2.3,", ",PFS,median,2.0,months,2.1,2.3,")
    lines[4] = lines[4].replace(",11,ORR,", ",11,ORRR,").replace(",,2,", ",,12,")
    bad = tmp_path / "evidence.csv"
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_sheet(bad)
    msg = str(info.value)
    assert f"{bad}:3: the interval [2.1, 2.3] does not contain the value 2.0" in msg
    assert f"{bad}:5: unknown endpoint 'ORRR'" in msg
    assert f"{bad}:5: events (12) > n (11)" in msg


@pytest.mark.parametrize("events,n", [(2, 11), (3, 11), (0, 10), (10, 10), (7, 25), (1, 1)])
def test_clopper_pearson_against_scipy_beta_quantiles(events, n):
    ci = proportion_ci(events, n)
    low = 0.0 if events == 0 else sps.beta.ppf(0.025, events, n - events + 1)
    high = 1.0 if events == n else sps.beta.ppf(0.975, events + 1, n - events)
    assert ci.low == pytest.approx(low, abs=1e-12) and ci.high == pytest.approx(high, abs=1e-12)


def test_published_reference_values():
    # Clopper–Pearson 2/11: 2.28%–51.78%; Wilson 2/11: 5.14%–47.70% (e.g. Newcombe 1998, method 3/1 tables)
    ci = proportion_ci(2, 11)
    assert (round(ci.low * 100, 2), round(ci.high * 100, 2)) == (2.28, 51.78)
    w = proportion_ci(2, 11, method="wilson")
    assert (round(w.low * 100, 2), round(w.high * 100, 2)) == (5.14, 47.70)
    with pytest.raises(ValueError, match="need integers 0 <= events <= n"):
        proportion_ci(12, 11)


def test_prose_plurals_and_summary():
    assert prose.count(1, "trial") == "one trial" and prose.count(21, "trial") == "21 trials"
    df = read_table(TRIALS)
    text = prose.trial_summary(df)
    assert text == (
        "Of 21 registered trials, eight are recruiting; phase 2 is the most common phase (seven trials), "
        "and five trials have no phase given."
    )
    assert prose.trial_summary(select(df, statuses=["WITHDRAWN"])).startswith(
        "Of 1 registered trial, zero are recruiting"
    )


def _statsmodels_pool(events, n):
    import math

    import numpy as np
    from statsmodels.stats.meta_analysis import combine_effects

    e, m = np.array(events, float), np.array(n, float)
    res = combine_effects(np.log(e / (m - e)), 1 / e + 1 / (m - e), method_re="dl")
    sf = res.summary_frame()
    expit = lambda x: 1 / (1 + math.exp(-x))  # noqa: E731
    return {
        k: tuple(expit(sf.loc[k, c]) for c in ("eff", "ci_low", "ci_upp")) for k in ("fixed effect", "random effect")
    }, res


def test_pooling_matches_statsmodels():
    from reviewkit.evidence.stats import pool_proportions

    events, n = [1, 9, 20, 3], [20, 20, 25, 30]  # heterogeneous: tau2 > 0
    ref, res = _statsmodels_pool(events, n)
    r = pool_proportions(events, n, method="random")
    assert (r.estimate, r.low, r.high) == pytest.approx(ref["random effect"], rel=1e-9)
    assert r.tau2 == pytest.approx(res.tau2) and r.i2 == pytest.approx(res.i2)
    f = pool_proportions(events, n, method="fixed")
    assert (f.estimate, f.low, f.high) == pytest.approx(ref["fixed effect"], rel=1e-9)
    assert r.k == 4 and r.pooled


def test_no_heterogeneity_truncates_tau2_at_zero():
    from reviewkit.evidence.stats import pool_proportions

    r = pool_proportions([2, 5, 12, 7], [11, 25, 40, 30])
    f = pool_proportions([2, 5, 12, 7], [11, 25, 40, 30], method="fixed")
    assert r.tau2 == 0 and r.i2 == 0 and r.estimate == pytest.approx(f.estimate)


def test_one_study_is_not_pooled_and_says_so():
    from reviewkit.evidence.stats import pool_proportions

    r = pool_proportions([2], [11])
    assert not r.pooled and "nothing to pool" in r.note
    assert (round(r.low * 100, 2), round(r.high * 100, 2)) == (2.28, 51.78)
