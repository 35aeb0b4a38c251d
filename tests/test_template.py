"""`reviewkit init` copies the template shipped as package data (reviewkit/template/): real notebooks whose code
is the example's, a review.toml whose sections they match, and nothing else to keep in step by hand."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
from test_public_api import notebook_cells, private_uses

from conftest import ROOT, reviewkit

TEMPLATE = ROOT / "reviewkit" / "template"
#: template notebook -> the example notebook it shares its code with
SHARED = {
    name: ROOT / "notebooks" / f"{name}.ipynb" for name in ("background", "trials", "screening", "efficacy", "changes")
}
SHARED["meta-analysis"] = ROOT / "examples" / "bcg-vaccine" / "notebooks" / "meta-analysis.ipynb"


def _split(path: Path) -> tuple[str, list[str]]:
    """(the parameters cell, the other code cells) of a notebook."""
    nb = nbformat.read(path, as_version=4)
    params = [c.source for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(params) == 1, path
    return params[0], [
        c.source for c in nb.cells if c.cell_type == "code" and "parameters" not in c.metadata.get("tags", [])
    ]


def _names(params: str) -> list[str]:
    return re.findall(r"^(\w+)\s*=", params, flags=re.MULTILINE)


def test_every_template_notebook_has_an_example_counterpart():
    assert sorted(p.stem for p in (TEMPLATE / "notebooks").glob("*.ipynb")) == sorted(SHARED)


@pytest.mark.parametrize("name", sorted(SHARED))
def test_template_notebook_has_the_example_code(name):
    """One source: the code cells are the example's, the parameters the same names in the same order (the defaults
    are each review's own: what JupyterLab runs is what its report shows); only the narrative differs."""
    t_params, t_code = _split(TEMPLATE / "notebooks" / f"{name}.ipynb")
    e_params, e_code = _split(SHARED[name])
    assert t_code == e_code
    assert _names(t_params) == _names(e_params)
    nb = nbformat.read(TEMPLATE / "notebooks" / f"{name}.ipynb", as_version=4)
    assert all(not c.get("outputs") and c.get("execution_count") is None for c in nb.cells if c.cell_type == "code")
    assert private_uses(notebook_cells(TEMPLATE / "notebooks" / f"{name}.ipynb")) == []


def test_a_new_review_holds_the_template_files_and_only_public_imports(tmp_path):
    target = tmp_path / "tumour-board_review"
    assert reviewkit("init", target).returncode == 0
    for nb in (TEMPLATE / "notebooks").glob("*.ipynb"):  # copied byte for byte
        assert (target / "notebooks" / nb.name).read_bytes() == nb.read_bytes()
        assert private_uses(notebook_cells(target / "notebooks" / nb.name)) == []
    toml = (target / "review.toml").read_text(encoding="utf-8")
    assert 'title = "Tumour board review"' in toml and '"A new review"' not in toml
    assert toml.replace('"Tumour board review"', '"A new review"') == (TEMPLATE / "review.toml").read_text(
        encoding="utf-8"
    )
    assert (target / "abstract.md").read_bytes() == (TEMPLATE / "abstract.md").read_bytes()
    assert (target / "references" / "trials" / "trials.csv").read_text(encoding="utf-8").startswith("nct_id,")


def test_the_package_data_ships_every_template_file():
    """What a wheel holds is what pyproject's package-data patterns match (checked once by hand with
    `pip wheel . --no-deps`; building a wheel here would need the network for setuptools): every template file."""
    import fnmatch
    import tomllib

    patterns = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"][
        "package-data"
    ]
    files = [
        p.relative_to(ROOT / "reviewkit").as_posix()
        for p in TEMPLATE.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and p.name != ".ipynb_checkpoints"
    ]
    assert len(files) >= 9
    unshipped = [
        f
        for f in files
        if not any(fnmatch.fnmatchcase(f, pat) and f.count("/") == pat.count("/") for pat in patterns["reviewkit"])
    ]
    assert not unshipped, f"template files a wheel would not ship: {unshipped}"
    assert not (ROOT / "reviewkit" / "template.py").exists()  # one source: no notebooks kept as Python strings
