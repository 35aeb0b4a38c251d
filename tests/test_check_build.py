"""`check` ≡ `build` (issue #10, item 4): one validation, the same verdict, every problem with file and line.

Each case breaks a copy of the example in one way a user does; `reviewkit check` and `reviewkit build` must both
reject it (exit 2, no traceback, no kernel started) naming the file and line.  The mutations are synthetic edits
of the real example files.
"""

import json
import re

import pytest

from reviewkit.pipeline.events import SectionQueued

from conftest import copy_project, kinds, reviewkit


def edit(path, old, new, count=1):
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")


def edit_notebook(path, index, old, new):
    nb = json.loads(path.read_text(encoding="utf-8"))
    src = "".join(nb["cells"][index]["source"])
    assert old in src
    nb["cells"][index]["source"] = src.replace(old, new, 1)
    path.write_text(json.dumps(nb, indent=1), encoding="utf-8")


def line_of(path, needle):
    return next(i for i, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1) if needle in line)


def unknown_key_in_abstract(p):
    edit(p / "abstract.md", "[@kasper2021unmet]", "[@kasper2021unmt]")
    return r"abstract\.md:2: unknown citation key @kasper2021unmt; closest known keys: kasper2021unmet"


def missing_file_in_a_notebook_default(p):
    edit_notebook(p / "notebooks" / "trials.ipynb", 1, "seed-nct05204524-related.csv", "seed-related.csv")
    return (
        r"notebooks/trials\.ipynb: parameters cell: section 'trials': parameter trials_file = "
        r"'references/trials/seed-related\.csv' matches no file \(closest: references/trials/seed-nct05204524-related\.csv"
    )


def missing_file_in_review_toml_parameters(p):
    edit(
        p / "review.toml",
        'current = "references/trials/seed-nct05204524-related.csv"',
        'current = "references/trials/old.csv"',
    )
    return rf"review\.toml:{line_of(p / 'review.toml', 'references/trials/old.csv')}: section 'changes': parameter current = 'references/trials/old\.csv' matches no file"


def inputs_glob_matching_nothing(p):
    edit(p / "review.toml", 'inputs = ["references/screening.csv"]', 'inputs = ["references/screening/*.csv"]')
    return rf"review\.toml:{line_of(p / 'review.toml', 'references/screening/*.csv')}: section 'screening': inputs entry 'references/screening/\*\.csv' matches no file"


def csv_with_one_field_too_many(p):
    sheet = p / "references" / "evidence.csv"
    lines = sheet.read_text(encoding="utf-8").splitlines(keepends=True)
    lines[3] = lines[3].replace(",temozolomide,", ",temozolomide,extra,", 1)
    sheet.write_text("".join(lines), encoding="utf-8")
    return r"references/evidence\.csv:4: expected 18 fields \(as in the header\), saw 19"


def semicolon_separated_csv(p):
    log = p / "references" / "screening.csv"
    log.write_text(log.read_text(encoding="utf-8").replace(",", ";"), encoding="utf-8")
    return r"references/screening\.csv:1: the fields are separated by semicolons; reviewkit reads comma-separated CSV"


def abstract_outside_the_project(p):
    edit(p / "review.toml", 'abstract = "abstract.md"', 'abstract = "../../../etc/passwd"')
    return rf"review\.toml:{line_of(p / 'review.toml', 'abstract =')}: report\.abstract '\.\./\.\./\.\./etc/passwd' resolves outside the project"


def bibliography_outside_the_project(p):
    edit(p / "review.toml", '"references/bibliography/*.txt"]', '"references/bibliography/*.txt", "../*.bib"]')
    return rf"review\.toml:{line_of(p / 'review.toml', 'bibliography =')}: report\.bibliography entry '\.\./\*\.bib' resolves outside the project"


def absolute_inputs_glob(p):
    edit(p / "review.toml", 'inputs = ["references/evidence.csv"]', 'inputs = ["/etc/*.conf"]')
    return rf"review\.toml:{line_of(p / 'review.toml', '/etc/*.conf')}: section 'efficacy': inputs entry '/etc/\*\.conf' is an absolute path"


def unknown_key_in_a_notebook_cell(p):
    edit(p / "notebooks" / "background.ipynb", "[@reichardt2014soft]", "[@reichard2014soft]")
    return r"notebooks/background\.ipynb, cell 4: unknown citation key @reichard2014soft"


def unknown_key_in_a_caption_in_code(p):
    edit_notebook(
        p / "notebooks" / "screening.ipynb", 4, "PRISMA 2020 flow diagram", "PRISMA 2020 flow diagram [@page2021prisma]"
    )
    return r"notebooks/screening\.ipynb, cell 5: unknown citation key @page2021prisma"


def notebook_defaults_differ_from_the_section(p):
    edit_notebook(p / "notebooks" / "trials.ipynb", 1, 'condition = "leiomyosarcoma"', 'condition = "sarcoma"')
    return (
        r"notebooks/trials\.ipynb: parameters cell: its defaults match no section that runs it, so the notebook "
        r"opened in JupyterLab would show other numbers than the report; set them to those of section 'trials': "
        r"condition = 'leiomyosarcoma'"
    )


def unknown_parameter(p):
    edit(p / "review.toml", "statuses = []", "status = []")
    return (
        rf"review\.toml:{line_of(p / 'review.toml', 'status = []')}: section 'trials': unknown parameter 'status' "
        r"\(did you mean 'statuses'\?\).*\(notebooks/trials\.ipynb declares the parameters\)"
    )


def unknown_endpoint_in_the_sheet(p):
    edit(p / "references" / "evidence.csv", ",11,ORR,", ",11,ORRR,")
    return r"references/evidence\.csv:\d+: .*unknown endpoint 'ORRR'"


def notebook_not_json(p):
    edit(p / "notebooks" / "changes.ipynb", '"cells": [', '"cells": [,')
    return r"notebooks/changes\.ipynb:\d+: not a valid notebook \(JSON error"


def inputs_that_are_not_paths(p):
    edit(p / "review.toml", 'inputs = ["references/screening.csv"]', 'inputs = [1, ""]')
    at = line_of(p / "review.toml", 'inputs = [1, ""]')
    return (
        rf"review\.toml:{at}: section 'screening': inputs entry 1 is not text; expected a path in quotes(.|\n)*"
        rf"review\.toml:{at}: section 'screening': inputs entry is empty"
    )


def bibliography_names_a_folder(p):
    edit(p / "review.toml", "bibliography = [", 'bibliography = ["references", ')
    return rf"review\.toml:{line_of(p / 'review.toml', 'bibliography =')}: report\.bibliography entry 'references' is a folder; expected a file"


def notebook_json_that_is_not_a_notebook(p):
    (p / "notebooks" / "changes.ipynb").write_text("[]\n", encoding="utf-8")
    return r"notebooks/changes\.ipynb:1: not a notebook: expected a JSON object whose \"cells\" is a list of cells"


def abstract_not_utf8(p):
    (p / "abstract.md").write_bytes("First line.\nCaf\u00e9 [@kasper2021unmet]\n".encode("latin-1"))
    return r"abstract\.md:2: not UTF-8 text \(byte 15\); save the abstract as UTF-8"


CASES = [
    notebook_json_that_is_not_a_notebook,
    abstract_not_utf8,
    inputs_that_are_not_paths,
    bibliography_names_a_folder,
    unknown_key_in_abstract,
    missing_file_in_a_notebook_default,
    missing_file_in_review_toml_parameters,
    inputs_glob_matching_nothing,
    csv_with_one_field_too_many,
    semicolon_separated_csv,
    abstract_outside_the_project,
    bibliography_outside_the_project,
    absolute_inputs_glob,
    unknown_key_in_a_notebook_cell,
    unknown_key_in_a_caption_in_code,
    notebook_defaults_differ_from_the_section,
    unknown_parameter,
    unknown_endpoint_in_the_sheet,
    notebook_not_json,
]


@pytest.mark.parametrize("mistake", CASES, ids=[c.__name__ for c in CASES])
def test_check_and_build_reject_the_same_mistake_naming_file_and_line(tmp_path, mistake):
    project = copy_project(tmp_path / "p")
    expected = mistake(project)
    check = reviewkit("check", project)
    build = reviewkit("build", project, "--to", "html")
    for proc in (check, build):
        assert proc.returncode == 2, proc.stderr
        assert "Traceback" not in proc.stderr
        assert re.search(expected, proc.stderr), proc.stderr
    assert "problem" in check.stderr and "ready to build" not in check.stderr
    assert len(re.findall(expected, build.stderr)) == 1  # each problem said once
    assert not kinds(build.events, SectionQueued) and not (project / "outputs" / "sections").exists()  # no kernel


def test_all_problems_at_once_and_the_same_list(tmp_path):
    project = copy_project(tmp_path / "p")
    expected = [
        m(project)
        for m in (
            unknown_key_in_abstract,
            inputs_glob_matching_nothing,
            csv_with_one_field_too_many,
            notebook_defaults_differ_from_the_section,
        )
    ]
    check = reviewkit("check", project)
    build = reviewkit("build", project, "--to", "html")
    assert "4 problems found" in check.stderr and "4 problems found; nothing was run" in build.stderr
    for pattern in expected:
        assert re.search(pattern, check.stderr) and re.search(pattern, build.stderr)


def test_a_notebook_saved_with_outputs_is_one_warning_in_both(tmp_path):
    project = copy_project(tmp_path / "p")
    nb_path = project / "notebooks" / "screening.ipynb"
    nb = json.loads(nb_path.read_text(encoding="utf-8"))
    nb["cells"][2]["execution_count"] = 1
    nb["cells"][2]["outputs"] = [{"output_type": "stream", "name": "stdout", "text": ["saved output\n"]}]
    nb_path.write_text(json.dumps(nb, indent=1), encoding="utf-8")
    warning = (
        "warning: notebooks/screening.ipynb, cell 3: saved with outputs; commit notebooks without them: "
        "jupyter nbconvert --clear-output --inplace notebooks/screening.ipynb"
    )
    check = reviewkit("check", project)
    assert check.returncode == 0 and warning in check.stderr, check.stderr
    run = reviewkit("run", project, "--only", "screening")  # the build's validation, one section
    assert run.returncode == 0 and warning in run.stderr, run.stderr
