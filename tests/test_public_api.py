"""The notebook API: the names in the ``__all__`` of reviewkit, .project, .report, .citations, .trials and
.evidence (and of the public modules those list).  Every public name is documented; every notebook of the
example, of the demo and of a new review imports only public names; ``import reviewkit`` stays cheap."""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
import types
from pathlib import Path

import nbformat
import pytest

from conftest import ROOT

PUBLIC = [
    "reviewkit",
    "reviewkit.project",
    "reviewkit.report",
    "reviewkit.citations",
    "reviewkit.trials",
    "reviewkit.evidence",
]


def public_modules() -> dict[str, types.ModuleType]:
    """Every public module: the packages above and the modules their ``__all__`` names."""
    found: dict[str, types.ModuleType] = {}
    todo = list(PUBLIC)
    while todo:
        name = todo.pop()
        module = importlib.import_module(name)
        found[name] = module
        for attr in module.__all__:
            value = getattr(module, attr)
            if isinstance(value, types.ModuleType) and value.__name__ not in found:
                todo.append(value.__name__)
    return found


def test_import_reviewkit_is_cheap():
    """`import reviewkit` loads reviewkit/__init__.py and nothing else (the public modules load on first use)."""
    code = "import sys; before = set(sys.modules); import reviewkit; print(sorted(set(sys.modules) - before))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert set(eval(out)) - {"__future__"} == {"reviewkit"}
    code = "import sys, reviewkit; reviewkit.trials; print('pandas' in sys.modules, 'reviewkit.trials' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == ["False", "True"]  # reviewkit.trials on first use, and still no pandas


def test_from_reviewkit_import_report_project_and_the_packages():
    import reviewkit
    from reviewkit import citations, evidence, project, report, trials  # noqa: F401

    assert set(reviewkit.__all__) == {"__version__", "citations", "evidence", "project", "report", "trials"}
    assert report.figure.__module__ == "reviewkit.report" and callable(project.path)
    with pytest.raises(AttributeError, match="did you mean 'read_sheet'"):
        evidence.read_shet  # noqa: B018


def test_lazy_names_are_the_real_ones():
    from reviewkit import evidence, trials

    assert sorted(evidence.__all__) == sorted([*evidence._LAZY, *evidence._MODULES])  # each public name loads
    from reviewkit.evidence import outcomes, sheet, stats
    from reviewkit.trials import views

    assert evidence.read_sheet is sheet.read_sheet and evidence.proportion_ci is stats.proportion_ci
    assert evidence.outcomes is outcomes and trials.trial_table is views.trial_table
    import reviewkit.trials.diff  # noqa: F401  (the internal module of the same name does not shadow the function)

    assert callable(trials.diff) and not isinstance(trials.diff, types.ModuleType)


def test_importing_internal_modules_never_replaces_a_public_name():
    """A submodule named like a public function (``citations/search.py`` and ``citations.search``) would replace the
    function on the package at its first import, anywhere in the process: no public name may be shadowed so."""
    import pkgutil

    before = {(name, attr): getattr(m, attr) for name, m in public_modules().items() for attr in m.__all__}
    for name in PUBLIC[2:]:
        package = importlib.import_module(name)
        for info in pkgutil.walk_packages(getattr(package, "__path__", []), prefix=f"{name}."):
            importlib.import_module(info.name)
    changed = [
        f"{name}.{attr}"
        for (name, attr), value in before.items()
        if getattr(importlib.import_module(name), attr) is not value
    ]
    assert not changed, f"replaced by a submodule of the same name: {changed}"


def test_every_public_name_is_documented():
    missing = []
    for name, module in public_modules().items():
        if not (module.__doc__ or "").strip():
            missing.append(f"{name} (module docstring)")
        assert len(set(module.__all__)) == len(module.__all__), name
        for attr in module.__all__:
            assert not attr.startswith("_") or attr == "__version__", f"{name}.{attr}"
            value = getattr(module, attr)
            if isinstance(value, (types.ModuleType, type, types.FunctionType)):
                if not (value.__doc__ or "").strip():
                    missing.append(f"{name}.{attr}")
            elif attr not in (module.__doc__ or "") and attr != "__version__":
                missing.append(f"{name}.{attr} (a value: name it in the module docstring)")  # dicts, lists
    assert not missing, "undocumented public names: " + ", ".join(missing)


# -- notebooks import only public names ---------------------------------------------------------------------


def _public_module(path: str) -> types.ModuleType | None:
    """The module at dotted *path* when every step is public (named in its parent's ``__all__``), else None."""
    parts = path.split(".")
    module = importlib.import_module(parts[0])
    for part in parts[1:]:
        if part.startswith("_") or part not in getattr(module, "__all__", ()):
            return None
        module = getattr(module, part)
        if not isinstance(module, types.ModuleType):
            return None
    return module


def private_uses(cells: list[str]) -> list[str]:
    """What the code *cells* (run in order, one namespace) use of reviewkit that is not public."""
    problems: list[str] = []
    bound: dict[str, types.ModuleType] = {}
    trees = []
    for i, source in enumerate(cells):
        code = "\n".join("" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines())
        tree = ast.parse(code)
        trees.append((i, tree))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.split(".")[0] != "reviewkit":
                        continue
                    module = _public_module(alias.name)
                    if module is None:
                        problems.append(f"cell {i}: import {alias.name} (not a public module)")
                    elif alias.asname:
                        bound[alias.asname] = module
                    else:
                        bound["reviewkit"] = importlib.import_module("reviewkit")
            elif isinstance(node, ast.ImportFrom) and (node.level or (node.module or "").split(".")[0] == "reviewkit"):
                module = _public_module(node.module or "") if not node.level else None
                if module is None:
                    problems.append(
                        f"cell {i}: from {'.' * node.level}{node.module or ''} import … (not a public module)"
                    )
                    continue
                for alias in node.names:
                    if alias.name not in module.__all__:
                        problems.append(f"cell {i}: from {node.module} import {alias.name} (not in its __all__)")
                        continue
                    value = getattr(module, alias.name)
                    if isinstance(value, types.ModuleType):
                        bound[alias.asname or alias.name] = value
    for i, tree in trees:  # `prose.count`, `reviewkit.trials.select`: each step public
        inner = {id(n.value) for n in ast.walk(tree) if isinstance(n, ast.Attribute)}
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and id(node) not in inner:  # each whole chain once
                chain, base = [node.attr], node.value
                while isinstance(base, ast.Attribute):
                    chain.insert(0, base.attr)
                    base = base.value
                if not isinstance(base, ast.Name) or base.id not in bound:
                    continue
                module = bound[base.id]
                for attr in chain:
                    if attr not in getattr(module, "__all__", ()):
                        problems.append(f"cell {i}: {base.id}.{'.'.join(chain)} ({attr} is not public)")
                        break
                    module = getattr(module, attr)
                    if not isinstance(module, types.ModuleType):
                        break
    return sorted(set(problems))


def notebook_cells(path: Path) -> list[str]:
    nb = nbformat.read(path, as_version=4)
    return [c.source for c in nb.cells if c.cell_type == "code"]


def test_the_checker_finds_private_imports():
    assert (
        private_uses(
            [
                "from reviewkit import project, report\nfrom reviewkit.evidence import prose\n"
                "report.text(prose.count(1, 'trial'))"
            ]
        )
        == []
    )
    found = private_uses(
        [
            "from reviewkit.pipeline.config import slug",  # a private module path
            "from reviewkit.trials.schema import STATUS_LABELS",  # a public name by a private path
            "from reviewkit.evidence import sheet, figures",  # an internal module of a public package
            "from reviewkit.evidence import _LAZY",  # a leading underscore
            "import reviewkit.pipeline.build",
            "import reviewkit\nreviewkit.trials.read_table\nreviewkit.trials.table.read_table",
            "figures._style()\nfrom reviewkit import report as r\nr.MIME_TABLE",
        ]
    )
    assert found == [
        "cell 0: from reviewkit.pipeline.config import … (not a public module)",
        "cell 1: from reviewkit.trials.schema import … (not a public module)",
        "cell 2: from reviewkit.evidence import sheet (not in its __all__)",
        "cell 3: from reviewkit.evidence import _LAZY (not in its __all__)",
        "cell 4: import reviewkit.pipeline.build (not a public module)",
        "cell 5: reviewkit.trials.table.read_table (table is not public)",
        "cell 6: figures._style (_style is not public)",
        "cell 6: r.MIME_TABLE (MIME_TABLE is not public)",
    ]


def example_notebooks() -> list[Path]:
    return sorted([*(ROOT / "notebooks").glob("*.ipynb"), *(ROOT / "examples").glob("*/notebooks/*.ipynb")])


@pytest.mark.parametrize("path", example_notebooks(), ids=lambda p: str(p.relative_to(ROOT)))
def test_example_notebooks_import_only_public_names(path):
    assert private_uses(notebook_cells(path)) == []


def test_the_example_notebooks_are_thin():
    """Narrative plus a few calls: no function or class is defined in a notebook, none imports pandas."""
    for path in example_notebooks():
        for source in notebook_cells(path):
            tree = ast.parse(source)
            assert not [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.ClassDef, ast.Lambda))], path
            assert "import pandas" not in source, path
