"""One edition at a time: kills, Ctrl-C, a read-only or full output folder, and what reaches the published outputs.

Every test edit of the example's data is a synthetic marker ("test edit MARKERnn") in a temporary copy.
"""

import json
import os
import random
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from reviewkit.pipeline.events import BibliographyLoaded, ReportUpToDate, SectionQueued

from conftest import copy_project, follow_events, kinds, reviewkit, statuses

TRIALS = "references/trials/seed-nct05204524-related.csv"
TITLE = "Nivolumab in People With Leiomyosarcoma"


def set_marker(project, n: int) -> None:
    f = project / TRIALS
    original = getattr(set_marker, "original", None) or f.read_text(encoding="utf-8")
    set_marker.original = original
    assert TITLE in original
    f.write_text(original.replace(TITLE, f"{TITLE} (test edit MARKER{n:02d})", 1), encoding="utf-8")


def markers(text: str) -> set[int]:
    return {int(m) for m in re.findall(r"MARKER(\d\d)", text)}


def published(project) -> dict:
    """The marker each published file shows (None: no marker), and the folder they resolve into."""
    import pypdf

    out = project / "outputs"
    files = {
        "html": (out / "report.html").read_text(encoding="utf-8"),
        "table": (out / "tables" / "trials.csv").read_text(encoding="utf-8"),
        "section": (out / "sections" / "trials.ipynb").read_text(encoding="utf-8"),
        "assembled": (out / "report.ipynb").read_text(encoding="utf-8"),
        "pdf": "".join(p.extract_text() for p in pypdf.PdfReader(out / "report.pdf").pages),
    }
    found = {k: markers(v) for k, v in files.items()}
    folders = {(out / n).resolve().parent for n in ("report.html", "report.pdf", "manifest.json", "report.ipynb")}
    folders |= {(out / n).resolve().parent for n in ("figures", "tables", "sections")}
    return {"markers": found, "folders": folders}


def cmdline(pid: int) -> bytes:
    """A process's command line; empty once it has ended (it may end between listing and reading)."""
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def descendants(pid: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for d in Path("/proc").iterdir():
        if d.name.isdigit():
            try:
                stat = (d / "stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(d.name))
    out, todo = set(), [pid]
    while todo:
        for c in children.get(todo.pop(), []):
            out.add(c)
            todo.append(c)
    return out


def alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def wait_gone(pids, seconds=15.0) -> set[int]:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        left = {p for p in pids if alive(p)}
        if not left:
            return set()
        time.sleep(0.2)
    return {p for p in pids if alive(p)}


def start_build(project, *args, env=None):
    """A build in its own process group, writing its events beside the project (``proc.record``)."""
    exe = Path(sys.executable).with_name("reviewkit")
    record = project.parent / f"{project.name}-events.jsonl"
    record.unlink(missing_ok=True)
    proc = subprocess.Popen(
        [str(exe), "build", str(project), "--to", "html,pdf", *args, "--events", str(record)],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        text=True,
        start_new_session=True,
        env={**os.environ, "SOURCE_DATE_EPOCH": "1793836800", **(env or {})},
    )
    proc.record = record
    return proc


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    p = copy_project(tmp_path_factory.mktemp("editions"))
    set_marker(p, 0)
    reviewkit("build", p, "--to", "html,pdf", check=True)
    return p


def check_one_edition(project, newest_published: int) -> int:
    seen = published(project)
    assert len(seen["folders"]) == 1, seen["folders"]  # every name resolves into one edition
    values = {frozenset(v) for v in seen["markers"].values()}
    assert len(values) == 1 and len(next(iter(values))) == 1, seen["markers"]  # one data version everywhere
    marker = next(iter(next(iter(values))))
    assert marker >= newest_published, f"older data (MARKER{marker:02d}) published after MARKER{newest_published:02d}"
    return marker


def test_kill_and_interrupt_at_random_moments_leave_one_complete_edition(project):
    seed = int(os.environ.get("REVIEWKIT_KILL_SEED", time.time()))
    rng = random.Random(seed)
    how = ["SIGKILL main", "SIGKILL group", "SIGINT group", "SIGTERM main"] * 2
    newest = check_one_edition(project, 0)
    for n, kill in enumerate(how, start=1):
        set_marker(project, n)
        proc = start_build(project)
        during_export = n % 2 == 0  # every other kill waits for the export step
        if during_export:
            for event in follow_events(proc.record, proc):
                if isinstance(event, BibliographyLoaded):
                    break
        delay = rng.uniform(0, 2.5 if during_export else 8)
        time.sleep(delay)
        family = descendants(proc.pid)
        if kill == "SIGKILL main":
            proc.kill()
        elif kill == "SIGKILL group":
            os.killpg(proc.pid, signal.SIGKILL)
        elif kill == "SIGTERM main":
            proc.terminate()
        else:
            os.killpg(proc.pid, signal.SIGINT)
        rest = proc.stderr.read()
        proc.wait(timeout=120)
        where = f"(seed {seed}, build {n}, {kill} after {delay:.2f} s{' in export' if during_export else ''})"
        # kernels print their own start-up failure when another process took the port they were given
        # (jupyter_client's TCP port race, seen when many kernels start at once on a shared machine): not ours
        ours = rest if "zmq.error.ZMQError: Address already in use" not in rest else rest.split("Traceback")[0]
        # a SIGINT in the first milliseconds lands while Python itself starts (importing `site`), before any
        # reviewkit code runs: Python prints its own "Fatal Python error: init_import_site" and traceback
        ours = "" if "Fatal Python error: init_import_site" in ours else ours
        assert "Traceback" not in ours, where + rest
        assert not wait_gone(family), f"processes of the killed build still run {where}"
        newest = check_one_edition(project, newest)
        assert newest in (n - 1, n) or newest <= n, where
    # the fix: build to the end; then nothing is left to do and the newest data is published
    final = len(how) + 1
    set_marker(project, final)
    reviewkit("build", project, "--to", "html,pdf", check=True)
    assert check_one_edition(project, newest) == final
    again = reviewkit("build", project, "--to", "html,pdf", check=True)
    assert set(statuses(again.events).values()) == {"reused"} and kinds(again.events, ReportUpToDate)
    assert check_one_edition(project, final) == final


def test_workers_and_kernels_die_with_the_build(project):
    proc = start_build(project, "--force", "-j", "2")
    for event in follow_events(proc.record, proc):
        if isinstance(event, SectionQueued) and event.section == "changes":
            break
    end = time.monotonic() + 60
    while time.monotonic() < end:  # wait until the workers have started their kernels
        family = descendants(proc.pid)
        kernels = [p for p in family if re.search(rb"ipykernel|reviewkit\.pipeline\.kernels", cmdline(p))]
        if len(kernels) >= 2:
            break
        time.sleep(0.2)
    assert len(kernels) >= 2, "no kernels seen"
    proc.kill()  # SIGKILL to the build only, as `kill -9 PID` does
    proc.wait(timeout=30)
    assert not wait_gone(family), "workers or kernels outlived the build"
    state = json.loads((project / "outputs" / ".reviewkit" / "state.json").read_text(encoding="utf-8"))
    assert all(s["ok"] for s in state["sections"].values())
    assert not list((project / "outputs" / ".reviewkit").glob("work-*/sections"))


def test_sigterm_stops_a_build_as_ctrl_c_does_and_leaves_no_kernel_files(project, tmp_path):
    runtime = tmp_path / "jupyter-runtime"  # where Jupyter keeps connection files: nothing of this build's belongs
    proc = start_build(project, "--force", "-j", "2", env={"JUPYTER_RUNTIME_DIR": str(runtime)})
    newest = check_one_edition(project, 0)
    for event in follow_events(proc.record, proc):
        if isinstance(event, SectionQueued) and event.section == "changes":
            break
    end = time.monotonic() + 60
    while time.monotonic() < end:  # kernels running
        family = descendants(proc.pid)
        if len([p for p in family if re.search(rb"ipykernel|reviewkit\.pipeline\.kernels", cmdline(p))]) >= 2:
            break
        time.sleep(0.2)
    proc.terminate()  # SIGTERM to the build only, as `kill PID` or a time limit does
    rest = proc.stderr.read()
    assert proc.wait(timeout=60) == 128 + signal.SIGTERM, rest
    assert "reviewkit: stopped (SIGTERM); nothing half-written was published" in rest
    assert "Traceback" not in rest
    assert not wait_gone(family), "kernels outlived the stopped build"
    assert check_one_edition(project, newest) == newest  # the last edition, whole
    assert not (runtime.exists() and list(runtime.iterdir()))
    # what the stopped build's kernels left in its work folder goes with the next build
    reviewkit("build", project, "--to", "html,pdf", check=True)
    assert not list((project / "outputs" / ".reviewkit").glob("work-*"))
    assert not list(project.rglob(".kernel-*.json"))


def test_a_result_from_another_build_is_not_accepted(tmp_path):
    from reviewkit.pipeline import config
    from reviewkit.pipeline.runner import SectionResult, run_sections

    p = copy_project(tmp_path / "p")
    cfg = config.load(p)
    out = tmp_path / "work"
    accepted = []

    def fake_execute(**task):  # stands for a worker answering with another build's token
        return SectionResult(task["name"], Path(task["output"]), True, 0.0, token="someone-else")

    import reviewkit.pipeline.runner as runner

    real = runner.execute_section
    runner.execute_section = fake_execute
    try:
        results = run_sections(
            cfg, out, jobs=1, sections=cfg.sections[:1], on_done=accepted.append, token="mine", log=lambda *_: None
        )
    finally:
        runner.execute_section = real
    assert accepted == []  # refused: never recorded as this build's result
    assert [(r.ok, r.error) for r in results] == [(False, "no result from this build's worker")]


def _mount(*args) -> bool:
    return subprocess.run(["mount", *args], capture_output=True).returncode == 0


@pytest.fixture
def small_mount(tmp_path):
    """A 24 MB tmpfs to hold a review's outputs/ (mounting needs root with CAP_SYS_ADMIN)."""
    where = tmp_path / "mnt"
    where.mkdir()
    if os.geteuid() != 0 or not _mount("-t", "tmpfs", "-o", "size=24m", "tmpfs", str(where)):
        pytest.skip("NOT RUN: filling a disk needs a small tmpfs, and mounting one needs root with CAP_SYS_ADMIN")
    yield where
    subprocess.run(["umount", "-l", str(where)], capture_output=True)


def test_full_disk_and_read_only_outputs_are_clear_errors_and_keep_the_edition(tmp_path, small_mount):
    project = copy_project(tmp_path / "p")
    set_marker(project, 1)
    (small_mount / "outputs").mkdir()
    (project / "outputs").symlink_to(small_mount / "outputs")
    reviewkit("build", project, "--to", "html", check=True)
    before = (project / "outputs" / "report.html").read_bytes()
    assert markers(before.decode()) == {1}
    set_marker(project, 2)
    free = os.statvfs(small_mount).f_bavail * os.statvfs(small_mount).f_frsize
    (small_mount / "filler").write_bytes(b"\0" * (free - 400_000))  # leaves 400 kB: the new edition does not fit
    proc = reviewkit("build", project, "--to", "html", "--force")
    assert proc.returncode == 1, proc.stderr
    assert "Traceback" not in proc.stderr and "no space left" in proc.stderr.lower(), proc.stderr
    assert (project / "outputs" / "report.html").read_bytes() == before  # the whole previous edition
    assert markers((project / "outputs" / "tables" / "trials.csv").read_text(encoding="utf-8")) == {1}
    assert not list((project / "outputs" / ".reviewkit" / "editions").glob("*"))[1:]  # the half edition is gone
    (small_mount / "filler").unlink()
    assert _mount("-o", "remount,ro", str(small_mount))
    try:
        proc = reviewkit("build", project, "--to", "html")
        assert proc.returncode == 1, proc.stderr
        assert "Traceback" not in proc.stderr
        assert "read-only" in proc.stderr and str(project / "outputs") in proc.stderr, proc.stderr
        assert (project / "outputs" / "report.html").read_bytes() == before
    finally:
        _mount("-o", "remount,rw", str(small_mount))
    reviewkit("build", project, "--to", "html", check=True)
    assert markers((project / "outputs" / "report.html").read_text(encoding="utf-8")) == {2}


def test_publishing_replaces_an_old_layout_and_drops_names_the_edition_lacks(tmp_path):
    from reviewkit.pipeline.publish import Editions

    out = tmp_path / "outputs"
    (out / "figures").mkdir(parents=True)
    (out / "figures" / "old.png").write_bytes(b"old")  # as builds before editions left them
    (out / "report.pdf").write_bytes(b"old pdf")
    (out / "report.html").write_text("old", encoding="utf-8")
    (out / ".gitkeep").touch()
    first = Editions(out, "t1")
    (first.staging / "figures").mkdir(parents=True)
    (first.staging / "figures" / "new.png").write_bytes(b"new")
    (first.staging / "report.html").write_text("new", encoding="utf-8")
    first.publish()
    assert (out / "report.html").read_text(encoding="utf-8") == "new" and (out / "report.html").is_symlink()
    assert not (out / "report.pdf").exists()  # never an old PDF beside a new HTML
    assert sorted(p.name for p in (out / "figures").iterdir()) == ["new.png"] and (out / ".gitkeep").exists()
    second = Editions(out, "t2")
    second.staging.mkdir(parents=True)
    (second.staging / "report.html").write_text("newer", encoding="utf-8")
    second.publish()
    assert (out / "report.html").read_text(encoding="utf-8") == "newer"
    assert not (out / "figures").exists() and not first.staging.exists()  # nothing of the older edition is left


def test_html_only_build_keeps_the_pdf_only_when_it_shows_the_same_document(project):
    pdf = (project / "outputs" / "report.pdf").read_bytes()
    reviewkit("build", project, "--to", "html", check=True)  # nothing changed: the PDF is of this very document
    assert (project / "outputs" / "report.pdf").read_bytes() == pdf
    set_marker(project, 42)
    reviewkit("build", project, "--to", "html", check=True)
    assert markers((project / "outputs" / "report.html").read_text(encoding="utf-8")) == {42}
    assert not (project / "outputs" / "report.pdf").exists()  # an older PDF never stands beside a newer HTML
