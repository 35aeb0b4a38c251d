"""Provenance that is true: the footer and manifest name the review's own commit, or say it has none."""

import json
import os
import shutil
import subprocess
import time

from reviewkit.pipeline.events import ReportUpToDate

from conftest import copy_project, kinds, reviewkit


def git(cwd, *args):
    return subprocess.run(
        ["git", "-c", "user.name=Test", "-c", "user.email=test@example.invalid", "-c", "commit.gpgsign=false", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()


def footer(project):
    html = (project / "outputs" / "report.html").read_text(encoding="utf-8")
    return html[html.index('<footer class="provenance">') : html.index("</footer>")]


def manifest(project):
    return json.loads((project / "outputs" / "manifest.json").read_text(encoding="utf-8"))["review"]


def test_a_review_inside_another_checkout_is_not_under_version_control_until_tracked(tmp_path):
    outer = tmp_path / "other-project"
    outer.mkdir()
    git(outer, "init", "-q")
    (outer / "unrelated.txt").write_text("synthetic\n", encoding="utf-8")
    git(outer, "add", "unrelated.txt")
    git(outer, "commit", "-q", "-m", "unrelated")
    outer_commit = git(outer, "rev-parse", "--short", "HEAD")
    review = copy_project(outer / "review")  # inside the checkout, not tracked by it

    reviewkit("build", review, "--to", "html", check=True)
    assert "from a review not under version control" in footer(review)
    assert outer_commit not in footer(review)
    assert manifest(review) == {"commit": None, "uncommitted_changes": False, "under_version_control": False}

    (outer / ".gitignore").write_text("outputs/\n", encoding="utf-8")
    git(outer, "add", "review", ".gitignore")
    git(outer, "commit", "-q", "-m", "track the review")
    own = git(outer, "log", "-1", "--format=%h", "--", "review")
    (outer / "unrelated.txt").write_text("synthetic, changed later\n", encoding="utf-8")  # outside the review
    git(outer, "commit", "-q", "-am", "unrelated change after the review's commit")
    reviewkit("build", review, "--to", "html", check=True)
    assert f"from commit {own}." in footer(review)  # the review's last commit, not the checkout's HEAD
    assert manifest(review) == {"commit": own, "uncommitted_changes": False, "under_version_control": True}

    abstract = review / "abstract.md"
    abstract.write_text(
        abstract.read_text(encoding="utf-8") + "\nAn uncommitted synthetic sentence.\n", encoding="utf-8"
    )
    reviewkit("build", review, "--to", "html", check=True)
    assert f"from commit {own} with uncommitted changes." in footer(review)
    assert manifest(review)["uncommitted_changes"] is True


def test_provenance_kept_between_builds_follows_every_commit_and_edit(tmp_path):
    """A no-op build does not ask git (the answer is kept with what it depends on), yet a commit, an uncommitted
    edit of a tracked file (same size) and its revert each change the footer at the next build."""
    real = shutil.which("git")
    shim = tmp_path / "bin" / "git"  # a `git` first on PATH that notes each call, then runs the real one
    shim.parent.mkdir()
    log = tmp_path / "git-calls.log"
    shim.write_text(f'#!/bin/sh\necho "$*" >> "{log}"\nexec "{real}" "$@"\n', encoding="utf-8")
    shim.chmod(0o755)
    env = {"PATH": f"{shim.parent}{os.pathsep}{os.environ['PATH']}"}
    review = copy_project(tmp_path / "review")
    (review / ".gitignore").write_text("outputs/\n", encoding="utf-8")
    notes = review / "notes.txt"  # tracked, read by no section and not by the report: only provenance shows it
    notes.write_text("synthetic note 1\n", encoding="utf-8")
    git(review, "init", "-q")
    git(review, "add", ".")
    git(review, "commit", "-q", "-m", "synthetic review")

    def build():
        time.sleep(2.1)  # past the window in which a change could hide in the same timestamp: git's answer is kept
        log.write_text("", encoding="utf-8")
        proc = reviewkit("build", review, "--to", "html", check=True, env=env)
        return proc, log.read_text(encoding="utf-8").splitlines()

    def settled():  # a build after a change may ask git again (git refreshed its index); the one after need not
        build()
        proc, asked = build()
        assert kinds(proc.events, ReportUpToDate) and asked == []  # nothing changed: git not asked

    build()
    assert f"from commit {git(review, 'rev-parse', '--short', 'HEAD')}." in footer(review)
    settled()

    notes.write_text("synthetic note 2\n", encoding="utf-8")
    git(review, "commit", "-q", "-am", "a later commit")
    second = git(review, "rev-parse", "--short", "HEAD")
    proc, asked = build()
    assert not kinds(proc.events, ReportUpToDate) and asked
    assert f"from commit {second}." in footer(review)
    assert manifest(review) == {"commit": second, "uncommitted_changes": False, "under_version_control": True}
    settled()

    notes.write_text("synthetic note 3\n", encoding="utf-8")  # the same size, not committed
    build()
    assert f"from commit {second} with uncommitted changes." in footer(review)
    settled()

    git(review, "checkout", "--", "notes.txt")
    build()
    assert f"from commit {second}." in footer(review)
    settled()

    notes.write_text("synthetic note 4\n", encoding="utf-8")
    git(review, "add", "notes.txt")  # staged, not committed
    build()
    assert f"from commit {second} with uncommitted changes." in footer(review)


def test_no_answer_is_kept_when_git_could_not_answer(tmp_path):
    """A build whose git fails (here: every call exits 1) says what it could; the next build asks git again."""
    broken = tmp_path / "broken" / "git"
    broken.parent.mkdir()
    broken.write_text("#!/bin/sh\nexit 1\n", encoding="utf-8")
    broken.chmod(0o755)
    review = copy_project(tmp_path / "review")
    (review / ".gitignore").write_text("outputs/\n", encoding="utf-8")
    git(review, "init", "-q")
    git(review, "add", ".")
    git(review, "commit", "-q", "-m", "synthetic review")
    time.sleep(2.1)  # past the racy window: an answer would be kept
    reviewkit(
        "build", review, "--to", "html", check=True, env={"PATH": f"{broken.parent}{os.pathsep}{os.environ['PATH']}"}
    )
    assert "from a review not under version control" in footer(review)  # all it could say
    reviewkit("build", review, "--to", "html", check=True)
    assert f"from commit {git(review, 'rev-parse', '--short', 'HEAD')}." in footer(review)
