"""``reviewkit init DIR``: a new review that builds as is.

It holds a ``review.toml``, an abstract, one notebook per kind of section
(background, trial landscape, screening, efficacy per subgroup, meta-analysis, what changed)
and empty evidence files with their headers.  Every notebook handles empty
data, so the first ``reviewkit build`` succeeds before any evidence is added.
"""

from __future__ import annotations

from pathlib import Path

from .errors import InputError

REVIEW_TOML = """# A review built with reviewkit.  See README: "Writing a review".

[report]
title = "{title}"
running_title = "{title}"
authors = ["Author One", "Author Two"]
affiliations = ["Affiliation"]
abstract = "abstract.md"
keywords = []
# every file in the folder, any format (.bib .ris .nbib .xml .json .txt); a path or glob that matches no file is an error
bibliography = ["references/bibliography/*"]
style = "vancouver"
edition = "First edition"

[[section]]
name = "background"
notebook = "notebooks/background.ipynb"
inputs = ["references/bibliography/*"]

[[section]]
name = "trials"
notebook = "notebooks/trials.ipynb"
inputs = ["references/trials/**/*", "references/intervention-classes.csv"]
parameters = {{ trials_file = "references/trials/trials.csv", condition = "", statuses = [] }}

[[section]]
name = "screening"
notebook = "notebooks/screening.ipynb"
inputs = ["references/screening.csv"]

[[section]]
name = "efficacy"
notebook = "notebooks/efficacy.ipynb"
inputs = ["references/evidence.csv"]
# one section per subgroup of the extraction sheet, e.g. matrix = {{ subgroup = ["overall", "uterine"] }}
parameters = {{ subgroup = "" }}

[[section]]
name = "meta-analysis"
notebook = "notebooks/meta-analysis.ipynb"
inputs = ["references/evidence.csv", "references/risk-of-bias.csv", "references/grade.csv"]
# outcome: a comparative outcome of the sheet; measure: OR, RR, RD, HR, MD or SMD; method: FE, DL, REML, PM, ML, HE or SJ
parameters = {{ outcome = "", measure = "RR", method = "REML", subgroup_column = "" }}

[[section]]
name = "changes"
notebook = "notebooks/changes.ipynb"
inputs = ["references/trials/**/*"]
parameters = {{ current = "references/trials/trials.csv", previous = "" }}
"""

ABSTRACT = """Replace this abstract.  It may cite works from the bibliography, e.g. `[@key]`, once they are in
references/bibliography/.
"""


def _notebooks() -> dict[str, list]:
    """name -> [(kind, source, tags)]; thin notebooks: narrative + calls into reviewkit."""
    return {
        "background": [
            ("markdown", "# Background", []),
            ("code", "# Parameters\ntopic = \"\"", ["parameters"]),
            ("code", "from reviewkit import project, report\nfrom reviewkit.evidence import prose\n\n"
                     "bib = project.bibliography()", []),
            ("markdown", "Write the background here. Cite with `[@key]`, or by identifier with `[@doi:…]`, "
                         "`[@pmid:…]` or `[@nct:NCT…]` (resolved once with `reviewkit cite refresh`).", []),
            ("code", "report.text(f\"The evidence base holds {prose.count(len(bib.entries), 'reference', words=False)}.\")", []),
        ],
        "trials": [
            ("markdown", "# Registered trial landscape", []),
            ("code", "# Parameters\ntrials_file = \"references/trials/trials.csv\"\ncondition = \"\"\nstatuses = []\n"
                     "classes_file = \"references/intervention-classes.csv\"", ["parameters"]),
            ("code", "from reviewkit import project, report\nfrom reviewkit.evidence import figures, prose\n"
                     "from reviewkit.trials import read_table, select\nfrom reviewkit.trials.classify import classify, read_classes\n"
                     "from reviewkit.trials.schema import PHASE_LABELS, STATUS_LABELS\n\n"
                     "trials = select(read_table(project.path(trials_file)), condition=condition, statuses=statuses)\n"
                     "report.text(prose.trial_summary(trials))", []),
            ("code", "if len(trials):\n"
                     "    report.figure(figures.trials_by_phase_status(trials), \"trial-phases\",\n"
                     "                  caption=f\"Registered trials by phase and recruitment status ({prose.count(len(trials), 'trial', words=False)}).\")\n"
                     "    classified, unmatched = classify(trials, read_classes(project.path(classes_file)), from_titles=True)\n"
                     "    if len(classified):\n"
                     "        report.figure(figures.class_phase_heatmap(classified), \"trial-classes\",\n"
                     "                      caption=\"Registered trials by drug class and phase.\")\n"
                     "    if (trials['start_date'] != '').any():\n"
                     "        report.figure(figures.trial_timeline(trials), \"trial-timeline\",\n"
                     "                      caption=\"Time course of the registered trials; open circles mark dates known only to the month.\")", []),
            ("code", "view = trials.assign(Status=trials['overall_status'].map(STATUS_LABELS), Phase=trials['phase'].map(PHASE_LABELS))\n"
                     "report.table(view.rename(columns={'nct_id': 'NCT ID', 'brief_title': 'Title'})[['NCT ID', 'Title', 'Status', 'Phase']],\n"
                     "             \"trials\", caption=\"Registered trials.\", links={'NCT ID': 'https://clinicaltrials.gov/study/{}'})", []),
        ],
        "screening": [
            ("markdown", "# Selection of the evidence", []),
            ("code", "# Parameters\nscreening_file = \"references/screening.csv\"", ["parameters"]),
            ("code", "from reviewkit import project, report\nfrom reviewkit.evidence import figures\n"
                     "from reviewkit.evidence.screening import read_log\n\nlog = read_log(project.path(screening_file))\n"
                     "report.figure(figures.prisma_flow(log), \"prisma\", caption=\"PRISMA 2020 flow diagram, computed from the screening log.\")", []),
        ],
        "efficacy": [
            ("code", "# Parameters\nevidence_file = \"references/evidence.csv\"\nsubgroup = \"\"\nendpoints = [\"PFS\", \"OS\"]", ["parameters"]),
            ("code", "from reviewkit import project, report\nfrom reviewkit.evidence import figures, prose\n"
                     "from reviewkit.evidence.sheet import read_sheet\nfrom reviewkit.pipeline.config import slug\n\n"
                     "sheet = read_sheet(project.path(evidence_file))\n"
                     "evidence = sheet[sheet['subgroup'] == subgroup] if subgroup else sheet\n"
                     "tag = f\"-{slug(subgroup)}\" if subgroup else \"\"\n"
                     "report.text(f\"# Reported efficacy{': ' + prose.literal(subgroup) if subgroup else ''}\")\n"
                     "report.text(f\"The extraction sheet holds {prose.count(len(evidence), 'outcome', words=False)} for this section.\")", []),
            ("code", "if (evidence['endpoint'].isin(endpoints) & evidence['value'].notna()).any():\n"
                     "    report.figure(figures.outcome_intervals(evidence, endpoints), f\"survival{tag}\",\n"
                     "                  caption=\"Reported medians with their confidence intervals.\")\n"
                     "report.table(evidence[['study', 'subgroup', 'n', 'endpoint', 'statistic', 'value', 'unit', 'ci_low', 'ci_high']],\n"
                     "             f\"outcomes{tag}\", caption=\"Extracted outcomes.\")", []),
        ],
        "meta-analysis": meta_analysis_cells(),
        "changes": [
            ("markdown", "# What changed since the last edition", []),
            ("code", "# Parameters\ncurrent = \"references/trials/trials.csv\"\nprevious = \"\"", ["parameters"]),
            ("code", "from reviewkit import project, report\nfrom reviewkit.evidence import prose\n"
                     "from reviewkit.trials import read_table\nfrom reviewkit.trials.diff import diff, summary\n\n"
                     "now = read_table(project.path(current))\n"
                     "if previous:\n    report.text(summary(diff(read_table(project.path(previous)), now)))\n"
                     "else:\n    report.text(f\"This is the first edition ({prose.count(len(now), 'trial', words=False)} in the trial list); \"\n"
                     "                \"there is no earlier edition to compare with.\")", []),
        ],
    }


def meta_analysis_cells() -> list:
    """The meta-analysis notebook kind: one comparative outcome pooled, with forest and funnel plots,
    risk of bias and the GRADE summary of findings (each shown when its data are there)."""
    return [
        ("code", "# Parameters\nevidence_file = \"references/evidence.csv\"\n"
                 "outcome = \"\"  # a comparative outcome of the sheet (its 'outcome', or the endpoint code)\n"
                 "measure = \"RR\"  # OR, RR, RD, HR, MD or SMD\n"
                 "method = \"REML\"  # FE, DL, REML, PM, ML, HE or SJ\n"
                 "test = \"z\"  # z, or knha (Hartung-Knapp-Sidik-Jonkman)\n"
                 "subgroup_column = \"\"  # a sheet column to form subgroups, e.g. \"design\"\n"
                 "favours = [\"intervention\", \"control\"]\nstudy_noun = [\"study\", \"studies\"]\n"
                 "comparator_risk = 0.0  # assumed comparator risk for absolute effects; 0: pooled control arms\n"
                 "risk_of_bias_file = \"references/risk-of-bias.csv\"\ngrade_file = \"references/grade.csv\"",
         ["parameters"]),
        ("code", "from reviewkit import project, report\n"
                 "from reviewkit.evidence import bias, forest, grade, meta_prose, prose, read_sheet, synthesis\n\n"
                 "a = synthesis.analyse(read_sheet(project.path(evidence_file)), outcome=outcome, measure=measure,\n"
                 "                      method=method, test=test, by=subgroup_column, name=evidence_file)\n"
                 "tag = project.slug(a.outcome) if a else \"none\"\n"
                 "report.text(f\"# Meta-analysis: {prose.literal(a.outcome) if a else 'comparative outcomes'}\")", []),
        ("code", "if a is None:\n"
                 "    report.text(\"The extraction sheet holds no comparative outcome yet (rows with statistic counts, \"\n"
                 "                \"means, HR, OR, RR, RD or MD).\")\n"
                 "else:\n"
                 "    report.text(meta_prose.pooled_sentence(a.result, k_noun=study_noun[0], k_plural=study_noun[1],\n"
                 "                                           participants=a.participants))\n"
                 "    arms = [a.effects['arm'].iloc[0] or 'Intervention', a.effects['comparator'].iloc[0] or 'Control']\n"
                 "    report.figure(forest.forest(a.effects, a.result, common=a.common, subgroups=a.subgroups, by=a.by or None,\n"
                 "                                favours=favours, arms=arms), f\"forest-{tag}\",\n"
                 "                  caption=f\"{prose.literal(a.outcome)}: {meta_prose.MEASURE_NAMES[a.measure]} per study and pooled \"\n"
                 "                          f\"({meta_prose.METHOD_NAMES[a.result.method]}; grey diamond: \"\n"
                 "                          f\"{meta_prose.METHOD_NAMES[a.common.method]}), with the prediction interval.\")\n"
                 "    if a.subgroups is not None:\n"
                 "        report.text(meta_prose.subgroup_sentence(a.subgroups, by=a.by))\n"
                 "    if a.egger is not None:\n"
                 "        report.figure(forest.funnel(a.effects, a.result, egger=a.egger), f\"funnel-{tag}\",\n"
                 "                      caption=\"Funnel plot with 90%, 95% and 99% pseudo-confidence regions around the pooled estimate.\")\n"
                 "        report.text(meta_prose.egger_sentence(a.egger, k=a.result.k))\n"
                 "    if a.result.k >= 3:\n"
                 "        report.table(synthesis.leave_one_out_table(a), f\"leave-one-out-{tag}\",\n"
                 "                     caption=\"Sensitivity analysis: the pooled estimate without each study in turn.\")", []),
        ("code", "rob_path = project.path(risk_of_bias_file)\n"
                 "rob = bias.read_risk_of_bias(rob_path) if rob_path.exists() else None\n"
                 "if rob is not None and len(rob):\n"
                 "    report.figure(bias.traffic_light(rob), \"risk-of-bias\",\n"
                 "                  caption=\"Risk of bias per study and domain (RoB 2 for randomized, ROBINS-I for non-randomized studies).\")\n"
                 "    weights = dict(zip(a.effects['study'], a.result.weights)) if a else None\n"
                 "    judged = rob[rob['study'].isin(weights)] if weights else rob\n"
                 "    if len(judged):\n"
                 "        report.figure(bias.summary(judged, weights), \"risk-of-bias-summary\",\n"
                 "                      caption=\"Risk of bias per domain, as a share of the meta-analysis weight.\" if weights\n"
                 "                      else \"Risk of bias per domain, as a share of studies.\")\n"
                 "    if weights and len(judged) < len(weights):\n"
                 "        report.text(f\"{prose.sentence_case(prose.count(len(weights) - len(judged), 'study', 'studies'))} \"\n"
                 "                    \"in the analysis have no risk-of-bias judgement.\")", []),
        ("code", "grade_path = project.path(grade_file)\n"
                 "judgements = grade.read_grade(grade_path) if grade_path.exists() else None\n"
                 "risk = comparator_risk or (a.control_risk if a else None)\n"
                 "if (a is not None and a.measure in ('OR', 'RR', 'RD', 'HR') and risk and judgements is not None\n"
                 "        and (judgements['outcome'] == a.outcome).any()):\n"
                 "    sof = grade.summary_of_findings([dict(outcome=a.outcome, result=a.result, participants=a.participants,\n"
                 "                                          control_risk=risk)], judgements)\n"
                 "    basis = 'the assumed comparator risk' if comparator_risk else 'the pooled risk in the control arms'\n"
                 "    report.figure(grade.sof_figure(sof, note=f\"Risk with comparator: {basis}.\"), f\"summary-of-findings-{tag}\",\n"
                 "                  caption=\"Summary of findings with the GRADE certainty of the evidence.\")", []),
    ]


def create(directory) -> Path:
    import nbformat
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

    from .evidence.screening import COLUMNS as SCREENING
    from .evidence.bias import COLUMNS as RISK_OF_BIAS
    from .evidence.grade import COLUMNS as GRADE
    from .evidence.sheet import COLUMNS as SHEET
    from .evidence.sheet import OPTIONAL as SHEET_OPTIONAL
    from .trials.classify import COLUMNS as CLASSES
    from .trials.schema import COLUMNS as TRIALS

    root = Path(directory)
    if (root / "review.toml").exists():
        raise InputError("a review already exists here (review.toml); choose an empty folder", source=str(root))
    if root.exists() and any(root.iterdir()):
        raise InputError("the folder is not empty; choose a new or empty folder", source=str(root))
    (root / "notebooks").mkdir(parents=True)
    (root / "references" / "bibliography").mkdir(parents=True)
    (root / "references" / "trials").mkdir(parents=True)
    (root / "outputs").mkdir()
    title = root.resolve().name.replace("-", " ").replace("_", " ").strip().capitalize() or "A new review"
    (root / "review.toml").write_text(REVIEW_TOML.format(title=title.replace('"', "'")), encoding="utf-8")
    (root / "abstract.md").write_text(ABSTRACT, encoding="utf-8")
    (root / "references" / "bibliography" / "references.bib").write_text(
        "% The review's bibliography: BibTeX here, or RIS/MEDLINE/CSL-JSON/pasted lists beside it.\n"
        "% Say in each entry where it came from (a `source` field).\n", encoding="utf-8")
    headers = {"trials/trials.csv": TRIALS, "evidence.csv": SHEET + SHEET_OPTIONAL, "screening.csv": SCREENING,
               "intervention-classes.csv": CLASSES, "risk-of-bias.csv": RISK_OF_BIAS, "grade.csv": GRADE}
    for rel, cols in headers.items():
        (root / "references" / rel).write_text(",".join(cols) + "\n", encoding="utf-8")
    (root / ".gitignore").write_text("outputs/*\n!outputs/.gitkeep\n.ipynb_checkpoints/\n", encoding="utf-8")
    (root / "outputs" / ".gitkeep").write_text("", encoding="utf-8")
    for name, cells in _notebooks().items():
        nb = new_notebook()
        nb.metadata = {"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
                       "language_info": {"name": "python"}}
        for i, (kind, src, tags) in enumerate(cells):
            cell = new_markdown_cell(src) if kind == "markdown" else new_code_cell(src)
            cell.id = f"cell-{i}"
            if tags:
                cell.metadata["tags"] = tags
            nb.cells.append(cell)
        nbformat.validate(nb)
        nbformat.write(nb, root / "notebooks" / f"{name}.ipynb")
    return root
