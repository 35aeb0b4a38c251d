"""One place for each thing (issue #12, item 4): the layers import downwards only, and each vocabulary,
identifier rule and HTTP client is defined once."""

import ast
import json
import re
import subprocess
import sys

import pytest

from conftest import ROOT

PACKAGE = ROOT / "reviewkit"


def _imports(path, root=ROOT):
    """Every module a file imports, anywhere in it (also inside functions), as absolute dotted names."""
    package = ".".join(path.relative_to(root).with_suffix("").parts[:-1])
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package.split(".")
            base = base[: len(base) - node.level + 1] if node.level else []
            module = ".".join(base + ([node.module] if node.module else []))
            found.add(module)
            found.update(f"{module}.{a.name}" for a in node.names)  # `from . import schema`
    return found


# a layer and the layers it must not import (sideways or upwards)
FORBIDDEN = {
    "trials": ["reviewkit.evidence", "reviewkit.citations", "reviewkit.pipeline", "reviewkit.report", "reviewkit.cli"],
    "evidence": ["reviewkit.trials", "reviewkit.citations", "reviewkit.pipeline", "reviewkit.report", "reviewkit.cli"],
}


@pytest.mark.parametrize("layer", sorted(FORBIDDEN))
def test_a_layer_imports_neither_its_neighbour_nor_the_layers_above_even_inside_functions(layer):
    offenders = [
        f"{path.relative_to(ROOT)} imports {name}"
        for path in sorted((PACKAGE / layer).rglob("*.py"))
        for name in sorted(_imports(path))
        if any(name == f or name.startswith(f + ".") for f in FORBIDDEN[layer])
    ]
    assert offenders == []


def test_the_scan_sees_relative_and_nested_imports(tmp_path):
    """The check above could pass by not seeing an import: it sees `from ..evidence.prose import count` in a function."""
    probe = tmp_path / "reviewkit" / "trials" / "probe.py"
    probe.parent.mkdir(parents=True)
    probe.write_text("def f():\n    from ..evidence.prose import count\n    from . import schema\n", encoding="utf-8")
    found = _imports(probe, root=tmp_path)
    assert "reviewkit.evidence.prose" in found and "reviewkit.trials.schema" in found


@pytest.mark.parametrize("layer,other", [("trials", "evidence"), ("evidence", "trials")])
def test_importing_every_module_of_a_layer_loads_nothing_of_the_other(layer, other):
    """In a fresh interpreter: import each module of *layer* (and run its lazy imports' targets' modules too)."""
    modules = sorted(f"reviewkit.{layer}." + p.stem for p in (PACKAGE / layer).glob("*.py") if p.stem != "__init__")
    code = (
        "import importlib, json, sys\n"
        f"for m in {modules!r}: importlib.import_module(m)\n"
        "print(json.dumps(sorted(m for m in sys.modules if m.startswith('reviewkit'))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    loaded = json.loads(out.stdout)
    assert set(modules) <= set(loaded)
    assert [m for m in loaded if m.startswith(f"reviewkit.{other}")] == []


def _definitions(pattern):
    """(file, line) of every line of the package's code matching *pattern*."""
    hits = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if re.search(pattern, line):
                hits.append(f"{path.relative_to(ROOT)}:{n}")
    return hits


@pytest.mark.parametrize(
    "name",
    [
        "STATUSES",
        "PHASES",
        "STUDY_TYPES",
        "STATUS_LABELS",
        "PHASE_LABELS",
        "OLD_STATUSES",
        "OLD_PHASES",
        "OLD_STUDY_TYPES",
    ],
)
def test_each_trial_vocabulary_is_defined_once_in_the_vocabulary_module(name):
    assert _definitions(rf"^\s*{name}\s*(:[^=]*)?=") == [f"reviewkit/vocab.py:{_line('reviewkit/vocab.py', name)}"]


def test_each_spelling_of_the_vocabulary_is_written_once():
    """A status or an old spelling as a string literal: in the vocabulary module only (figure colours aside)."""
    assert [
        h
        for h in _definitions(r"\"UNKNOWN_STATUS\"|\"Active, not recruiting\"|\"PHASE1/PHASE2\"")
        if not h.startswith("reviewkit/vocab.py")
    ] == []


def _line(rel, name):
    for n, line in enumerate((ROOT / rel).read_text(encoding="utf-8").splitlines(), start=1):
        if re.match(rf"^{name}\s*=", line):
            return n
    return None


def test_the_identifier_normalizers_are_mapped_once():
    """The kind -> rule map (doi, pmid, pmcid, nct) is written in reviewkit/identifiers.py and nowhere else."""
    hits = _definitions(r"[\"'](doi|pmid|pmcid|nct)[\"']\s*:\s*normalize_\w+\s*[,}]")  # a map entry, not a call
    assert hits and {h.split(":")[0] for h in hits} == {"reviewkit/identifiers.py"} and len(hits) == 1
    assert _definitions(r"^\s*def normalize_(doi|pmid|pmcid|nct)\b") == [
        h for h in _definitions(r"^\s*def normalize_(doi|pmid|pmcid|nct)\b") if h.startswith("reviewkit/identifiers.py")
    ]


def test_one_http_client():
    """One place builds a requests session and turns HTTP failures into reviewkit errors."""
    assert [h.split(":")[0] for h in _definitions(r"requests\.Session\(|Retry\(")] == ["reviewkit/http.py"] * 2
    assert {h.split(":")[0] for h in _definitions(r"are you online")} == {"reviewkit/http.py"}


NEUTRAL = ["vocab", "identifiers", "wording", "layout", "http", "errors"]


@pytest.mark.parametrize("name", NEUTRAL)
def test_the_neutral_modules_import_no_layer(name):
    """What every layer shares imports nothing of reviewkit but its errors."""
    imported = {m for m in _imports(PACKAGE / f"{name}.py") if m.startswith("reviewkit")}
    assert imported <= {
        "reviewkit.errors",
        "reviewkit.errors.InputError",
        "reviewkit.errors.ReviewkitError",
        "reviewkit.errors.ConfigError",
    }


def test_report_settings_and_project_root_do_not_reach_into_the_pipeline():
    assert [m for m in _imports(PACKAGE / "report" / "settings.py") if m.startswith("reviewkit.pipeline")] == []
    source = (PACKAGE / "project.py").read_text(encoding="utf-8")
    root_fn = next(n for n in ast.parse(source).body if isinstance(n, ast.FunctionDef) and n.name == "root")
    assert "pipeline" not in ast.get_source_segment(source, root_fn)


def test_parameters_whose_default_holds_an_equals_sign_are_declared(tmp_path):
    """Why params reads the cell with ast rather than papermill.inspect_notebook (which skips such a line)."""
    import nbformat

    from reviewkit.pipeline import params

    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell(
                'title = "a = b"\nlevels = [1,\n  2]\nratio = 0.5  # a help comment\n',
                metadata={"tags": ["parameters"]},
            )
        ]
    )
    path = tmp_path / "p.ipynb"
    nbformat.write(nb, path)
    assert params.declared(path) == {"title": "a = b", "levels": [1, 2], "ratio": 0.5}
    params.check("s", path, {"title": "x = y", "ratio": 1})


def test_every_row_validator_reports_all_its_problems_at_once_with_file_and_line(tmp_path):
    """csvfile.Problems, as the validators use it: every bad row at once, each 'file:line: what (expected)'."""
    from reviewkit.errors import InputError
    from reviewkit.evidence.screening import read_log

    log = tmp_path / "screening.csv"  # synthetic rows
    log.write_text(
        "record_id,source_database,stage,decision,exclusion_reason\n"
        "synthetic-1,synthetic,screening,excluded,\n"
        "synthetic-2,synthetic,screenin,included,\n"
        "synthetic-1,synthetic,screening,duplicate,\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as info:
        read_log(log)
    lines = str(info.value).splitlines()
    assert lines[0] == f"{log}: invalid screening log:"
    assert lines[1:] == [
        f"  {log}:2: an excluded record needs an exclusion_reason",
        f"  {log}:3: unknown stage 'screenin' (did you mean 'screening'?)",
        f"  {log}:3: an included record has stage 'included'",
        f"  {log}:4: record_id 'synthetic-1' appears more than once (also line 2)",
    ]
