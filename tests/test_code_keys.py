"""Code in every key: changing one function of reviewkit invalidates exactly the caches that depend on it.

Each test runs a temporary copy of the package (first on PYTHONPATH, ahead of the installed one) and edits a
function in that copy; the reviews are synthetic (made here, labelled so) or real files from tests/data/.
"""

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat

from conftest import DATA, ROOT, read_events, statuses
from test_observed import notebook

PARSE_SCRIPT = """
import json, os, sys
import reviewkit
from reviewkit.citations import cache_dir, load
from reviewkit.citations.library import Library
files = sys.argv[1:]
for f in files:
    load(f)
Library.load(files)
print(json.dumps({"package": reviewkit.__file__, "cache": sorted(os.listdir(cache_dir()))}))
"""


def package_copy(tmp_path) -> Path:
    dest = tmp_path / "pkg"
    shutil.copytree(ROOT / "reviewkit", dest / "reviewkit", ignore=shutil.ignore_patterns("__pycache__"))
    return dest


def edit_function(path: Path, name: str) -> None:
    """Change the body of one function (a statement with no effect on results, so only the code differs)."""
    text = path.read_text(encoding="utf-8")
    m = re.search(rf"^def {name}\(.*?\).*?:\n(\s+)", text, re.MULTILINE | re.DOTALL)
    assert m, name
    changed = text[: m.end()] + "_changed_by_test = True\n" + m.group(1) + text[m.end() :]
    path.write_text(changed, encoding="utf-8")


def env_for(pkg: Path, cache: Path) -> dict:
    return {**os.environ, "PYTHONPATH": str(pkg), "REVIEWKIT_CACHE": str(cache), "SOURCE_DATE_EPOCH": "1793836800"}


def parse_run(pkg, cache, files):
    proc = subprocess.run(
        [sys.executable, "-c", PARSE_SCRIPT, *map(str, files)],
        env=env_for(pkg, cache),
        cwd=pkg,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["package"].startswith(str(pkg))  # the copy runs, not the installed package
    return set(out["cache"])


def test_editing_one_importer_invalidates_its_parses_and_the_library_only(tmp_path):
    import hashlib

    pkg, cache = package_copy(tmp_path), tmp_path / "cache"
    ris, bib = DATA / "same-works-four-formats.ris", DATA / "manubot-zotero-export.bib"
    first = parse_run(pkg, cache, [ris, bib])
    assert len(first) == 3 and all(n.endswith(".json") for n in first)  # two parses and one library, no pickle
    assert parse_run(pkg, cache, [ris, bib]) == first  # unchanged code and files: every cache hit
    edit_function(pkg / "reviewkit" / "citations" / "ris.py", "tokenize")
    new = parse_run(pkg, cache, [ris, bib]) - first
    digest = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in (ris, bib)}
    assert {n.split("-")[0] for n in new if not n.startswith("library-")} == {digest[ris]}  # RIS parsed again
    assert sum(n.startswith("library-") for n in new) == 1  # the library that merges it too
    assert len(new) == 2  # the BibTeX parse was reused
    edit_function(pkg / "reviewkit" / "evidence" / "stats.py", "proportion_ci")  # no importer uses it
    assert parse_run(pkg, cache, [ris, bib]) - first == new


def test_editing_one_function_reruns_exactly_the_sections_that_use_it(tmp_path):
    pkg, cache = package_copy(tmp_path), tmp_path / "cache"
    project = tmp_path / "review"
    (project / "notebooks").mkdir(parents=True)
    (project / "review.toml").write_text(
        '[report]\ntitle = "Synthetic review (test data only)"\n\n'
        '[[section]]\nname = "uses-stats"\nnotebook = "notebooks/stats.ipynb"\n\n'
        '[[section]]\nname = "text-only"\nnotebook = "notebooks/text.ipynb"\n',
        encoding="utf-8",
    )
    nbformat.write(
        notebook(
            "Uses stats",
            "events = 3\nn = 10",
            "from reviewkit import report\nfrom reviewkit.evidence.stats import proportion_ci\n"
            "ci = proportion_ci(events, n)\nreport.text(f'Synthetic interval from {ci.low:.2f}.')",
        ),
        project / "notebooks" / "stats.ipynb",
    )
    nbformat.write(
        notebook("Text only", "word = 'synthetic'", "from reviewkit import report\nreport.text(word)"),
        project / "notebooks" / "text.ipynb",
    )

    def build():
        exe = Path(sys.executable).with_name("reviewkit")
        record = tmp_path / "events.jsonl"
        proc = subprocess.run(
            [str(exe), "build", str(project), "--to", "html", "--events", str(record)],
            env=env_for(pkg, cache),
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=600,
        )
        assert proc.returncode == 0, proc.stderr
        return read_events(record)

    build()
    state = json.loads((project / "outputs" / ".reviewkit" / "state.json").read_text(encoding="utf-8"))
    assert "reviewkit.evidence.stats" in state["sections"]["uses-stats"]["parts"]["modules"]
    assert "reviewkit.evidence.stats" not in state["sections"]["text-only"]["parts"]["modules"]
    assert set(statuses(build()).values()) == {"reused"}
    edit_function(pkg / "reviewkit" / "evidence" / "stats.py", "proportion_ci")
    st = statuses(build())
    assert st == {"uses-stats": "reviewkit code changed (reviewkit/evidence/stats.py)", "text-only": "reused"}


def test_two_processes_fill_one_cache_at_once_without_damage(tmp_path):
    """Two builds of different projects share $REVIEWKIT_CACHE: concurrent writers never leave a torn file."""
    cache = tmp_path / "cache"
    ris, bib = DATA / "same-works-four-formats.ris", DATA / "manubot-zotero-export.bib"
    env = {**os.environ, "REVIEWKIT_CACHE": str(cache)}
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", PARSE_SCRIPT, str(ris), str(bib)],
            env=env,
            cwd=tmp_path,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(4)
    ]
    for p in procs:
        _, err = p.communicate(timeout=300)
        assert p.returncode == 0, err
    files = list((cache / "citations").iterdir())
    assert len(files) == 3 and all(f.suffix == ".json" for f in files)  # no temporary file left behind
    for f in files:
        json.loads(f.read_text(encoding="utf-8"))  # each one whole


def _import_nodes(tree) -> list:
    import ast

    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.append(("import", None, 0, [(a.name, a.asname) for a in node.names]))
        elif isinstance(node, ast.ImportFrom):
            found.append(("from", node.module, node.level, [(a.name, a.asname) for a in node.names]))
    return sorted(found, key=repr)


def test_the_import_scan_finds_what_the_whole_parse_finds_in_every_module_of_the_package():
    """The code keys read imports from the import statements alone (a fraction of the parse); for every module of
    reviewkit — those the keys are made of — and a sample of installed packages, the statements are the same."""
    import ast

    from reviewkit.pipeline import code

    files = sorted((ROOT / "reviewkit").rglob("*.py"))
    assert len(files) > 80
    site = Path(nbformat.__file__).parents[1]
    files += sorted(site.glob("*/*.py"))[:600]
    compared = 0
    for f in files:
        source = f.read_bytes()
        try:
            whole = ast.parse(source)
        except SyntaxError:
            continue
        assert _import_nodes(code._import_tree(source)) == _import_nodes(whole), f
        compared += 1
    assert compared > 500


def test_the_import_scan_is_not_fooled_by_strings_comments_or_statements_it_cannot_take():
    """Import-like text in docstrings, strings and comments is no import; an import it cannot take alone (after a
    colon or a semicolon, split by brackets or a backslash) is still found, as the whole parse finds it."""
    import ast

    from reviewkit.pipeline import code

    source = b'''"""Use it as
from reviewkit import project
import reviewkit.report
"""
# from reviewkit import lab
x = "import reviewkit.vocab"; y = 'from reviewkit import wording'
q = "a \\" from reviewkit import errors" + f"{1}" + """
    from reviewkit import errors """
from reviewkit.trials import (  # the tables (and views)
    read_table,  # one ) in a comment
    select,
)
from reviewkit.evidence import \\
    figures
if x: import reviewkit.atomic
y = 1; from reviewkit import layout
def f():
    from . import cache
    import reviewkit.csvfile as c, reviewkit.http
'''
    expected = _import_nodes(ast.parse(source))
    assert _import_nodes(code._import_tree(source)) == expected
    modules = {m for kind, module, _, names in expected for m in ([module] if module else [n for n, _ in names])}
    names = {name for _, _, _, listed in expected for name, _ in listed}
    assert {"reviewkit.trials", "reviewkit.evidence", "reviewkit.atomic", "reviewkit.http"} <= modules
    assert {"layout", "cache", "figures", "select"} <= names
    assert not {"reviewkit.vocab", "reviewkit.report"} & modules  # only in strings and comments
    assert not {"project", "wording", "errors", "lab"} & names
    # without the statements it cannot take alone, the scan alone gives them too
    plain = b"\n".join(line for line in source.split(b"\n") if not line.startswith((b"if x", b"y = 1")))
    assert _import_nodes(code._import_tree(plain)) == _import_nodes(ast.parse(plain))
