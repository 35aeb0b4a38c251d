"""Notebooks: committed without outputs, strict parameters cells, runnable as an author runs them."""

import nbformat
import pytest
from nbclient import NotebookClient

from conftest import ROOT

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def test_there_are_three_notebooks():
    assert {p.stem for p in NOTEBOOKS} >= {"background", "trials", "efficacy", "changes", "screening"}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_committed_without_outputs_and_with_a_parameters_cell(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert all(not c.outputs and c.execution_count is None for c in code)
    assert sum("parameters" in c.metadata.get("tags", []) for c in code) == 1


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_no_typed_numbers_in_markdown(path):
    import re

    nb = nbformat.read(path, as_version=4)
    for c in nb.cells:
        if c.cell_type == "markdown":
            text = re.sub(r"\[@[^\]]*\]|@(?:fig|tbl):[\w-]+", "", c.source)
            assert not re.search(r"\d", text), c.source


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_runs_top_to_bottom_in_a_plain_kernel_from_the_notebooks_folder(path):
    """As an author in JupyterLab: working directory notebooks/, default parameters."""
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}).execute()
    kinds = [
        o.get("metadata", {}).get("reviewkit", {}).get("kind")
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.outputs
    ]
    assert "prose" in kinds
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert not errors
