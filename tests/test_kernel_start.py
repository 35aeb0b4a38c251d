"""A kernel that dies before it answers (its TCP port taken by a kernel started at the same moment) is started again.

The race itself cannot be staged on demand, so a real kernel spec stands in for it: its launcher exits at once the
first time (as a kernel whose port was taken does), then starts the real ipykernel.
"""

import json
import sys

import nbformat
from test_kernels import write_notebook

from reviewkit.pipeline.runner import KERNEL_START_ATTEMPTS, execute_section

LAUNCHER = """
import os, sys
count = sys.argv[1]
n = int(open(count).read()) if os.path.exists(count) else 0
open(count, "w").write(str(n + 1))
if n < int(sys.argv[2]):
    sys.exit(1)  # dies before replying to kernel_info
os.execv(sys.executable, [sys.executable, "-m", "ipykernel_launcher", *sys.argv[3:]])
"""


def flaky_kernel(tmp_path, monkeypatch, failures):
    spec = tmp_path / "jupyter" / "kernels" / "flaky"
    spec.mkdir(parents=True)
    (tmp_path / "launcher.py").write_text(LAUNCHER, encoding="utf-8")
    count = tmp_path / "starts"
    spec.joinpath("kernel.json").write_text(
        json.dumps(
            {
                "argv": [
                    sys.executable,
                    str(tmp_path / "launcher.py"),
                    str(count),
                    str(failures),
                    "-f",
                    "{connection_file}",
                ],
                "display_name": "flaky (test)",
                "language": "python",
            }
        ),
        encoding="utf-8",
    )
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    nb = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell("x = 1", metadata={"tags": ["parameters"]}),
            nbformat.v4.new_code_cell("print('ran', x + 1)"),
        ],
        metadata={
            "kernelspec": {"name": "flaky", "display_name": "flaky (test)", "language": "python"},
            "language_info": {"name": "python"},
        },
    )
    nbformat.write(nb, tmp_path / "s.ipynb")
    return count


def test_a_kernel_that_dies_at_start_is_started_again(tmp_path, monkeypatch):
    count = flaky_kernel(tmp_path, monkeypatch, failures=1)
    r = execute_section(
        "s", str(tmp_path / "s.ipynb"), str(tmp_path / "out.ipynb"), {"x": 2}, str(tmp_path), kernel_name="flaky"
    )
    assert r.ok, r.error
    assert count.read_text() == "2"  # one start died, the second ran the notebook
    out = nbformat.read(tmp_path / "out.ipynb", as_version=4)
    assert "ran 3" in "".join(o.get("text", "") for c in out.cells for o in c.get("outputs", []))


def test_a_kernel_that_never_starts_fails_after_a_bounded_number_of_tries(tmp_path, monkeypatch):
    count = flaky_kernel(tmp_path, monkeypatch, failures=99)
    r = execute_section(
        "s", str(tmp_path / "s.ipynb"), str(tmp_path / "out.ipynb"), {}, str(tmp_path), kernel_name="flaky"
    )
    assert not r.ok and "died before replying to kernel_info" in r.error
    assert count.read_text() == str(KERNEL_START_ATTEMPTS)


def test_kernel_teardown_noise_stays_out_of_the_build_output(tmp_path):
    """What a kernel writes to its standard error as it exits (ipykernel's teardown tracebacks) is no build message."""
    from conftest import reviewkit

    for name in ("one", "two"):
        write_notebook(
            tmp_path / "notebooks" / f"{name}.ipynb",
            "label = 'synthetic'",
            "import atexit, os\n"
            "atexit.register(os.write, 2, b'Traceback (most recent call last): KERNEL-NOISE\\n')\n"
            "from reviewkit import report\nreport.text(f'A {label} section.')",
        )
    (tmp_path / "review.toml").write_text(
        '[report]\ntitle = "Synthetic review (test data only)"\n\n'
        '[[section]]\nname = "one"\nnotebook = "notebooks/one.ipynb"\n\n'
        '[[section]]\nname = "two"\nnotebook = "notebooks/two.ipynb"\n',
        encoding="utf-8",
    )
    proc = reviewkit("build", tmp_path, "--to", "html", "-j", "2", check=True)
    assert "A synthetic section." in (tmp_path / "outputs" / "report.html").read_text(encoding="utf-8")
    assert "KERNEL-NOISE" not in proc.stderr and "Traceback" not in proc.stderr
