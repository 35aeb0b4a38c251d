"""The regeneration engine: strict parameters, the data-aware cache, the lock, the manifest, `reviewkit run`."""

import json
import os
import re
import subprocess
import sys
import time

import pytest

from reviewkit.pipeline.events import BibliographyLoaded, ReportUpToDate, SectionQueued, SectionRan

from conftest import copy_project, follow_events, kinds, read_events, reviewkit, statuses


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    project = copy_project(tmp_path_factory.mktemp("engine"))
    reviewkit("build", project, "--to", "html", check=True)
    return project


def test_no_op_rebuild_reuses_everything_and_starts_no_kernel(built):
    before = (built / "outputs" / "report.html").read_bytes()
    t = time.perf_counter()
    proc = reviewkit("build", built, "--to", "html", check=True)
    elapsed = time.perf_counter() - t
    assert set(statuses(proc.events).values()) == {"reused"} and len(statuses(proc.events)) == 7
    assert kinds(proc.events, ReportUpToDate) and not kinds(proc.events, BibliographyLoaded)  # nothing assembled
    assert (built / "outputs" / "report.html").read_bytes() == before
    assert elapsed < 5  # the figure that matters (≈0.1 s) is measured in benchmarks/, not asserted here


#: what a build with nothing to do must not import: the notebooks' and the report's libraries, git's process
#: (the provenance is kept), the citation code (the lock file's name is in reviewkit.layout), the other commands'
#: modules
NOT_FOR_A_NO_OP = {
    "pandas",
    "numpy",
    "matplotlib",
    "seaborn",
    "papermill",
    "nbformat",
    "nbconvert",
    "jinja2",
    "pybtex",
    "jupyter_client",
    "zmq",
    "yaml",
    "subprocess",
    "secrets",
    "reviewkit.citations",
    "reviewkit.cli.trials",
    "reviewkit.cli.importcmd",
}


def test_a_no_op_build_imports_nothing_it_does_not_need(built, tmp_path):
    reviewkit("build", built, "--to", "html", check=True)  # whatever the first build could not keep, kept now
    record = tmp_path / "events.jsonl"
    code = (
        "import sys\n"
        "from reviewkit.cli import main\n"
        "status = main(['build', sys.argv[1], '--to', 'html', '--events', sys.argv[2]])\n"
        "print(' '.join(sorted(sys.modules)))\n"
        "sys.exit(status)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, str(built), str(record)],
        cwd=tmp_path,  # not the repository's folder, which `-c` would put first on sys.path
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "SOURCE_DATE_EPOCH": "1793836800"},
    )
    assert proc.returncode == 0, proc.stderr
    assert kinds(read_events(record), ReportUpToDate)
    modules = set(proc.stdout.splitlines()[-1].split())
    assert "reviewkit.pipeline.build" in modules
    assert {m for m in modules if m.split(".")[0] in NOT_FOR_A_NO_OP or m in NOT_FOR_A_NO_OP} == set()


def test_a_command_parsed_alone_reads_its_arguments_as_in_the_full_parser(capsys):
    from reviewkit.cli import COMMANDS, parser

    for command in COMMANDS:
        helps = []
        for p in (parser(), parser(command)):
            with pytest.raises(SystemExit):
                p.parse_args([command, "--help"])
            helps.append(capsys.readouterr().out)
        assert helps[0] == helps[1] and f"usage: reviewkit {command} " in helps[0]


def test_only_sections_declaring_a_changed_input_rerun(built):
    trials = built / "references" / "trials" / "seed-nct05204524-related.csv"
    original = trials.read_text(encoding="utf-8")
    trials.write_text(original.replace("Phase 1/Phase 2", "Phase 2", 1), encoding="utf-8")
    try:
        st = statuses(reviewkit("build", built, "--to", "html", check=True).events)
        assert st["trials"] == "references/trials/seed-nct05204524-related.csv changed"
        assert st["changes"].startswith("references/trials/seed-nct05204524-related.csv changed")
        assert st["background"] == st["efficacy-overall"] == "reused"
    finally:
        trials.write_text(original, encoding="utf-8")
    reviewkit("build", built, "--to", "html", check=True)


def test_markdown_only_edit_reassembles_without_running(built):
    nb = built / "notebooks" / "background.ipynb"
    original = nb.read_text(encoding="utf-8")
    nb.write_text(
        original.replace("set the context in which new trials are designed", "frame the design of new trials"),
        encoding="utf-8",
    )
    try:
        proc = reviewkit("build", built, "--to", "html", check=True)
        assert set(statuses(proc.events).values()) == {"reused"}
        assert "frame the design of new trials" in (built / "outputs" / "report.html").read_text(encoding="utf-8")
    finally:
        nb.write_text(original, encoding="utf-8")


def test_force_reruns_all_and_manifest_records_it(built):
    proc = reviewkit("build", built, "--to", "html", "--force", check=True)
    assert set(statuses(proc.events).values()) == {"--force"}
    manifest = json.loads((built / "outputs" / "manifest.json").read_text(encoding="utf-8"))
    sec = {s["name"]: s for s in manifest["sections"]}
    assert set(sec) >= {"background", "trials", "efficacy-overall", "changes"}
    assert all(s["ran"] and s["status"] == "ok" for s in sec.values())
    assert {"path": "references/evidence.csv"}.items() <= sec["efficacy-overall"]["inputs"][0].items()
    assert len(sec["efficacy-overall"]["inputs"][0]["sha256"]) == 64
    assert manifest["packages"]["papermill"] and sec["trials"]["parameters"]["condition"] == "leiomyosarcoma"


@pytest.mark.parametrize(
    "edit,message",
    [
        (("statuses = []", "statuse = []"), "unknown parameter 'statuse' (did you mean 'statuses'?)"),
        (
            ('condition = "leiomyosarcoma"', "condition = 3"),
            "parameter 'condition' is int 3, but its default 'leiomyosarcoma' is str",
        ),
    ],
)
def test_strict_parameters_fail_before_any_kernel(tmp_path, edit, message):
    project = copy_project(tmp_path / "p")
    toml = project / "review.toml"
    toml.write_text(toml.read_text(encoding="utf-8").replace(*edit), encoding="utf-8")
    proc = reviewkit("build", project, "--to", "html")
    assert proc.returncode == 2 and message in proc.stderr
    assert not kinds(proc.events, SectionQueued) and not (project / "outputs" / "sections").exists()


def test_notebook_without_parameters_cell(tmp_path):
    project = copy_project(tmp_path / "p")
    nb = project / "notebooks" / "changes.ipynb"
    data = json.loads(nb.read_text(encoding="utf-8"))
    for c in data["cells"]:
        c.get("metadata", {}).pop("tags", None)
    nb.write_text(json.dumps(data), encoding="utf-8")
    proc = reviewkit("build", project, "--to", "html")
    assert proc.returncode == 2 and "changes.ipynb: the notebook has no cell tagged 'parameters'" in proc.stderr


def test_a_second_build_stops_with_a_clear_message(built):
    from reviewkit.pipeline.build import BuildLock

    with BuildLock(built / "outputs"):
        proc = reviewkit("build", built, "--to", "html")
    assert proc.returncode == 1 and "another build of this project is running (pid " in proc.stderr


def test_run_with_parameters_like_papermill(built, tmp_path):
    yml = tmp_path / "p.yaml"
    yml.write_text("statuses: [RECRUITING]\n", encoding="utf-8")
    proc = reviewkit("run", built, "--only", "trials", "-f", yml, "-p", "condition", "leiomyosarcoma")
    assert proc.returncode == 0, proc.stderr
    assert statuses(proc.events) == {"trials": "parameters changed"}
    executed = json.loads((built / "outputs" / "run" / "trials.ipynb").read_text(encoding="utf-8"))
    text = json.dumps(executed)
    assert "Of 8 registered trials, eight are recruiting" in text
    proc = reviewkit("run", built, "--only", "trials", "-p", "status", "x")
    assert proc.returncode == 2 and "did you mean 'statuses'" in proc.stderr
    # the next plain build notices the parameters changed back
    st = statuses(reviewkit("build", built, "--to", "html", check=True).events)
    assert st["trials"] == "parameters changed"


def test_killed_build_keeps_the_last_edition_and_a_consistent_cache(built):
    import os
    import signal
    import subprocess
    import sys
    from pathlib import Path

    before = (built / "outputs" / "report.html").read_bytes()
    exe = Path(sys.executable).with_name("reviewkit")
    record = built.parent / "killed-build-events.jsonl"
    proc = subprocess.Popen(
        [str(exe), "build", str(built), "--to", "html", "--force", "-j", "1", "--events", str(record)],
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    for event in follow_events(record, proc):
        if isinstance(event, SectionRan):  # one section finished, the next is running: kill everything now
            os.killpg(proc.pid, signal.SIGKILL)
            break
    proc.wait(timeout=60)
    assert (built / "outputs" / "report.html").read_bytes() == before
    state = json.loads((built / "outputs" / ".reviewkit" / "state.json").read_text(encoding="utf-8"))
    finished = {e.section for e in kinds(read_events(record), SectionRan)}
    assert finished and set(state["sections"]) == finished  # nothing marked fresh that did not finish
    again = statuses(reviewkit("build", built, "--to", "html", check=True).events)
    assert all(again[name] == "reused" for name in finished)
    assert all(v == "no previous run" for k, v in again.items() if k not in finished)


def test_dask_executor_on_a_real_local_cluster(tmp_path):
    from distributed import LocalCluster

    project = copy_project(tmp_path / "p")
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        proc = reviewkit(
            "build", project, "--to", "html", "--executor", "dask", "--scheduler", cluster.scheduler_address
        )
        assert proc.returncode == 0, proc.stderr
        assert "Of 21 registered trials" in (project / "outputs" / "report.html").read_text(encoding="utf-8")
        assert statuses(proc.events)["trials"] == "no previous run"
        with cluster.get_client() as client:
            logs = client.get_worker_logs()
        assert len(logs) == 2
    proc = reviewkit(
        "build", project, "--to", "html", "--force", "--executor", "dask", "--scheduler", "tcp://127.0.0.1:9"
    )
    assert proc.returncode == 2 and "cannot reach the Dask scheduler at tcp://127.0.0.1:9" in proc.stderr


def test_init_creates_a_review_that_builds_as_is(tmp_path):
    target = tmp_path / "my-review"
    assert reviewkit("init", target).returncode == 0
    for rel in [
        "review.toml",
        "abstract.md",
        "notebooks/trials.ipynb",
        "notebooks/efficacy.ipynb",
        "references/evidence.csv",
        "references/screening.csv",
        "references/trials/trials.csv",
    ]:
        assert (target / rel).is_file(), rel
    assert (target / "references" / "evidence.csv").read_text(encoding="utf-8").startswith("study,nct_id,design,")
    proc = reviewkit("build", target, "--to", "html")
    assert proc.returncode == 0, proc.stderr
    html = (target / "outputs" / "report.html").read_text(encoding="utf-8")
    assert "No registered trials matched." in html
    assert 'id="fig-prisma"' in html
    again = reviewkit("init", target)
    assert again.returncode == 2 and "a review already exists here" in again.stderr


@pytest.mark.parametrize("before", ["", "\n\n"], ids=["plain", "after-blank-lines"])
def test_config_errors_name_the_key_and_line(tmp_path, before):
    """The line of the key itself, also when blank lines come before it (not the first blank line)."""
    project = copy_project(tmp_path / "p")
    toml = project / "review.toml"
    text = toml.read_text(encoding="utf-8").replace("running_title = ", before + "runing_title = ")
    toml.write_text(text, encoding="utf-8")
    line = next(i for i, l in enumerate(text.splitlines(), start=1) if l.startswith("runing_title"))
    proc = reviewkit("build", project, "--to", "html")
    assert proc.returncode == 2
    assert f"review.toml:{line}: unknown key report.runing_title (did you mean 'running_title'" in proc.stderr


def test_progress_display_on_a_terminal(built):
    """Run the CLI in a real pseudo-terminal and read what it draws."""
    import os
    import pty
    import sys
    from pathlib import Path

    exe = Path(sys.executable).with_name("reviewkit")
    pid, fd = pty.fork()
    if pid == 0:  # the child: the CLI with a terminal as stderr
        os.execv(str(exe), [str(exe), "build", str(built), "--to", "html", "--force", "-j", "1"])
    chunks = []
    while True:
        try:
            data = os.read(fd, 4096)
        except OSError:
            break
        if not data:
            break
        chunks.append(data)
    _, status = os.waitpid(pid, 0)
    screen = b"".join(chunks).decode("utf-8", "replace")
    assert os.WEXITSTATUS(status) == 0
    assert "\x1b[" in screen  # redrawn in place
    assert re.search(r"running\s+\d+\.\d s", screen)  # elapsed time while running
    assert "queued" in screen  # with -j 1, the others wait their turn
    assert re.search(r"✓ changes\s+done", screen)


def test_check_validates_without_running(tmp_path):
    project = copy_project(tmp_path / "p")
    proc = reviewkit("check", project)
    assert proc.returncode == 0, proc.stderr
    assert "0 problems found, the review is ready to build" in proc.stderr
    assert "warning: " in proc.stderr and "printed DOI '1007/s11864-019-0606-9'" in proc.stderr
    nb = project / "notebooks" / "background.ipynb"
    nb.write_text(
        nb.read_text(encoding="utf-8").replace("[@reichardt2014soft]", "[@reichard2014soft]"), encoding="utf-8"
    )
    sheet = project / "references" / "evidence.csv"
    sheet.write_text(sheet.read_text(encoding="utf-8").replace(",11,ORR,", ",11,ORRR,"), encoding="utf-8")
    proc = reviewkit("check", project)
    assert proc.returncode == 2
    assert "notebooks/background.ipynb, cell 4: unknown citation key @reichard2014soft" in proc.stderr
    assert "unknown endpoint 'ORRR'" in proc.stderr and "2 problems found" in proc.stderr
    assert not (project / "outputs" / "sections").exists()


def test_check_agrees_with_build_on_a_new_review(tmp_path):
    """Citation syntax shown in code spans (the template's own example) is not a citation for check or build."""
    target = tmp_path / "new"
    assert reviewkit("init", target).returncode == 0
    proc = reviewkit("check", target)
    assert proc.returncode == 0, proc.stderr
    assert "0 problems found" in proc.stderr
