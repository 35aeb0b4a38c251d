"""reviewkit's meta-analysis against metafor's own results.

The reference values are in tests/reference/metafor_reference.json, written by
tests/reference/metafor_reference.R from datasets that ship with metafor (R is not needed here).
Closed-form results agree to 1e-6 (relative or absolute); iterative τ² (REML, ML, PM) to 1e-5.
"""

import json
import math
import re
from pathlib import Path

import pytest

from reviewkit.evidence import (
    effect_sizes,
    egger_test,
    leave_one_out,
    mantel_haenszel,
    meta_analysis,
    subgroups,
)
from reviewkit.evidence.meta import peto

REF = json.loads((Path(__file__).parent / "reference" / "metafor_reference.json").read_text())
DATA = REF["datasets"]
ITERATIVE = {"REML", "ML", "PM"}


def close(ours, theirs, tol=1e-6):
    if theirs is None:
        return ours is None or (isinstance(ours, float) and math.isnan(ours))
    return math.isclose(ours, theirs, rel_tol=tol, abs_tol=tol)


def escalc_args(entry):
    data = DATA[entry["dataset"]]
    args = {ours: data[col] for ours, col in entry["args"].items() if ours != "scale"}
    if "scale" in entry["args"]:
        args["scale"] = entry["args"]["scale"]
    return args


def test_reference_file_names_its_versions():
    assert REF["metafor"].startswith("3.") or REF["metafor"].startswith("4.")
    assert REF["R"].startswith("R version")
    measures = {e["measure"] for e in REF["escalc"]}
    assert measures == {"OR", "RR", "RD", "MD", "SMD", "PLO", "PR", "PFT", "GEN"}
    assert {m["method"] for m in REF["rma"]} == {"FE", "DL", "REML", "PM", "ML", "HE", "SJ"}
    assert {m["test"] for m in REF["rma"]} == {"z", "knha"}
    assert {m["k"] for m in REF["rma"]} >= {1, 2}


@pytest.mark.parametrize("entry", REF["escalc"], ids=lambda e: f"{e['dataset']}-{e['measure']}")
def test_effect_sizes_match_escalc(entry):
    es = effect_sizes(entry["measure"], **escalc_args(entry))
    assert len(es) == len(entry["yi"])
    for ours, theirs in zip(es["yi"], entry["yi"]):
        assert close(ours, theirs), (ours, theirs)
    for ours, theirs in zip(es["vi"], entry["vi"]):
        assert close(ours, theirs), (ours, theirs)


def test_zero_cells_get_one_half_only_in_their_study():
    entry = next(e for e in REF["escalc"] if e["dataset"] == "dat.nielweise2007" and e["measure"] == "OR")
    data = DATA["dat.nielweise2007"]
    assert 0 in data["ai"]  # the dataset really has zero cells
    es = effect_sizes("OR", **escalc_args(entry))
    first = 0  # Bach 1996: 0/116 vs 3/117
    assert es["yi"][first] == pytest.approx(math.log(0.5 * 114.5 / (116.5 * 3.5)))
    assert all(math.isfinite(x) for x in es["yi"])


def _model_id(m):
    return f"{m['dataset']}-{m['measure']}-{m['method']}-{m['test']}-k{m['k']}" + (
        f"-level{m['level']}" if "level" in m else ""
    )


@pytest.mark.parametrize("entry", REF["rma"], ids=_model_id)
def test_meta_analysis_matches_rma(entry):
    source = next(e for e in REF["escalc"] if e["dataset"] == entry["dataset"] and e["measure"] == entry["measure"])
    n = entry["k"]
    yi, vi = source["yi"][:n], source["vi"][:n]
    res = meta_analysis(yi, vi, method=entry["method"], test=entry["test"], level=entry.get("level", 0.95))
    ref = entry["result"]
    tol = 1e-5 if entry["method"] in ITERATIVE else 1e-6
    assert res.k == ref["k"]
    for ours, name in [
        (res.estimate, "estimate"),
        (res.se, "se"),
        (res.statistic, "zval"),
        (res.p, "pval"),
        (res.ci_low, "ci_low"),
        (res.ci_high, "ci_high"),
        (res.pi_low, "pi_low"),
        (res.pi_high, "pi_high"),
        (res.tau2, "tau2"),
        (res.h2, "h2"),
        (res.q, "q"),
        (res.q_p, "q_p"),
    ]:
        assert close(ours, ref[name], tol), (name, ours, ref[name])
    assert close(res.i2 * 100, ref["i2"], tol), ("i2", res.i2, ref["i2"])


def test_back_transformed_ratio_and_logit():
    ref = next(
        m
        for m in REF["rma"]
        if m["dataset"] == "dat.bcg"
        and m["measure"] == "RR"
        and m["method"] == "REML"
        and m["test"] == "z"
        and m["k"] == 13
        and "level" not in m
    )["result"]
    es = effect_sizes(
        "RR", ai=DATA["dat.bcg"]["ai"], bi=DATA["dat.bcg"]["bi"], ci=DATA["dat.bcg"]["ci"], di=DATA["dat.bcg"]["di"]
    )
    res = meta_analysis(es["yi"], es["vi"])
    assert res.scale == "log"
    assert res.back.estimate == pytest.approx(math.exp(ref["estimate"]), rel=1e-6)
    assert res.back.pi_high == pytest.approx(math.exp(ref["pi_high"]), rel=1e-6)
    plo = next(e for e in REF["escalc"] if e["dataset"] == "dat.pritz1997" and e["measure"] == "PLO")
    ref = next(
        m
        for m in REF["rma"]
        if m["dataset"] == "dat.pritz1997"
        and m["measure"] == "PLO"
        and m["method"] == "DL"
        and m["test"] == "z"
        and m["k"] > 2
    )["result"]
    res = meta_analysis(plo["yi"], plo["vi"], method="DL", measure="PLO")
    assert res.back.estimate == pytest.approx(1 / (1 + math.exp(-ref["estimate"])), rel=1e-6)
    assert res.back.ci_low == pytest.approx(1 / (1 + math.exp(-ref["ci_low"])), rel=1e-6)


def test_a_single_study_is_not_pooled_and_says_so():
    res = meta_analysis([0.3], [0.04])
    assert not res.pooled and "nothing to pool" in res.note


def _counts(dataset):
    d = DATA[dataset]
    if "bi" in d:
        return dict(ai=d["ai"], bi=d["bi"], ci=d["ci"], di=d["di"])
    return dict(ai=d["ai"], n1i=d["n1i"], ci=d["ci"], n2i=d["n2i"])


@pytest.mark.parametrize("entry", REF["mh"], ids=lambda e: f"{e['dataset']}-{e['measure']}")
def test_mantel_haenszel_and_peto_match(entry):
    if entry["measure"] == "PETO":
        res = peto(**_counts(entry["dataset"]))
    else:
        res = mantel_haenszel(**_counts(entry["dataset"]), measure=entry["measure"])
    ref = entry["result"]
    for ours, name in [
        (res.estimate, "estimate"),
        (res.se, "se"),
        (res.statistic, "zval"),
        (res.p, "pval"),
        (res.ci_low, "ci_low"),
        (res.ci_high, "ci_high"),
        (res.q, "q"),
        (res.q_p, "q_p"),
        (res.h2, "h2"),
    ]:
        assert close(ours, ref[name]), (name, ours, ref[name])
    assert close(res.i2 * 100, ref["i2"])
    assert res.k == ref["k"]
    if ref.get("cmh") is not None:
        from reviewkit.evidence.meta import cmh_test

        stat, p = cmh_test(**_counts(entry["dataset"]))
        assert close(stat, ref["cmh"]) and close(p, ref["cmh_p"])


@pytest.mark.parametrize("entry", REF["subgroups"], ids=lambda e: e["method"])
def test_subgroups_and_the_test_for_differences(entry):
    rr = next(e for e in REF["escalc"] if e["dataset"] == "dat.bcg" and e["measure"] == "RR")
    res = subgroups(rr["yi"], rr["vi"], by=DATA["dat.bcg"]["alloc"], method=entry["method"])
    tol = 1e-5 if entry["method"] in ITERATIVE else 1e-6
    assert sorted(g for g, _ in res.groups) == entry["groups"]
    for name, ref in zip(entry["groups"], entry["fits"]):
        fit = res[name]
        assert fit.k == ref["k"]
        for attr in ("estimate", "se", "ci_low", "ci_high", "tau2", "q"):
            assert close(getattr(fit, attr), ref[attr], tol), (name, attr)
    assert res.df == entry["test"]["df"]
    assert close(res.q, entry["test"]["q"], tol) and close(res.p, entry["test"]["p"], tol)


@pytest.mark.parametrize("entry", REF["leave1out"], ids=lambda e: e["method"])
def test_leave_one_out_matches_leave1out(entry):
    rr = next(e for e in REF["escalc"] if e["dataset"] == "dat.bcg" and e["measure"] == "RR")
    table = leave_one_out(rr["yi"], rr["vi"], method=entry["method"], study=DATA["dat.bcg"]["study"])
    tol = 1e-5 if entry["method"] in ITERATIVE else 1e-6
    assert list(table["left_out"]) == DATA["dat.bcg"]["study"]
    for col in ("estimate", "se", "ci_low", "ci_high", "q", "q_p", "tau2", "h2"):
        for ours, theirs in zip(table[col], entry["result"][col]):
            assert close(ours, theirs, tol), (col, ours, theirs)
    for ours, theirs in zip(table["i2"], entry["result"]["i2"]):
        assert close(ours * 100, theirs, tol)


@pytest.mark.parametrize("entry", REF["regtest"], ids=lambda e: f"{e['dataset']}-{e['measure']}-{e['model']}")
def test_egger_matches_regtest(entry):
    source = next(e for e in REF["escalc"] if e["dataset"] == entry["dataset"] and e["measure"] == entry["measure"])
    res = egger_test(source["yi"], source["vi"], model=entry["model"])
    ref = entry["result"]
    tol = 1e-5 if entry["model"] == "rma" else 1e-6
    assert close(res.statistic, ref["zval"], tol) and close(res.p, ref["pval"], tol)
    assert res.df == ref["dfs"]
    for attr in ("limit_estimate", "limit_ci_low", "limit_ci_high"):
        assert close(getattr(res, attr), ref[attr], tol), attr


def test_public_api_is_importable_and_lazy():
    import subprocess
    import sys

    code = (
        "import sys, reviewkit, reviewkit.evidence\n"
        "assert 'numpy' not in sys.modules and 'statsmodels' not in sys.modules, 'import is heavy'\n"
        "from reviewkit.evidence import effect_sizes, meta_analysis, mantel_haenszel, subgroups, leave_one_out, "
        "egger_test, proportion_ci, pool_proportions\n"
        "print(meta_analysis([0.1, 0.3], [0.01, 0.02]).k)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "2"


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: meta_analysis([0.1, 0.2], [0.01, 0.02], method="REM"), "unknown method 'REM' (did you mean 'REML'"),
        (lambda: meta_analysis([0.1, 0.2], [0.01, 0.02], test="knh"), "did you mean 'knha'"),
        (lambda: meta_analysis([0.1, 0.2], [0.01, 0.0]), "row 2: vi must be positive"),
        (
            lambda: effect_sizes("OR", ai=[1], bi=[2], ci=[3]),
            "measure OR needs the columns ai, bi, ci, di or ai, n1i, ci, n2i",
        ),
        (
            lambda: effect_sizes("RR", ai=[5, 12], n1i=[10, 11], ci=[1, 2], n2i=[10, 10], study=["A", "B"]),
            "row 2 (B): ai (events) is larger than n1i",
        ),
        (
            lambda: effect_sizes("GEN", estimate=[0.8], ci_low=[0.9], ci_high=[1.2]),
            "row 1: ci_low is above the estimate",
        ),
        (
            lambda: effect_sizes("GEN", estimate=[0.8], ci_low=[0.6], ci_high=[0.7]),
            "row 1: ci_high is below the estimate",
        ),
        (
            lambda: effect_sizes("SMD", m1i=[1], sd1i=[-1], n1i=[5], m2i=[2], sd2i=[1], n2i=[5]),
            "standard deviation is negative",
        ),
        (lambda: effect_sizes("PR", xi=[3], ni=[float("nan")]), "ni: row 1 is missing"),
        (lambda: effect_sizes("LOR", xi=[3], ni=[5]), "did you mean 'OR'"),
    ],
)
def test_bad_input_says_what_and_where(call, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        call()


def test_effect_sizes_read_named_columns_of_a_frame():
    import pandas as pd

    frame = pd.DataFrame({k: DATA["dat.bcg"][k] for k in ("study", "ai", "bi", "ci", "di")})
    es = effect_sizes("RR", data=frame, ai="ai", bi="bi", ci="ci", di="di", study="study")
    ref = next(e for e in REF["escalc"] if e["dataset"] == "dat.bcg" and e["measure"] == "RR")
    assert list(es["study"]) == DATA["dat.bcg"]["study"]
    assert es["yi"].tolist() == pytest.approx(ref["yi"], rel=1e-12)
    res = meta_analysis(es["yi"], es["vi"])
    assert res.measure == "RR" and res.scale == "log"  # the measure travels with the column
