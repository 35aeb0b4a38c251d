"""benchmarks/bench_peers.py's notebook preparation, without the peers: one notebook per section of review.toml
(matrix sections expanded), whose `parameters` cell ends with that section's values."""

import importlib.util
from pathlib import Path

import nbformat

from reviewkit.pipeline.config import load

from conftest import copy_project

SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "bench_peers.py"


def bench():
    spec = importlib.util.spec_from_file_location("bench_peers", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def parameters_of(nb_path):
    nb = nbformat.read(nb_path, as_version=4)
    (cell,) = [c for c in nb.cells if "parameters" in c.metadata.get("tags", [])]
    namespace = {}
    exec(cell.source, namespace)  # the parameters cell is plain assignments
    return {k: v for k, v in namespace.items() if not k.startswith("__")}


def test_one_notebook_per_section_with_the_sections_parameters(tmp_path):
    project = copy_project(tmp_path / "project")
    names = bench().prepare_notebooks(project, tmp_path / "peers")
    sections = load(project).sections
    assert names == [s.name for s in sections] and len(names) == 7  # the efficacy matrix gives three
    assert sorted(p.stem for p in (tmp_path / "peers").glob("*.ipynb")) == sorted(names)
    for s in sections:
        defaults = parameters_of(s.notebook)
        got = parameters_of(tmp_path / "peers" / f"{s.name}.ipynb")
        assert got == {**defaults, **s.parameters}, s.name
        assert nbformat.read(tmp_path / "peers" / f"{s.name}.ipynb", as_version=4).metadata.kernelspec.name == "python3"
    subgroups = {
        parameters_of(tmp_path / "peers" / f"{n}.ipynb")["subgroup"] for n in names if n.startswith("efficacy")
    }
    assert subgroups == {"overall", "leiomyosarcoma subset", "leiomyosarcoma"}
