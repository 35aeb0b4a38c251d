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


BURN = """
import os, signal, sys, time
def burn(seconds):
    t = time.process_time()
    while time.process_time() - t < seconds:
        pass
if sys.argv[1] == "ignored":  # a child reaped by the system: its CPU reaches no one's RUSAGE_CHILDREN
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)
pid = os.fork()
if pid == 0:
    burn(1.0)
    os._exit(0)
if sys.argv[1] == "ignored":
    while True:  # wait until the system has reaped it
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.01)
# "orphan": exit at once; the child runs on, reparented to the measuring process (a child subreaper), which
# reaps it (it holds the command's output open, so measure() waits for its end)
"""


def test_cpu_of_the_whole_tree_includes_children_reaped_by_the_system_and_orphans(tmp_path):
    """measure() counts a child whose parent ignores SIGCHLD and a child left running after the command exits
    (run in a separate process: a child subreaper would change how this test process sees orphans)."""
    import subprocess
    import sys

    (tmp_path / "burn.py").write_text(BURN)
    code = f"""
import importlib.util, json, sys
from pathlib import Path
spec = importlib.util.spec_from_file_location("bench_peers", {str(SCRIPT)!r})
m = importlib.util.module_from_spec(spec)
spec.loader.exec_module(m)
m.become_subreaper()
out = {{}}
for case in ("ignored", "orphan"):
    wall, cpu, _ = m.measure([([sys.executable, "burn.py", case], Path({str(tmp_path)!r}))], {{}})
    out[case] = cpu
print(json.dumps(out))
"""
    p = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120)
    import json

    cpu = json.loads(p.stdout.splitlines()[-1])
    assert 0.9 < cpu["ignored"] < 2.5 and 0.9 < cpu["orphan"] < 2.5, cpu
