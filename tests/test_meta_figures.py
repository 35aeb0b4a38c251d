"""Forest, funnel, risk-of-bias and summary-of-findings figures; the prose of a meta-analysis;
risk-of-bias and GRADE files; the meta-analysis notebook kind and the BCG demonstration review."""

import json
import re
from pathlib import Path

import pytest

from reviewkit.errors import InputError
from reviewkit.evidence import bias, forest, grade, meta_analysis, meta_prose, subgroups, synthesis
from reviewkit.evidence.sheet import read_sheet
from reviewkit.report import render_figure

from conftest import reviewkit

ROOT = Path(__file__).resolve().parents[1]
DEMO = ROOT / "examples" / "bcg-vaccine"
REF = json.loads((Path(__file__).parent / "reference" / "metafor_reference.json").read_text())


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    import matplotlib.pyplot as plt

    plt.close("all")


@pytest.fixture(scope="module")
def analysis():
    return synthesis.analyse(
        read_sheet(DEMO / "references" / "evidence.csv"), outcome="Tuberculosis", measure="RR", by="design"
    )


def texts(fig):
    return [t.get_text() for ax in fig.axes for t in ax.texts] + [t.get_text() for t in fig.texts]


def test_analysis_of_the_demo_is_metafors(analysis):
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
    assert analysis.result.estimate == pytest.approx(ref["estimate"], rel=1e-5)
    mh = next(m for m in REF["mh"] if m["dataset"] == "dat.bcg" and m["measure"] == "RR")["result"]
    assert analysis.common.method == "MH" and analysis.common.estimate == pytest.approx(mh["estimate"], rel=1e-6)
    assert analysis.participants == 357347 and analysis.egger is not None
    assert [g for g, _ in analysis.subgroups.groups] == [
        "random allocation",
        "alternate allocation",
        "systematic allocation",
    ]


def test_forest_plot_shows_arms_weights_diamonds_prediction_and_tests(analysis):
    a = analysis
    fig = forest.forest(
        a.effects,
        a.result,
        common=a.common,
        subgroups=a.subgroups,
        by="design",
        favours=("BCG vaccine", "no vaccine"),
        arms=("BCG vaccine", "No vaccine"),
    )
    t = texts(fig)
    assert "Aronson 1948" in t and "123" in t and "139" in t  # arm data: 4/123 vs 11/139
    assert f"{a.result.weights[0]:.1f}%" in t
    assert "0.41 [0.13, 1.26]" in t  # Aronson's RR and CI, as metafor: exp(-0.889) = 0.41
    assert "0.49 [0.34, 0.70]" in t and "0.64 [0.59, 0.69]" in t  # random effects and Mantel–Haenszel
    assert "[0.15, 1.55]" in t  # prediction interval
    assert any(s.startswith("Heterogeneity: Tau² = 0.31; Chi² = 152.23, df = 12 (P < 0.00001); I² = 92%") for s in t)
    assert "Test for overall effect: Z = 3.97 (P < 0.0001)" in t
    assert any(s.startswith("Test for subgroup differences: Chi² = 1.86, df = 2") for s in t)
    assert sum(s == "Subtotal (95% CI)" for s in t) == 3
    assert "Favours BCG vaccine" in t and "Favours no vaccine" in t
    diamonds = [p for p in fig.axes[0].patches if p.__class__.__name__ == "Polygon"]
    assert len(diamonds) == 5  # three subgroups, random effects, common effect


def test_funnel_plot_has_contours_and_the_test(analysis):
    a = analysis
    fig = forest.funnel(a.effects, a.result, egger=a.egger)
    ax = fig.axes[0]
    labels = ax.get_legend_handles_labels()[1]
    assert labels[:3] == ["99% pseudo-CI", "95% pseudo-CI", "90% pseudo-CI"]
    assert ax.get_ylim()[0] > ax.get_ylim()[1] == 0  # standard error 0 at the top
    assert ax.get_title(loc="left").startswith("Regression test for asymmetry: z = ")


def test_figures_are_deterministic(analysis):
    a = analysis
    rob = bias.read_risk_of_bias(DEMO / "references" / "risk-of-bias.csv")
    for make in (
        lambda: forest.forest(a.effects, a.result, common=a.common),
        lambda: forest.funnel(a.effects, a.result),
        lambda: bias.traffic_light(rob),
        lambda: bias.summary(rob),
    ):
        one, two = render_figure(make()), render_figure(make())
        assert one["png"] == two["png"] and one["svg"] == two["svg"]


def test_risk_of_bias_plots_cover_both_tools_and_weights(analysis):
    rob = bias.read_risk_of_bias(DEMO / "references" / "risk-of-bias.csv")
    assert set(rob["tool"]) == {"RoB 2", "ROBINS-I"} and len(rob) == 13
    fig = bias.traffic_light(rob)
    assert [ax.get_title(loc="left") for ax in fig.axes] == ["RoB 2", "ROBINS-I"]
    assert [t.get_text() for t in fig.axes[1].get_xticklabels()] == [
        "D1",
        "D2",
        "D3",
        "D4",
        "D5",
        "D6",
        "D7",
        "Overall",
    ]
    weights = dict(zip(analysis.effects["study"], analysis.result.weights))
    fig = bias.summary(rob, weights)
    rob_weight = sum(w for s, w in weights.items() if s in set(rob[rob["tool"] == "ROBINS-I"]["study"]))
    serious = sum(weights[s] for s in rob[(rob["tool"] == "ROBINS-I") & (rob["overall"] == "Serious")]["study"])
    assert f"{serious / rob_weight * 100:.0f}%" in texts(fig)
    assert "share of meta-analysis weight" in fig.axes[0].get_title(loc="left")


@pytest.mark.parametrize(
    "line, message",
    [
        ("A 2000,RoB 2,Low,Low,Low,Low,Hihg,,,High,x", ":2: D5 'Hihg' is not a RoB 2 judgement (did you mean 'High'?)"),
        ("A 2000,RoB2,Low,Low,Low,Low,Low,,,Low,x", ":2: unknown tool 'RoB2' (did you mean 'RoB 2'?)"),
        ("A 2000,RoB 2,Low,Low,Low,Low,Low,Low,,Low,x", ":2: RoB 2 has no domain D6"),
        ("A 2000,ROBINS-I,Low,Low,Low,Low,Low,Low,,Moderate,x", ":2: D7 is empty"),
    ],
)
def test_risk_of_bias_errors_name_the_line(tmp_path, line, message):
    path = tmp_path / "risk-of-bias.csv"
    path.write_text(",".join(bias.COLUMNS) + "\n" + line + "\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        bias.read_risk_of_bias(path)
    assert f"{path}{message}" in str(info.value)


def test_grade_certainty_and_summary_of_findings(analysis):
    judgements = grade.read_grade(DEMO / "references" / "grade.csv")
    row = judgements.iloc[0]
    assert grade.certainty(row) == (2, "⊕⊕◯◯ Low")
    a = analysis
    table = grade.summary_of_findings(
        [dict(outcome="Tuberculosis", result=a.result, participants=a.participants, control_risk=a.control_risk)],
        judgements,
    )
    r = table.iloc[0]
    assert r["Participants (studies)"] == "357,347 (13 studies)"
    assert r["Relative effect"] == "RR 0.49 (95% CI 0.34–0.70)"
    p0 = 1510 / 166283
    assert r["Risk with comparator"] == f"{round(p0 * 1000)} per 1,000"
    assert r["Risk with intervention"].startswith(f"{round(p0 * a.result.back.estimate * 1000)} per 1,000")
    assert r["Certainty"] == "⊕⊕◯◯ Low" and r["Downgraded for"] == "risk of bias (serious), inconsistency (serious)"
    fig = grade.sof_figure(table)
    assert any("⊕⊕◯◯ Low" in s for s in texts(fig))
    assert grade.absolute_risk(0.2, 2.0, "OR") == pytest.approx(0.4 / 1.2)
    assert grade.absolute_risk(0.2, 0.5, "HR") == pytest.approx(1 - 0.8**0.5)


def test_grade_errors(tmp_path):
    path = tmp_path / "grade.csv"
    path.write_text(
        ",".join(grade.COLUMNS) + "\n"
        "Death,randomised,serious,not serious,not serious,not serious,undetected,0,,src\n"
        "Death,randomized,serius,not serious,not serious,not serious,undetected,1,,src\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as info:
        grade.read_grade(path)
    msg = str(info.value)
    assert f"{path}:2: design 'randomised' (did you mean 'randomized'?)" in msg
    assert f"{path}:2: downgraded for risk of bias but 'reasons' is empty" in msg
    assert f"{path}:3: risk_of_bias 'serius' (did you mean 'serious'" in msg
    assert f"{path}:3: upgrading applies to observational evidence only" in msg
    assert f"{path}:3: outcome 'Death' is judged twice (also line 2)" in msg


def test_pooled_sentence_is_computed(analysis):
    text = meta_prose.pooled_sentence(analysis.result, participants=analysis.participants)
    assert text == (
        "Across 13 trials (n = 357,347), the pooled risk ratio was 0.49 (95% CI 0.34–0.70; I² = 92%, "
        "τ² = 0.31; 95% prediction interval 0.15–1.55; random effects, REML)."
    )
    seven = meta_analysis(analysis.effects["yi"][:7], analysis.effects["vi"][:7], measure="RR", method="DL")
    assert meta_prose.pooled_sentence(seven, method=False).startswith("Across seven trials, the pooled risk ratio was ")
    one = meta_analysis([-0.5], [0.04], measure="HR")
    assert (
        meta_prose.pooled_sentence(one)
        == "One trial reported a hazard ratio of 0.61 (95% CI 0.41–0.90); nothing was pooled."
    )
    fe = meta_analysis(analysis.effects["yi"], analysis.effects["vi"], method="FE", measure="RR")
    assert "τ²" not in meta_prose.pooled_sentence(fe) and "prediction" not in meta_prose.pooled_sentence(fe)
    md = meta_analysis([-1.5, -0.2], [0.3, 0.4], measure="MD", method="FE")
    assert meta_prose.pooled_sentence(md) == (
        "Across two trials, the pooled mean difference was −0.9 (95% CI −1.8 to −0.1; I² = 59%; common-effect model)."
    )
    sub = subgroups(analysis.effects["yi"], analysis.effects["vi"], by=analysis.effects["design"])
    assert (
        meta_prose.subgroup_sentence(sub, by="design")
        == f"The test for subgroup differences (design) gave χ² = {sub.q:.2f}, df = 2, p = {sub.p:.2f}."
    )


def test_synthesis_errors_name_the_closest_outcome(analysis):
    sheet = read_sheet(DEMO / "references" / "evidence.csv")
    with pytest.raises(InputError) as info:
        synthesis.analyse(sheet, outcome="Tuberculoses")
    assert "no comparative outcome 'Tuberculoses' (did you mean 'Tuberculosis'?)" in str(info.value)
    with pytest.raises(InputError) as info:
        synthesis.analyse(sheet, outcome="Tuberculosis", by="desing")
    assert "no column 'desing' to form subgroups (did you mean 'design'" in str(info.value)
    assert synthesis.analyse(read_sheet(ROOT / "references" / "evidence.csv")) is None


def test_leave_one_out_table_back_transforms(analysis):
    table = synthesis.leave_one_out_table(analysis)
    ref = next(e for e in REF["leave1out"] if e["method"] == "REML")["result"]
    import math

    assert list(table["Study left out"]) == list(analysis.effects["study"])
    first = table.iloc[0]["Pooled risk ratio [95% CI]"]
    assert first == (
        f"{math.exp(ref['estimate'][0]):.2f} [{math.exp(ref['ci_low'][0]):.2f}, {math.exp(ref['ci_high'][0]):.2f}]"
    )


def test_demo_notebook_is_the_template_kind():
    import re

    import nbformat

    from conftest import ROOT

    nb = nbformat.read(DEMO / "notebooks" / "meta-analysis.ipynb", as_version=4)
    template = [
        c.source
        for c in nbformat.read(
            ROOT / "reviewkit" / "template" / "notebooks" / "meta-analysis.ipynb", as_version=4
        ).cells
    ]
    # every cell is the template's, but the parameters cell, whose defaults are the demo section's own parameters
    # (what JupyterLab runs is what the report shows), with the same names in the same order
    assert [c.source for c in nb.cells][1:] == template[1:]
    names = [re.findall(r"^(\w+)\s*=", src, flags=re.M) for src in (nb.cells[0].source, template[0])]
    assert names[0] == names[1] and "parameters" in nb.cells[0].metadata.get("tags", [])
    assert all(not c.get("outputs") for c in nb.cells if c.cell_type == "code")


def test_demo_files_say_judgements_are_illustrative():
    rob = bias.read_risk_of_bias(DEMO / "references" / "risk-of-bias.csv")
    assert rob["support"].str.startswith("Illustrative judgement made for the reviewkit demonstration").all()
    assert grade.read_grade(DEMO / "references" / "grade.csv")["source"].str.startswith("Illustrative").all()
    readme = (DEMO / "references" / "README.md").read_text(encoding="utf-8")
    assert "illustrative judgements made for this demonstration" in readme and "Colditz" in readme


def test_the_demo_review_builds_with_all_four_figure_kinds(tmp_path):
    import shutil

    project = tmp_path / "bcg"
    shutil.copytree(DEMO, project, ignore=shutil.ignore_patterns("outputs"))
    assert reviewkit("check", project).returncode == 0
    proc = reviewkit("build", project, "--to", "html,pdf")
    assert proc.returncode == 0, proc.stderr
    html = (project / "outputs" / "report.html").read_text(encoding="utf-8")
    for name in (
        "forest-tuberculosis",
        "funnel-tuberculosis",
        "risk-of-bias",
        "risk-of-bias-summary",
        "summary-of-findings-tuberculosis",
    ):
        assert f'id="fig-{name}"' in html, name
        assert (project / "outputs" / "figures" / f"{name}.png").stat().st_size > 10_000
    assert 'id="tbl-leave-one-out-tuberculosis"' in html
    text = re.sub(r"<[^>]+>", "", html)
    assert "Across 13 trials (n = 357,347), the pooled risk ratio was 0.49 (95% CI 0.34–0.70; I² = 92%" in text
    assert (project / "outputs" / "report.pdf").read_bytes().startswith(b"%PDF")


def test_a_new_review_has_a_meta_analysis_section_that_builds_empty(tmp_path):
    target = tmp_path / "new"
    assert reviewkit("init", target).returncode == 0
    toml = (target / "review.toml").read_text(encoding="utf-8")
    assert (
        'name = "meta-analysis"' in toml
        and 'parameters = { outcome = "", measure = "RR", method = "REML", subgroup_column = "" }' in toml
    )
    for rel in ("references/risk-of-bias.csv", "references/grade.csv", "notebooks/meta-analysis.ipynb"):
        assert (target / rel).is_file(), rel
    proc = reviewkit("build", target, "--to", "html", "--force")
    assert proc.returncode == 0, proc.stderr
    html = (target / "outputs" / "report.html").read_text(encoding="utf-8")
    assert "The extraction sheet holds no comparative outcome yet" in html


def test_the_readme_meta_analysis_example_runs(tmp_path):
    import subprocess
    import sys

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    part = readme[readme.index("## Meta-analysis") :]
    code = part[part.index("```python") + len("```python") : part.index("```", part.index("```python") + 3)]
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert "estimate=0.489" in proc.stdout and "ci_low=0.344" in proc.stdout


def _sheet(rows):
    import pandas as pd

    from reviewkit.evidence.sheet import COLUMNS, OPTIONAL, validate

    out = []
    for values in rows:
        r = dict.fromkeys(COLUMNS + OPTIONAL, "")
        r.update(where="metafor reference data", source="metafor")
        r.update({k: str(v) for k, v in values.items()})
        out.append(r)
    return validate(pd.DataFrame(out))


def test_forest_of_means_and_of_reported_hazard_ratios():
    d = REF["datasets"]["dat.normand1999"]
    sheet = _sheet(
        [
            dict(
                study=s,
                endpoint="Other",
                outcome="Length of stay",
                statistic="means",
                mean=d["m1i"][i],
                sd=d["sd1i"][i],
                n=int(d["n1i"][i]),
                comparator_mean=d["m2i"][i],
                comparator_sd=d["sd2i"][i],
                comparator_n=int(d["n2i"][i]),
            )
            for i, s in enumerate(d["study"])
        ]
    )
    a = synthesis.analyse(sheet, measure="MD", test="knha")
    t = texts(forest.forest(a.effects, a.result, common=a.common))
    assert "55 (47)" in t and "155" in t and "Mean (SD)" in t  # Edinburgh: 55 (SD 47), n = 155
    assert "IV, Random (REML, HKSJ), 95% CI" in t and any(s.startswith("Test for overall effect: t = ") for s in t)
    g = REF["datasets"]["bcg.rr.reported"]
    sheet = _sheet(
        [
            dict(
                study=s,
                endpoint="OS",
                statistic="HR",
                value=g["estimate"][i],
                ci_low=g["ci_low"][i],
                ci_high=g["ci_high"][i],
            )
            for i, s in enumerate(g["study"][:4])
        ]
    )
    a = synthesis.analyse(sheet, measure="HR")
    assert a.common.method == "FE" and a.control_risk is None
    t = texts(forest.forest(a.effects, a.result, common=a.common))
    assert "Hazard ratio" in t and "Total" not in t and "Events" not in t  # no arm data to show
    assert f"{g['estimate'][0]:.2f} [{g['ci_low'][0]:.2f}, {g['ci_high'][0]:.2f}]" in t  # the reported HR as printed


def test_check_rejects_a_bad_risk_of_bias_or_grade_file_as_build_would(tmp_path):
    import shutil

    project = tmp_path / "bcg"
    shutil.copytree(DEMO, project, ignore=shutil.ignore_patterns("outputs"))
    rob = project / "references" / "risk-of-bias.csv"
    rob.write_text(
        rob.read_text(encoding="utf-8").replace(",RoB 2,Some concerns,", ",RoB 2,Some concern,", 1), encoding="utf-8"
    )
    g = project / "references" / "grade.csv"
    g.write_text(g.read_text(encoding="utf-8").replace(",randomized,", ",randomised,"), encoding="utf-8")
    proc = reviewkit("check", project)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "risk-of-bias.csv:2: D1 'Some concern' is not a RoB 2 judgement (did you mean 'Some concerns'" in proc.stderr
    assert "grade.csv:2: design 'randomised' (did you mean 'randomized'?)" in proc.stderr
