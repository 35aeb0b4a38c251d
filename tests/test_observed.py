"""Observed dependencies: a section reruns when a file its kernel read changes, declared in `inputs` or not.

The small reviews here are synthetic (made by the tests, labelled so); the last tests use the example review.
"""

import json
import os

import nbformat
import pytest

from reviewkit.pipeline.events import ReportUpToDate, SectionFailed, UndeclaredReads

from conftest import copy_project, kinds, reviewkit, statuses


def notebook(title: str, parameters: str, code: str):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [
        nbformat.v4.new_markdown_cell(f"# {title}"),
        nbformat.v4.new_code_cell(parameters, metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell(code),
    ]
    return nb


def synthetic_review(root, outside):
    """Two sections that read files no `inputs` declares: one with pandas, one with open(); one reads outside."""
    (root / "notebooks").mkdir(parents=True)
    (root / "data").mkdir()
    (root / "data" / "values.csv").write_text("value\n1\n2\n3\n", encoding="utf-8")  # synthetic
    (root / "data" / "note.txt").write_text("alpha\n", encoding="utf-8")  # synthetic
    outside.write_text("outside-one\n", encoding="utf-8")  # synthetic, outside the project
    (root / "review.toml").write_text(
        '[report]\ntitle = "Synthetic review (test data only)"\n\n'
        '[[section]]\nname = "pandas-read"\nnotebook = "notebooks/pandas_read.ipynb"\n\n'
        '[[section]]\nname = "open-read"\nnotebook = "notebooks/open_read.ipynb"\n',
        encoding="utf-8",
    )
    nbformat.write(
        notebook(
            "Read with pandas",
            'values_file = "data/values.csv"',
            "import pandas as pd\nfrom reviewkit import project, report\n"
            "total = int(pd.read_csv(project.path(values_file))['value'].sum())\n"
            "report.text(f'The synthetic total is {total}.')",
        ),
        root / "notebooks" / "pandas_read.ipynb",
    )
    # the file outside is named in the code itself (review.toml's paths must stay inside the project)
    # data/note.txt is named in the code, not by a parameter: a parameter naming a missing file is rejected by the
    # validation before any kernel, while a file only the code names is found missing by the run itself
    nbformat.write(
        notebook(
            "Read with open",
            'label = "note"',
            "from reviewkit import project, report\n"
            "with open(project.path('data/note.txt'), encoding='utf-8') as f:\n    note = f.read().strip()\n"
            f"with open({str(outside)!r}, encoding='utf-8') as f:\n    far = f.read().strip()\n"
            "report.text(f'The synthetic note says {note} and {far}.')",
        ),
        root / "notebooks" / "open_read.ipynb",
    )
    return root


def html(project):
    return (project / "outputs" / "report.html").read_text(encoding="utf-8")


def same_size_edit(path, old, new):
    """Change the content, keep the size and restore the modification time."""
    assert len(old) == len(new)
    st = path.stat()
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert path.stat().st_size == st.st_size and path.stat().st_mtime_ns == st.st_mtime_ns


@pytest.fixture(scope="module")
def review(tmp_path_factory):
    base = tmp_path_factory.mktemp("observed")
    project = synthetic_review(base / "review", base / "outside.txt")
    proc = reviewkit("build", project, "--to", "html", check=True)
    return project, base / "outside.txt", proc


def test_first_undeclared_read_is_named_then_tracked(review):
    project, outside, proc = review
    reads = {e.section: set(e.paths) for e in kinds(proc.events, UndeclaredReads)}
    assert reads == {"pandas-read": {"data/values.csv"}, "open-read": {"data/note.txt", str(outside)}}
    # display: the plain log names them as the README shows it
    assert "note: pandas-read read data/values.csv (no `inputs` declares it); it is tracked from now on" in proc.stderr
    assert f"note: open-read read {outside} (outside the project, no `inputs` declares it)" in proc.stderr
    assert "The synthetic total is 6." in html(project) and "says alpha and outside-one." in html(project)
    again = reviewkit("build", project, "--to", "html", check=True)
    assert set(statuses(again.events).values()) == {"reused"} and not kinds(again.events, UndeclaredReads)
    assert kinds(again.events, ReportUpToDate)
    manifest = json.loads((project / "outputs" / "manifest.json").read_text(encoding="utf-8"))
    sec = {s["name"]: s for s in manifest["sections"]}
    # what the kernel itself opens (Python, pandas, IPython and matplotlib files) is not a dependency
    assert [r["path"] for r in sec["pandas-read"]["reads"]] == ["data/values.csv"]
    assert {r["path"] for r in sec["open-read"]["reads"]} == {"data/note.txt", str(outside)}
    assert manifest["reads_outside_project"][0]["path"] == str(outside)
    assert len(manifest["reads_outside_project"][0]["sha256"]) == 64


def test_csv_read_through_pandas_same_size_edit_reruns_with_the_file_named(review):
    project = review[0]
    same_size_edit(project / "data" / "values.csv", "3\n", "4\n")
    st = statuses(reviewkit("build", project, "--to", "html", check=True).events)
    assert st == {"pandas-read": "data/values.csv (read last time) changed", "open-read": "reused"}
    assert "The synthetic total is 7." in html(project)


def test_file_read_through_open_reruns_with_the_file_named(review):
    project, outside, _ = review
    (project / "data" / "note.txt").write_text("bravo\n", encoding="utf-8")
    st = statuses(reviewkit("build", project, "--to", "html", check=True).events)
    assert st == {"pandas-read": "reused", "open-read": "data/note.txt (read last time) changed"}
    assert "says bravo and outside-one." in html(project)
    outside.write_text("outside-two\n", encoding="utf-8")
    st = statuses(reviewkit("build", project, "--to", "html", check=True).events)
    assert st["open-read"] == f"{outside} (read last time) changed"
    assert "says bravo and outside-two." in html(project)


def test_deleted_file_reruns_and_the_previous_edition_stays(review):
    project = review[0]
    before = html(project)
    note = project / "data" / "note.txt"
    note.rename(project / "data" / "renamed.txt")
    try:
        proc = reviewkit("build", project, "--to", "html")
        assert proc.returncode == 1
        assert statuses(proc.events)["open-read"] == "data/note.txt (read last time) was deleted or renamed"
        assert [e.section for e in kinds(proc.events, SectionFailed)] == ["open-read"]
        assert "FileNotFoundError" in kinds(proc.events, SectionFailed)[0].error
        assert "Traceback" not in proc.stderr
        assert html(project) == before
    finally:
        (project / "data" / "renamed.txt").rename(note)
    st = statuses(reviewkit("build", project, "--to", "html", check=True).events)
    assert st["open-read"] == "the previous run failed" and html(project) == before


@pytest.fixture(scope="module")
def example(tmp_path_factory):
    project = copy_project(tmp_path_factory.mktemp("observed-example"))
    reviewkit("build", project, "--to", "html", check=True)
    return project


def test_editing_the_class_table_changes_the_trial_class_figure(example):
    """references/intervention-classes.csv is read by the trials notebook but declared by no `inputs`."""
    figure = example / "outputs" / "figures" / "trial-classes.svg"
    before = figure.read_bytes()
    classes = example / "references" / "intervention-classes.csv"
    text = classes.read_text(encoding="utf-8")
    edited = text.replace(
        "doxorubicin,Adriamycin,chemotherapy,anthracycline,", "doxorubicin,Adriamycin,chemotherapy,edited class (test),"
    )
    assert edited != text
    classes.write_text(edited, encoding="utf-8")
    proc = reviewkit("build", example, "--to", "html", check=True)
    assert statuses(proc.events)["trials"] == "references/intervention-classes.csv (read last time) changed"
    assert figure.read_bytes() != before
    assert statuses(proc.events)["background"] == "reused"


def test_same_size_evidence_edit_with_mtime_restored_is_noticed(example):
    same_size_edit(example / "references" / "evidence.csv", ",2.0,months,1.7,2.3,", ",2.0,months,1.6,2.3,")
    proc = reviewkit("build", example, "--to", "html", check=True)
    st = statuses(proc.events)
    assert st["efficacy-overall"] == "references/evidence.csv changed"
    assert "1.6–2.3" in (example / "outputs" / "tables" / "outcomes-overall.csv").read_text(encoding="utf-8")


def test_a_new_file_in_a_listed_folder_reruns_and_check_lists_undeclared_reads(tmp_path):
    project = tmp_path / "review"
    (project / "notebooks").mkdir(parents=True)
    (project / "data").mkdir()
    (project / "data" / "a.csv").write_text("value\n1\n", encoding="utf-8")  # synthetic
    (project / "review.toml").write_text(
        '[report]\ntitle = "Synthetic review (test data only)"\n\n'
        '[[section]]\nname = "folder"\nnotebook = "notebooks/folder.ipynb"\n',
        encoding="utf-8",
    )
    nbformat.write(
        notebook(
            "Files in a folder",
            'folder = "data"',
            "from pathlib import Path\nfrom reviewkit import project, report\n"
            "names = sorted(p.name for p in Path(project.path(folder)).glob('*.csv'))\n"
            "report.text('Synthetic files: ' + ', '.join(names) + '.')",
        ),
        project / "notebooks" / "folder.ipynb",
    )
    proc = reviewkit("build", project, "--to", "html", check=True)
    assert [(e.section, e.paths) for e in kinds(proc.events, UndeclaredReads)] == [("folder", ("data/",))]
    assert "Synthetic files: a.csv." in html(project)
    check = reviewkit("check", project)
    assert "note: section folder read data/ in the last build, which no `inputs` declares" in check.stderr
    (project / "data" / "b.csv").write_text("value\n2\n", encoding="utf-8")  # synthetic
    st = statuses(reviewkit("build", project, "--to", "html", check=True).events)
    assert st == {"folder": "data/ (listed last time) changed"}
    assert "Synthetic files: a.csv, b.csv." in html(project)
