"""Faults found on review (issue #10, item 8), each pinned by a test that failed before its fix."""

import json

import matplotlib

matplotlib.use("Agg")

import pandas as pd
import pytest

from reviewkit.errors import ConfigError
from reviewkit.evidence import figures, prose
from reviewkit.trials import read_table
from reviewkit.trials.classify import lookup, names_in_title, read_classes

from conftest import ROOT, copy_project, reviewkit

TRIALS = read_table(ROOT / "references" / "trials" / "seed-nct05204524-related.csv")


def test_proportion_sentence_with_missing_events_as_pd_na():
    row = pd.Series({"endpoint": "ORR", "value": 18.2, "events": pd.NA, "n": 11}, dtype=object)
    assert prose.proportion_sentence(row) == "the objective response rate was 18.2%"
    row["events"] = 2
    assert prose.proportion_sentence(row) == "the objective response rate was 18.2% (2 of 11)"


@pytest.mark.parametrize("status, label", [("WITHHELD", "Withheld"), ("", "Status not given")])
def test_timeline_and_bars_draw_every_valid_or_empty_status(status, label):
    # synthetic: the example's real trials, one of them given another status
    trials = TRIALS.copy()
    dated = trials.index[trials["start_date"] != ""][0]
    trials.loc[dated, "overall_status"] = status
    fig = figures.trial_timeline(trials)
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert label in legend
    fig = figures.trials_by_phase_status(trials)
    assert sum(p.get_width() for p in fig.axes[0].patches) == len(trials)  # no trial dropped
    assert label in [t.get_text() for t in fig.axes[0].get_legend().get_texts()]


def test_names_in_title_returns_the_words_as_the_title_prints_them():
    table = lookup(read_classes(ROOT / "references" / "intervention-classes.csv"))
    # synthetic title: leading spaces and a double space shift normalized offsets against the original
    title = "   A  Study of  Pazopanib   and Trabectedin"
    assert names_in_title(title, table) == ["Pazopanib", "Trabectedin"]


def test_literal_in_a_heading_prints_without_backslashes():
    from reviewkit.report.assemble import _number_headings

    text, _, _ = _number_headings(
        f"# Reported efficacy: {prose.literal('non-uterine (2nd line) <b>')}", 1, 0, True, "x"
    )
    assert "non-uterine (2nd line) &lt;b&gt;" in text and "\\" not in text
    text, _, _ = _number_headings(f"## {prose.literal('a*b [@x]')}", 1, 0, False, "x")
    assert "a*b [@x]</h3>" in text


def test_error_in_the_fourth_section_names_its_own_line(tmp_path):
    project = copy_project(tmp_path / "p")
    toml = project / "review.toml"
    lines = toml.read_text(encoding="utf-8").splitlines()
    heads = [i for i, line in enumerate(lines) if line.strip() == "[[section]]"]
    # the fourth [[section]]'s inputs as a string, not a list (every section has an `inputs` line)
    at = next(i for i in range(heads[3], len(lines)) if lines[i].startswith("inputs"))
    lines[at] = 'inputs = "references/evidence.csv"'
    toml.write_text("\n".join(lines) + "\n", encoding="utf-8")
    from reviewkit.pipeline import config

    with pytest.raises(ConfigError) as err:
        config.load(project)
    assert (
        err.value.source.endswith(f"review.toml:{at + 1}") and "section[4].inputs must be a list" in err.value.message
    )


def test_run_with_a_string_for_a_list_parameter_says_how_to_pass_a_list(tmp_path):
    project = copy_project(tmp_path / "p")
    proc = reviewkit("run", project, "--only", "trials", "-p", "statuses", "RECRUITING")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert """-p statuses '["RECRUITING"]'""" in proc.stderr and 'statuses = ["RECRUITING"]' in proc.stderr


def test_code_cells_without_ids_keep_their_figures_and_prose(tmp_path):
    project = copy_project(tmp_path / "p")
    nb_path = project / "notebooks" / "screening.ipynb"
    nb = json.loads(nb_path.read_text(encoding="utf-8"))
    nb["nbformat_minor"] = 4  # nbformat 4.4: cell ids did not exist yet
    for c in nb["cells"]:
        c.pop("id", None)
    nb_path.write_text(json.dumps(nb, indent=1), encoding="utf-8")
    toml = project / "review.toml"  # build the screening section alone, with the bibliography
    text = toml.read_text(encoding="utf-8")
    keep = [part for part in text.split("[[section]]") if 'name = "screening"' in part]
    toml.write_text(text.split("[[section]]")[0] + "[[section]]" + keep[0], encoding="utf-8")
    reviewkit("build", project, "--to", "html", check=True)
    html = (project / "outputs" / "report.html").read_text(encoding="utf-8")
    assert 'id="fig-prisma"' in html and "were merged, and" in html  # the figure and the computed prose
    assert (project / "outputs" / "figures" / "prisma.png").is_file()
