import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).parent / "data"
SEEDS = ROOT / "references" / "sources"  # the example's five source documents, kept in the repository
PROJECT_FILES = ["review.toml", "abstract.md", "notebooks", "references"]
#: browser screenshots: $REVIEWKIT_TEST_ARTIFACTS, else a folder in the system's temporary directory (never the repository)
ARTIFACTS = Path(os.environ.get("REVIEWKIT_TEST_ARTIFACTS") or Path(tempfile.gettempdir()) / "reviewkit-test-artifacts")
_SESSION_CACHE = None


def pytest_configure(config):
    """A temporary cache for the whole session, and no bytecode or pytest cache in the repository."""
    global _SESSION_CACHE
    _SESSION_CACHE = tempfile.mkdtemp(prefix="reviewkit-test-cache-")
    os.environ["REVIEWKIT_CACHE"] = os.path.join(_SESSION_CACHE, "reviewkit")
    os.environ["XDG_CACHE_HOME"] = os.path.join(_SESSION_CACHE, "xdg")
    os.environ["PYTHONDONTWRITEBYTECODE"] = "1"  # the CLI subprocesses and kernels
    sys.dont_write_bytecode = True


def pytest_unconfigure(config):
    if _SESSION_CACHE:
        shutil.rmtree(_SESSION_CACHE, ignore_errors=True)


def copy_project(dest: Path) -> Path:
    dest.mkdir(parents=True, exist_ok=True)
    for name in PROJECT_FILES:
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, dest / name, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
        else:
            shutil.copy2(src, dest / name)
    return dest


def set_defaults(notebook: Path, **values) -> None:
    """Set ``name = value`` lines of a notebook's parameters cell, as an author does when a section's parameters change
    (the defaults must equal a section's parameters: `reviewkit check`)."""
    import json
    import re

    nb = json.loads(notebook.read_text(encoding="utf-8"))
    cell = next(c for c in nb["cells"] if "parameters" in c.get("metadata", {}).get("tags", []))
    src = "".join(cell["source"])
    for name, value in values.items():
        src, n = re.subn(rf"^{name}\s*=.*$", f"{name} = {value!r}", src, flags=re.MULTILINE)
        assert n == 1, f"no parameter {name} in {notebook}"
    cell["source"] = src
    notebook.write_text(json.dumps(nb, indent=1), encoding="utf-8")


def reviewkit(*args, cwd=None, check=False, env=None):
    """Run the CLI as a user does (a separate process); *env*: variables set for it besides the test's own.

    ``build`` and ``run`` also write their events (``--events FILE``): ``proc.events`` is what the build did, as the
    typed events of reviewkit.pipeline.events — tests learn what happened from those, not from the log's wording.
    """
    exe = Path(sys.executable).with_name("reviewkit")
    record = None
    if args and args[0] in ("build", "run"):
        fd, record = tempfile.mkstemp(prefix="events-", suffix=".jsonl", dir=_SESSION_CACHE)
        os.close(fd)
        args = (*args, "--events", record)
    proc = subprocess.run(
        [str(exe), *map(str, args)],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "SOURCE_DATE_EPOCH": "1793836800", **(env or {})},
    )
    proc.events = read_events(record) if record else []
    if check and proc.returncode != 0:
        raise AssertionError(f"reviewkit {' '.join(map(str, args))} failed ({proc.returncode}):\n{proc.stderr}")
    return proc


def read_events(path) -> list:
    """The events a build wrote with ``--events`` (none when it stopped before opening the file)."""
    from reviewkit.pipeline import events

    return events.load(path) if path and Path(path).is_file() else []


def follow_events(path, proc, timeout=300.0):
    """Yield the events a running build (*proc*, started with ``--events path``) writes, as it writes them."""
    from reviewkit.pipeline import events

    end, seen = time.monotonic() + timeout, 0
    while time.monotonic() < end:
        done = proc.poll() is not None
        found = events.load(path) if Path(path).is_file() else []
        yield from found[seen:]
        seen = len(found)
        if done:
            return
        time.sleep(0.1)
    raise AssertionError(f"the build wrote no more events in {timeout:.0f} s")


def statuses(events) -> dict:
    """Section name -> why it ran ("; "-joined reasons) or "reused", from a build's events."""
    from reviewkit.pipeline.events import SectionQueued, SectionReused

    return {
        e.section: "; ".join(e.reasons) if isinstance(e, SectionQueued) else "reused"
        for e in events
        if isinstance(e, (SectionQueued, SectionReused))
    }


def kinds(events, kind) -> list:
    """The events of one kind (a class of reviewkit.pipeline.events)."""
    return [e for e in events if isinstance(e, kind)]


@pytest.fixture(scope="session")
def built_example(tmp_path_factory):
    """The example review built once (HTML and PDF) into a temporary copy."""
    project = copy_project(tmp_path_factory.mktemp("example"))
    proc = reviewkit("build", project, "--to", "html,pdf", check=True)
    return project, proc


@pytest.fixture(scope="session")
def bibliography():
    from reviewkit.citations import load_bibliography

    files = sorted((ROOT / "references" / "bibliography").glob("*"))
    return load_bibliography(files)
