"""The package's layers (issue #12): what may import what, read from the source with `ast`.

    rank 0  base        reviewkit/__init__.py, errors, atomic, csvfile — and any new module directly under
                        reviewkit/ (a vocabulary, identifiers, an HTTP client …): they import only each other
    rank 1  domain      citations, trials, evidence — base only; never each other, never anything above
    rank 2  report      the document and its writers — domain and base
    rank 3  pipeline    configuration, runner, cache, build — report, domain and base
    rank 4  helpers     project (the notebooks' helpers), lab, template — pipeline and below
    rank 5  cli         the commands; only __main__ (rank 6, `python -m reviewkit`) imports them

A module may import its own package, a lower rank, or (for base modules) another base module.  Every import
counts, including those inside functions: a lazy import is still a dependency.
"""

import ast
from pathlib import Path

from conftest import ROOT

RANK = {
    "citations": 1,
    "trials": 1,
    "evidence": 1,
    "report": 2,
    "pipeline": 3,
    "project": 4,
    "lab": 4,
    "template": 4,
    "cli": 5,
    "__main__": 6,
}  # every other name directly under reviewkit/: 0

# Imports that break the rule today, each with its reason.  Delete an entry when its import is gone:
# test_no_allowance_outlives_its_import fails until then, so the list only shrinks.
KNOWN = {
    ("reviewkit.citations", "reviewkit.pipeline.code"): "the import cache is keyed by the code's hash (pipeline.code)",
    ("reviewkit.citations.library", "reviewkit.pipeline.code"): "the library cache is keyed by the code's hash",
    ("reviewkit.report.pages", "reviewkit.pipeline.code"): "the notebook-page cache is keyed by the code's hash",
    ("reviewkit.report.pages", "reviewkit.pipeline.cache"): "the notebook-page cache is keyed by the environment",
}
# (moving the code-hash and cache-key helpers of pipeline.code / pipeline.cache down into a neutral module would
# clear KNOWN)


def layer(module: str) -> str:
    """'reviewkit.trials.table' -> 'trials'; 'reviewkit' -> 'reviewkit'."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def allowed(src: str, dst: str) -> bool:
    a, b = layer(src), layer(dst)
    ra, rb = RANK.get(a, 0), RANK.get(b, 0)
    return a == b or rb < ra or ra == rb == 0


def module_name(root: Path, path: Path) -> str:
    parts = path.relative_to(root).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports(root: Path, path: Path):
    """(imported module, line) for every import in *path*, relative ones resolved; `from pkg import name`
    counts as importing pkg.name when that is a module, else pkg."""

    def is_module(name: str) -> bool:
        p = root.joinpath(*name.split("."))
        return p.with_suffix(".py").is_file() or (p / "__init__.py").is_file()

    module = module_name(root, path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                parts = package.split(".")
                base = ".".join(parts[: len(parts) - node.level + 1] + ([node.module] if node.module else []))
            else:
                base = node.module or ""
            for alias in node.names:
                full = f"{base}.{alias.name}"
                yield (full if is_module(full) else base), node.lineno


def edges(root: Path, package: str = "reviewkit"):
    """(importer, imported, file:line) for every import of *package* by *package*."""
    for path in sorted((root / package).rglob("*.py")):
        src = module_name(root, path)
        for dst, line in imports(root, path):
            if dst == package or dst.startswith(package + "."):
                yield src, dst, f"{path.relative_to(root)}:{line}"


def violations(root: Path, known=()):
    return [
        f"{where}: {layer(src)} imports {dst} ({layer(dst)}, rank {RANK.get(layer(dst), 0)}); "
        f"{layer(src)} has rank {RANK.get(layer(src), 0)} and may import only lower ranks"
        for src, dst, where in edges(root)
        if not allowed(src, dst) and (src, dst) not in known
    ]


def test_every_import_respects_the_layers():
    found = violations(ROOT, KNOWN)
    assert found == [], (
        "imports against the layers (see the table at the top of tests/test_import_layers.py and Contributing in the "
        "README): move what both sides need down into a lower layer, or pass it in as an argument\n" + "\n".join(found)
    )


def test_no_allowance_outlives_its_import():
    present = {(src, dst) for src, dst, _ in edges(ROOT)}
    stale = sorted(set(KNOWN) - present)
    assert stale == [], (
        f"these imports are gone: delete their entries from KNOWN in tests/test_import_layers.py: {stale}"
    )


def test_the_check_sees_relative_lazy_and_from_imports(tmp_path):
    """The checker itself, on a small package written here: it must catch each kind of import that breaks a layer
    and accept the ones that don't."""
    files = {
        "reviewkit/__init__.py": "",
        "reviewkit/errors.py": "",
        "reviewkit/vocab.py": "from .errors import X\n",  # a new base module importing base: fine
        "reviewkit/trials/__init__.py": "from .table import read\n",  # own package: fine
        "reviewkit/trials/table.py": "from ..errors import E\n\ndef f():\n    from ..evidence import prose\n",
        "reviewkit/evidence/__init__.py": "",
        "reviewkit/evidence/prose.py": "import reviewkit.pipeline.config\n",
        "reviewkit/pipeline/__init__.py": "",
        "reviewkit/pipeline/config.py": "from reviewkit.report import figure\nfrom reviewkit import cli\n",
        "reviewkit/report/__init__.py": "from .. import vocab\n",  # report importing a base module: fine
        "reviewkit/cli/__init__.py": "from ..pipeline import config\n",
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    found = violations(tmp_path)
    assert [v.split(": ", 1)[0] for v in found] == [
        "reviewkit/evidence/prose.py:1",  # evidence -> pipeline (a plain import)
        "reviewkit/pipeline/config.py:2",  # pipeline -> cli (`from reviewkit import cli`: the module, not the package)
        "reviewkit/trials/table.py:4",  # trials -> evidence, lazily inside a function
    ], found
    assert violations(tmp_path, {("reviewkit.trials.table", "reviewkit.evidence.prose")}) == found[:2]
