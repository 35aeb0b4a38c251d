"""JupyterLab gives the report's numbers (issue #10, item 3), and `reviewkit lab` never loses an author's edit."""

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from reviewkit import lab
from reviewkit.errors import InputError
from reviewkit.pipeline import config

from conftest import copy_project


def run_like_jupyterlab(path: Path):
    """Run all cells as JupyterLab does: a real kernel of the notebook's kernelspec, started in the notebook's folder."""
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    NotebookClient(
        nb, timeout=600, kernel_name=nb.metadata.kernelspec.name, resources={"metadata": {"path": str(path.parent)}}
    ).execute()
    return nb


def report_outputs(nb) -> list:
    """Everything a section contributes to the report, as text: prose, table data and HTML, figure names, captions."""
    out = []
    for cell in nb.cells:
        for o in cell.get("outputs", []):
            meta = o.get("metadata", {}).get("reviewkit")
            if not meta:
                continue
            data = o.get("data", {})
            out.append(
                {"meta": meta, "text": {k: v for k, v in data.items() if k.startswith("text/") or k.endswith("+json")}}
            )
    return out


@pytest.fixture(scope="module")
def labbed(built_example, tmp_path_factory):
    project, _ = built_example
    copy = tmp_path_factory.mktemp("lab") / "review"
    shutil.copytree(project, copy)
    return copy


def test_every_section_opened_as_jupyterlab_shows_exactly_the_report(labbed):
    cfg = config.load(labbed)
    opened_copies = 0
    for s in cfg.sections:  # every section, each matrix member included
        before = s.notebook.read_bytes()
        target = lab.prepare(cfg, s)
        lab_run = report_outputs(run_like_jupyterlab(target))
        built = report_outputs(nbformat.read(labbed / "outputs" / "sections" / f"{s.name}.ipynb", as_version=4))
        assert lab_run and lab_run == built, s.name
        if target != s.notebook:
            opened_copies += 1
            assert lab.finish(target, labbed) == "unchanged" and not target.exists()
        assert s.notebook.read_bytes() == before
    assert opened_copies == 2  # efficacy-overall opens the notebook itself; the other two members open lab copies


def _section(project, name):
    cfg = config.load(project)
    return cfg, lab.find_section(cfg, name)


def test_edits_in_a_lab_copy_go_back_to_the_source_without_outputs_or_injected_parameters(tmp_path):
    project = copy_project(tmp_path / "p")
    cfg, s = _section(project, "efficacy-leiomyosarcoma")
    copy = lab.prepare(cfg, s)
    nb = nbformat.read(copy, as_version=4)
    injected = [c for c in nb.cells if "injected-parameters" in c.metadata.get("tags", [])]
    assert len(injected) == 1 and 'subgroup = "leiomyosarcoma"' in injected[0].source
    md = next(c for c in nb.cells if c.cell_type == "markdown")
    md.source += "\n\nAn author's new sentence."
    nb.cells[1].outputs = [nbformat.v4.new_output("stream", name="stdout", text="output\n")]
    nb.cells[1].execution_count = 3
    nbformat.write(nb, copy)
    assert lab.sync_back(copy, project) == "written"
    source = json.loads(s.notebook.read_text(encoding="utf-8"))
    text = json.dumps(source)
    assert "An author's new sentence." in text and "injected-parameters" not in text and "reviewkit_lab" not in text
    assert all(
        c.get("outputs", []) == [] and c.get("execution_count") is None
        for c in source["cells"]
        if c["cell_type"] == "code"
    )
    # a second edit after a write-back is not a conflict
    nb.cells[-1].source += "\n# a second edit"
    nbformat.write(nb, copy)
    assert lab.finish(copy, project) == "written" and not copy.exists()
    assert "# a second edit" in s.notebook.read_text(encoding="utf-8")


def test_a_source_changed_meanwhile_is_never_overwritten(tmp_path):
    project = copy_project(tmp_path / "p")
    cfg, s = _section(project, "efficacy-leiomyosarcoma")
    copy = lab.prepare(cfg, s)
    nb = nbformat.read(copy, as_version=4)
    nb.cells[-1].source += "\n# edit in the lab copy"
    nbformat.write(nb, copy)
    theirs = s.notebook.read_text(encoding="utf-8").replace('ci_method = \\"exact\\"', 'ci_method = \\"wilson\\"')
    s.notebook.write_text(theirs, encoding="utf-8")  # e.g. a git pull while the lab was open
    with pytest.raises(InputError, match=r"changed since the lab copy .* nothing was overwritten"):
        lab.finish(copy, project)
    assert s.notebook.read_text(encoding="utf-8") == theirs and copy.is_file()  # both edits kept
    # a new session on that section refuses too, rather than replace the copy
    with pytest.raises(InputError):
        lab.prepare(cfg, s)
    assert "# edit in the lab copy" in copy.read_text(encoding="utf-8")


def test_reviewkit_lab_runs_jupyterlab_and_writes_saves_back(tmp_path):
    """The real command: JupyterLab starts on the lab copy; a save lands in the source; SIGTERM ends it cleanly."""
    project = copy_project(tmp_path / "p")
    exe = Path(sys.executable).with_name("reviewkit")
    env = {**os.environ, "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"), "JUPYTER_CONFIG_DIR": str(tmp_path / "cfg")}
    log = tmp_path / "lab.log"
    with open(log, "w") as out:
        proc = subprocess.Popen(
            [
                str(exe),
                "lab",
                "efficacy-leiomyosarcoma",
                "--project",
                str(project),
                "--no-browser",
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
            text=True,
            env=env,
        )
    copy = project / "notebooks" / "efficacy-leiomyosarcoma.lab.ipynb"
    source = project / "notebooks" / "efficacy.ipynb"
    try:
        deadline = time.monotonic() + 180
        while "http://" not in log.read_text() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.2)  # the server is up and serving the lab copy
        assert copy.is_file() and "http://" in log.read_text(), log.read_text()
        time.sleep(1.5)  # the watcher has seen the fresh copy
        nb = nbformat.read(copy, as_version=4)
        nb.cells[-1].source += "\n# saved in JupyterLab"
        nbformat.write(nb, copy)  # what a save in JupyterLab does
        while "# saved in JupyterLab" not in source.read_text(encoding="utf-8") and time.monotonic() < deadline:
            time.sleep(0.2)
        assert "# saved in JupyterLab" in source.read_text(encoding="utf-8")
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)
    output = log.read_text()
    assert proc.returncode == 0, output
    assert "opening notebooks/efficacy-leiomyosarcoma.lab.ipynb" in output and "Jupyter Server" in output
    assert not copy.exists() and "Traceback" not in output


def test_a_copy_left_by_a_killed_session_is_named_by_check_and_written_back_by_the_next(tmp_path):
    project = copy_project(tmp_path / "p")
    cfg, s = _section(project, "efficacy-leiomyosarcoma")
    copy = lab.prepare(cfg, s)
    nb = nbformat.read(copy, as_version=4)
    nb.cells[-1].source += "\n# edit before the session was killed"
    nbformat.write(nb, copy)
    from conftest import reviewkit

    proc = reviewkit("check", project)
    assert proc.returncode == 0
    assert (
        "warning: notebooks/efficacy-leiomyosarcoma.lab.ipynb: a lab copy left by a `reviewkit lab` session"
        in proc.stderr
    )
    again = lab.prepare(cfg, s)  # the next session
    assert again == copy and "# edit before the session was killed" in s.notebook.read_text(encoding="utf-8")
