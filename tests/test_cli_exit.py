"""The ``reviewkit`` command ends its process without Python's module teardown (``cli.exit_now``): what Python's
own exit does that matters must still happen — exit handlers, threads that are not daemons, standard output."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

DATA = Path(__file__).parent / "data"
RIS = DATA / "same-works-four-formats.ris"


def python(code: str, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, **kw)


def test_the_command_flushes_its_output_and_runs_the_exit_handlers(tmp_path):
    handler_ran = tmp_path / "atexit-ran"
    code = (
        "import atexit, pathlib\n"
        "from reviewkit.cli import run\n"
        f"atexit.register(lambda: pathlib.Path({str(handler_ran)!r}).write_text('yes'))\n"
        f"run(['import', {str(RIS)!r}, '-o', '-'])\n"
    )
    proc = python(code)
    assert proc.returncode == 0, proc.stderr
    assert handler_ran.read_text() == "yes"
    # everything main() wrote to the (block-buffered) pipe arrived: the same text as the in-process command's
    whole = python(f"from reviewkit.cli import main\nmain(['import', {str(RIS)!r}, '-o', '-'])\n")
    assert whole.returncode == 0, whole.stderr
    assert proc.stdout == whole.stdout
    assert proc.stdout.count("source = {same-works-four-formats.ris:") == 2  # both records


def test_a_thread_that_is_not_a_daemon_is_waited_for(tmp_path):
    done = tmp_path / "thread-done"
    code = (
        "import pathlib, threading, time\n"
        "from reviewkit.cli import run\n"
        "def late():\n"
        "    time.sleep(0.5)\n"
        f"    pathlib.Path({str(done)!r}).write_text('done')\n"
        "threading.Thread(target=late).start()\n"
        f"run(['import', {str(RIS)!r}, '-o', '-'])\n"
    )
    proc = python(code)
    assert proc.returncode == 0, proc.stderr
    assert done.read_text() == "done"


def test_the_exit_code_is_the_commands(tmp_path):
    proc = python(f"from reviewkit.cli import run\nrun(['import', {str(tmp_path / 'missing.ris')!r}, '-o', '-'])\n")
    assert proc.returncode == 2
    assert "missing.ris" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_standard_output_on_a_full_disk_is_a_clear_error():
    with open("/dev/full", "w") as full:
        proc = subprocess.run(
            [str(Path(sys.executable).with_name("reviewkit")), "import", str(RIS), "-o", "-"],
            stdout=full,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
        )
    assert proc.returncode == 2
    assert "cannot write standard output (No space left on device)" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_python_dash_m_reviewkit_is_the_same_command():
    proc = subprocess.run(
        [sys.executable, "-m", "reviewkit", "import", str(RIS), "-o", "-", "--to", "csljson"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.lstrip().startswith("[")
