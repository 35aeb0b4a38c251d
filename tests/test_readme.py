"""A new user's first commands work as written (issue #10, item 9): the README's "Start a new review" block,
run as printed in a new shell — no reviewkit on the PATH until the block's own activate step."""

import os
import re
import subprocess
import sys
from pathlib import Path

from conftest import ROOT


def start_block() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text.split("## Start a new review", 1)[1]
    block = re.search(r"```sh\n(.*?)```", section, re.DOTALL).group(1)
    return [line for line in block.splitlines() if line.strip() and not line.lstrip().startswith("#")]


def test_the_start_block_runs_as_printed_in_a_new_shell(tmp_path):
    lines = start_block()
    assert lines[0].startswith(". .venv/bin/activate") and any(l.startswith("reviewkit build") for l in lines)
    # the user's checkout, as `make report` leaves it: the folder with .venv (here the environment running the tests)
    checkout = tmp_path / "reviewkit"
    checkout.mkdir()
    (checkout / ".venv").symlink_to(Path(sys.executable).parent.parent)
    venv_bin = str(Path(sys.executable).parent)
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONHOME")}
    env["PATH"] = os.pathsep.join(p for p in env.get("PATH", "").split(os.pathsep) if p != venv_bin)
    assert subprocess.run(["bash", "-c", "command -v reviewkit"], env=env, capture_output=True).returncode != 0
    # every line as printed, in one new shell; `reviewkit lab` starts a server (tests/test_lab.py runs it for real)
    script = "set -e\n" + "\n".join(l for l in lines if not l.startswith("reviewkit lab")) + "\n"
    proc = subprocess.run(["bash", "-c", script], cwd=checkout, env=env, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "0 problems found" in proc.stderr and "Traceback" not in proc.stderr
    review = checkout / "my-review"
    assert (review / "outputs" / "report.html").is_file() and (review / "outputs" / "report.pdf").is_file()
